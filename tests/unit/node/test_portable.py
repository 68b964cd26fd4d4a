"""The portable collector (node_exporter/collectors/portable.py)."""

from __future__ import annotations

from node_exporter.paths import Paths

PORTABLE_COLLECTORS = ("cpu", "meminfo", "loadavg", "filesystem", "diskstats", "netdev", "uname")


def scrape_families(portable: bool, paths: Paths | None = None) -> dict[str, dict]:
    from node_exporter.cli import build_registry

    options = {"disable_defaults": True, "portable": portable, **{f"collector__{n}": True for n in PORTABLE_COLLECTORS}}
    families = {}
    for family in build_registry(options, paths or Paths()).collect():
        rows = {tuple(sorted(s.labels.items())): s.value for s in family.samples}
        families[family.samples[0].name if family.samples else family.name] = {"help": family.documentation,
                                                                               "type": family.type, "rows": rows}
    return families


def close(a: float, b: float, relative: float, absolute: float = 0.0) -> bool:
    return abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))


def test_portable_mode_agrees_with_the_proc_collectors():
    linux, portable = scrape_families(False), scrape_families(True)
    assert all(v == 1.0 for v in portable["node_scrape_collector_success"]["rows"].values())
    shared = set(linux) & set(portable) - {"node_scrape_collector_duration_seconds", "node_scrape_collector_success"}
    assert {"node_cpu_seconds_total", "node_load1", "node_filesystem_size_bytes", "node_disk_read_bytes_total",
            "node_network_receive_bytes_total", "node_uname_info"} <= shared
    for name in shared:
        assert portable[name]["help"] == linux[name]["help"] and portable[name]["type"] == linux[name]["type"], name
    # CPU seconds per cpu and mode, read back to back: within a second.
    for key, seconds in portable["node_cpu_seconds_total"]["rows"].items():
        assert close(seconds, linux["node_cpu_seconds_total"]["rows"][key], 0.01, 1.0), key
    for name in ("node_load1", "node_load5", "node_load15"):
        assert close(portable[name]["rows"][()], linux[name]["rows"][()], 0.2, 0.5), name
    # Memory: Go darwin's names against /proc/meminfo's.
    assert portable["node_memory_total_bytes"]["rows"][()] == linux["node_memory_MemTotal_bytes"]["rows"][()]
    assert portable["node_memory_swap_total_bytes"]["rows"][()] == linux["node_memory_SwapTotal_bytes"]["rows"][()]
    assert close(portable["node_memory_free_bytes"]["rows"][()], linux["node_memory_MemFree_bytes"]["rows"][()], 0.05)
    # Filesystems seen by both: the same sizes and inode counts, free space within 1%.
    common = set(portable["node_filesystem_size_bytes"]["rows"]) & set(linux["node_filesystem_size_bytes"]["rows"])
    assert common
    for key in common:
        assert portable["node_filesystem_size_bytes"]["rows"][key] == linux["node_filesystem_size_bytes"]["rows"][key]
        assert portable["node_filesystem_files"]["rows"][key] == linux["node_filesystem_files"]["rows"][key]
        assert close(portable["node_filesystem_avail_bytes"]["rows"][key],
                     linux["node_filesystem_avail_bytes"]["rows"][key], 0.01)
    # Disks and interfaces: the same devices, counters within a few percent (the machine is busy).
    for name in ("node_disk_reads_completed_total", "node_disk_written_bytes_total",
                 "node_network_receive_bytes_total", "node_network_transmit_packets_total"):
        assert set(portable[name]["rows"]) == set(linux[name]["rows"]), name
        for key, number in portable[name]["rows"].items():
            assert close(number, linux[name]["rows"][key], 0.05, 4096), (name, key)
    (ours,), (theirs,) = portable["node_uname_info"]["rows"], linux["node_uname_info"]["rows"]
    fields = ("sysname", "release", "version", "machine")
    assert {k: v for k, v in ours if k in fields} == {k: v for k, v in theirs if k in fields}


def test_portable_mode_is_automatic_without_proc_stat(tmp_path):
    (tmp_path / "proc").mkdir()
    families = scrape_families(False, Paths(procfs=str(tmp_path / "proc"), sysfs=str(tmp_path / "sys")))
    assert "node_memory_total_bytes" in families and "node_memory_MemTotal_bytes" not in families
    successes = families["node_scrape_collector_success"]["rows"]
    assert {dict(k)["collector"]: v for k, v in successes.items()} == dict.fromkeys(PORTABLE_COLLECTORS, 1.0)
