"""The ntp collector (node_exporter/collectors/ntp.py)."""

from __future__ import annotations

import socket

import pytest

from node_exporter.collector import Context
from node_exporter.collectors.ntp import NtpCollector, parse_duration
from tests.node_fakes import (
    NtpResponder,
)
from tests.unit.node.helpers import collect, value


def ntp_options(port: int, **extra) -> dict:
    return {"ntp_server": "127.0.0.1", "ntp_server_port": port, "ntp_protocol_version": 4, "ntp_ip_ttl": 1,
            "ntp_max_distance": 3.46608, "ntp_local_offset_tolerance": 0.001, **extra}


def test_ntp_against_a_local_sntp_responder():
    with NtpResponder(stratum=2, root_delay=0.5, root_dispersion=0.25) as server:
        families = collect(NtpCollector(Context(options=ntp_options(server.port))))
    assert server.requests == 1
    assert value(families, "node_ntp_stratum") == 2.0
    assert value(families, "node_ntp_leap") == 0.0
    assert value(families, "node_ntp_root_delay_seconds") == 0.5
    assert value(families, "node_ntp_root_dispersion_seconds") == 0.25
    assert 0 <= value(families, "node_ntp_rtt_seconds") < 0.5
    assert abs(value(families, "node_ntp_offset_seconds")) < 0.05
    assert value(families, "node_ntp_sanity") == 1.0


@pytest.mark.parametrize(("responder", "options"), [
    ({"stratum": 16}, {}),  # unsynchronised server
    ({"leap": 3}, {}),  # alarm condition
    ({"offset": 0.5}, {}),  # causality error beyond --collector.ntp.local-offset-tolerance
    ({"root_dispersion": 4.0}, {}),  # root distance beyond --collector.ntp.max-distance
    ({"reference_age": 200000.0}, {}),  # reference time not fresh
])
def test_ntp_sanity_fails_as_rfc5905_says(responder, options):
    with NtpResponder(**responder) as server:
        families = collect(NtpCollector(Context(options=ntp_options(server.port, **options))))
    assert value(families, "node_ntp_sanity") == 0.0


def test_ntp_no_answer_is_an_error():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        collector = NtpCollector(Context(options=ntp_options(silent.getsockname()[1])))
        with pytest.raises(RuntimeError, match="couldn't get SNTP reply"):
            collect(collector)


def test_ntp_durations_parse_as_go():
    assert parse_duration(None, None, "3.46608s") == 3.46608
    assert parse_duration(None, None, "1ms") == 0.001
    assert parse_duration(None, None, "1m30s") == 90.0
    with pytest.raises(Exception, match="invalid duration"):
        parse_duration(None, None, "3 seconds")
