"""How an outage of the monitored server is logged: a warning when it starts, at most one reminder a minute
while it lasts (with the failure count and the last error), one info line when it ends; never the password."""

from __future__ import annotations

import contextlib
import logging

import mysql.connector
import pytest

from mysql_exporter.config import ClientConfig
from mysql_exporter.db import SessionSettings
from mysql_exporter.target import REMINDER_INTERVAL, Target

PASSWORD = "hunter2-secret"


class FlakyPool:
    """Stands in for the connection pool: refuses while `down`, else lends a connection with no scrapers to run."""

    def __init__(self) -> None:
        self.down = False
        self.error = mysql.connector.errors.DatabaseError(
            msg=f"Can't connect to MySQL server on '127.0.0.1:1' (111 Connection refused) pw={PASSWORD}", errno=2003)

    @contextlib.contextmanager
    def connection(self, timeout: float):
        if self.down:
            raise self.error
        yield object()

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def target():
    clock = Clock()
    target = Target(ClientConfig(user="exporter", password=PASSWORD, host="127.0.0.1", port=1), {},
                    SessionSettings(timeout=1.0), clock=clock)
    target.pool = FlakyPool()
    return target, clock


def lines(caplog, level: int | None = None) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "mysql_exporter" and (level is None or r.levelno == level)]


def test_outage_logs_one_warning_a_reminder_a_minute_and_one_info_on_recovery(target, caplog):
    target, clock = target
    caplog.set_level(logging.DEBUG, logger="mysql_exporter")
    target.collect()
    assert lines(caplog) == []  # healthy scrapes say nothing
    target.pool.down = True
    scrapes_per_second = 2
    for _ in range(int(150 * scrapes_per_second)):  # two and a half minutes of scrapes every 0.5 s
        families = {f.name: f for f in target.collect()}
        assert families["mysql_up"].rows[0][1] == 0.0
        clock.now += 1 / scrapes_per_second
    warnings = lines(caplog, logging.WARNING)
    assert [r.getMessage() for r in warnings] == ["MySQL is unreachable, mysql_up is 0", "MySQL still unreachable",
                                                  "MySQL still unreachable"]
    first, *reminders = warnings
    assert "Connection refused" in first.err
    assert [r.failed_scrapes for r in reminders] == [REMINDER_INTERVAL * scrapes_per_second + 1,
                                                     2 * REMINDER_INTERVAL * scrapes_per_second + 1]
    assert all("Connection refused" in r.err for r in reminders)
    target.pool.down = False
    target.collect()
    target.collect()
    infos = lines(caplog, logging.INFO)
    assert [r.getMessage() for r in infos] == ["MySQL is reachable again"]
    assert infos[0].failed_scrapes == 300
    assert len(lines(caplog)) == 4
    assert all(PASSWORD not in r.getMessage() and PASSWORD not in str(r.__dict__) for r in caplog.records)


def test_a_second_outage_is_announced_again(target, caplog):
    target, clock = target
    caplog.set_level(logging.INFO, logger="mysql_exporter")
    for down in (True, False, True, False):
        target.pool.down = down
        target.collect()
        clock.now += 1
    assert [r.getMessage() for r in lines(caplog)] == [
        "MySQL is unreachable, mysql_up is 0", "MySQL is reachable again",
        "MySQL is unreachable, mysql_up is 0", "MySQL is reachable again"]
