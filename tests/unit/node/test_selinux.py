"""The selinux collector (node_exporter/collectors/selinux.py)."""

from __future__ import annotations

from node_exporter.collectors.selinux import SelinuxCollector
from tests.unit.node.helpers import make, samples, write


def test_selinux_modes_from_selinuxfs_and_config(tmp_path):
    assert samples(make(SelinuxCollector, tmp_path).update()) == {("node_selinux_enabled",): 0.0}
    write(tmp_path, "sys/fs/selinux/enforce", "1")
    write(tmp_path, "etc/selinux/config", "# comment\nSELINUX=permissive\nSELINUXTYPE=targeted\n")
    got = samples(make(SelinuxCollector, tmp_path).update())
    assert got == {("node_selinux_enabled",): 1.0, ("node_selinux_current_mode",): 1.0,
                   ("node_selinux_config_mode",): 0.0}
