"""The kube-state exporter process (kube-state-metrics' app): flags checked, the API client and stores built, the
metrics server on --port and the telemetry server on --telemetry-port, reflectors and auto-sharding started."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Mapping
from itertools import chain
from typing import Any

from prometheus_client import CollectorRegistry

from exporter_toolkit import logs
from exporter_toolkit.errors import ConfigError
from exporter_toolkit.exposition import OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, render, wants_openmetrics
from exporter_toolkit.server import Exporter, ServerConfig
from exporter_toolkit.telemetry import add_exporter_metrics, build_info
from kube_state_exporter import __version__, custom_resource_state
from kube_state_exporter.autosharding import AutoSharding
from kube_state_exporter.builder import KubeStateExporter
from kube_state_exporter.client import api_client
from kube_state_exporter.options import csv, select
from kube_state_exporter.sharding import Shard

log = logging.getLogger(__name__)


def custom_resource_config(inline: str, path: str) -> list[custom_resource_state.CustomResource]:
    """The Custom Resource State config (inline wins over the file, as in KSM), parsed; empty when none."""
    text = inline
    if not text and path:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise ConfigError(f"--custom-resource-state-config-file {path}: {exc.strerror.lower()}") from None
    if not text:
        return []
    try:
        return custom_resource_state.parse_config(text)
    except custom_resource_state.ConfigError as exc:
        flag = "--custom-resource-state-config" if inline else f"--custom-resource-state-config-file {path}"
        raise ConfigError(f"{flag}: {exc}") from None


def run(**options: Any) -> None:
    """Kubernetes object state as kube-state-metrics' metric families."""
    logs.setup(options["log_level"], options["log_format"])
    chosen = select(options)
    custom = custom_resource_config(options["crs_config"], options["crs_config_file"])
    crs_errors = custom_resource_state.ReadErrors()
    api = api_client(options["kubeconfig"], options["apiserver"],
                     (len(chosen.resources) + len(custom)) * max(1, len(chosen.namespaces)) + 4)
    shard = Shard(options["shard"], options["total_shards"])
    exporter = KubeStateExporter(api, chosen.resources, chosen.namespaces, chosen.allowlists, chosen.wanted, shard,
                                 options["page_size"], chosen.namespaces_denylist, chosen.node,
                                 options["use_apiserver_cache"],
                                 custom_resource_state.specs_from_config(custom, api, crs_errors))
    sharding = None
    if chosen.pod is not None:
        sharding = AutoSharding(api, chosen.pod[0], chosen.pod[1], shard, exporter.reshard)
        try:
            sharding.resolve()
        except Exception as exc:
            raise ConfigError(f"--auto-sharding: {' '.join(str(exc).split())[:300]}") from None

    def host_port(host: str, port: int) -> str:
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def metrics(headers: Mapping[str, str], query: dict[str, list[str]]):
        openmetrics = wants_openmetrics(headers.get("Accept", ""))
        only = set(csv(",".join(query.get("resources", [])))) or None
        exclude = set(csv(",".join(query.get("exclude_resources", [])))) or None
        content_type = OPENMETRICS_CONTENT_TYPE if openmetrics else TEXT_CONTENT_TYPE
        return content_type, exporter.scrape(openmetrics, only, exclude)

    main_server = Exporter(ServerConfig(
        name="Kube State Exporter", description="Kubernetes object metrics (kube-state-metrics families)",
        version=__version__, metrics=metrics, listen_addresses=[host_port(options["host"], options["port"])],
        web_config_file=options["tls_config"], ready=exporter.ready, gzip=options["enable_gzip_encoding"],
        listen_flag="--port", web_config_flag="--tls-config"))
    own = CollectorRegistry(auto_describe=False)
    build_info(own, "kube_state_metrics", __version__)
    telemetry_config = ServerConfig(
        name="Kube State Exporter telemetry", description="The exporter's own metrics", version=__version__,
        metrics=lambda headers, _q: render(chain(exporter.telemetry_families(),
                                                 crs_errors.collect() if custom else (), own.collect()),
                                           headers.get("Accept", "")),
        listen_addresses=[host_port(options["telemetry_host"], options["telemetry_port"])],
        web_config_file=options["tls_config"], ready=exporter.ready, listen_flag="--telemetry-port",
        web_config_flag="--tls-config", hooks=add_exporter_metrics(own))
    telemetry_server = Exporter(telemetry_config)
    main_server.bind_or_exit()
    telemetry_server.bind_or_exit()
    log.info("Starting kube-state-exporter", extra={"version": __version__, "resources": ",".join(chosen.resources),
                                                    "shard": options["shard"], "total_shards": options["total_shards"]})
    # Lists allocate JSON containers by the hundred thousand and free them at once (no cycles): the default
    # gen-0 threshold (700) runs the collector thousands of times per list, ~20% of a sync. Imports frozen
    # out of the collector's way, a higher threshold: the same cycles are still collected, less often.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    exporter.start()
    if sharding is not None:
        sharding.start()
    threading.Thread(target=telemetry_server.serve, kwargs={"install_signal_handlers": False}, daemon=True).start()
    try:
        main_server.serve()
    finally:
        if sharding is not None:
            sharding.stop()
        exporter.stop()
        telemetry_server.stop()
