"""Kubernetes, for DevOps: cluster -> namespace -> pod, from kube-state metrics."""

from __future__ import annotations

from .model import (
    BOOL_MAPPING,
    CORES,
    UP_THRESHOLDS,
    Dashboard,
    Link,
    Panel,
    Row,
    Variable,
    amber_red,
    drill,
    q,
    red_from,
)

NAMESPACE_LINK = (("Namespace", drill("suite-namespace", "namespace", namespace="${__field.labels.namespace}")),)
POD_LINK = (("Pod", drill("suite-pod", "pod", namespace="$namespace", pod="${__field.labels.pod}")),)

NAMESPACES_ZERO = "count by (namespace) (kube_pod_info) * 0"  # 0, not an empty cell, for a quiet namespace
USAGE_NOTE = (
    "This suite shows the cluster's **state** (kube-state metrics: what is declared, requested, scheduled, ready). "
    "What containers actually **use** (CPU seconds, working-set memory, network) comes from the kubelet's "
    "cAdvisor endpoint (`/metrics/cadvisor`, `container_cpu_usage_seconds_total`, "
    "`container_memory_working_set_bytes`) or metrics-server, which this suite does not scrape: add a kubelet "
    "scrape job to your Prometheus for usage against requests and limits.")

CLUSTER = Dashboard(
    "suite-cluster", "Kubernetes", "Cluster",
    "The whole cluster from kube-state metrics; click a namespace to open it.",
    (Variable("node", "Node", "label_values(kube_node_info, node)", include_all=True),),
    (
        Row("Health", (
            Panel("stat", "Nodes ready", "short",
                  (q('sum(kube_node_status_condition{node=~"$node",condition="Ready",status="true"}) or vector(0)'),),
                  width=4, height=5, thresholds=UP_THRESHOLDS),
            Panel("stat", "Nodes not ready", "short",
                  (q('sum(kube_node_status_condition{node=~"$node",condition="Ready",status!="true"}) or vector(0)'),),
                  width=4, height=5, thresholds=red_from(1)),
            Panel("stat", "Pods running", "short",
                  (q('sum(kube_pod_status_phase{phase="Running"} * on (namespace, pod) group_left () '
                     'max by (namespace, pod) (kube_pod_info{node=~"$node"})) or vector(0)'),), width=4, height=5),
            Panel("stat", "Containers crash-looping", "short",
                  (q('sum(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) or vector(0)'),),
                  width=4, height=5, thresholds=red_from(1)),
            Panel("stat", "Deployments under-replicated", "short",
                  (q("count(kube_deployment_status_replicas_available < kube_deployment_spec_replicas) or vector(0)"),),
                  width=4, height=5, thresholds=amber_red(1, 3)),
            Panel("stat", "Container restarts (1 h)", "short",
                  (q("round(sum(namespace:kube_pod_container_status_restarts:increase1h)) or vector(0)"),),
                  "Restarts in the last hour (rounded: increase() extrapolates).", width=4, height=5,
                  thresholds=amber_red(1, 10), decimals=0),
        )),
        Row("Capacity", (
            Panel("bargauge", "Requested against allocatable", "percentunit",
                  (q('sum(kube_pod_container_resource_requests{node=~"$node",resource="cpu"}) '
                     '/ sum(kube_node_status_allocatable{node=~"$node",resource="cpu"})', "CPU"),
                   q('sum(kube_pod_container_resource_requests{node=~"$node",resource="memory"}) '
                     '/ sum(kube_node_status_allocatable{node=~"$node",resource="memory"})', "memory"),
                   q('count(kube_pod_info{node=~"$node"}) / sum(kube_node_status_allocatable{node=~"$node",'
                     'resource="pods"})', "pods")),
                  width=8, thresholds=amber_red(0.75, 0.9), minimum=0, maximum=1),
            Panel("table", "Nodes", "short",
                  (q('sum by (node) (kube_node_status_condition{node=~"$node",condition="Ready",status="true"})',
                     "Ready"),
                   q('count by (node) (kube_pod_info{node=~"$node"}) or sum by (node) (kube_node_info{node=~"$node"}) '
                     "* 0", "Pods"),
                   q('sum by (node) (kube_node_status_allocatable{node=~"$node",resource="pods"})', "Pod slots"),
                   q('sum by (node) (kube_node_status_allocatable{node=~"$node",resource="cpu"})', "CPU"),
                   q('sum by (node) (kube_node_status_allocatable{node=~"$node",resource="memory"})', "Memory")),
                  "One row per node: readiness, pods scheduled, and what it offers to pods (allocatable).",
                  width=16, mappings=BOOL_MAPPING, column_units=(("CPU", CORES), ("Memory", "bytes")),
                  coloured_columns=("Ready",), thresholds=UP_THRESHOLDS),
        )),
        Row("Namespaces and workloads", (
            Panel("table", "Namespaces", "short",
                  (q("count by (namespace) (kube_pod_info)", "Pods"),
                   q("round(sum by (namespace) (namespace:kube_pod_container_status_restarts:increase1h)) "
                     f"or {NAMESPACES_ZERO}", "Restarts (1 h)"),
                   q('sum by (namespace) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) '
                     f"or {NAMESPACES_ZERO}", "Crash-looping")),
                  "Click a namespace for its workloads and pods.", width=10, thresholds=red_from(1), decimals=0,
                  coloured_columns=("Crash-looping",), column_sort=("Crash-looping", True),
                  column_links=(("namespace", "Namespace",
                                 drill("suite-namespace", "namespace", namespace="${__data.fields.namespace}")),)),
            Panel("timeseries", "Pods by phase", "short",
                  (q("sum by (phase) (namespace:kube_pod_status_phase:count)", "{{phase}}"),), width=7, stacked=True),
            Panel("timeseries", "Container restarts by namespace (1 h)", "short",
                  (q("round(namespace:kube_pod_container_status_restarts:increase1h)", "{{namespace}}"),), width=7,
                  decimals=0, links=NAMESPACE_LINK),
            Panel("table", "Deployments", "short",
                  (q("sum by (namespace, deployment) (kube_deployment_spec_replicas)", "Desired"),
                   q("sum by (namespace, deployment) (kube_deployment_status_replicas_available)", "Available"),
                   q("sum by (namespace, deployment) (kube_deployment_status_replicas_unavailable)", "Unavailable")),
                  "One row per deployment.", width=12, column_sort=("Unavailable", True),
                  thresholds=red_from(1), coloured_columns=("Unavailable",),
                  column_links=(("namespace", "Namespace",
                                 drill("suite-namespace", "namespace", namespace="${__data.fields.namespace}")),)),
            Panel("table", "Crash-looping containers", "short",
                  (q('sum by (namespace, pod, container) (kube_pod_container_status_waiting_reason'
                     '{reason="CrashLoopBackOff"})', "Waiting"),),
                  "Containers in CrashLoopBackOff: click a pod for its detail.", width=12,
                  thresholds=red_from(1), coloured_columns=("Waiting",),
                  column_links=(("pod", "Pod", drill("suite-pod", "pod", namespace="${__data.fields.namespace}",
                                                     pod="${__data.fields.pod}")),)),
        )),
        Row("Usage", (
            Panel("text", "Where is CPU and memory usage?", "", (), width=24, height=3, content=USAGE_NOTE),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Namespace", "suite-namespace")),
)

NAMESPACED = 'namespace="$namespace"'


def with_node(by_pod: str) -> str:
    """A per-pod expression with the pod's node as a label: every column of the Pods table has the same key."""
    return f"{by_pod} * on (pod) group_left (node) max by (pod, node) (kube_pod_info{{{NAMESPACED}}})"


NONE_SET = f"max by (pod) (kube_pod_info{{{NAMESPACED}}}) * 0 - 1"  # -1: shown as "none"
NAMESPACE = Dashboard(
    "suite-namespace", "Kubernetes", "Namespace",
    "One namespace: its workloads and pods; click a pod for its containers.",
    (Variable("namespace", "Namespace", "label_values(kube_pod_info, namespace)"),),
    (
        Row("Summary", (
            Panel("stat", "Pods", "short", (q(f"count(kube_pod_info{{{NAMESPACED}}}) or vector(0)"),), width=6,
                  height=4),
            Panel("stat", "Pods running", "short",
                  (q(f'sum(kube_pod_status_phase{{{NAMESPACED},phase="Running"}}) or vector(0)'),), width=6, height=4),
            Panel("stat", "Container restarts (1 h)", "short",
                  (q(f"round(sum(increase(kube_pod_container_status_restarts_total{{{NAMESPACED}}}[1h]))) "
                     "or vector(0)"),), "Restarts in the last hour (rounded: increase() extrapolates).", width=6,
                  height=4, thresholds=amber_red(1, 10), decimals=0),
            Panel("stat", "Containers waiting", "short",
                  (q(f"sum(kube_pod_container_status_waiting{{{NAMESPACED}}}) or vector(0)"),), width=6, height=4,
                  thresholds=amber_red(1, 3)),
        )),
        Row("Workloads", (
            Panel("table", "Deployments", "short",
                  (q(f"sum by (deployment) (kube_deployment_spec_replicas{{{NAMESPACED}}})", "Desired"),
                   q(f"sum by (deployment) (kube_deployment_status_replicas_available{{{NAMESPACED}}})", "Available"),
                   q(f"sum by (deployment) (kube_deployment_status_replicas_updated{{{NAMESPACED}}})", "Updated")),
                  "One row per deployment.", width=12),
            Panel("table", "Pods by owner", "short",
                  (q(f"count by (owner_kind, owner_name) (kube_pod_owner{{{NAMESPACED}}})", "Pods"),),
                  "Pods per controller (a bare pod has no owner).", width=12),
        )),
        Row("Pods", (
            Panel("table", "Pods", "short",
                  (q(with_node(f'sum by (pod) (kube_pod_status_ready{{{NAMESPACED},condition="true"}})'), "Ready"),
                   q(with_node(f"sum by (pod) (kube_pod_container_status_restarts_total{{{NAMESPACED}}})"),
                     "Restarts")),
                  "One row per pod and the node it runs on: click a pod for its containers.", width=12,
                  mappings=BOOL_MAPPING, thresholds=UP_THRESHOLDS, coloured_columns=("Ready",),
                  column_order=("pod", "Ready", "Restarts", "node"),
                  column_links=(("pod", "Pod", drill("suite-pod", "pod", namespace="$namespace",
                                                     pod="${__data.fields.pod}")),)),
            Panel("timeseries", "Container restarts by pod", "short",
                  (q(f"sum by (pod) (kube_pod_container_status_restarts_total{{{NAMESPACED}}})", "{{pod}}"),), width=12,
                  links=POD_LINK),
            Panel("timeseries", "Waiting containers by reason", "short",
                  (q(f"sum by (pod, reason) (kube_pod_container_status_waiting_reason{{{NAMESPACED}}}) or on (pod) "
                     f"sum by (pod) (kube_pod_container_status_waiting{{{NAMESPACED}}})", "{{pod}} {{reason}}"),),
                  "CrashLoopBackOff, ImagePullBackOff, ...: a pod listed without a reason is not waiting.",
                  width=12, thresholds=red_from(1), links=POD_LINK),
            Panel("table", "Requests and limits by pod", "short",
                  tuple(q(f'sum by (pod) (kube_pod_container_resource_{kind}{{{NAMESPACED},resource="{resource}"}}) '
                          f"or {NONE_SET}", f"{title} {word}")
                        for resource, title in (("cpu", "CPU"), ("memory", "Memory"))
                        for kind, word in (("requests", "requested"), ("limits", "limit"))),
                  "Sums over each pod's containers; none: no container of the pod sets it.", width=12,
                  mappings=(("-1", "none", "text"),),
                  column_units=(("CPU requested", CORES), ("CPU limit", CORES), ("Memory requested", "bytes"),
                                ("Memory limit", "bytes")),
                  coloured_columns=("CPU requested", "CPU limit", "Memory requested", "Memory limit")),
        )),
    ),
    links=(Link("Cluster", "suite-cluster"), Link("Pod", "suite-pod", include_vars=True)),
)

OF_POD = 'namespace="$namespace",pod="$pod"'
POD_NODE = f"max by (node) (kube_pod_info{{{OF_POD}}})"


def against_node(resource: str) -> str:
    """Each container's request and limit as a share of its node's allocatable, told apart by `kind`; a pod that
    sets neither (BestEffort) shows one bar at 0 saying so, instead of an empty panel."""
    allocatable = (f'scalar(max(kube_node_status_allocatable{{resource="{resource}"}} * on (node) group_left () '
                   f"{POD_NODE}))")
    requests = f'kube_pod_container_resource_requests{{{OF_POD},resource="{resource}"}}'
    limits = f'kube_pod_container_resource_limits{{{OF_POD},resource="{resource}"}}'
    return (f'label_replace(sum by (container) ({requests}) / {allocatable}, "kind", "request", "", "") '
            f'or label_replace(sum by (container) ({limits}) / {allocatable}, "kind", "limit", "", "") '
            f'or (label_replace(max(kube_pod_info{{{OF_POD}}}) * 0, "kind", "{NEITHER}", "", "") '
            f"unless on () ({requests} or {limits}))")


def with_image(by_container: str) -> str:
    """A per-container expression with the container's image as a label (the Containers table's key)."""
    return (f"{by_container} * on (container) group_left (image) "
            f"max by (container, image) (kube_pod_container_info{{{OF_POD}}})")


NEITHER = "no request or limit set (BestEffort pod)"


POD = Dashboard(
    "suite-pod", "Kubernetes", "Pod",
    "One pod: phase, restarts, why containers wait, resources against requests and limits.",
    (Variable("namespace", "Namespace", "label_values(kube_pod_info, namespace)"),
     Variable("pod", "Pod", 'label_values(kube_pod_info{namespace="$namespace"}, pod)')),
    (
        Row("Status", (
            Panel("stat", "Phase", "short", (q(f"kube_pod_status_phase{{{OF_POD}}} == 1", "{{phase}}"),), width=4,
                  height=4, text_mode="name"),
            Panel("stat", "Ready", "short", (q(f'sum(kube_pod_status_ready{{{OF_POD},condition="true"}})'),), width=3,
                  height=4, mappings=BOOL_MAPPING, thresholds=UP_THRESHOLDS),
            Panel("stat", "Restarts", "short", (q(f"sum(kube_pod_container_status_restarts_total{{{OF_POD}}})"),),
                  width=3, height=4, thresholds=amber_red(1, 5)),
            Panel("stat", "QoS class", "short", (q(f"kube_pod_status_qos_class{{{OF_POD}}} == 1", "{{qos_class}}"),),
                  "Guaranteed: every container's requests equal its limits; Burstable: some requests or limits; "
                  "BestEffort: no container sets either.", width=4, height=4, text_mode="name"),
            Panel("stat", "Node", "short", (q(f"kube_pod_info{{{OF_POD}}}", "{{node}}"),), width=5, height=4,
                  text_mode="name"),
            Panel("stat", "Age", "dtdurations", (q(f"time() - kube_pod_created{{{OF_POD}}}"),), width=5, height=4),
        )),
        Row("Containers", (
            Panel("table", "Containers", "short",
                  (q(with_image(f"sum by (container) (kube_pod_container_status_ready{{{OF_POD}}})"), "Ready"),
                   q(with_image(f"sum by (container) (kube_pod_container_status_restarts_total{{{OF_POD}}})"),
                     "Restarts")),
                  "One row per container and its image.", width=12, mappings=BOOL_MAPPING,
                  thresholds=UP_THRESHOLDS, coloured_columns=("Ready",),
                  column_order=("container", "Ready", "Restarts", "image")),
            Panel("table", "Waiting reasons", "short",
                  (q(f"sum by (container, reason) (kube_pod_container_status_waiting_reason{{{OF_POD}}}) "
                     "or on (container) "
                     f"sum by (container) (kube_pod_container_status_waiting{{{OF_POD}}})", "Waiting"),),
                  "A container listed without a reason is not waiting.", width=12, thresholds=red_from(1),
                  coloured_columns=("Waiting",)),
            Panel("timeseries", "Restarts", "short",
                  (q(f"kube_pod_container_status_restarts_total{{{OF_POD}}}", "{{container}}"),), width=24,
                  thresholds=amber_red(1, 5)),
        )),
        Row("Resources against requests and limits", (
            Panel("bargauge", "CPU: requests and limits, share of the node", "percentunit",
                  (q(against_node("cpu"), "{{kind}} {{container}}"),),
                  "Each container's CPU request and limit as a share of its node's allocatable CPU. A BestEffort "
                  "pod sets neither: it gets what is left, first to be throttled.", width=12, minimum=0, maximum=1),
            Panel("bargauge", "Memory: requests and limits, share of the node", "percentunit",
                  (q(against_node("memory"), "{{kind}} {{container}}"),),
                  "Each container's memory request and limit as a share of its node's allocatable memory. A "
                  "BestEffort pod sets neither: it is the first evicted under memory pressure.", width=12,
                  minimum=0, maximum=1),
        )),
    ),
    links=(Link("Namespace", "suite-namespace", include_vars=True), Link("Cluster", "suite-cluster")),
)
