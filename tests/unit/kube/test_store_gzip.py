"""The gzip form of a scrape: per block compressed pieces kept by the stores, joined into one gzip member; it must
inflate to exactly the plain text (for any gzip reader: one member), the pieces be reused while a block is unchanged
and be remade once it changed."""

from __future__ import annotations

import gzip
import zlib

import pytest
from urllib3.response import GzipDecoder

from kube_state_exporter import store as store_module
from kube_state_exporter.builder import Scrape
from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.store import MetricsStore


def configmap(index: int, version: int = 1) -> dict:
    return {"metadata": {"name": f"cm-{index}", "namespace": f"ns-{index % 3}", "uid": f"uid-{index}",
                         "resourceVersion": str(version), "creationTimestamp": f"2026-01-01T00:00:{index % 60:02d}Z",
                         "labels": {"app": f"a{index}"}}}


class Exporter:
    """What Scrape reads: generators and stores by resource."""

    def __init__(self, names: list[str]) -> None:
        self.generators = {name: RESOURCES[name].families(Allowlists(labels=["app"])) for name in names}
        self.stores = {name: [MetricsStore(RESOURCES[name], self.generators[name])] for name in names}


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(store_module, "BLOCK_OBJECTS", 4)


def both(exporter: Exporter, names: list[str], openmetrics: bool = False) -> tuple[bytes, bytes]:
    scrape = Scrape(exporter, names, openmetrics)  # type: ignore[arg-type]
    return b"".join(scrape), b"".join(scrape.gzipped())


@pytest.mark.parametrize("openmetrics", [False, True])
def test_gzipped_body_inflates_to_the_plain_body(small_blocks, openmetrics):
    exporter = Exporter(["configmaps", "namespaces"])
    exporter.stores["configmaps"][0].replace([configmap(i) for i in range(23)])
    exporter.stores["namespaces"][0].replace([{"metadata": {"name": "ns-0", "uid": "n0"},
                                               "status": {"phase": "Active"}}])
    plain, packed = both(exporter, ["configmaps", "namespaces"], openmetrics)
    assert plain.count(b"\nkube_configmap_info{") == 23
    assert gzip.decompress(packed) == plain
    reader = zlib.decompressobj(31)  # one member: a reader that stops after the first one reads it all
    assert reader.decompress(packed) == plain and reader.eof and not reader.unused_data
    decoder, inflated = GzipDecoder(), b""  # urllib3's, fed in small reads as requests does
    for start in range(0, len(packed), 100):
        inflated += decoder.decompress(packed[start:start + 100], max_length=64)
        while decoder.has_unconsumed_tail:
            inflated += decoder.decompress(b"", max_length=64)
    assert inflated == plain


def test_changed_blocks_are_compressed_again_and_the_others_reused(small_blocks):
    exporter = Exporter(["configmaps"])
    store = exporter.stores["configmaps"][0]
    store.replace([configmap(i) for i in range(12)])  # three full blocks
    first = store.gzipped()
    assert len(first) == 3
    store.add(configmap(5, version=2) | {"metadata": {**configmap(5)["metadata"], "labels": {"app": "changed"}}})
    store.delete(configmap(9))
    second = store.gzipped()
    assert second[0] is first[0]  # untouched block: its members as cached
    assert second[1] is not first[1] and second[2] is not first[2]
    plain, packed = both(exporter, ["configmaps"])
    assert gzip.decompress(packed) == plain
    assert b'label_app="changed"' in plain and b'configmap="cm-9"' not in plain
    store.add(configmap(40))  # fills the hole the delete left, not a new block
    assert len(store.gzipped()) == 3
    assert gzip.decompress(both(exporter, ["configmaps"])[1]) == both(exporter, ["configmaps"])[0]


def test_a_relist_drops_what_it_did_not_return(small_blocks):
    exporter = Exporter(["configmaps"])
    store = exporter.stores["configmaps"][0]
    store.replace([configmap(i) for i in range(10)])
    store.gzipped()
    store.replace([configmap(i) for i in range(3, 6)])
    plain, packed = both(exporter, ["configmaps"])
    assert len(store) == 3 and plain.count(b"\nkube_configmap_info{") == 3
    assert gzip.decompress(packed) == plain


def test_an_empty_scrape_is_still_a_gzip_body():
    exporter = Exporter(["configmaps"])
    plain, packed = both(exporter, ["configmaps"])
    assert plain == b"" and packed and gzip.decompress(packed) == b""
    plain, packed = both(exporter, ["configmaps"], openmetrics=True)
    assert plain == b"# EOF\n" and gzip.decompress(packed) == plain
