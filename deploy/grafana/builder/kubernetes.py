"""Kubernetes, for DevOps: cluster -> namespace -> pod, from kube-state metrics."""

from __future__ import annotations

from .model import (
    BOOL_MAPPING,
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

CLUSTER = Dashboard(
    "suite-cluster", "Kubernetes", "Cluster",
    "The whole cluster from kube-state metrics; click a namespace to open it.",
    (Variable("node", "Node", "label_values(kube_node_info, node)", include_all=True),),
    (
        Row("Health", (
            Panel("stat", "Nodes ready", "short",
                  (q('sum(kube_node_status_condition{node=~"$node",condition="Ready",status="true"})'),),
                  width=4, height=5, thresholds=(("red", None), ("green", 1))),
            Panel("stat", "Nodes not ready", "short",
                  (q('sum(kube_node_status_condition{node=~"$node",condition="Ready",status!="true"})'),),
                  width=4, height=5, thresholds=red_from(1)),
            Panel("stat", "Pods running", "short",
                  (q('sum(kube_pod_status_phase{phase="Running"} * on (namespace, pod) group_left () '
                     'max by (namespace, pod) (kube_pod_info{node=~"$node"}))'),), width=4, height=5),
            Panel("stat", "Containers crash-looping", "short",
                  (q('sum(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) or vector(0)'),),
                  width=4, height=5, thresholds=red_from(1)),
            Panel("stat", "Deployments short of replicas", "short",
                  (q("count(kube_deployment_status_replicas_available < kube_deployment_spec_replicas) or vector(0)"),),
                  width=4, height=5, thresholds=amber_red(1, 3)),
            Panel("stat", "Container restarts (1 h)", "short",
                  (q("sum(namespace:kube_pod_container_status_restarts:increase1h)"),), width=4, height=5,
                  thresholds=amber_red(1, 10)),
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
                   q('count by (node) (kube_pod_info{node=~"$node"})', "Pods"),
                   q('kube_node_status_allocatable{node=~"$node",resource="pods"}', "Pod slots"),
                   q('kube_node_status_allocatable{node=~"$node",resource="cpu"}', "CPU cores"),
                   q('kube_node_status_allocatable{node=~"$node",resource="memory"}', "Memory")),
                  width=16, mappings=BOOL_MAPPING, column_units=(("Memory", "bytes"),), coloured_columns=("Ready",),
                  thresholds=(("red", None), ("green", 1))),
        )),
        Row("Namespaces and workloads", (
            Panel("table", "Namespaces", "short",
                  (q("count by (namespace) (kube_pod_info)", "Pods"),
                   q("sum by (namespace) (namespace:kube_pod_container_status_restarts:increase1h)",
                     "Restarts (1 h)"),
                   q('sum by (namespace) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"})',
                     "Crash-looping")),
                  "Click a namespace for its workloads and pods.", width=10,
                  column_links=(("namespace", "Namespace",
                                 drill("suite-namespace", "namespace", namespace="${__data.fields.namespace}")),)),
            Panel("timeseries", "Pods by phase", "short",
                  (q("sum by (phase) (namespace:kube_pod_status_phase:count)", "{{phase}}"),), width=7, stacked=True),
            Panel("timeseries", "Container restarts by namespace (1 h)", "short",
                  (q("namespace:kube_pod_container_status_restarts:increase1h", "{{namespace}}"),), width=7,
                  links=NAMESPACE_LINK),
            Panel("table", "Deployments", "short",
                  (q("kube_deployment_spec_replicas", "Desired"),
                   q("kube_deployment_status_replicas_available", "Available"),
                   q("kube_deployment_status_replicas_unavailable", "Unavailable")), width=12,
                  thresholds=red_from(1), coloured_columns=("Unavailable",),
                  column_links=(("namespace", "Namespace",
                                 drill("suite-namespace", "namespace", namespace="${__data.fields.namespace}")),)),
            Panel("table", "Crash-looping containers", "short",
                  (q('kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}', "Waiting"),),
                  width=12, thresholds=red_from(1),
                  column_links=(("pod", "Pod", drill("suite-pod", "pod", namespace="${__data.fields.namespace}",
                                                     pod="${__data.fields.pod}")),)),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Namespace", "suite-namespace")),
)

NAMESPACED = 'namespace="$namespace"'
NAMESPACE = Dashboard(
    "suite-namespace", "Kubernetes", "Namespace",
    "One namespace: its workloads and pods; click a pod for its containers.",
    (Variable("namespace", "Namespace", "label_values(kube_pod_info, namespace)"),),
    (
        Row("Summary", (
            Panel("stat", "Pods", "short", (q(f"count(kube_pod_info{{{NAMESPACED}}})"),), width=6, height=4),
            Panel("stat", "Pods running", "short",
                  (q(f'sum(kube_pod_status_phase{{{NAMESPACED},phase="Running"}})'),), width=6, height=4),
            Panel("stat", "Container restarts (1 h)", "short",
                  (q(f"sum(increase(kube_pod_container_status_restarts_total{{{NAMESPACED}}}[1h]))"),), width=6,
                  height=4,
                  thresholds=amber_red(1, 10)),
            Panel("stat", "Containers waiting", "short",
                  (q(f"sum(kube_pod_container_status_waiting{{{NAMESPACED}}})"),), width=6, height=4,
                  thresholds=amber_red(1, 3)),
        )),
        Row("Workloads", (
            Panel("table", "Deployments", "short",
                  (q(f"kube_deployment_spec_replicas{{{NAMESPACED}}}", "Desired"),
                   q(f"kube_deployment_status_replicas_available{{{NAMESPACED}}}", "Available"),
                   q(f"kube_deployment_status_replicas_updated{{{NAMESPACED}}}", "Updated")), width=12),
            Panel("table", "Pods by owner", "short",
                  (q(f"count by (owner_kind, owner_name) (kube_pod_owner{{{NAMESPACED}}})", "Pods"),),
                  "Pods per controller (a bare pod has no owner).", width=12),
        )),
        Row("Pods", (
            Panel("table", "Pods", "short",
                  (q(f"max by (pod, node, pod_ip) (kube_pod_info{{{NAMESPACED}}})", "Scheduled"),
                   q(f"sum by (pod) (kube_pod_container_status_restarts_total{{{NAMESPACED}}})", "Restarts"),
                   q(f'sum by (pod) (kube_pod_status_ready{{{NAMESPACED},condition="true"}})', "Ready")),
                  "Click a pod for its containers.", width=12, mappings=BOOL_MAPPING,
                  thresholds=(("red", None), ("green", 1)), coloured_columns=("Scheduled", "Ready"),
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
                  (q(f"sum by (pod, resource) (kube_pod_container_resource_requests{{{NAMESPACED}}})", "Requested"),
                   q(f"sum by (pod, resource) (kube_pod_container_resource_limits{{{NAMESPACED}}})", "Limit")),
                   width=12),
        )),
    ),
    links=(Link("Cluster", "suite-cluster"), Link("Pod", "suite-pod", include_vars=True)),
)

OF_POD = 'namespace="$namespace",pod="$pod"'
POD_NODE = f"max by (node) (kube_pod_info{{{OF_POD}}})"


def against_node(resource: str) -> str:
    """The pod's requests and limits per container, and the allocatable of its node, as one series set told apart
    by `kind`: a pod without requests still shows what its node offers."""
    return (f'label_replace(sum by (container) (kube_pod_container_resource_requests{{{OF_POD},'
            f'resource="{resource}"}}), "kind", "request", "", "") or label_replace(sum by (container) '
            f'(kube_pod_container_resource_limits{{{OF_POD},resource="{resource}"}}), "kind", "limit", "", "") '
            f'or label_replace(max by (node) '
            f'(kube_node_status_allocatable{{resource="{resource}"}} * on (node) group_left () {POD_NODE}), '
            f'"kind", "node allocatable", "", "")')


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
                  height=4, mappings=BOOL_MAPPING, thresholds=(("red", None), ("green", 1))),
            Panel("stat", "Restarts", "short", (q(f"sum(kube_pod_container_status_restarts_total{{{OF_POD}}})"),),
                  width=3, height=4, thresholds=amber_red(1, 5)),
            Panel("stat", "QoS class", "short", (q(f"kube_pod_status_qos_class{{{OF_POD}}} == 1", "{{qos_class}}"),),
                  "BestEffort: no container sets requests or limits.", width=4, height=4, text_mode="name"),
            Panel("stat", "Node", "short", (q(f"kube_pod_info{{{OF_POD}}}", "{{node}}"),), width=5, height=4,
                  text_mode="name"),
            Panel("stat", "Age", "s", (q(f"time() - kube_pod_created{{{OF_POD}}}"),), width=5, height=4),
        )),
        Row("Containers", (
            Panel("table", "Containers", "short",
                  (q(f"max by (container, image) (kube_pod_container_info{{{OF_POD}}})", "Declared"),
                   q(f"sum by (container) (kube_pod_container_status_ready{{{OF_POD}}})", "Ready"),
                   q(f"sum by (container) (kube_pod_container_status_restarts_total{{{OF_POD}}})", "Restarts")),
                  width=12, mappings=BOOL_MAPPING, thresholds=(("red", None), ("green", 1)),
                  coloured_columns=("Declared", "Ready")),
            Panel("table", "Waiting reasons", "short",
                  (q(f"sum by (container, reason) (kube_pod_container_status_waiting_reason{{{OF_POD}}}) "
                     "or on (container) "
                     f"sum by (container) (kube_pod_container_status_waiting{{{OF_POD}}})", "Waiting"),),
                  "A container listed without a reason is not waiting.", width=12, thresholds=red_from(1)),
            Panel("timeseries", "Restarts", "short",
                  (q(f"kube_pod_container_status_restarts_total{{{OF_POD}}}", "{{container}}"),), width=24,
                  thresholds=amber_red(1, 5)),
        )),
        Row("Resources against requests and limits", (
            Panel("bargauge", "CPU: requests and limits against the node", "short",
                  (q(against_node("cpu"), "{{kind}} {{container}}{{node}}"),), "Cores.", width=12),
            Panel("bargauge", "Memory: requests and limits against the node", "bytes",
                  (q(against_node("memory"), "{{kind}} {{container}}{{node}}"),), width=12),
        )),
    ),
    links=(Link("Namespace", "suite-namespace", include_vars=True), Link("Cluster", "suite-cluster")),
)
