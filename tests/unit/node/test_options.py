"""Regular-expression flags (node_exporter/options.py): any value is a one-line error or a compiled pattern."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("flag", "value", "reason"), [
    ("--collector.filesystem.mount-points-exclude", "(" * 5000, "nested too deeply"),
    ("--collector.diskstats.device-exclude", "(" * 5000 + ")" * 5000, "nested too deeply"),
    ("--collector.netclass.ignored-devices", "(unclosed", "missing \\), unterminated subpattern"),
])
def test_bad_regex_flag_exits_2_with_one_line_naming_the_flag(flag, value, reason):
    result = subprocess.run([sys.executable, "-m", "node_exporter", "--web.listen-address=127.0.0.1:0",
                             f"{flag}={value}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"Invalid value for '{flag}'" in result.stderr
    assert reason.replace("\\", "") in result.stderr
    assert len(result.stderr) < 300  # a 10,000-character expression is not repeated whole
