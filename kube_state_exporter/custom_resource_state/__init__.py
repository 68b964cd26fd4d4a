"""Custom resource state metrics: kube-state-metrics' `--custom-resource-state-config(-file)` format.

A config names custom resources by group/version/kind and, for each, metrics of type Gauge, StateSet or Info
whose values and labels come from paths into the object. Each resource becomes a ResourceSpec like the built-in
ones, so custom objects are listed, watched, pre-rendered and joined exactly as pods are.

Modules: config (the document, checked when read), paths (reading objects), values (one `each`'s samples),
families (resource specs and label merging), read_errors (runtime errors counted and logged), discovery.
"""

from __future__ import annotations

from kube_state_exporter.custom_resource_state.config import ConfigError, CustomResource, Each, Metric, parse_config
from kube_state_exporter.custom_resource_state.discovery import discover, specs_from_config
from kube_state_exporter.custom_resource_state.families import resource_spec
from kube_state_exporter.custom_resource_state.paths import get, label_value, labels_at, to_float
from kube_state_exporter.custom_resource_state.read_errors import ReadErrors

__all__ = ["ConfigError", "CustomResource", "Each", "Metric", "ReadErrors", "discover", "get", "label_value",
           "labels_at", "parse_config", "resource_spec", "specs_from_config", "to_float"]
