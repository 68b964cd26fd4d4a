"""Process and HTTP helpers shared by the test fixtures, the benchmarks and the local stack: free ports,
readiness polling with a deadline, resource readings from /proc, percentiles."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # the thing polled is not up yet
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}" + (f": {last_error}" if last_error else ""))


def http_ok(port: int, path: str = "/", host: str = "127.0.0.1") -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    finally:
        conn.close()


@dataclass
class Daemon:
    """A started server process; stop() terminates it and waits."""

    name: str
    process: subprocess.Popen
    port: int
    log_path: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log(self) -> str:
        if not self.log_path:
            return ""
        with open(self.log_path, errors="replace") as handle:
            return handle.read()


def start_daemon(name: str, argv: Sequence[str], port: int, log_path: str, ready_path: str = "/",
                 timeout: float = 20.0, env: dict | None = None, ready=None, cwd: str | None = None) -> Daemon:
    """Start argv and poll until it answers (GET ready_path is 200, or the `ready` predicate holds)."""
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(list(argv), stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                   stdin=subprocess.DEVNULL, cwd=cwd)
    daemon = Daemon(name, process, port, log_path)
    try:
        check = ready or (lambda: http_ok(port, ready_path))
        wait_for(lambda: process.poll() is None and check(), timeout, what=f"{name} on :{port}")
    except TimeoutError:
        daemon.stop()
        raise RuntimeError(f"{name} did not start; its log:\n{daemon.log()}") from None
    return daemon


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def count_series(body: bytes) -> int:
    return sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
