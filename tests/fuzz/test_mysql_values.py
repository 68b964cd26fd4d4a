"""MySQL result values as a server (or a proxy, or a fork, or a plugin) may return them: NULL, huge, negative,
non-numeric, unicode, unknown variables. parse_status gives a float or None, never an exception. Every scraper is
run on the result sets a real MariaDB returned to it, with cells mutated, rows dropped or repeated and unknown
variables added: it gives families that render as valid exposition text, or raises (the target then fails that
scraper alone: tests/integration/test_robustness_mysql.py)."""

from __future__ import annotations

import contextlib
import math
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from exporter_toolkit.exposition import render
from mysql_exporter.cli import command as mysql_command
from mysql_exporter.config import ClientConfig
from mysql_exporter.db import DB, SessionSettings, connect
from mysql_exporter.parse import metric_name, parse_status, sanitize_state
from mysql_exporter.scraper import SCRAPERS
from mysql_exporter.target import checked
from tests.fuzz.support import examples, tried

GO_FLOAT = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)")
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
ODD_VALUES = [None, "", "-1", "-0", "18446744073709551616", "1e309", "-1e309", "NaN", "nan", "Inf", "abc", "Yes",
              "OFF", "Connecting", "\u00e9\u00e8", "1,5", " 1", "0x10", "1_000", "9" * 400, "x" * 10_000, "\x00",
              "2024-13-45 99:99:99", "Jan 02 15:04:05 2006 UTC", "1e-400", "٣"]
UNKNOWN_NAMES = ["brand_new_counter", "Foo Bar", "a.b-c", "wsrep_ÿ", "", "1starts_with_digit", "x" * 300, "a{b}",
                 "tab\there", "Innodb_buffer_pool_pages_data"]
MAX_ROWS = 40  # of each recorded answer, kept for the replay
CELLS = st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=12))
UNKNOWN_PAIRS = st.lists(st.tuples(st.one_of(st.sampled_from(UNKNOWN_NAMES), st.text(max_size=10)),
                                   st.sampled_from([v for v in ODD_VALUES if v is not None])), max_size=4)


@examples(1000)
@given(st.one_of(st.sampled_from([v for v in ODD_VALUES if v is not None]), st.text(max_size=30),
                 st.floats().map(repr), st.integers().map(str)))
@example("1e99999")
def test_parse_status_gives_a_float_or_none(text: str) -> None:
    tried("MySQL value (parse_status)")
    value = parse_status(text)
    assert value is None or isinstance(value, float)
    if GO_FLOAT.fullmatch(text):
        assert value == float(text) or (math.isnan(value) and math.isnan(float(text)))


@examples(300)
@given(st.text(max_size=40))
@example("Foo Bar")
@example("wsrep_\u00ff")
def test_names_and_states_never_raise(text: str) -> None:
    tried("MySQL value (names, states)")
    assert re.fullmatch(r"[a-z0-9_]*", metric_name(text)), metric_name(text)  # found: "Foo Bar" kept its space
    assert isinstance(sanitize_state(text), str)


class Recorded:
    """What every scraper asked a real server and got back, per scraper: sql -> (columns, rows), and the
    (name, value) pairs of name_values(); `version` and `is_mariadb` as the connection had them."""

    def __init__(self, server) -> None:
        conn = connect(ClientConfig(user="root", socket=server.socket), SessionSettings())
        server = DB(conn)
        self.version, self.is_mariadb = server.version, server.is_mariadb
        self.options = mysql_command.make_context("mysql-exporter", []).params
        self.answers: dict[str, dict[str, tuple]] = {}
        try:
            for name in sorted(SCRAPERS.units):
                recorder = _Recorder(conn)
                with contextlib.suppress(Exception):  # a scraper the server cannot serve: what it asked is kept
                    list(SCRAPERS.build(name, self.options).scrape(recorder))
                self.answers[name] = recorder.seen
        finally:
            conn.close()


class _Recorder(DB):
    def __init__(self, conn) -> None:
        super().__init__(conn)
        self.cache = {}
        self.seen: dict[str, tuple] = {}

    def query(self, sql, params=None):
        try:
            result = super().query(sql, params)
        except Exception as exc:
            self.seen[sql] = ("error", exc)
            raise
        self.seen[sql] = ("rows", result)
        return result

    def name_values(self, show_statement, table):
        pairs = super().name_values(show_statement, table)
        self.seen[show_statement] = ("pairs", pairs)
        return pairs


class _Replay(DB):
    """Answers each query with what the server answered, mutated by the example's draws."""

    def __init__(self, recorded: Recorded, answers: dict[str, tuple], data) -> None:
        self.conn = None
        self.version, self.is_mariadb, self.cache = recorded.version, recorded.is_mariadb, {}
        self.answers, self.data = answers, data

    def _rows(self, rows: list, width: int) -> list:
        rows = [list(row) for row in rows[:MAX_ROWS]]
        if not rows and width and self.data.draw(st.booleans()):  # an empty answer: invent a row of its shape
            rows = [["1"] * width]
        if rows and width:
            for _ in range(self.data.draw(st.integers(0, 6))):
                row, column = self.data.draw(st.integers(0, len(rows) - 1)), self.data.draw(st.integers(0, width - 1))
                if column < len(rows[row]):
                    rows[row][column] = self.data.draw(CELLS)
            if self.data.draw(st.integers(0, 4)) == 0:
                rows.append(list(rows[self.data.draw(st.integers(0, len(rows) - 1))]))  # a duplicate row
            if self.data.draw(st.integers(0, 4)) == 0:
                del rows[self.data.draw(st.integers(0, len(rows) - 1))]
        return [tuple(row) for row in rows]

    def query(self, sql, params=None):
        kind, answer = self.answers.get(sql, ("rows", ([], [])))
        if kind == "error":
            raise answer
        if kind == "pairs":
            return ["Variable_name", "Value"], self._rows(answer, 2)
        columns, rows = answer
        return list(columns), self._rows(rows, len(columns))

    def name_values(self, show_statement, table):
        kind, answer = self.answers.get(show_statement, ("pairs", []))
        if kind != "pairs":
            return [(str(n), v or "") for n, v in self.query(show_statement)[1]]
        pairs = [(n, "" if v is None else v) for n, v in self._rows(answer, 2)]
        extra = self.data.draw(UNKNOWN_PAIRS)
        return [(str(n) if n is not None else "", v) for n, v in pairs + extra]


_RECORDED: list[Recorded] = []


def recorded() -> Recorded:
    if not _RECORDED:
        raise RuntimeError("no recording: the mariadb fixture (or the campaign) records first")
    return _RECORDED[0]


@pytest.fixture(scope="module")
def recording(mariadb_primary):
    if not _RECORDED:
        _RECORDED.append(Recorded(mariadb_primary))
    yield _RECORDED[0]


def test_the_recording_covers_every_scraper(recording):
    assert set(recording.answers) == set(SCRAPERS.units)
    assert sum(1 for answers in recording.answers.values() if answers) >= len(SCRAPERS.units) - 2


@pytest.mark.usefixtures("recording")
@examples(150)
@given(st.sampled_from(sorted(SCRAPERS.units)), st.data())
def test_scrapers_on_odd_values_render_valid_text_or_fail_alone(name: str, data) -> None:
    tried("MySQL result values (scrapers)")
    source = recorded()
    db = _Replay(source, source.answers[name], data)
    try:
        families = checked(SCRAPERS.build(name, source.options).scrape(db))  # as the target takes them
    except Exception:  # the target counts a scrape error for this scraper and serves the others
        tried("MySQL result values (scraper raised: failed alone)")
        return
    text = render(families, "")[1].decode()
    parsed = list(text_string_to_metric_families(text))
    assert all(METRIC_NAME.fullmatch(family.name) for family in parsed), [f.name for f in parsed]


def test_a_family_that_cannot_render_fails_its_scraper_not_the_scrape():
    """Found by the fuzzing: a NULL in a label column (innodb_cmp) or an innodb_metrics NAME that is no metric name
    rendered as a TypeError or an unparseable line for the whole scrape; now that scraper alone fails."""
    from exporter_toolkit.families import gauge

    good = gauge("mysql_info_schema_innodb_cmp_compress_ops_total", "ops", ["page_size"])
    good.add_metric(["1024"], 3.0)
    null_label = gauge("mysql_info_schema_innodb_cmp_compress_ops_total", "ops", ["page_size"])
    null_label.add_metric([None], 3.0)
    bad_name = gauge("mysql_info_schema_innodb_metrics_Jan 02 15:04:05", "x")
    bad_name.add_metric([], 1.0)
    assert checked(iter([good])) == [good]
    for family in (null_label, bad_name):
        with pytest.raises(ValueError):
            checked(iter([good, family]))
