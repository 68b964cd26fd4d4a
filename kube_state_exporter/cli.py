"""The kube-state-exporter command: kube-state-metrics' flags, one reflector per resource (and namespace),
object metrics on --port (8080), the exporter's own metrics on --telemetry-port (8081)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

import click
from kubernetes import client, config
from prometheus_client import CollectorRegistry

from exporter_toolkit import cli as toolkit_cli
from exporter_toolkit import logs
from exporter_toolkit.errors import ConfigError
from exporter_toolkit.exposition import render, wants_openmetrics
from exporter_toolkit.families import counter, gauge
from exporter_toolkit.server import Exporter, ServerConfig
from exporter_toolkit.telemetry import add_exporter_metrics, build_info
from kube_state_exporter import __version__
from kube_state_exporter.informer import Reflector, Telemetry
from kube_state_exporter.metric import FamilyGenerator
from kube_state_exporter.resources import DEFAULT_RESOURCES, RESOURCES, Allowlists, ResourceSpec
from kube_state_exporter.sharding import Shard
from kube_state_exporter.store import MetricsStore, write

log = logging.getLogger("kube_state_exporter")
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT = "text/plain; version=0.0.4; charset=utf-8"
_ALLOWLIST_ENTRY = re.compile(r"\s*([\w.*-]+)\s*=\s*\[([^\]]*)\]\s*,?")


def parse_allowlist(text: str, resources: Sequence[str], flag: str) -> dict[str, list[str]]:
    """'pods=[app,team],namespaces=[*]' -> {'pods': ['app', 'team'], 'namespaces': ['*']}; '*' as the resource
    means every enabled resource."""
    result: dict[str, list[str]] = {}
    position = 0
    text = text.strip()
    while position < len(text):
        match = _ALLOWLIST_ENTRY.match(text, position)
        if not match:
            raise ConfigError(f"invalid {flag} near {text[position:]!r}: expected resource=[key,...]")
        keys = [key.strip() for key in match.group(2).split(",") if key.strip()]
        targets = resources if match.group(1) == "*" else [match.group(1)]
        for resource in targets:
            if resource not in RESOURCES:
                raise ConfigError(f"invalid {flag}: unknown resource {resource!r}")
            result.setdefault(resource, []).extend(keys)
        position = match.end()
    return result


def metric_filter(allow: str, deny: str):
    if allow and deny:
        raise ConfigError("--metric-allowlist and --metric-denylist are mutually exclusive")
    try:
        allowed = [re.compile(p) for p in allow.split(",") if p.strip()]
        denied = [re.compile(p) for p in deny.split(",") if p.strip()]
    except re.error as exc:
        raise ConfigError(f"invalid metric allow/deny pattern: {exc}") from exc
    if allowed:
        return lambda name: any(p.search(name) for p in allowed)
    return lambda name: not any(p.search(name) for p in denied)


class KubeStateExporter:
    """Stores and reflectors for the enabled resources; renders scrapes by joining stored bytes."""

    def __init__(self, api: client.ApiClient, resources: Sequence[str], namespaces: Sequence[str],
                 allowlists: Mapping[str, Allowlists], wanted, shard: Shard, page_size: int = 500,
                 namespaces_denylist: Sequence[str] = (), node: str | None = None) -> None:
        self.telemetry = Telemetry()
        self.shard = shard
        self.generators: dict[str, list[FamilyGenerator]] = {}
        self.stores: dict[str, list[MetricsStore]] = {}
        self.reflectors: list[Reflector] = []
        for name in sorted(resources):
            spec: ResourceSpec = RESOURCES[name]
            generators = [g for g in spec.families(allowlists.get(name, Allowlists())) if wanted(g.name)]
            self.generators[name] = generators
            scopes = list(namespaces) if namespaces and spec.namespaced else [None]
            selectors = [f"metadata.namespace!={ns}" for ns in namespaces_denylist] if spec.namespaced else []
            if node is not None and name == "pods":
                selectors.append(f"spec.nodeName={node}")  # "" selects the pods no node took yet
            self.stores[name] = []
            for scope in scopes:
                store = MetricsStore(spec, generators)
                self.stores[name].append(store)
                self.reflectors.append(Reflector(spec, scope, api, store, shard, self.telemetry, page_size=page_size,
                                                 field_selector=",".join(selectors)))

    def start(self) -> None:
        for reflector in self.reflectors:
            reflector.start()

    def stop(self) -> None:
        for reflector in self.reflectors:
            reflector.stop()

    def ready(self) -> bool:
        """Ready once every resource finished its first list."""
        return all(reflector.synced.is_set() for reflector in self.reflectors)

    def scrape(self, openmetrics: bool, only: set[str] | None = None, exclude: set[str] | None = None
               ) -> Iterator[bytes]:
        for name, generators in self.generators.items():
            if (only and name not in only) or (exclude and name in exclude):
                continue
            yield from write(generators, self.stores[name], openmetrics)
        if openmetrics:
            yield b"# EOF\n"

    def telemetry_families(self):
        t = self.telemetry
        with t.lock:
            lists = counter("kube_state_metrics_list_total", "Number of total resource list in kube-state-metrics",
                            ["resource", "result"])
            for (resource, result), value in sorted(t.lists.items()):
                lists.add_metric([resource, result], value)
            watches = counter("kube_state_metrics_watch_total", "Number of total resource watches in "
                              "kube-state-metrics", ["resource", "result"])
            for (resource, result), value in sorted(t.watches.items()):
                watches.add_metric([resource, result], value)
            events = counter("kube_state_metrics_watch_events_total", "Watch events applied to the metrics stores, "
                             "by resource and event type.", ["resource", "type"])
            for (resource, kind), value in sorted(t.events.items()):
                events.add_metric([resource, kind], value)
            synced = gauge("kube_state_metrics_last_sync_timestamp_seconds", "When each resource last finished a "
                           "full list.", ["resource"])
            for resource, value in sorted(t.last_sync.items()):
                synced.add_metric([resource], value)
        objects = gauge("kube_state_metrics_objects", "Objects held per resource (after sharding).", ["resource"])
        for name, stores in self.stores.items():
            objects.add_metric([name], float(sum(len(s) for s in stores)))
        shard = gauge("kube_state_metrics_shard_ordinal", "Current sharding ordinal/index of this instance",
                      ["shard_ordinal"])
        shard.add_metric([str(self.shard.shard)], float(self.shard.shard))
        return [lists, watches, events, synced, objects, shard,
                gauge("kube_state_metrics_total_shards", "Number of total shards this instance is aware of",
                      value=float(self.shard.total))]


def api_client(kubeconfig: str | None, apiserver: str | None) -> client.ApiClient:
    configuration = client.Configuration()
    try:
        if kubeconfig:
            config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
        else:
            try:
                config.load_incluster_config(client_configuration=configuration)
            except config.ConfigException:
                config.load_kube_config(client_configuration=configuration)
    except (config.ConfigException, OSError) as exc:
        if not apiserver:
            raise ConfigError(f"no Kubernetes configuration: {str(exc).splitlines()[0]}; use --kubeconfig, "
                              f"--apiserver or run in a pod") from exc
    if apiserver:
        configuration.host = apiserver
    return client.ApiClient(configuration)


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--kubeconfig", default=None, help="Absolute path to the kubeconfig file (in-cluster config when unset).")
@click.option("--apiserver", default=None, help="The URL of the apiserver to use as a master.")
@click.option("--resources", "resources_flag", default=",".join(DEFAULT_RESOURCES), show_default=True,
              help="Comma-separated list of resources to be enabled.")
@click.option("--namespaces", default="", help="Comma-separated list of namespaces to be enabled (all when empty).")
@click.option("--namespaces-denylist", default="",
              help="Comma-separated list of namespaces not to be enabled (with --namespaces unset).")
@click.option("--node", default=None,
              help="Only the pods of this node (DaemonSet sharding: pass the node name from the downward API).")
@click.option("--track-unscheduled-pods", is_flag=True,
              help="Only the pods no node has taken yet (the companion of --node sharding).")
@click.option("--metric-allowlist", default="", help="Comma-separated list of metrics (regexes) to be exposed.")
@click.option("--metric-denylist", default="", help="Comma-separated list of metrics (regexes) not to be exposed.")
@click.option("--metric-labels-allowlist", default="",
              help="Kubernetes label keys exposed in *_labels, e.g. pods=[app,team],namespaces=[*].")
@click.option("--metric-annotations-allowlist", default="",
              help="Kubernetes annotation keys exposed in *_annotations, same syntax.")
@click.option("--shard", type=click.IntRange(min=0), default=0, show_default=True,
              help="The instances shard nominal (zero indexed) within the total number of shards.")
@click.option("--total-shards", type=click.IntRange(min=1), default=1, show_default=True,
              help="The total number of shards.")
@click.option("--host", default="::", show_default=True, help="Host to expose metrics on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to expose metrics on.")
@click.option("--telemetry-host", default="::", show_default=True, help="Host to expose telemetry on.")
@click.option("--telemetry-port", type=click.IntRange(0, 65535), default=8081, show_default=True,
              help="Port to expose kube-state-exporter self metrics on.")
@click.option("--tls-config", default=None, help="Path to the exporter-toolkit web config file (TLS, basic auth).")
@click.option("--enable-gzip-encoding", is_flag=True, help="Gzip responses when requested by clients.")
@click.option("--page-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Objects per list page.")
@click.option("--log.level", "log_level", type=click.Choice(["debug", "info", "warn", "error"]), default="info")
@click.option("--log.format", "log_format", type=click.Choice(["logfmt", "json"]), default="logfmt")
@click.version_option(__version__, "--version", prog_name="kube-state-exporter")
def command(**options: Any) -> None:
    """Kubernetes object state as kube-state-metrics' metric families."""
    logs.setup(options["log_level"], options["log_format"])
    resources = _csv(options["resources_flag"])
    unknown = sorted(set(resources) - set(RESOURCES))
    if unknown:
        raise ConfigError(f"--resources: unknown resource {unknown[0]!r} (known: {', '.join(sorted(RESOURCES))})")
    if options["namespaces"] and options["namespaces_denylist"]:
        raise ConfigError("--namespaces and --namespaces-denylist are mutually exclusive")
    if options["node"] and options["track_unscheduled_pods"]:
        raise ConfigError("--node and --track-unscheduled-pods are mutually exclusive")
    if options["shard"] >= options["total_shards"]:
        raise ConfigError(f"--shard {options['shard']} must be lower than --total-shards {options['total_shards']}")
    labels = parse_allowlist(options["metric_labels_allowlist"], resources, "--metric-labels-allowlist")
    annotations = parse_allowlist(options["metric_annotations_allowlist"], resources,
                                  "--metric-annotations-allowlist")
    allowlists = {name: Allowlists(labels.get(name), annotations.get(name)) for name in resources}
    wanted = metric_filter(options["metric_allowlist"], options["metric_denylist"])
    exporter = KubeStateExporter(api_client(options["kubeconfig"], options["apiserver"]), resources,
                                 _csv(options["namespaces"]), allowlists, wanted,
                                 Shard(options["shard"], options["total_shards"]), options["page_size"],
                                 _csv(options["namespaces_denylist"]),
                                 "" if options["track_unscheduled_pods"] else options["node"])

    def host_port(host: str, port: int) -> str:
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def metrics(headers: Mapping[str, str], query: dict[str, list[str]]):
        openmetrics = wants_openmetrics(headers.get("Accept", ""))
        only = set(_csv(",".join(query.get("resources", [])))) or None
        exclude = set(_csv(",".join(query.get("exclude_resources", [])))) or None
        return (OPENMETRICS if openmetrics else TEXT), exporter.scrape(openmetrics, only, exclude)

    main_server = Exporter(ServerConfig(
        name="Kube State Exporter", description="Kubernetes object metrics (kube-state-metrics families)",
        version=__version__, metrics=metrics, listen_addresses=[host_port(options["host"], options["port"])],
        web_config_file=options["tls_config"], ready=exporter.ready, gzip=options["enable_gzip_encoding"]))
    own = CollectorRegistry(auto_describe=False)
    telemetry_config = ServerConfig(
        name="Kube State Exporter telemetry", description="The exporter's own metrics", version=__version__,
        metrics=lambda headers, _q: render(chain(exporter.telemetry_families(), own.collect()),
                                           headers.get("Accept", "")),
        listen_addresses=[host_port(options["telemetry_host"], options["telemetry_port"])],
        web_config_file=options["tls_config"], ready=exporter.ready)
    build_info(own, "kube_state_metrics", __version__)
    add_exporter_metrics(own, telemetry_config)
    telemetry_server = Exporter(telemetry_config)
    main_server.bind_or_exit()
    telemetry_server.bind_or_exit()
    log.info("Starting kube-state-exporter", extra={"version": __version__, "resources": ",".join(resources),
                                                    "shard": options["shard"], "total_shards": options["total_shards"]})
    exporter.start()
    threading.Thread(target=telemetry_server.serve, kwargs={"install_signal_handlers": False}, daemon=True).start()
    try:
        main_server.serve()
    finally:
        exporter.stop()
        telemetry_server.stop()


def main(args: list[str] | None = None) -> None:
    toolkit_cli.run(command, "kube-state-exporter", args)
