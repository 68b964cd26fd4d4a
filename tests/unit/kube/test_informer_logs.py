"""What the reflectors log when lists and watches fail: the API server's reachability once for all of them (a
warning, a reminder a minute, a recovery line), per resource only what is its own (a 403), a 410 at debug."""

from __future__ import annotations

import logging
import threading

import urllib3
from kubernetes.client.exceptions import ApiException

from kube_state_exporter.informer import ApiServerHealth, Reflector, Telemetry, is_connectivity
from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.sharding import Shard
from kube_state_exporter.store import MetricsStore
from testbed.harness import wait_for

LOGGER = "kube_state_exporter.informer"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def messages(caplog) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def test_an_outage_seen_by_thirty_reflectors_is_three_lines(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    clock = Clock()
    health = ApiServerHealth("https://10.0.0.1:6443", clock=clock)
    refused = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    for _ in range(50):  # 100 s of 30 reflectors retrying every 2 s
        for _ in range(30):
            health.failed(refused, clock.now)
        clock.now += 2.0
    for _ in range(30):
        health.succeeded()
    assert messages(caplog) == [("WARNING", "Kubernetes API server unreachable, retrying with backoff"),
                                ("WARNING", "Kubernetes API server still unreachable"),
                                ("INFO", "Kubernetes API server reachable again")]
    reminder, recovered = caplog.records[1], caplog.records[2]
    assert reminder.failures == 30 * 30 + 1 and recovered.failures == 1500  # the reminder came at 60 s
    assert recovered.apiserver == "https://10.0.0.1:6443" and recovered.down_for == "100s"
    assert "Connection refused" in caplog.records[0].err


def test_an_attempt_that_began_before_a_success_does_not_reopen_the_outage(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    clock = Clock()
    health = ApiServerHealth(clock=clock)
    began = clock.now
    clock.now += 1
    health.succeeded()
    health.failed(ConnectionResetError("reset"), began)  # in flight while the server came back
    assert messages(caplog) == []
    health.failed(ConnectionResetError("reset"), clock.now)
    assert messages(caplog) == [("WARNING", "Kubernetes API server unreachable, retrying with backoff")]


def test_connectivity_or_the_resource_own():
    assert is_connectivity(urllib3.exceptions.ProtocolError("Connection broken"))
    assert is_connectivity(ConnectionRefusedError())
    assert is_connectivity(ApiException(status=503, reason="unavailable"))
    assert is_connectivity(ApiException(status=429, reason="throttled"))
    assert not is_connectivity(ApiException(status=403, reason="forbidden"))
    assert not is_connectivity(ApiException(status=404, reason="the server could not find the requested resource"))
    assert not is_connectivity(ValueError("Expecting value"))


class Response:
    def __init__(self, status: int, data: bytes) -> None:
        self.status, self.data = status, data

    def release_conn(self) -> None:
        pass


class FakeApi:
    """Answers every list with `answers[plural]`: an HTTP status, or None for a refused connection."""

    def __init__(self, answers: dict[str, int | None]) -> None:
        self.answers = answers
        self.attempts: dict[str, int] = {}
        self.lock = threading.Lock()

    def param_serialize(self, method, path, **_kwargs):
        return method, path, {}, None, None

    def call_api(self, method, url, **_kwargs):
        plural = url.rsplit("/", 1)[1]
        with self.lock:
            self.attempts[plural] = self.attempts.get(plural, 0) + 1
        status = self.answers[plural]
        if status is None:
            raise urllib3.exceptions.NewConnectionError(None, "Connection refused")
        return type("Result", (), {"response": Response(status, f"{plural} answer {status}".encode())})()


def run_reflectors(answers: dict[str, int | None], monkeypatch) -> None:
    monkeypatch.setattr("kube_state_exporter.informer.BACKOFF_MIN", 0.01)
    monkeypatch.setattr("kube_state_exporter.informer.BACKOFF_MAX", 0.02)
    api, health = FakeApi(answers), ApiServerHealth()
    reflectors = []
    for name in answers:
        spec = RESOURCES[name]
        store = MetricsStore(spec, spec.families(Allowlists()))
        reflectors.append(Reflector(spec, None, api, store, Shard(), Telemetry(), health=health).start())  # type: ignore
    try:
        wait_for(lambda: len(api.attempts) == len(answers) and min(api.attempts.values()) >= 5, timeout=20,
                 what="every reflector retried")
        assert all(reflector.stalled for reflector in reflectors)  # none makes progress: not ready
    finally:
        for reflector in reflectors:
            reflector.stop()
            reflector.thread.join(5)


def test_a_forbidden_resource_and_a_missing_one_log_a_line_each(caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    run_reflectors({"pods": 403, "configmaps": 404}, monkeypatch)
    assert messages(caplog) == [("WARNING", "list/watch failing, retrying with backoff")] * 2
    by_resource = {r.resource: r.err for r in caplog.records}
    assert "403" in by_resource["pods"] and "404" in by_resource["configmaps"]


def test_refused_connections_of_many_resources_are_one_line(caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    run_reflectors({name: None for name in ("pods", "configmaps", "services", "secrets", "nodes")}, monkeypatch)
    assert messages(caplog) == [("WARNING", "Kubernetes API server unreachable, retrying with backoff")]
