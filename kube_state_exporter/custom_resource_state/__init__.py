"""Custom resource state metrics: kube-state-metrics' `--custom-resource-state-config(-file)` format.

A config names custom resources by group/version/kind and, for each, metrics of type Gauge, StateSet or Info
whose values and labels come from paths into the object. Each resource becomes a ResourceSpec like the built-in
ones, so custom objects are listed, watched, pre-rendered and joined exactly as pods are.

Paths (as KSM): a list of segments; a segment is a map key, a list index ("0"), a list element selected by
"[key=value]", or "key=value" (the field's value if it equals value). A missing segment yields nothing.
"""

from __future__ import annotations

from kube_state_exporter.custom_resource_state.config import ConfigError, CustomResource, Each, Metric, parse_config
from kube_state_exporter.custom_resource_state.discovery import discover, specs_from_config
from kube_state_exporter.custom_resource_state.families import resource_spec
from kube_state_exporter.custom_resource_state.paths import label_value, labels_at, resolve, to_float

__all__ = ["ConfigError", "CustomResource", "Each", "Metric", "discover", "label_value", "labels_at",
           "parse_config", "resolve", "resource_spec", "specs_from_config", "to_float"]
