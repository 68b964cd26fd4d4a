"""The exporter's process_* metrics: the same families and values as prometheus_client's ProcessCollector, with
the open descriptors counted by stat() where the kernel supports it."""

from __future__ import annotations

import os
import socket

from prometheus_client import CollectorRegistry
from prometheus_client.process_collector import ProcessCollector as UpstreamCollector

from exporter_toolkit.process import ProcessCollector, open_fds


def test_open_fds_counts_descriptors_as_they_open_and_close():
    before = open_fds()
    sockets = [socket.socket() for _ in range(50)]
    try:
        assert open_fds() == before + 50
        # A listing sees the same descriptors, plus the one it opens to read the directory.
        assert abs(len(os.listdir("/proc/self/fd")) - 1 - open_fds()) <= 1
    finally:
        for sock in sockets:
            sock.close()
    assert open_fds() == before


def test_same_families_as_prometheus_client():
    upstream = CollectorRegistry()
    UpstreamCollector(registry=upstream)
    ours = {family.name: family for family in ProcessCollector().collect()}
    theirs = {family.name: family for family in upstream.collect()}
    assert set(ours) == set(theirs)
    for name, family in theirs.items():
        assert (ours[name].type, ours[name].documentation) == (family.type, family.documentation)
    assert ours["process_max_fds"].samples[0].value == theirs["process_max_fds"].samples[0].value
    assert ours["process_start_time_seconds"].samples[0].value == theirs["process_start_time_seconds"].samples[0].value
