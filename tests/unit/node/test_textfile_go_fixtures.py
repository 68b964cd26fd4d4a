"""Go node_exporter 1.5's own textfile test cases (collector/fixtures/textfile in its tree, each directory with
the exposition Go's test expects beside it): our collector serves the same families, HELP, TYPE and series."""

from __future__ import annotations

import math
import tarfile

import pytest

from exporter_toolkit.exposition import render_text
from node_exporter.collector import Context
from node_exporter.collectors.textfile import TextfileCollector
from node_exporter.textformat import parse
from tests.conftest import IN_CI
from tests.node_e2e import REFERENCE

TREE = REFERENCE / "tree.tgz"
# Go's test names each case by its directory flag; these two are no directory of their own.
PATHS = {"nonexistent_path": "fixtures/textfile/nonexistent_path",
         "glob_extra_dimension": "fixtures/textfile/*_extra_dimension"}


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    root = tmp_path_factory.mktemp("go-textfile")
    try:
        with tarfile.open(TREE) as archive:
            members = [member for member in archive.getmembers()
                       if member.name.removeprefix("./").startswith("textfile/")]
            archive.extractall(root / "fixtures", members=members, filter="data")
    except FileNotFoundError:
        if IN_CI:
            pytest.fail(f"{TREE} is missing")
        pytest.skip(f"{TREE} is missing")
    return root


def cases() -> list[str]:
    try:
        with tarfile.open(TREE) as archive:
            names = [name.removeprefix("./") for name in archive.getnames()]
            return sorted(name[len("textfile/"):-len(".out")] for name in names
                          if name.startswith("textfile/") and name.endswith(".out"))
    except FileNotFoundError:
        return ["reference-tree-missing"]


def served(body: bytes) -> dict:
    out = {}
    for name, family in parse(body).families.items():
        series = sorted((sorted(labels.items()), "NaN" if math.isnan(value) else value)
                        for labels, value in family.samples)
        groups = sorted((key, group.count, group.sum, sorted(group.entries)) for key, group in family.groups.items())
        out[name] = (family.help, family.type, series, groups)
    return out


@pytest.mark.parametrize("case", cases())
def test_go_textfile_case(fixtures, monkeypatch, case):
    monkeypatch.chdir(fixtures)
    expected = (fixtures / "fixtures" / "textfile" / f"{case}.out").read_bytes()
    collector = TextfileCollector(Context(options={"textfile_directory": PATHS.get(case, f"fixtures/textfile/{case}")}))
    metrics = list(collector.update())
    for metric in metrics:
        if metric.name == "node_textfile_mtime_seconds":  # Go's test pins every mtime to 1
            metric.rows = [(labels, 1.0) for labels, _ in metric.rows]
    assert served(render_text(metrics)) == served(expected)
