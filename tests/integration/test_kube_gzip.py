"""--enable-gzip-encoding: the body is one gzip member joined from pieces the stores keep compressed. Python's gzip,
requests, curl and the real Prometheus read all of it."""

from __future__ import annotations

import gzip
import subprocess
import time

import pytest
import requests

from kube_sim.resources import BY_PATH
from kube_state_exporter import deflate
from testbed.harness import free_port, start_daemon
from testbed.kube import start_cluster, start_ours
from tests.conftest import require_binary

pytestmark = pytest.mark.integration

CONFIGMAPS = BY_PATH[("", "v1", "configmaps")]
COUNT = 700  # several blocks of the store


@pytest.fixture
def cluster(tmp_path):
    cluster = start_cluster(tmp_path)
    for index in range(COUNT):
        cluster.sim.store.create(CONFIGMAPS, "default", {"metadata": {"name": f"cm-{index}"}, "data": {"k": "v"}})
    yield cluster
    cluster.stop()


def raw_gzip(port: int) -> tuple[str, bytes]:
    response = requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "gzip"}, stream=True,
                            timeout=60)
    return response.headers.get("Content-Encoding", ""), response.raw.read(decode_content=False)


def test_gzip_scrape_is_read_whole_by_python_and_by_prometheus(cluster, tmp_path):
    exporter = start_ours(cluster.kubeconfig, tmp_path, "--enable-gzip-encoding", "--resources=configmaps")
    encoding, packed = raw_gzip(exporter.port)
    assert encoding == "gzip"
    assert packed[:10] == deflate.HEADER  # joined from the stores' pieces (zlib's own header says OS 3, not 255)
    text = gzip.decompress(packed)
    assert text.count(b"\nkube_configmap_info{") >= COUNT
    url = f"http://127.0.0.1:{exporter.port}/metrics"
    assert text == requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=60).content
    assert requests.get(url, timeout=60).content == text  # requests asks for gzip and inflates it
    curl = subprocess.run(["curl", "-s", "--compressed", url], capture_output=True, timeout=60, check=True)
    assert curl.stdout == text

    binary = require_binary("prometheus")
    config = tmp_path / "prometheus.yml"
    config.write_text("global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n"
                      f"  - job_name: kube\n    static_configs: [{{targets: ['127.0.0.1:{exporter.port}']}}]\n")
    port = free_port()
    prometheus = start_daemon("prometheus", [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path}/tsdb",
                                             f"--web.listen-address=127.0.0.1:{port}"],
                              port, str(tmp_path / "prometheus.log"), ready_path="/-/ready", timeout=60)
    try:
        expected = text.count(b"\nkube_configmap_info{")

        def value(query: str) -> float | None:
            result = requests.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": query},
                                  timeout=10).json()["data"]["result"]
            return float(result[0]["value"][1]) if result else None

        deadline = time.monotonic() + 60
        while value("count(kube_configmap_info)") != expected:
            assert time.monotonic() < deadline, prometheus.log()[-2000:]
            time.sleep(0.2)
        assert value('up{job="kube"}') == 1
        samples = text.count(b"\n") - text.count(b"# ")
        assert value('scrape_samples_scraped{job="kube"}') == samples
    finally:
        prometheus.stop()
