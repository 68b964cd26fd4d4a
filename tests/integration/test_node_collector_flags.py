"""Collector flags the exporter refuses at start: exit code 2 and one line (the exporter run as a process)."""

from __future__ import annotations

import pytest

from tests.unit.node.helpers import run_exporter


@pytest.mark.parametrize(("args", "message"), [
    (["--collector.ipvs.backend-labels=local_port,bogus"], 'unknown IPVS backend labels: "bogus"'),
    (["--collector.cpu.info.flags-include=(avx"], "invalid regular expression"),
    (["--collector.arp.device-exclude=[x"], "invalid regular expression"),
    (["--collector.qdisc", "--collector.qdisc.device-include=a", "--collector.qdisc.device-exclude=b"],
     "mutually exclusive"),
    (["--collector.qdisc", "--collector.qdisk.device-exclude=a", "--collector.qdisc.device-exclude=b"],
     "mutually exclusive"),
    (["--collector.powersupply.ignored-supplies=(x"], "invalid regular expression"),
    (["--collector.ntp", "--collector.ntp.server=192.0.2.1"], "only IP address of local NTP server"),
    (["--collector.ntp", "--collector.ntp.protocol-version=5"], "invalid NTP protocol version 5"),
    (["--collector.perf", "--collector.perf.cpus=1-2-3"], "invalid flag value"),
    (["--collector.perf", "--collector.perf.tracepoint=sched"], "invalid tracepoint config"),
])
def test_bad_collector_flags_exit_2_with_one_line(args, message):
    result = run_exporter(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
