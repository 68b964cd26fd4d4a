"""What the property tests share with benchmarks/fuzz_campaign.py: the hypothesis profile, the number of examples
each property runs (scaled by FUZZ_SCALE: 1 in the suite, more in the campaign) and the count of inputs tried per
parser."""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

# Inputs handed to each parser in this process, by parser name (the campaign prints them).
TRIED: Counter[str] = Counter()
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))

settings.register_profile("fuzz", deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.filter_too_much, HealthCheck.large_base_example])


def examples(count: int, **overrides) -> settings:
    """Settings for a property: `count` examples in the suite, FUZZ_SCALE times as many in the campaign."""
    return settings(settings.get_profile("fuzz"), max_examples=max(1, int(count * SCALE)), **overrides)


def tried(parser: str) -> None:
    TRIED[parser] += 1
