"""The soak of benchmarks/soak.py, short: each daemon as a real process under a steady load, then its open file
descriptors and threads must be what they were after the warm-up and its resident memory must not have grown by
more than a bound a leak of a few KiB per scrape (or per watch event) would pass. The long run and its figures:
`nice .venv/bin/python -m benchmarks.soak` (README, Robustness)."""

from __future__ import annotations

import pytest

from benchmarks.soak import MIB, soak_kube, soak_mysql, soak_node
from tests.conftest import require_binary

pytestmark = pytest.mark.integration


def check(figures, max_growth_mib: float) -> None:
    print(figures.line())
    assert figures.fds_held(), figures.line()  # no growth but the database pool's own connections
    assert 0 <= figures.pooled <= 1, figures.line()  # the MySQL pool holds 2: at most its second one is new
    assert figures.threads_held(), figures.line()
    assert figures.rss_growth <= max_growth_mib * MIB, figures.line()


def test_node_exporter_2000_scrapes(tmp_path):
    check(soak_node(tmp_path, scrapes=2000, warmup=300), max_growth_mib=6)  # a 3 KiB-per-scrape leak fails


def test_mysql_exporter_1500_scrapes(tmp_path, mariadb_primary):
    require_binary("mariadbd")
    check(soak_mysql(tmp_path, scrapes=1500, warmup=300, server=mariadb_primary), max_growth_mib=6)


def test_kube_state_exporter_20000_watch_events_with_relists(tmp_path):
    check(soak_kube(tmp_path, events=20_000, warmup=10_000, relist_every=5000), max_growth_mib=10)
