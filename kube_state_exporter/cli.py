"""The kube-state-exporter command: kube-state-metrics' flags, one reflector per resource (and namespace),
object metrics on --port (8080), the exporter's own metrics on --telemetry-port (8081)."""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

import click
import yaml
from kubernetes import client, config
from prometheus_client import CollectorRegistry

from exporter_toolkit import cli as toolkit_cli
from exporter_toolkit import logs
from exporter_toolkit.errors import ConfigError
from exporter_toolkit.exposition import render, wants_openmetrics
from exporter_toolkit.families import counter, gauge
from exporter_toolkit.server import Exporter, ServerConfig
from exporter_toolkit.telemetry import add_exporter_metrics, build_info
from kube_state_exporter import __version__, custom_resource_state
from kube_state_exporter.autosharding import AutoSharding, pod_identity
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


def _patterns(text: str, flag: str) -> list[re.Pattern]:
    """A comma-separated list of regexes; a bad one is a ConfigError naming the flag."""
    try:
        return [re.compile(p.strip()) for p in text.split(",") if p.strip()]
    except (re.error, OverflowError, RecursionError) as exc:  # OverflowError: a{99999999999}
        raise ConfigError(f"invalid {flag} pattern: {exc}") from None


def metric_filter(allow: str, deny: str):
    if allow and deny:
        raise ConfigError("--metric-allowlist and --metric-denylist are mutually exclusive")
    allowed = _patterns(allow, "--metric-allowlist")
    denied = _patterns(deny, "--metric-denylist")
    if allowed:
        return lambda name: any(p.search(name) for p in allowed)
    return lambda name: not any(p.search(name) for p in denied)


def opt_in_filter(wanted, opt_in: str):
    """KSM's --metric-opt-in-list: an opt-in family is served only when named (unanchored regexes, as the
    allowlist), and then the allow/deny list still applies."""
    named = _patterns(opt_in, "--metric-opt-in-list")

    def keep(generator: FamilyGenerator) -> bool:
        if generator.opt_in and not any(p.search(generator.name) for p in named):
            return False
        return wanted(generator.name)

    return keep


class KubeStateExporter:
    """Stores and reflectors for the enabled resources; renders scrapes by joining stored bytes."""

    def __init__(self, api: client.ApiClient, resources: Sequence[str], namespaces: Sequence[str],
                 allowlists: Mapping[str, Allowlists], wanted, shard: Shard, page_size: int = 500,
                 namespaces_denylist: Sequence[str] = (), node: str | None = None, use_cache: bool = False,
                 custom_specs: Sequence[ResourceSpec] = ()) -> None:
        """`custom_specs`: resources beyond the built-in ones (custom resource state), listed and watched alike."""
        self.telemetry = Telemetry()
        self.shard = shard
        self.generators: dict[str, list[FamilyGenerator]] = {}
        self.stores: dict[str, list[MetricsStore]] = {}
        self.reflectors: list[Reflector] = []
        specs = {**{name: RESOURCES[name] for name in resources}, **{spec.name: spec for spec in custom_specs}}
        for name in sorted(specs):
            spec: ResourceSpec = specs[name]
            generators = [g for g in spec.families(allowlists.get(name, Allowlists())) if wanted(g)]
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
                                                 field_selector=",".join(selectors), use_cache=use_cache))

    def start(self) -> None:
        for reflector in self.reflectors:
            reflector.start()

    def stop(self) -> None:
        for reflector in self.reflectors:
            reflector.stop()

    def reshard(self) -> None:
        """The shard changed (--auto-sharding): every store is rebuilt from a fresh list."""
        for reflector in self.reflectors:
            reflector.relist()

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


def check_kubeconfig(path: str) -> None:
    """An explicit --kubeconfig must be a readable YAML mapping: otherwise one line naming the file and why."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise ConfigError(f"--kubeconfig {path}: no such file") from None
    except PermissionError:
        raise ConfigError(f"--kubeconfig {path}: not readable (permission denied)") from None
    except IsADirectoryError:
        raise ConfigError(f"--kubeconfig {path}: is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--kubeconfig {path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"--kubeconfig {path}: malformed YAML{where}: {problem}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"--kubeconfig {path}: malformed: not a kubeconfig (expected a mapping with clusters, "
                          "users and contexts)")


def api_client(kubeconfig: str | None, apiserver: str | None, connections: int = 10) -> client.ApiClient:
    """A client whose urllib3 never retries on its own (the reflectors back off and log once) and whose pool
    keeps one connection per open watch."""
    configuration = client.Configuration()
    if kubeconfig:
        check_kubeconfig(kubeconfig)
    try:
        if kubeconfig:
            try:
                config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
            except (config.ConfigException, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
                raise ConfigError(f"--kubeconfig {kubeconfig}: invalid: {str(exc).splitlines()[0]}") from None
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
    configuration.retries = False
    configuration.connection_pool_maxsize = max(10, connections)
    return client.ApiClient(configuration)


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
@click.option("--metric-opt-in-list", default="",
              help="Comma-separated list of metrics which are opt-in and not enabled by default. This is in "
                   "addition to the metric allow- and denylists")
@click.option("--use-apiserver-cache", is_flag=True,
              help="Sets resourceVersion=0 for ListWatch requests, using cached resources from the apiserver "
                   "instead of an etcd quorum read.")
@click.option("--auto-sharding", is_flag=True,
              help="Shard as this StatefulSet pod's ordinal of the StatefulSet's replicas, re-sharding on scale "
                   "(the pod from --pod/--pod-namespace or POD_NAME/POD_NAMESPACE).")
@click.option("--pod", default="", help="Name of the pod that contains the exporter (downward API); with "
                                        "--pod-namespace, turns on auto-sharding as in kube-state-metrics.")
@click.option("--pod-namespace", default="", help="Namespace of the pod named by --pod.")
@click.option("--custom-resource-state-config", "crs_config", default="",
              help="Inline Custom Resource State Metrics config YAML (takes precedence over the file).")
@click.option("--custom-resource-state-config-file", "crs_config_file", default="",
              help="Path to a Custom Resource State Metrics config file.")
@click.option("--custom-resource-state-only", is_flag=True,
              help="Only provide Custom Resource State metrics (experimental).")
@click.option("--page-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Objects per list page.")
@click.option("--log.level", "log_level", type=click.Choice(["debug", "info", "warn", "error"]), default="info")
@click.option("--log.format", "log_format", type=click.Choice(["logfmt", "json"]), default="logfmt")
@click.version_option(__version__, "--version", prog_name="kube-state-exporter")
def command(**options: Any) -> None:
    """Kubernetes object state as kube-state-metrics' metric families."""
    logs.setup(options["log_level"], options["log_format"])
    resources = [] if options["custom_resource_state_only"] else _csv(options["resources_flag"])
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
    wanted = opt_in_filter(metric_filter(options["metric_allowlist"], options["metric_denylist"]),
                           options["metric_opt_in_list"])
    auto = None
    if options["auto_sharding"] or options["pod"] or options["pod_namespace"]:
        auto = pod_identity(options["pod"] or os.environ.get("POD_NAME", ""),
                            options["pod_namespace"] or os.environ.get("POD_NAMESPACE", ""))
    namespaces = _csv(options["namespaces"])
    custom = custom_resource_config(options["crs_config"], options["crs_config_file"])
    crs_errors = custom_resource_state.ReadErrors()
    api = api_client(options["kubeconfig"], options["apiserver"],
                     (len(resources) + len(custom)) * max(1, len(namespaces)) + 4)
    shard = Shard(options["shard"], options["total_shards"])
    exporter = KubeStateExporter(api, resources, namespaces, allowlists, wanted, shard, options["page_size"],
                                 _csv(options["namespaces_denylist"]),
                                 "" if options["track_unscheduled_pods"] else options["node"],
                                 options["use_apiserver_cache"],
                                 custom_resource_state.specs_from_config(custom, api, crs_errors))
    sharding = None
    if auto is not None:
        sharding = AutoSharding(api, auto[0], auto[1], shard, exporter.reshard)
        try:
            sharding.resolve()
        except Exception as exc:
            raise ConfigError(f"--auto-sharding: {' '.join(str(exc).split())[:300]}") from None

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
        web_config_file=options["tls_config"], ready=exporter.ready, gzip=options["enable_gzip_encoding"],
        listen_flag="--port", web_config_flag="--tls-config"))
    own = CollectorRegistry(auto_describe=False)
    telemetry_config = ServerConfig(
        name="Kube State Exporter telemetry", description="The exporter's own metrics", version=__version__,
        metrics=lambda headers, _q: render(chain(exporter.telemetry_families(),
                                                 crs_errors.collect() if custom else (), own.collect()),
                                           headers.get("Accept", "")),
        listen_addresses=[host_port(options["telemetry_host"], options["telemetry_port"])],
        web_config_file=options["tls_config"], ready=exporter.ready, listen_flag="--telemetry-port",
        web_config_flag="--tls-config")
    build_info(own, "kube_state_metrics", __version__)
    add_exporter_metrics(own, telemetry_config)
    telemetry_server = Exporter(telemetry_config)
    main_server.bind_or_exit()
    telemetry_server.bind_or_exit()
    log.info("Starting kube-state-exporter", extra={"version": __version__, "resources": ",".join(resources),
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


def main(args: list[str] | None = None) -> None:
    toolkit_cli.run(command, "kube-state-exporter", args)
