"""The exporter's own metrics (exporter_toolkit.telemetry)."""

from __future__ import annotations


def test_build_info_has_gos_label_keys_with_python_facts():
    from prometheus_client import CollectorRegistry

    from exporter_toolkit.telemetry import build_info, go_arch

    registry = CollectorRegistry()
    build_info(registry, "node_exporter", "1.2.3", revision="abc123")
    family, = registry.collect()
    sample, = family.samples
    assert sample.name == "node_exporter_build_info" and sample.value == 1.0
    assert set(sample.labels) == {"branch", "goarch", "goos", "goversion", "revision", "version"}
    assert sample.labels["version"] == "1.2.3" and sample.labels["revision"] == "abc123"
    assert sample.labels["goversion"].startswith("python3.")
    assert (go_arch("x86_64"), go_arch("aarch64"), go_arch("i686")) == ("amd64", "arm64", "386")
