"""The textfile collector against Debian's Go node_exporter 1.5 on the same directory: for each hostile file, the
same files accepted (node_textfile_scrape_error, the mtimes), the same families, HELP, TYPE and series, and our
whole scrape still valid for `promtool check metrics`."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node_exporter.textformat import parse
from testbed.harness import free_port, start_daemon
from tests.conftest import require_binary

LOAD = 'node_load1{a="1"} 5\n'
CASES: dict[str, dict[str, bytes | None]] = {
    # Go rejects these files
    "crlf": {"a.prom": b"# TYPE x gauge\r\nx 1\r\n"},
    "trailing-space": {"a.prom": b"x 1 \n"},
    "trailing-tab": {"a.prom": b"x 1\t\n"},
    "no-final-newline": {"a.prom": b"x 1"},
    "overflow": {"a.prom": b"x 1e400\n"},
    "type-after-samples": {"a.prom": b"x 1\n# TYPE x gauge\n"},
    "two-types": {"a.prom": b"# TYPE x gauge\n# TYPE x gauge\nx 1\n"},
    "two-helps": {"a.prom": b"# HELP x a\n# HELP x b\nx 1\n"},
    "bad-escape-help": {"a.prom": b"# HELP x a\\tb\nx 1\n"},
    "bad-escape-label": {"a.prom": b'x{a="\\t"} 1\n'},
    "bad-utf8-label": {"a.prom": b'x{a="\xff"} 1\n'},
    "le-abc": {"a.prom": b'# TYPE h histogram\nh_bucket{le="abc"} 1\nh_count 1\n'},
    "quantile-x": {"a.prom": b'# TYPE s summary\ns{quantile="x"} 1\n'},
    "plus-nan": {"a.prom": b"x +nan\n"},
    "underscore": {"a.prom": b"x 1_0\n"},
    "timestamp": {"a.prom": b"x 1 1700000000000\n"},
    "spurious-after-timestamp": {"a.prom": b"x 1 2 3\n"},
    "reserved-label": {"a.prom": b'x{__name__="y"} 1\n'},
    "duplicate-label": {"a.prom": b'x{a="1",a="2"} 1\n'},
    "unknown-type": {"a.prom": b"# TYPE x unknown\nx 1\n"},
    "type-trailing-space": {"a.prom": b"# TYPE x gauge \nx 1\n"},
    "bad-name-in-comment": {"a.prom": b"# HELP 1x help\nx 1\n"},
    "one-bad-one-good": {"a.prom": b"x 1 \n", "b.prom": b"y 2\n"},
    # Go accepts these
    "conflicting-type-between-files": {"a.prom": b"# TYPE x gauge\nx 1\n", "b.prom": b'# TYPE x counter\nx{a="1"} 2\n'},
    "type-without-name": {"a.prom": b"# TYPE\n# TYPE \n# HELP\ny 1\n"},
    "directory-named-prom": {"x.prom": None, "b.prom": b"y 1\n"},
    "hidden-file": {".x.prom": b"y 1\n"},
    "not-prom": {"x.txt": b"y 1\n"},
    "duplicate-series": {"a.prom": b'x{a="1"} 1\nx{a="1"} 2\nx 3\ny{a=""} 1\ny 2\n'},
    "duplicate-series-across-files": {"a.prom": b"x 1\n", "b.prom": b"x 2\n"},
    "histogram-without-inf": {"a.prom": b'# TYPE h histogram\nh_bucket{le="1"} 2.7\nh_bucket{le="1"} 3\n'
                                        b"h_sum 5\nh_count 4\n"},
    "histogram-odd-counts": {"a.prom": b'# TYPE h histogram\nh_bucket{le="1"} -3\nh_bucket{le="2"} NaN\n'
                                       b"h_count 1e30\nh_sum 1\n"},
    "histogram-le-format": {"a.prom": b'# TYPE h histogram\nh_bucket{le="1e6"} 3\nh_bucket{le="0.00001"} 1\n'
                                      b'h_bucket{le="+Inf"} 7\nh_count 9\n'},
    "summary": {"a.prom": b'# TYPE s summary\ns{quantile="0.9",b="1"} 3\ns{quantile="NaN",b="1"} 4\n'
                          b's{quantile="0.1",b="1"} 2\ns_count{b="1"} 2.9\ns{b="2"} 5\n'},
    "counter-no-total": {"a.prom": b"# TYPE c counter\nc 5\n# TYPE d_total counter\nd_total 6\n"},
    "help-from-two-files": {"a.prom": b"# HELP x foo\nx 1\n", "b.prom": b'x{a="2"} 2\n', "c.prom": b"y 3\n",
                            "d.prom": b'y{b="1"} 4\n'},
    "missing-labels": {"a.prom": b'x{a="1"} 1\nx{b="2"} 2\n'},
    # two histogram series that are one once the missing label is filled in (found by the property test below)
    "histogram-series-one-once-filled": {
        "a.prom": b'# TYPE x_count histogram\nx_count{a=""} 1\nx_count 1\n'
                  b'# TYPE h histogram\nh_bucket{a="",le="1"} 1\nh_bucket{le="2"} 2\n'},
    "special-values": {"a.prom": b"a 1e-400\nb -0\nc +Inf\nd nan\ne 1.\nf .5\ng -Infinity\nh 0x\n"},
    "minus-after-name": {"a.prom": b"x-1\n"},
    "blanks-everywhere": {"a.prom": b'  \t x  { a = "1" , b="2" , }  7\n\n   \n# c\n#\n   # HELP x h\n  '},
    "escapes": {"a.prom": b'# HELP x a\\\\b\\nc "q"\nx{a="\\"\\\\\\n"} 1\n'},
    "help-invalid-utf8": {"a.prom": b"# HELP x bad \xc3\n# comment \xff\nx 1\n"},
    "type-case": {"a.prom": b"# TYPE x GaUgE\nx 1\n# HELP x\n"},
    "help-only": {"a.prom": b"# HELP x foo\n# TYPE y gauge\n"},
    "empty": {"a.prom": b""},
    "redeclare-scrape-error": {"a.prom": b"node_textfile_scrape_error 5\n"},
    "redeclare-mtime": {"a.prom": b'node_textfile_mtime_seconds{file="z"} 5\n'},
}
# Another collector's metric re-declared: Go's gathering is unordered, its textfile series win in most scrapes.
RACY = {
    "redeclare-load1-label": {"a.prom": LOAD.encode()},
    "redeclare-load1-help": {"a.prom": b"# HELP node_load1 other\nnode_load1 5\n"},
    "redeclare-load1-counter": {"a.prom": b"# TYPE node_load1 counter\nnode_load1 5\n"},
}
FLAGS = ["--collector.disable-defaults", "--collector.textfile", "--collector.loadavg",
         "--web.disable-exporter-metrics"]
HOST_LOAD = {"1m load average.", "5m load average.", "15m load average."}


@pytest.fixture(scope="module")
def exporters(tmp_path_factory):
    directory = tmp_path_factory.mktemp("textfiles")
    logs = tmp_path_factory.mktemp("logs")
    flags = [*FLAGS, f"--collector.textfile.directory={directory}"]
    go = start_daemon("go-node-exporter", [require_binary("prometheus-node-exporter"),
                                           f"--web.listen-address=127.0.0.1:{(port := free_port())}", *flags],
                      port, str(logs / "go.log"))
    try:
        ours = start_daemon("node-exporter", [sys.executable, "-m", "node_exporter",
                                              f"--web.listen-address=127.0.0.1:{(mine := free_port())}", *flags],
                            mine, str(logs / "ours.log"), ready_path="/healthz")
        try:
            yield directory, go, ours
        finally:
            ours.stop()
    finally:
        go.stop()


def write(directory, files: dict[str, bytes | None]) -> None:
    for entry in os.listdir(directory):
        path = os.path.join(directory, entry)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    for name, data in files.items():
        if data is None:
            os.mkdir(os.path.join(directory, name))
        else:
            with open(os.path.join(directory, name), "wb") as handle:
                handle.write(data)


def scrape(daemon) -> bytes:
    return requests.get(f"http://127.0.0.1:{daemon.port}/metrics", timeout=30).content


def _value(value: float) -> float | str:
    return "NaN" if math.isnan(value) else value


def served(body: bytes) -> dict[str, tuple]:
    """family -> (HELP, TYPE, series), without what differs between two processes (durations, host load)."""
    out = {}
    for name, family in parse(body).families.items():
        if name.startswith(("node_scrape_collector_duration", "node_exporter_build", "promhttp_", "process_",
                            "python_", "go_", "node_load5", "node_load15")):
            continue
        host = family.help in HOST_LOAD
        series = frozenset((tuple(sorted(labels.items())), None if host else _value(value))
                           for labels, value in family.samples)
        groups = frozenset((key, group.count, _value(group.sum), tuple(sorted(map(tuple, group.entries))))
                           for key, group in family.groups.items())
        out[name] = (family.help, family.type, series, groups)
    return out


def promtool_accepts(body: bytes) -> tuple[bool, str]:
    """promtool exits 1 on a parse error, 3 on lint findings only (which Go's scrape has too)."""
    done = subprocess.run([require_binary("promtool"), "check", "metrics"], input=body, capture_output=True,
                          timeout=60)
    return done.returncode != 1, done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")


@pytest.mark.parametrize("case", sorted(CASES))
def test_textfile_decided_as_go(exporters, case):
    directory, go, ours = exporters
    write(directory, CASES[case])
    go_body, our_body = scrape(go), scrape(ours)
    assert served(our_body) == served(go_body)
    ok, report = promtool_accepts(our_body)
    assert ok, report


@pytest.mark.parametrize("case", sorted(RACY))
def test_redeclared_collector_metric_is_go_usual_outcome(exporters, case):
    directory, go, ours = exporters
    write(directory, RACY[case])
    mine = served(scrape(ours))
    assert mine["node_load1"][0] not in HOST_LOAD  # the textfile's series won
    deadline = time.monotonic() + 20
    seen = []
    while mine not in seen and time.monotonic() < deadline:  # Go's outcome varies from scrape to scrape
        seen.append(served(scrape(go)))
    assert mine in seen
    assert all(outcome == mine or outcome["node_load1"][0] in HOST_LOAD for outcome in seen)
    ok, report = promtool_accepts(scrape(ours))
    assert ok, report


def test_suffix_collision_within_a_file_is_one_of_go_outcomes(exporters):
    """`s_count` untyped and a summary `s` in one file: Go keeps whichever family its map yields first."""
    directory, go, ours = exporters
    write(directory, {"a.prom": b's_count 1\n# TYPE s summary\ns{quantile="0.5"} 1\n'})
    body = scrape(ours)
    mine = served(body)
    assert ("s" in mine) != ("s_count" in mine)
    deadline = time.monotonic() + 20
    seen = []
    while mine not in seen and time.monotonic() < deadline:
        seen.append(served(scrape(go)))
    assert mine in seen
    ok, report = promtool_accepts(body)
    assert ok, report


# The text format's grammar, with the hostile variants of each part: generated files are decided by Go and by us.
_VALID = {
    "name": ["x", "x_total", "x_count", "x_sum", "x_bucket", "y:z", "_a"],
    "label_name": ["a", "b", "le", "quantile"],
    "label_value": ["", "1", "0.5", "+Inf", "NaN", "abc", 'q\\"', "\\\\", "\\n", "é"],
    "value": ["1", "-0", "2.5", "1e-400", "NaN", "Inf", "-Infinity", ".5", "1.", "-3"],
    "end": ["\n"],
    "type": ["gauge", "counter", "summary", "histogram", "untyped", "GAUGE"],
    "help": ["help", "", "a\\\\b", "a\\nb", "é"],
}
# What Go refuses (or reads its own way), one part of one line at a time.
_HOSTILE = {
    "name": ["1x", ""],
    "label_name": ["__name__", "1a", ""],
    "label_value": ["\\t", "\udcff", "\\"],
    "value": ["1e400", "+nan", "1_0", "0x1", "", "\u0661"],
    "end": [" \n", "\r\n", "\t\n", " 1700000000000\n", " 1 2\n", ""],
    "type": ["unknown", "gauge ", "gauge\r", ""],
    "help": ["bad \\t escape", "\udcff", "trailing \\"],
}


def _part(draw, kind: str, hostile: str) -> str:
    return draw(st.sampled_from(_HOSTILE[kind] if kind == hostile else _VALID[kind]))


@st.composite
def _comment(draw, keyword: str, name: str | None = None, hostile: str = "") -> str:
    blank = draw(st.sampled_from([" ", " ", "  ", "\t"]))
    name = _part(draw, "name", hostile) if name is None else name
    text = _part(draw, "type" if keyword == "TYPE" else "help", hostile)
    return f"#{blank}{keyword} {name} {text}\n"


@st.composite
def _sample(draw, name: str | None = None, hostile: str = "") -> str:
    blank = draw(st.sampled_from([" ", " ", "  ", "\t"]))
    name = _part(draw, "name", hostile) if name is None else name + draw(st.sampled_from(["", "", "_count", "_sum",
                                                                                          "_bucket"]))
    names = draw(st.lists(st.sampled_from(_VALID["label_name"]), max_size=3, unique=True))
    if hostile.startswith("label"):
        names.insert(draw(st.integers(0, len(names))), _part(draw, "label_name", hostile))
    labels = [(label, _part(draw, "label_value", hostile)) for label in names]
    body = ("{" + ",".join(f'{label}="{value}"' for label, value in labels) + "}") if labels or draw(st.booleans()) \
        else ""
    return f"{name}{body}{blank}{_part(draw, 'value', hostile)}{_part(draw, 'end', hostile)}"


@st.composite
def _file(draw) -> list[str]:
    """A few families, each with HELP and TYPE or not and some samples (so most files are valid); in half the
    files one more line with one hostile part, anywhere."""
    lines = []
    for name in draw(st.lists(st.sampled_from(_VALID["name"]), max_size=3, unique=True)):
        for keyword in draw(st.lists(st.sampled_from(["HELP", "TYPE"]), max_size=2, unique=True)):
            lines.append(draw(_comment(keyword, name)))
        lines.extend(draw(st.lists(_sample(name), max_size=3)))
    if draw(st.booleans()):
        hostile = draw(st.sampled_from(sorted(_HOSTILE)))
        line = draw(_comment("TYPE" if hostile == "type" else "HELP", hostile=hostile)) \
            if hostile in ("type", "help") else draw(_sample(hostile=hostile))
        lines.insert(draw(st.integers(0, len(lines))), line)
    return lines


def _encode(lines: list[str], final_newline: bool) -> bytes:
    data = "".join(lines).encode("utf-8", "surrogateescape")
    return data if final_newline else data.rstrip(b"\n")


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_file(), second=_file(), final_newline=st.booleans())
def test_generated_textfiles_decided_as_go(exporters, first, second, final_newline):
    directory, go, ours = exporters
    write(directory, {"a.prom": _encode(first, True), "b.prom": _encode(second, final_newline)})
    body = scrape(ours)
    mine = served(body)
    ok, report = promtool_accepts(body)
    assert ok, report
    # Where two families of one file collide by suffix, Go's choice follows its map order: poll for ours.
    deadline = time.monotonic() + 3
    seen = [served(scrape(go))]
    while mine not in seen and time.monotonic() < deadline:
        seen.append(served(scrape(go)))
    assert mine == seen[-1]
