# Shared by scripts/run and scripts/test: a project virtualenv and the Debian packages of the real servers.
# Both are idempotent: a second run installs nothing.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$REPO_ROOT/.venv"

# Real servers the tests and the local stack run (Debian bookworm package names).
APT_PACKAGES=(prometheus prometheus-alertmanager prometheus-node-exporter mariadb-server mariadb-client prometheus-mysqld-exporter
              victoria-metrics dbus-daemon curl)

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
    if [ ! -f "$stamp" ] || [ "$REPO_ROOT/pyproject.toml" -nt "$stamp" ]; then
        echo ">> pip install -e .[$extras]"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$REPO_ROOT[$extras]"
        touch "$stamp"
    fi
}
