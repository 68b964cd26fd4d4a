# Shared by scripts/run and scripts/test: a project virtualenv and the Debian packages of the real servers.
# Both are idempotent: a second run installs nothing.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$REPO_ROOT/.venv"

# Real servers the tests and the local stack run (Debian bookworm package names).
APT_PACKAGES=(prometheus prometheus-alertmanager prometheus-node-exporter mariadb-server mariadb-client prometheus-mysqld-exporter
              victoria-metrics dbus-daemon curl podman mmdebstrap runc slirp4netns catatonit)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1; fi
}

ensure_apt_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo ">> apt-get install ${missing[*]}"
    as_root apt-get update -qq
    # Package scripts must not start the Debian services: our fixtures start their own on free ports.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >/dev/null
}

ensure_venv() {
    local extras=${1:-all}
    local stamp="$VENV/.installed-$extras"
    if [ ! -x "$VENV/bin/python" ]; then
        echo ">> creating virtualenv in .venv"
        python3 -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ] || [ "$REPO_ROOT/pyproject.toml" -nt "$stamp" ] \
            || [ "$REPO_ROOT/app_instrumentation/pyproject.toml" -nt "$stamp" ]; then
        echo ">> pip install -e ./app_instrumentation -e .[$extras]"
        # Builds use the virtualenv's own setuptools: no isolated build environment downloaded for every build.
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check "setuptools>=68" wheel
        # The library is a distribution of its own (the daemons do not use it; the local stack's demo app and
        # the tests do). kube_sim, localstack, testbed and tests are imported from the checkout, never installed.
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation \
            -e "$REPO_ROOT/app_instrumentation" -e "$REPO_ROOT[$extras]"
        touch "$stamp"
    fi
}

# Both wheels built from this tree, each installed from its wheel file alone into a fresh virtualenv (the index
# only serves their third-party dependencies): the library runs the examples of its documentation there; the
# suite's wheel carries the daemons and their shared runtime only, and its three console scripts start.
check_wheels() {
    local work
    work=$(mktemp -d)
    echo ">> wheels of app-instrumentation and exporter-suite, each in a fresh virtualenv"
    # setuptools reuses build/ and never drops files from it: a stale one would put old modules in a wheel.
    rm -rf "$REPO_ROOT/build" "$REPO_ROOT/app_instrumentation/build"
    "$VENV/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
        --wheel-dir "$work/dist" "$REPO_ROOT/app_instrumentation" "$REPO_ROOT"
    rm -rf "$REPO_ROOT/build" "$REPO_ROOT/app_instrumentation/build"
    local status=0
    "$VENV/bin/python" "$REPO_ROOT/scripts/check_wheels.py" "$work"/dist/*.whl || status=$?
    if [ $status -eq 0 ]; then
        python3 -m venv "$work/library"
        "$work/library/bin/python" -m pip install -q --disable-pip-version-check "$work"/dist/app_instrumentation-*.whl
        # -I: neither the working directory nor PYTHONPATH can lend the library (or the suite) from this tree.
        (cd "$work" && "$work/library/bin/python" -I "$REPO_ROOT/tests/doc_examples.py" --alone \
            "$REPO_ROOT/docs/app-instrumentation.md") || status=$?
    fi
    if [ $status -eq 0 ]; then
        python3 -m venv "$work/suite"
        local wheel
        wheel=$(echo "$work"/dist/exporter_suite-*.whl)
        "$work/suite/bin/python" -m pip install -q --disable-pip-version-check "$wheel[all]" \
            || status=$?
        for daemon in node-exporter kube-state-exporter mysql-exporter; do
            [ $status -eq 0 ] || break
            (cd "$work" && "$work/suite/bin/$daemon" --version) || { echo "$daemon --version failed" >&2; status=1; }
        done
    fi
    rm -rf "$work"
    return $status
}
