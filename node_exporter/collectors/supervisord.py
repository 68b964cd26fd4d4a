"""node_supervisord_*: supervisord's processes through its XML-RPC API (supervisor.getAllProcessInfo).

--collector.supervisord.url is an http(s) URL, or unix:///path/to/supervisor.sock for the control socket.
"""

from __future__ import annotations

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import gauge, raw_counter
from node_exporter.collector import Collector, Context, register

RUNNING_STATES = (10, 20, 40)  # STARTING, RUNNING, STOPPING


@register
class SupervisordCollector(Collector):
    name = "supervisord"
    enabled_by_default = False
    URL = Option("--collector.supervisord.url", "supervisord_url", "http://localhost:9001/RPC2",
                 help="XML RPC endpoint.")

    def __init__(self, ctx: Context) -> None:
        self.url = self.URL.read(ctx.options)

    def update(self):
        from node_exporter import supervisord_rpc

        try:
            infos = supervisord_rpc.server_proxy(self.url).supervisor.getAllProcessInfo()
        except (OSError, supervisord_rpc.Error) as exc:
            raise RuntimeError(f"unable to call supervisord: {exc}") from exc
        labels = ["name", "group"]
        state = gauge("node_supervisord_state", "Process State", labels)
        exit_status = gauge("node_supervisord_exit_status", "Process Exit Status", labels)
        up = gauge("node_supervisord_up", "Process Up", labels)
        # Go types this one a counter under its bare name (unknown in OpenMetrics, as Go's encoder does).
        start_time = raw_counter("node_supervisord_start_time_seconds", "Process start time", labels)
        for info in infos:
            values = [str(info["name"]), str(info["group"])]
            state.add_metric(values, float(info["state"]))
            exit_status.add_metric(values, float(info["exitstatus"]))
            running = info["state"] in RUNNING_STATES
            up.add_metric(values, 1.0 if running else 0.0)
            if running:
                start_time.add_metric(values, float(info["start"]))
        yield from (family for family in (state, exit_status, up, start_time) if family.rows)
