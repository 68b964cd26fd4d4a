"""node_processes_*: process and thread counts by state from /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat, and
the kernel's pid/thread limits."""

from __future__ import annotations

import errno
import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_int, read_text

# A process may exit between listing /proc and reading its stat: these errors skip it, as in Go.
VANISHED = (errno.ENOENT, errno.ESRCH)


def _stat_fields(path: str) -> list[str] | None:
    """The fields of a stat file after "pid (comm)", or None when the process or thread has gone."""
    try:
        text = read_text(path)
    except OSError as exc:
        if exc.errno in VANISHED:
            return None
        raise
    # comm may hold spaces and parentheses: the fields start after the last ')'.
    return text[text.rindex(")") + 2:].split()


@register
class ProcessesCollector(Collector):
    name = "processes"
    enabled_by_default = False

    def _thread_states(self, pid: str, process_state: str, counts: dict[str, int]) -> None:
        """Each thread's state; the main thread counts with its process's state (Go reads it once)."""
        try:
            tids = [tid for tid in os.listdir(self.paths.proc(pid, "task")) if tid.isdigit()]
        except OSError as exc:
            if exc.errno in VANISHED:
                return
            raise
        for tid in tids:
            if tid == pid:
                state = process_state
            else:
                fields = _stat_fields(self.paths.proc(pid, "task", tid, "stat"))
                if fields is None:
                    continue
                state = fields[0]
            counts[state] = counts.get(state, 0) + 1

    def _counts(self) -> tuple[int, dict[str, int], int, dict[str, int]]:
        pids = threads = 0
        states: dict[str, int] = {}
        thread_states: dict[str, int] = {}
        for entry in os.listdir(self.paths.proc()):
            if not entry.isdigit():
                continue
            fields = _stat_fields(self.paths.proc(entry, "stat"))
            if fields is None:
                continue
            pids += 1
            states[fields[0]] = states.get(fields[0], 0) + 1
            threads += int(fields[17])
            self._thread_states(entry, fields[0], thread_states)
        return pids, states, threads, thread_states

    def update(self):
        pids, states, threads, thread_states = self._counts()
        yield gauge("node_processes_threads", "Allocated threads in system", value=threads)
        yield gauge("node_processes_max_threads", "Limit of threads in the system",
                    value=read_int(self.paths.proc("sys", "kernel", "threads-max")))
        state = gauge("node_processes_state", "Number of processes in each state.", ["state"])
        for name, count in states.items():
            state.add_metric([name], count)
        yield state
        if thread_states:
            by_thread = gauge("node_processes_threads_state", "Number of threads in each state.", ["thread_state"])
            for name, count in thread_states.items():
                by_thread.add_metric([name], count)
            yield by_thread
        max_pids = read_int(self.paths.proc("sys", "kernel", "pid_max"))
        yield gauge("node_processes_pids", "Number of PIDs", value=pids)
        yield gauge("node_processes_max_processes", "Number of max PIDs limit", value=max_pids)
