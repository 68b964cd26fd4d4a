"""Objects any user of a cluster can create, at sizes no sane one would: a ConfigMap with a 10 MB annotation, one
with 100,000 labels (the simulator's validation off, as a lax or hostile API server would serve them). The real
kube-state exporter keeps serving every other object, and what it keeps is what the allowlists admit: by default
the hostile objects cost a few series, with the labels allowlisted their labels are served whole."""

from __future__ import annotations

import pytest
import requests

from benchmarks.soak import process_figures
from kube_sim.resources import BY_PATH
from kube_state_exporter.store import CACHE_LIMIT
from testbed.harness import wait_for

pytestmark = pytest.mark.integration
CONFIGMAPS = BY_PATH[("", "v1", "configmaps")]
MIB = 1 << 20


def scrape(port: int) -> str:
    response = requests.get(f"http://127.0.0.1:{port}/metrics?resources=configmaps", timeout=120)
    assert response.status_code == 200
    return response.text


def create_hostile(store) -> None:
    store.validate = False  # a real API server caps annotations at 256 KiB; the exporter must not rely on it
    try:
        store.create(CONFIGMAPS, "default", {"metadata": {"name": "huge-annotation",
                                                          "annotations": {"blob": "x" * (10 * MIB)}}})
        store.create(CONFIGMAPS, "default", {"metadata": {"name": "many-labels",
                                                          "labels": {f"l{i}": f"v{i}" for i in range(100_000)}}})
        for round_ in range(5):  # five more versions of it: held ones would add up
            store.mutate(CONFIGMAPS, "default", "huge-annotation",
                         lambda obj, r=round_: obj["metadata"]["annotations"].update(blob=str(r) * (10 * MIB)))
    finally:
        store.validate = True
    store.create(CONFIGMAPS, "default", {"metadata": {"name": "after-the-hostile-ones"}})


def info(name: str) -> str:
    return f'kube_configmap_info{{namespace="default",configmap="{name}"}} 1'


@pytest.mark.parametrize("allowlisted", [False, True], ids=["default-allowlists", "labels-allowlisted"])
def test_huge_objects_do_not_stop_the_others(sim_cluster, start_kube_exporter, allowlisted):
    store = sim_cluster.sim.store
    for index in range(20):
        store.create(CONFIGMAPS, "default", {"metadata": {"name": f"ordinary-{index}", "labels": {"app": "a"}}})
    args = ["--resources=configmaps,namespaces"]
    if allowlisted:
        args.append("--metric-labels-allowlist=configmaps=[*]")
    daemon, _ = start_kube_exporter(sim_cluster.kubeconfig, *args)
    wait_for(lambda: info("ordinary-19") in scrape(daemon.port), timeout=60, what="ordinary configmaps served")
    rss_before = process_figures(daemon.pid)[0]

    create_hostile(store)
    wait_for(lambda: info("after-the-hostile-ones") in scrape(daemon.port), timeout=120,
             what="the configmap created after the hostile ones")
    text = scrape(daemon.port)
    for name in [f"ordinary-{i}" for i in range(20)] + ["huge-annotation", "many-labels"]:
        assert info(name) in text
    assert "x" * 1000 not in text  # annotations are not allowlisted in either case
    label_line = next((line for line in text.splitlines()
                       if line.startswith('kube_configmap_labels{namespace="default",configmap="many-labels"')), "")
    if allowlisted:
        assert 'label_l99999="v99999"' in label_line and label_line.count("label_l") == 100_000
    else:
        assert "label_l" not in text and len(text) < MIB
    # What is kept is bounded by what is served: the 10 MB annotation is not held (held, its six versions would
    # show here as 60 MiB), the labels only when allowlisted.
    # Admitted labels also pass through the store's two label/value memos, each bounded at CACHE_LIMIT entries
    # (a key or value and its rendering: a few hundred bytes an entry).
    admitted = len(label_line) if allowlisted else 0
    memos = 2 * CACHE_LIMIT * 256 if allowlisted else 0
    growth = process_figures(daemon.pid)[0] - rss_before
    print(f"RSS growth {growth / MIB:.1f} MiB, admitted {admitted} bytes")
    assert growth < 24 * MIB + 24 * admitted + memos, f"RSS grew by {growth / MIB:.1f} MiB"
    assert daemon.process.poll() is None
