"""kube-state-metrics' flags (declared once, here) and what they parse into: allowlists of Kubernetes label and
annotation keys, the metric allow/deny/opt-in filter. A bad value is a ConfigError naming its flag."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click

from exporter_toolkit import cli as toolkit_cli
from exporter_toolkit.errors import ConfigError
from kube_state_exporter import __version__
from kube_state_exporter.autosharding import pod_identity
from kube_state_exporter.metric import FamilyGenerator
from kube_state_exporter.resources import DEFAULT_RESOURCES, RESOURCES, Allowlists

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


def patterns(text: str, flag: str) -> list[re.Pattern[str]]:
    """The comma-separated regexes of `flag`, each stripped of surrounding spaces; a ConfigError naming the flag
    and the first bad one."""
    compiled = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        shown = part if len(part) <= 40 else f"{part[:40]}... ({len(part)} characters)"
        try:
            compiled.append(re.compile(part))
        except re.error as exc:
            raise ConfigError(f"{flag}: invalid regex {shown!r}: {exc}") from None
        except RecursionError:
            raise ConfigError(f"{flag}: invalid regex {shown!r}: expression nests too deeply") from None
        except (OverflowError, MemoryError):  # a{99999999999}
            raise ConfigError(f"{flag}: invalid regex {shown!r}: expression too large") from None
    return compiled


def metric_filter(allow: str, deny: str) -> Callable[[str], bool]:
    if allow and deny:
        raise ConfigError("--metric-allowlist and --metric-denylist are mutually exclusive")
    allowed = patterns(allow, "--metric-allowlist")
    denied = patterns(deny, "--metric-denylist")
    if allowed:
        return lambda name: any(p.search(name) for p in allowed)
    return lambda name: not any(p.search(name) for p in denied)


def opt_in_filter(wanted: Callable[[str], bool], opt_in: str) -> Callable[[FamilyGenerator], bool]:
    """KSM's --metric-opt-in-list: an opt-in family is served only when named (unanchored regexes, as the
    allowlist), and then the allow/deny list still applies."""
    named = patterns(opt_in, "--metric-opt-in-list")

    def keep(generator: FamilyGenerator) -> bool:
        if generator.opt_in and not any(p.search(generator.name) for p in named):
            return False
        return wanted(generator.name)

    return keep


def csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]



@dataclass(frozen=True)
class Selection:
    """What the flags select: the resources and their allowlists, the families, the namespaces, the pods of a
    node ("" for the unscheduled ones) and the auto-sharding pod (namespace, name, ordinal)."""

    resources: list[str]
    allowlists: dict[str, Allowlists]
    wanted: Callable[[FamilyGenerator], bool]
    namespaces: list[str]
    namespaces_denylist: list[str]
    node: str | None
    pod: tuple[str, str, int] | None


def select(options: Mapping[str, Any]) -> Selection:
    """The flags' values checked against each other and parsed; a ConfigError naming the flag otherwise."""
    resources = [] if options["custom_resource_state_only"] else csv(options["resources_flag"])
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
    wanted = opt_in_filter(metric_filter(options["metric_allowlist"], options["metric_denylist"]),
                           options["metric_opt_in_list"])
    pod = None
    if options["auto_sharding"] or options["pod"] or options["pod_namespace"]:
        pod = pod_identity(options["pod"] or os.environ.get("POD_NAME", ""),
                           options["pod_namespace"] or os.environ.get("POD_NAMESPACE", ""))
    return Selection(resources, {name: Allowlists(labels.get(name), annotations.get(name)) for name in resources},
                     wanted, csv(options["namespaces"]), csv(options["namespaces_denylist"]),
                     "" if options["track_unscheduled_pods"] else options["node"], pod)


def declare(func: Callable) -> Callable:
    """The click command with every flag of the kube-state exporter."""
    for option in reversed(FLAGS):
        func = option(func)
    return click.command(context_settings={"help_option_names": ["-h", "--help"]})(func)


FLAGS = [
    click.option("--kubeconfig", default=None,
                 help="Absolute path to the kubeconfig file (in-cluster config when unset)."),
    click.option("--apiserver", default=None, help="The URL of the apiserver to use as a master."),
    click.option("--resources", "resources_flag", default=",".join(DEFAULT_RESOURCES), show_default=True,
                  help="Comma-separated list of resources to be enabled."),
    click.option("--namespaces", default="", help="Comma-separated list of namespaces to be enabled (all when empty)."),
    click.option("--namespaces-denylist", default="",
                  help="Comma-separated list of namespaces not to be enabled (with --namespaces unset)."),
    click.option("--node", default=None,
                  help="Only the pods of this node (DaemonSet sharding: pass the node name from the downward API)."),
    click.option("--track-unscheduled-pods", is_flag=True,
                  help="Only the pods no node has taken yet (the companion of --node sharding)."),
    click.option("--metric-allowlist", default="", help="Comma-separated list of metrics (regexes) to be exposed."),
    click.option("--metric-denylist", default="", help="Comma-separated list of metrics (regexes) not to be exposed."),
    click.option("--metric-labels-allowlist", default="",
                  help="Kubernetes label keys exposed in *_labels, e.g. pods=[app,team],namespaces=[*]."),
    click.option("--metric-annotations-allowlist", default="",
                  help="Kubernetes annotation keys exposed in *_annotations, same syntax."),
    click.option("--shard", type=click.IntRange(min=0), default=0, show_default=True,
                  help="The instances shard nominal (zero indexed) within the total number of shards."),
    click.option("--total-shards", type=click.IntRange(min=1), default=1, show_default=True,
                  help="The total number of shards."),
    click.option("--host", default="::", show_default=True, help="Host to expose metrics on."),
    click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
                  help="Port to expose metrics on."),
    click.option("--telemetry-host", default="::", show_default=True, help="Host to expose telemetry on."),
    click.option("--telemetry-port", type=click.IntRange(0, 65535), default=8081, show_default=True,
                  help="Port to expose kube-state-exporter self metrics on."),
    click.option("--tls-config", default=None, help="Path to the exporter-toolkit web config file (TLS, basic auth)."),
    click.option("--enable-gzip-encoding", is_flag=True, help="Gzip responses when requested by clients."),
    click.option("--metric-opt-in-list", default="",
                  help="Comma-separated list of metrics which are opt-in and not enabled by default. This is in "
                       "addition to the metric allow- and denylists"),
    click.option("--use-apiserver-cache", is_flag=True,
                  help="Sets resourceVersion=0 for ListWatch requests, using cached resources from the apiserver "
                       "instead of an etcd quorum read."),
    click.option("--auto-sharding", is_flag=True,
                  help="Shard as this StatefulSet pod's ordinal of the StatefulSet's replicas, re-sharding on scale "
                       "(the pod from --pod/--pod-namespace or POD_NAME/POD_NAMESPACE)."),
    click.option("--pod", default="", help="Name of the pod that contains the exporter (downward API); with "
                                            "--pod-namespace, turns on auto-sharding as in kube-state-metrics."),
    click.option("--pod-namespace", default="", help="Namespace of the pod named by --pod."),
    click.option("--custom-resource-state-config", "crs_config", default="",
                  help="Inline Custom Resource State Metrics config YAML (takes precedence over the file)."),
    click.option("--custom-resource-state-config-file", "crs_config_file", default="",
                  help="Path to a Custom Resource State Metrics config file."),
    click.option("--custom-resource-state-only", is_flag=True,
                  help="Only provide Custom Resource State metrics (experimental)."),
    click.option("--page-size", type=click.IntRange(min=1), default=500, show_default=True,
                  help="Objects per list page."),
    *toolkit_cli.log_options(),
    click.version_option(__version__, "--version", prog_name="kube-state-exporter"),
]
