"""Go node_exporter 1.5's end-to-end test, with its fixture, flags and golden output, run against ours."""

from __future__ import annotations

from tests.conftest import require_shared
from tests.node_e2e import GOLDEN, TREE, compare, go_flags, parse, scrape_ours, unpack


def test_go_end_to_end_fixture_every_sample_equal(tmp_path_factory):
    require_shared(TREE)
    require_shared(GOLDEN)
    base = unpack(tmp_path_factory.mktemp("node-e2e"))
    want = parse(GOLDEN.read_text())
    got = parse(scrape_ours(base, go_flags()))
    problems = compare(want, got)
    assert not problems, f"{len(problems)} differences with Go's e2e-output.txt:\n" + "\n".join(problems[:200])
    # The comparison itself must have bite: Go's golden file holds thousands of samples across the collectors.
    assert sum(len(f.samples) for f in want.values()) > 2000
