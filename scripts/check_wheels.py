"""What each wheel built from this tree must carry: `check_wheels.py LIBRARY.whl SUITE.whl` prints one line per
problem and exits 1 when there is any (scripts/lib.sh check_wheels; tests/unit/test_packaging.py)."""

from __future__ import annotations

import sys
import zipfile
from email.parser import Parser
from pathlib import Path

# The daemons and the runtime they share; nothing for development (kube_sim, localstack, testbed, tests).
SUITE_PACKAGES = {"exporter_toolkit", "node_exporter", "mysql_exporter", "kube_state_exporter"}
SCRIPTS = {"node-exporter", "kube-state-exporter", "mysql-exporter"}


def top_level(names: list[str]) -> set[str]:
    return {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}


def metadata(wheel: zipfile.ZipFile, part: str) -> str:
    name = next(name for name in wheel.namelist() if name.endswith(f".dist-info/{part}"))
    return wheel.read(name).decode()


def suite_problems(path: Path) -> list[str]:
    wheel = zipfile.ZipFile(path)
    packages = top_level(wheel.namelist())
    problems = [f"{path.name}: carries {name}/" for name in sorted(packages - SUITE_PACKAGES)]
    problems += [f"{path.name}: lacks {name}/" for name in sorted(SUITE_PACKAGES - packages)]
    requires = Parser().parsestr(metadata(wheel, "METADATA")).get_all("Requires-Dist") or []
    problems += [f"{path.name}: requires {line} (no index serves it)" for line in requires
                 if line.startswith(("app-instrumentation", "app_instrumentation"))]
    entry_points = metadata(wheel, "entry_points.txt").splitlines()
    scripts = {line.split("=", 1)[0].strip() for line in entry_points if "=" in line}
    problems += [f"{path.name}: no console script {name}" for name in sorted(SCRIPTS - scripts)]
    return problems


def library_problems(path: Path) -> list[str]:
    packages = top_level(zipfile.ZipFile(path).namelist())
    return [] if packages == {"app_instrumentation"} else [f"{path.name}: top-level packages {sorted(packages)}"]


def main(argv: list[str]) -> int:
    library, suite = sorted(Path(arg) for arg in argv)  # app_instrumentation-* sorts before exporter_suite-*
    problems = library_problems(library) + suite_problems(suite)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
