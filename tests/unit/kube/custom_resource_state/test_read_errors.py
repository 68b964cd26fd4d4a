"""Runtime read errors: every one counted, logged at most once a minute per metric."""

from __future__ import annotations

import logging

from exporter_toolkit.exposition import render
from kube_state_exporter.custom_resource_state.read_errors import ReadErrors
from testbed.kube import counter_sum


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_errors_are_counted_and_the_log_is_rate_limited(caplog):
    clock = Clock()
    errors = ReadErrors(log_every=60, clock=clock)
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        errors.record("databases", "kube_customresource_max_connections", "ns/db", "[spec]: boom", verbose=False)
    errors.record("databases", "kube_customresource_other", "ns/db", "[x]: boom", verbose=True)
    lines = [r for r in caplog.records if r.getMessage() == "custom resource metric: cannot read object"]
    assert [(r.levelno, r.metric) for r in lines] == [(logging.WARNING, "kube_customresource_max_connections"),
                                                      (logging.DEBUG, "kube_customresource_other")]
    clock.now += 61
    errors.record("databases", "kube_customresource_max_connections", "ns/db", "[spec]: boom", verbose=False)
    last = [r for r in caplog.records if r.getMessage() == "custom resource metric: cannot read object"][-1]
    assert last.unlogged_since_last == 4 and last.err == "[spec]: boom" and last.object == "ns/db"
    text = render(errors.collect(), "")[1].decode()
    family = "kube_state_metrics_custom_resource_state_errors_total"
    assert counter_sum(text, family, resource="databases", metric="kube_customresource_max_connections") == 6
    assert counter_sum(text, family, resource="databases", metric="kube_customresource_other") == 1
