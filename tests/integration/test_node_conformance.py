"""Conformance with the real Go node_exporter (Debian's prometheus-node-exporter) on the same machine:
same families, same label keys, values that agree where they cannot move between two scrapes."""

from __future__ import annotations

import pytest
import requests

from benchmarks.node_exporter_bench import collector_flags
from testbed.harness import free_port, start_daemon
from tests.conftest import require_binary
from tests.exposition import families

pytestmark = pytest.mark.integration

# Families of the Go exporter we do not emit, each with its reason.
EXCEPTIONS = {
    # The Go runtime's own metrics; ours are the Python runtime's (python_info, python_gc_*).
    "go_",
}




@pytest.fixture
def both(tmp_path, start_node_exporter):
    go = start_daemon("go-node-exporter", [require_binary("prometheus-node-exporter"),
                                           f"--web.listen-address=127.0.0.1:{(port := free_port())}",
                                           *collector_flags()], port, str(tmp_path / "go.log"))
    ours = start_node_exporter(*collector_flags())
    try:
        go_text = requests.get(f"http://127.0.0.1:{go.port}/metrics", timeout=10).text
        our_text = requests.get(f"http://127.0.0.1:{ours.port}/metrics", timeout=10).text
    finally:
        go.stop()
    return families(go_text), families(our_text)


def test_every_go_family_and_label_key_set_is_ours_too(both):
    go, ours = both
    missing = []
    for name, entry in go.items():
        if name.startswith(tuple(EXCEPTIONS)):
            continue
        if name not in ours:
            missing.append(name)
            continue
        assert ours[name]["type"] == entry["type"], name
        assert entry["label_keys"] <= ours[name]["label_keys"], (name, entry["label_keys"], ours[name]["label_keys"])
    assert missing == []
    assert len([n for n in go if n.startswith("node_")]) > 150  # the comparison covered the real families


def sample(entry: dict, **labels) -> float:
    key = tuple(sorted(labels.items()))
    return next(value for (_name, sample_labels), value in entry["samples"].items() if sample_labels == key)


def test_slow_moving_values_agree(both):
    go, ours = both
    for name in ("node_memory_MemTotal_bytes", "node_boot_time_seconds", "node_filefd_maximum",
                 "node_entropy_pool_size_bits", "node_memory_SwapTotal_bytes"):
        assert sample(ours[name]) == sample(go[name]), name
    cpus = lambda fams: {dict(labels)["cpu"] for _n, labels in fams["node_cpu_seconds"]["samples"]}  # noqa: E731
    assert cpus(ours) == cpus(go)
    go_fs, our_fs = go["node_filesystem_size_bytes"]["samples"], ours["node_filesystem_size_bytes"]["samples"]
    assert set(our_fs) == set(go_fs)
    for key, value in go_fs.items():
        assert our_fs[key] == value, key
    for name in ("node_uname_info", "node_os_info", "node_disk_info"):
        assert set(ours[name]["samples"]) == set(go[name]["samples"]), name
    assert set(ours["node_network_receive_bytes"]["samples"]) == set(go["node_network_receive_bytes"]["samples"])


def test_counters_read_back_to_back_agree(both):
    """Ours was scraped right after Go: counters are equal or a little ahead, never behind."""
    go, ours = both
    for name in ("node_forks", "node_context_switches", "node_intr"):
        go_value, our_value = sample(go[name]), sample(ours[name])
        assert go_value <= our_value <= go_value * 1.05 + 1000, name
    for key, go_value in go["node_cpu_seconds"]["samples"].items():
        assert go_value - 0.05 <= ours["node_cpu_seconds"]["samples"][key] <= go_value + 30, key
