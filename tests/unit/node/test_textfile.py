"""The textfile collector and its parser (Go 1.5's rules; tests/integration/test_textfile_vs_go.py holds each
case against the real Go binary)."""

from __future__ import annotations

import math
import os
import subprocess

import pytest

from exporter_toolkit.exposition import render_text
from exporter_toolkit.families import gauge
from node_exporter.collector import Context, NodeCollector
from node_exporter.collectors.textfile import TextfileCollector
from node_exporter.textformat import TextFormatError, go_float, go_uint64, parse
from tests.conftest import require_binary

REJECTED = {
    "crlf": b"x 1\r\n",
    "trailing-space": b"x 1 \n",
    "trailing-tab": b"x 1\t\n",
    "no-final-newline": b"x 1",
    "comment-without-newline": b"x 1\n# done",
    "overflow": b"x 1e400\n",
    "type-after-samples": b"x 1\n# TYPE x gauge\n",
    "two-types": b"# TYPE x gauge\n# TYPE x counter\nx 1\n",
    "two-helps": b"# HELP x a\n# HELP x b\nx 1\n",
    "help-escape": b"# HELP x a\\tb\nx 1\n",
    "help-quote-escape": b'# HELP x a\\"b\nx 1\n',
    "help-trailing-backslash": b"# HELP x a\\\nx 1\n",
    "label-escape": b'x{a="\\t"} 1\n',
    "label-raw-newline": b'x{a="a\nb"} 1\n',
    "label-utf8": b'x{a="\xff"} 1\n',
    "label-surrogate": b'x{a="\xed\xa0\x80"} 1\n',
    "le-abc": b'# TYPE h histogram\nh_bucket{le="abc"} 1\n',
    "le-on-count": b'# TYPE h histogram\nh_count{le="x"} 1\n',
    "quantile-x": b'# TYPE s summary\ns{quantile="x"} 1\n',
    "plus-nan": b"x +nan\n",
    "underscore": b"x 1_0\n",
    "hex": b"x 0x10\n",
    "hex-float": b"x 0x1p3\n",
    "unicode-digit": "x \u0661\n".encode(),
    "infin": b"x infin\n",
    "empty-value": b"x\n",
    "empty-value-after-labels": b"x{}\n",
    "float-timestamp": b"x 1 1.5\n",
    "spurious": b"x 1 2 3\n",
    "reserved-label": b'x{__name__="y"} 1\n',
    "duplicate-label": b'x{a="1",a="2"} 1\n',
    "duplicate-label-summary": b'# TYPE s summary\ns{a="1",a="2"} 1\n',
    "unknown-type": b"# TYPE x unknown\nx 1\n",
    "gauge-histogram": b"# TYPE x gauge_histogram\nx 1\n",
    "type-trailing-space": b"# TYPE x gauge \nx 1\n",
    "bad-name-in-comment": b"# HELP 1x help\nx 1\n",
    "bad-name": b"1x 1\n",
    "label-name": b'x{1a="1"} 1\n',
    "label-no-equals": b'x{a "1"} 1\n',
    "label-no-quote": b"x{a=1} 1\n",
    "label-unclosed": b'x{a="1" 1\n',
    "second-type-via-suffix": b"# TYPE x summary\n# TYPE x_count gauge\nx_count 1\n",
}
ACCEPTED = {
    "blanks": b'  \t x  { a = "1" , b="2" , }  7\n\n   \n# c\n#\n  ',
    "no-space-after-brace": b'x{a="1"}7\n',
    "type-noname": b"# TYPE\n# TYPE \n# HELP\n# HELP x\ny 1\n",
    "plain-comments": b"#\n# \xff anything \\q\n#HELPX\n",
    "minus-after-name": b"x-1\n",
    "specials": b"a 1e-400\nb -0\nc +Inf\nd nan\ne 1.\nf .5\ng -Infinity\nh INF\n",
    "escapes": b'# HELP x a\\\\b\\nc "q"\nx{a="\\"\\\\\\n"} 1\n',
    "help-invalid-utf8": b"# HELP x bad \xc3\nx 1\n",
    "type-case": b"# TYPE x GaUgE\nx 1\n",
    "help-after-samples": b"x 1\n# HELP x late\n",
    "timestamp": b"x 1 -5\n",
    "empty": b"",
    "only-blanks": b"   ",
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_parser_rejects_what_go_rejects(case):
    with pytest.raises(TextFormatError, match=r"text format parsing error in line \d+: "):
        parse(REJECTED[case])


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_parser_accepts_what_go_accepts(case):
    parse(ACCEPTED[case])


def test_parser_values_and_structure():
    parsed = parse(ACCEPTED["specials"] + ACCEPTED["escapes"] + b"# TYPE s summary\ns{quantile=\"0.5\"} 2\n"
                   b"s_sum 3\ns_count 4.9\n# TYPE hh histogram\nhh_bucket{le=\"1\",a=\"x\"} -3\nhh_count{a=\"x\"} 1\n")
    families = parsed.families
    assert families["a"].samples == [({}, 0.0)]
    assert math.isnan(families["d"].samples[0][1])
    assert families["g"].samples == [({}, -math.inf)]
    assert families["x"].help == 'a\\b\nc "q"'
    assert families["x"].samples == [({"a": '"\\\n'}, 1.0)]
    group = families["s"].groups[()]
    assert (group.count, group.sum, group.entries) == (4, 3.0, [(0.5, 2.0)])
    bucket = families["hh"].groups[(("a", "x"),)]
    assert bucket.entries == [(1.0, float(2**64 - 3))] and bucket.count == 1
    assert parsed.has_timestamps is False
    assert parse(b"x 1 5\n").has_timestamps is True
    assert "y" not in parse(b"# HELP y only help\n").families


def test_error_names_the_line():
    with pytest.raises(TextFormatError, match=r"line 3: .*second HELP"):
        parse(b"# HELP x a\nx 1\n# HELP x b\n")


@pytest.mark.parametrize(("value", "text"), [(1.0, "1"), (1e6, "1e+06"), (123456.0, "123456"), (1e-5, "1e-05"),
                                             (0.0001, "0.0001"), (1234567.0, "1.234567e+06"), (-2.5, "-2.5"),
                                             (math.inf, "+Inf"), (-0.0, "0"), (1.7e9, "1.7e+09")])
def test_go_float(value, text):
    assert go_float(value) == text


@pytest.mark.parametrize(("value", "count"), [(3.9, 3), (-3.0, 2**64 - 3), (math.nan, 2**63), (1e30, 2**63),
                                              (-1e30, 2**63), (2.0**63 + 2048, 2**63 + 2048)])
def test_go_uint64_as_amd64(value, count):
    assert go_uint64(value) == count


def collect(directory, *others) -> list:
    textfile = TextfileCollector(Context(options={"textfile_directory": str(directory)}))
    return list(NodeCollector({**dict(others), "textfile": textfile}).collect())


def write(directory, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (directory / name).write_bytes(data)


def by_name(metrics) -> dict:
    return {metric.name: metric for metric in metrics}


def scrape_error(metrics) -> float:
    return by_name(metrics)["node_textfile_scrape_error"].rows[0][1]


def test_bad_file_skipped_whole_other_files_served(tmp_path):
    write(tmp_path, {"a.prom": b"x 1 \n", "b.prom": b"y 2\n"})
    metrics = collect(tmp_path)
    assert scrape_error(metrics) == 1.0
    assert "x" not in by_name(metrics) and by_name(metrics)["y"].rows == [((), 2.0)]
    mtimes = by_name(metrics)["node_textfile_mtime_seconds"].rows
    assert [tuple(labels) for labels, _ in mtimes] == [(str(tmp_path / "b.prom"),)]


def test_directory_named_prom_reads_as_empty_and_hidden_files_count(tmp_path):
    (tmp_path / "x.prom").mkdir()
    write(tmp_path, {".h.prom": b"h 1\n", "n.txt": b"n 1\n"})
    metrics = collect(tmp_path)
    assert scrape_error(metrics) == 0.0
    assert "h" in by_name(metrics) and "n" not in by_name(metrics)
    files = {labels[0] for labels, _ in by_name(metrics)["node_textfile_mtime_seconds"].rows}
    assert files == {str(tmp_path / "x.prom"), str(tmp_path / ".h.prom")}


def test_missing_directory_is_an_error(tmp_path):
    assert scrape_error(collect(tmp_path / "missing")) == 1.0


def test_help_names_every_file_and_first_family_wins(tmp_path):
    write(tmp_path, {"a.prom": b"# TYPE x gauge\nx 1\n", "b.prom": b'# TYPE x counter\nx{a="1"} 2\n',
                     "c.prom": b'y 1\ny{b="2"} 2\ny 3\n', "d.prom": b"y 5\n"})
    metrics = by_name(collect(tmp_path))
    assert metrics["x"].documentation == f"Metric read from {tmp_path / 'a.prom'}, {tmp_path / 'b.prom'}"
    assert metrics["x"].type == "gauge" and metrics["x"].rows == [((), 1.0)]
    # c.prom: y{b=""} 1 (the family's label filled in), y{b="2"} 2, and y 3 repeats y{b=""}; d.prom's family has
    # no label at all, so its `y 5` is another series for Go.
    assert {(tuple(sorted(s.labels.items())), s.value) for s in metrics["y"].samples} == {
        ((("b", ""),), 1.0), ((("b", "2"),), 2.0), ((), 5.0)}
    assert render_text([metrics["y"]]).decode().count("# HELP") == 1


def test_histogram_gets_inf_bucket_and_counter_keeps_its_name(tmp_path):
    write(tmp_path, {"a.prom": b'# TYPE h histogram\nh_bucket{le="1"} 2.7\nh_sum 5\nh_count 4\n'
                               b"# TYPE c counter\nc 5\n"})
    body = render_text(collect(tmp_path)).decode()
    assert 'h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 4\nh_sum 5\nh_count 4\n' in body
    assert "# TYPE c counter\nc 5\n" in body


def test_redeclared_collector_metrics_keep_one_help_line(tmp_path):
    write(tmp_path, {"a.prom": b'# HELP node_load1 other\nnode_load1{a="1"} 5\nnode_textfile_scrape_error 7\n'
                               b'node_scrape_collector_success{collector="textfile"} 9\n'})

    class Load:
        def update(self):
            yield gauge("node_load1", "1m load average.", value=0.5)
            yield gauge("node_load5", "5m load average.", value=0.5)

    body = render_text(collect(tmp_path, ("loadavg", Load()))).decode()
    assert body.count("# HELP node_load1 ") == 1 and 'node_load1{a="1"} 5' in body
    assert "node_load5 0.5" in body
    assert body.count("# HELP node_textfile_scrape_error ") == 1 and "node_textfile_scrape_error 7" in body
    assert body.count("# HELP node_scrape_collector_success ") == 1
    assert 'node_scrape_collector_success{collector="textfile"} 9' in body
    # The collector's own success sample has another HELP than the textfile's family: dropped, as Go does.
    assert 'node_scrape_collector_success{collector="loadavg"}' not in body
    parse(body.encode())  # Go's parser takes the whole scrape (no second HELP or TYPE)
    done = subprocess.run([require_binary("promtool"), "check", "metrics"], input=body.encode(),
                          capture_output=True, timeout=60)
    assert done.returncode != 1, done.stderr


def test_collector_families_are_not_changed_by_a_merge(tmp_path):
    write(tmp_path, {"a.prom": b'# HELP kept Kept.\n# TYPE kept gauge\nkept{a="1"} 5\n'})
    family = gauge("kept", "Kept.", labels=["a"])
    family.add_metric(["2"], 1.0)

    class Keeper:
        def update(self):
            yield family

    merged = by_name(collect(tmp_path, ("keeper", Keeper())))["kept"]
    assert sorted((tuple(labels), value) for labels, value in merged.rows) == [(("1",), 5.0), (("2",), 1.0)]
    assert family.rows == [(["2"], 1.0)]
    assert os.path.exists(tmp_path / "a.prom")
