"""The two wheels built from a copy of the tree (in a folder with spaces): the suite's carries the three daemons and
their runtime only, requires nothing an index cannot serve, and names the three console scripts; the library's
carries the library alone. (scripts/test also installs each into a fresh virtualenv: scripts/lib.sh check_wheels.)"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys

from tests.conftest import REPO

spec = importlib.util.spec_from_file_location("check_wheels", REPO / "scripts" / "check_wheels.py")
check_wheels = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_wheels)


def test_wheels_carry_what_they_must(tmp_path):
    tree = tmp_path / "a checkout"
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, tree / name)
    for name in (*check_wheels.SUITE_PACKAGES, "kube_sim", "localstack", "testbed", "tests", "app_instrumentation"):
        shutil.copytree(REPO / name, tree / name, ignore=ignore)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(dist), str(tree / "app_instrumentation"), str(tree)],
                   check=True, capture_output=True, timeout=300)
    library, suite = sorted(dist.glob("*.whl"))
    assert library.name.startswith("app_instrumentation-") and suite.name.startswith("exporter_suite-")
    assert check_wheels.suite_problems(suite) == []
    assert check_wheels.library_problems(library) == []


def test_the_check_finds_a_development_package_in_the_suite_wheel(tmp_path):
    import zipfile

    wheel = tmp_path / "exporter_suite-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in (*check_wheels.SUITE_PACKAGES, "kube_sim"):
            archive.writestr(f"{name}/__init__.py", "")
        archive.writestr("exporter_suite-0.1.0.dist-info/METADATA",
                         "Metadata-Version: 2.1\nName: exporter-suite\nRequires-Dist: app-instrumentation==0.1.0\n")
        archive.writestr("exporter_suite-0.1.0.dist-info/entry_points.txt",
                         "[console_scripts]\nnode-exporter = node_exporter.cli:main\n")
    assert check_wheels.suite_problems(wheel) == [
        f"{wheel.name}: carries kube_sim/",
        f"{wheel.name}: requires app-instrumentation==0.1.0 (no index serves it)",
        f"{wheel.name}: no console script kube-state-exporter",
        f"{wheel.name}: no console script mysql-exporter",
    ]
