"""The drm collector (node_exporter/collectors/drm.py)."""

from __future__ import annotations

from node_exporter.collector import Context
from node_exporter.collectors.drm import DrmCollector
from node_exporter.paths import Paths
from tests.node_fakes import (
    write_amdgpu_card,
)
from tests.unit.node.helpers import collect, value


def test_drm_reads_amdgpu_cards(tmp_path):
    write_amdgpu_card(str(tmp_path), "card0", {"gpu_busy_percent": "42", "mem_info_vram_total": "8589934592",
                                               "mem_info_vram_used": "1073741824", "mem_info_vram_vendor": "hynix",
                                               "power_dpm_force_performance_level": "auto", "unique_id": "abc"})
    write_amdgpu_card(str(tmp_path), "card1", {"gpu_busy_percent": "7"}, driver="i915")
    write_amdgpu_card(str(tmp_path), "card0-DP-1", {})  # a connector, not a card
    families = collect(DrmCollector(Context(paths=Paths(sysfs=str(tmp_path)))))
    assert value(families, "node_drm_gpu_busy_percent", card="card0") == 42.0
    assert value(families, "node_drm_memory_vram_size_bytes", card="card0") == 8589934592.0
    assert value(families, "node_drm_gpu_busy_percent", card="card1") == 0.0  # not amdgpu: not read, as Go
    assert value(families, "node_drm_card_info", card="card0", memory_vendor="hynix", power_performance_level="auto",
                 unique_id="abc", vendor="amd") == 1.0
    assert len(families["node_drm_card_info"]["rows"]) == 2


def test_drm_without_cards_reports_nothing(tmp_path):
    assert collect(DrmCollector(Context(paths=Paths(sysfs=str(tmp_path))))) == {}
