"""Every ```python block of the docs runs: the documentation's examples cannot rot. (scripts/test runs the
app_instrumentation page's blocks once more where the library is installed alone: tests/doc_examples.py.)"""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.doc_examples import blocks, run_block

DOCS = sorted((REPO / "docs").glob("*.md"))


def all_blocks():
    for path in DOCS:
        for index, code in enumerate(blocks(path)):
            yield pytest.param(code, id=f"{path.name}-{index}")


@pytest.mark.parametrize("code", list(all_blocks()))
def test_example_runs(code):
    run_block(code)


def test_there_are_examples():
    assert len(list(all_blocks())) >= 6
