"""benchmarks/fuzz_campaign.py, briefly: it runs the chosen properties within its budget and prints the count of
inputs tried per parser."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO


def test_the_campaign_counts_inputs_per_parser():
    result = subprocess.run([sys.executable, "-m", "benchmarks.fuzz_campaign", "--seconds", "4", "--scale", "1",
                             "--only", "quantity"], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    tried = re.search(r"^kubernetes quantity\s+(\d+)$", result.stdout, re.M)
    assert tried and int(tried.group(1)) > 400, result.stdout
    assert re.search(r"test_quantities_agree_with_the_kubernetes_client\s+\d+\s+0$", result.stdout, re.M)
