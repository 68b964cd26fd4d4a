"""The processes collector (node_exporter/collectors/processes.py)."""

from __future__ import annotations

from node_exporter.collectors.processes import ProcessesCollector
from tests.unit.node.helpers import make, samples, write


def stat_line(pid: int, comm: str, state: str, threads: int) -> str:
    rest = ["0"] * 16 + [str(threads)] + ["0"] * 30
    return f"{pid} ({comm}) {state} {' '.join(rest)}\n"


def test_processes_count_threads_by_state_and_skip_vanished_pids(tmp_path):
    write(tmp_path, "proc/sys/kernel/threads-max", "100\n")
    write(tmp_path, "proc/sys/kernel/pid_max", "200\n")
    write(tmp_path, "proc/5/stat", stat_line(5, "a (b) c", "S", 2))  # comm with spaces and parentheses
    write(tmp_path, "proc/5/task/5/stat", stat_line(5, "a (b) c", "R", 2))  # the main thread: process state wins
    write(tmp_path, "proc/5/task/6/stat", stat_line(6, "worker", "D", 2))
    (tmp_path / "proc/7").mkdir()  # exited between listing /proc and reading its stat
    got = samples(make(ProcessesCollector, tmp_path).update())
    assert got[("node_processes_pids",)] == 1
    assert got[("node_processes_threads",)] == 2
    assert got[("node_processes_state", "S")] == 1
    assert got[("node_processes_threads_state", "S")] == 1
    assert got[("node_processes_threads_state", "D")] == 1
    assert got[("node_processes_max_processes",)] == 200
