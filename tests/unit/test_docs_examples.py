"""Every ```python block of the docs runs: the documentation's examples cannot rot."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

DOCS = sorted((REPO / "docs").glob("*.md"))
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks():
    for path in DOCS:
        for index, code in enumerate(BLOCK.findall(path.read_text())):
            yield pytest.param(code, id=f"{path.name}-{index}")


@pytest.mark.parametrize("code", list(blocks()))
def test_example_runs(code):
    exec(compile(code, "<docs example>", "exec"), {"__name__": "docs_example"})


def test_there_are_examples():
    assert len(list(blocks())) >= 6
