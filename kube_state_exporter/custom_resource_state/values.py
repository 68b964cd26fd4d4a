"""The samples of one metric's `each` for one object, as KSM computes them, with the errors KSM would log.

Our one deliberate difference: a Gauge whose path ends on a map, with valueFrom and no labelFromKey, reads
valueFrom under that map (KSM reads it under each entry of the map; see the README)."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.custom_resource_state.config import Each
from kube_state_exporter.custom_resource_state.paths import (
    add_path_labels,
    get,
    go_type,
    labels_at,
    show_path,
    to_float,
)

Sample = tuple[dict[str, str], float]


def each_samples(each: Each, obj: dict[str, Any]) -> tuple[list[Sample], list[str]]:
    """(labels of the `each` level, value) for each sample, sorted as KSM sorts them, and the error texts."""
    value = get(obj, each.path)
    if each.type == "Gauge":
        samples, errors = _gauge(each, value)
    elif each.type == "Info":
        samples, errors = _info(each, value), []
    else:
        samples, errors = _state_set(each, value)
    samples.sort(key=lambda sample: sorted(sample[0].items()))
    return samples, errors


def _gauge(each: Each, value: Any) -> tuple[list[Sample], list[str]]:
    where = show_path(each.path) + ": "
    samples: list[Sample] = []
    errors: list[str] = []
    if isinstance(value, dict) and (each.label_from_key or not each.value_from):
        for key in sorted(value):
            entry = value[key]
            if each.value_from == (key,):
                try:
                    number = to_float(entry, each.nil_is_zero)
                except ValueError as exc:
                    errors.append(f"{where}[{key}]: {exc}")
                    continue
            else:
                raw = get(entry, each.value_from)
                if raw is None and not each.nil_is_zero:
                    continue
                try:
                    number = to_float(raw, each.nil_is_zero)
                except ValueError:
                    continue  # KSM skips an entry it cannot convert without a word
            labels = {each.label_from_key: key} if each.label_from_key else {}
            add_path_labels(entry, each.labels_from_path, labels)
            add_path_labels(value, each.labels_from_path, labels)
            samples.append((labels, number))
        return samples, errors
    if value is None and not each.nil_is_zero:
        return [], [where + "got nil while resolving path"]
    elements = enumerate(value) if isinstance(value, list) else [(None, value)]
    for index, element in elements:
        at = where if index is None else f"{where}[{index}]: "
        raw = get(element, each.value_from)
        if raw is None:
            if each.nil_is_zero:
                samples.append((labels_at(element, each.labels_from_path), 0.0))
            elif element is None:
                errors.append(at + "got nil while resolving path")
            continue
        try:
            samples.append((labels_at(element, each.labels_from_path), to_float(raw, each.nil_is_zero)))
        except ValueError as exc:
            errors.append(f"{at}{show_path(each.value_from)}: {exc}")
    return samples, errors


def _info(each: Each, value: Any) -> list[Sample]:
    samples: list[Sample] = []
    if value is None:
        return samples
    if isinstance(value, list):
        for element in value:
            labels = labels_at(element, each.labels_from_path) if element is not None else {}
            if labels:
                samples.append((labels, 1.0))
        return samples
    labels = labels_at(value, each.labels_from_path)
    if labels:
        samples.append((labels, 1.0))
    if isinstance(value, dict):
        for key in sorted(value):
            labels = {each.label_from_key: key} if each.label_from_key else {}
            add_path_labels(value[key], each.labels_from_path, labels)
            if labels:
                samples.append((labels, 1.0))
    return samples


def _state_set(each: Each, value: Any) -> tuple[list[Sample], list[str]]:
    samples: list[Sample] = []
    errors: list[str] = []
    for element in value if isinstance(value, list) else [value]:
        current = get(element, each.value_from)
        if current is None:
            continue
        if not isinstance(current, str):
            errors.append(f"{show_path(each.path + each.value_from)}: expected value for path to be string, "
                          f"got {go_type(current)}")
            continue
        base = labels_at(element, each.labels_from_path)
        samples.extend(({**base, each.label_name: state}, 1.0 if state == current else 0.0) for state in each.states)
    return samples, errors
