"""A scrape on two pooled connections: once the scrapers' last durations say it pays, a second connection free at
once takes scrapers from the same queue; the output stays in the scrapers' order, and a spare connection that
cannot be had or is lost costs at most the scraper it was running."""

from __future__ import annotations

import contextlib
import threading

import mysql.connector
import pytest

from exporter_toolkit.families import gauge
from mysql_exporter import target as target_module
from mysql_exporter.config import ClientConfig
from mysql_exporter.db import SessionSettings
from mysql_exporter.target import Target


class Conn:
    def __init__(self, name: str) -> None:
        self.name = name


class Pool:
    """Lends `main`; lends `spare` as the spare connection unless it is None."""

    def __init__(self, spare: Conn | None) -> None:
        self.main, self.spare = Conn("main"), spare

    @contextlib.contextmanager
    def connection(self, timeout: float):
        yield self.main

    @contextlib.contextmanager
    def spare_connection(self):
        yield self.spare

    def close(self) -> None:
        pass


class Scraper:
    """Records the connection it ran on; `meet`, when given, is a barrier both scrapers of a pair must reach
    (they can only both reach it when they run at the same time)."""

    min_version = 0.0

    def __init__(self, name: str, meet: threading.Barrier | None = None, fail_on: str | None = None) -> None:
        self.name, self.meet, self.fail_on = name, meet, fail_on
        self.ran_on: list[str] = []

    def scrape(self, db):
        self.ran_on.append(db.conn.name)
        if self.meet is not None:
            self.meet.wait(timeout=10)  # BrokenBarrierError (scraper failed) when the other never comes
        if db.conn.name == self.fail_on:
            raise mysql.connector.errors.OperationalError(msg="Lost connection to server", errno=2013)
        yield gauge(f"mysql_test_{self.name}", "Test.", value=1.0)


def make_target(scrapers: dict, spare: Conn | None) -> Target:
    target = Target(ClientConfig(user="exporter", host="127.0.0.1", port=1), scrapers, SessionSettings(timeout=5.0))
    target.pool = Pool(spare)
    return target


def names(families) -> list[str]:
    return [family.name for family in families]


def durations(families) -> list[str]:
    (family,) = [f for f in families if f.name == "mysql_exporter_collector_duration_seconds"]
    return [labels[0] for labels, _ in family.rows]


@pytest.fixture
def always_two_lanes(monkeypatch):
    monkeypatch.setattr(target_module, "SPARE_LANE_ABOVE", 0.0)


def test_a_first_scrape_runs_on_one_connection_in_order():
    scrapers = {name: Scraper(name) for name in ("a", "b", "c")}
    families = make_target(scrapers, Conn("spare")).collect()
    assert [s.ran_on for s in scrapers.values()] == [["main"], ["main"], ["main"]]  # no durations known yet
    assert names(families)[:3] == ["mysql_test_a", "mysql_test_b", "mysql_test_c"]


def test_two_connections_run_scrapers_at_the_same_time_and_the_output_keeps_their_order(always_two_lanes):
    scrapers = {name: Scraper(name) for name in ("a", "b", "c", "d")}
    target = make_target(scrapers, Conn("spare"))
    target.collect()  # learns the durations
    meet = threading.Barrier(2)
    scrapers["b"].meet = scrapers["d"].meet = meet
    target._cost.update(b=2.0, d=1.0, a=0.1, c=0.1)  # the two meeting ones are taken first, one per connection
    families = target.collect()
    assert not meet.broken
    assert {scrapers["b"].ran_on[-1], scrapers["d"].ran_on[-1]} == {"main", "spare"}
    assert names(families)[:4] == ["mysql_test_a", "mysql_test_b", "mysql_test_c", "mysql_test_d"]
    assert durations(families) == ["connection", "collect.a", "collect.b", "collect.c", "collect.d"]
    up = {f.name: f for f in families}["mysql_up"]
    assert up.rows[0][1] == 1.0


def test_no_spare_connection_free_means_one_connection(always_two_lanes):
    scrapers = {name: Scraper(name) for name in ("a", "b", "c")}
    target = make_target(scrapers, None)
    target.collect()
    families = target.collect()
    assert all(s.ran_on == ["main", "main"] for s in scrapers.values())
    assert names(families)[:3] == ["mysql_test_a", "mysql_test_b", "mysql_test_c"]


def test_a_spare_connection_lost_costs_the_scraper_it_ran_and_nothing_else(always_two_lanes):
    scrapers = {name: Scraper(name, fail_on="spare") for name in ("a", "b", "c", "d")}
    target = make_target(scrapers, Conn("spare"))
    target.collect()
    target._cost.update(a=1.0, b=0.5, c=0.2, d=0.1)
    meet = threading.Barrier(2)
    scrapers["a"].meet = scrapers["b"].meet = meet  # one on each connection; the spare is then lost
    families = target.collect()
    (lost,) = [name for name in ("a", "b") if scrapers[name].ran_on[-1] == "spare"]
    (kept,) = {"a", "b"} - {lost}
    served = names(families)
    assert f"mysql_test_{lost}" not in served
    assert {f"mysql_test_{kept}", "mysql_test_c", "mysql_test_d"} <= set(served)
    assert all(scrapers[name].ran_on[-1] == "main" for name in (kept, "c", "d"))
    by_name = {f.name: f for f in families}
    assert by_name["mysql_up"].rows[0][1] == 1.0
    assert target.scrape_errors == {f"collect.{lost}": 1}
