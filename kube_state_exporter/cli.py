"""The kube-state-exporter command: kube-state-metrics' flags (options.py) running the exporter (app.py)."""

from __future__ import annotations

from exporter_toolkit import cli as toolkit_cli
from exporter_toolkit.memory import tune_malloc
from kube_state_exporter.app import run
from kube_state_exporter.options import declare

command = declare(run)


def main(args: list[str] | None = None) -> None:
    tune_malloc()  # one arena; list pages and scrape bodies go back to the kernel (exporter_toolkit/memory.py)
    toolkit_cli.run(command, "kube-state-exporter", args)
