"""The mountstats collector (node_exporter/collectors/mountstats.py)."""

from __future__ import annotations

from node_exporter.collectors.mountstats import MountstatsCollector
from node_exporter.collectors.nfs import NfsCollector
from tests.unit.node.helpers import make, samples, scrape, write

NFS_MOUNT = """device srv:/export mounted on /mnt with fstype nfs statvers=1.0
\tage:\t10
\tevents:\t""" + " ".join(["1"] * 27) + """
\tbytes:\t1 2 3 4 5 6 7 8
\txprt:\ttcp 700 1 2 3 4 5 6 7 8 9
\tper-op statistics
\t        READ: 1 1 0 10 20 9007199254740993 2000 3000

"""


def test_mountstats_without_nfs_mounts_reports_nothing_and_short_lines_fail(tmp_path):
    write(tmp_path, "proc/self/mountstats", "device proc mounted on /proc with fstype proc\n")
    write(tmp_path, "proc/self/mountinfo", "17 21 0:4 / /proc rw - proc proc rw\n")
    assert list(make(MountstatsCollector, tmp_path).update()) == []
    write(tmp_path, "proc/self/mountstats", NFS_MOUNT)
    write(tmp_path, "proc/self/mountinfo", "30 21 0:40 / /mnt rw - nfs srv:/export rw,vers=3,addr=10.0.0.9\n")
    got = samples(make(MountstatsCollector, tmp_path).update())
    labels = ("srv:/export", "tcp", "10.0.0.9")
    assert got[("node_mountstats_nfs_age_seconds_total", *labels)] == 10
    assert got[("node_mountstats_nfs_transport_idle_time_seconds", *labels)] == 4  # statvers 1.0 tcp layout
    # Go takes millisecond sums modulo 2^53 before dividing: 2^53 + 1 ms is 0.001 s.
    assert got[("node_mountstats_nfs_operations_queue_time_seconds_total", *labels, "READ")] == 0.001
    write(tmp_path, "proc/self/mountstats", NFS_MOUNT.replace(" ".join(["1"] * 27), "1 2 3"))
    result = scrape({"mountstats": make(MountstatsCollector, tmp_path), "nfs": make(NfsCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "mountstats")] == 0.0
