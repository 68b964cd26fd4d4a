"""The ```python blocks of the docs, and a runner for them that needs only the standard library.

tests/unit/test_docs_examples.py runs every page's examples in the project's virtualenv; scripts/test runs the
app_instrumentation page's again in a fresh virtualenv where the app-instrumentation wheel is installed alone:

    python -I tests/doc_examples.py --alone docs/app-instrumentation.md
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

BLOCK = re.compile(r"```python\n(.*?)```", re.S)
# What a virtualenv holds besides the library and its one dependency.
INSTALLER_DISTRIBUTIONS = {"pip", "setuptools", "wheel"}


def blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text())


def run_block(code: str) -> None:
    exec(compile(code, "<docs example>", "exec"), {"__name__": "docs_example"})


def check_installed_alone() -> None:
    """The library comes from this environment's site-packages with prometheus-client and nothing else, and its
    standalone server serves /metrics from the standard library alone."""
    import urllib.request

    import app_instrumentation

    assert app_instrumentation.__file__ and app_instrumentation.__file__.startswith(sys.prefix), \
        f"app_instrumentation imported from {app_instrumentation.__file__}, not from {sys.prefix}"
    names = {re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower() for dist in importlib.metadata.distributions()}
    extra = names - INSTALLER_DISTRIBUTIONS - {"app-instrumentation", "prometheus-client"}
    assert not extra, f"installed beside the library: {sorted(extra)}"
    assert importlib.util.find_spec("exporter_toolkit") is None
    server = app_instrumentation.start_http_server(0, addr="127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as response:
            assert response.status == 200 and b"# TYPE" in response.read()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--alone", action="store_true", help="also check the library is installed alone")
    args = parser.parse_args(argv)
    if args.alone:
        check_installed_alone()
    ran = 0
    for page in args.pages:
        for index, code in enumerate(blocks(page)):
            try:
                run_block(code)
            except Exception:
                print(f"{page.name} example {index} failed:\n{code}", file=sys.stderr)
                raise
            ran += 1
    if not ran:
        print("no python examples found", file=sys.stderr)
        return 1
    print(f"docs examples: {ran} ran in {sys.prefix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
