"""The dmi collector (node_exporter/collectors/dmi.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.dmi import DmiCollector
from node_exporter.paths import go_valid_utf8, read_opt_text
from tests.unit.node.helpers import make, write


def test_dmi_absent_is_no_data_and_values_are_made_valid_utf8_as_go_does(tmp_path):
    with pytest.raises(NoDataError):
        list(make(DmiCollector, tmp_path).update())
    write(tmp_path, "sys/class/dmi/id/product_version", b"\xc0\x1c[\x87\x87\n")
    write(tmp_path, "sys/class/dmi/id/sys_vendor", b"Acme \n")
    family, = make(DmiCollector, tmp_path).update()
    assert family.label_names == ("product_version", "system_vendor")  # only the files that exist
    assert family.rows == [(["\ufffd\x1c[\ufffd", "Acme"], 1.0)]  # one U+FFFD per run, \x1c kept
    assert go_valid_utf8(b"ok\xff\xfe!") == "ok\ufffd!"
    assert read_opt_text(str(tmp_path / "missing")) is None
