"""The resources added for kube-state-metrics' remaining stores: what KSM's own store cases do not pin down
(API paths, default resource set, opt-in families, quantity rounding, label-key conflicts, quirks the real
v2.20 binary shows), and a side-by-side run of the real binary on the same fixture objects."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from kube_state_exporter.resources import DEFAULT_RESOURCES, RESOURCES, Allowlists
from kube_state_exporter.resources.kube_common import milli_quantity, whole_quantity
from kube_state_exporter.store import MetricsStore, write
from testbed.harness import free_port, start_daemon, wait_for
from tests.conftest import REPO, require_ksm
from tests.kube_store_cases import load

NEW = {  # plural -> Kind, for the List the fake API server answers with
    "certificatesigningrequests": "CertificateSigningRequest", "clusterrolebindings": "ClusterRoleBinding",
    "clusterroles": "ClusterRole", "endpoints": "Endpoints", "endpointslices": "EndpointSlice",
    "horizontalpodautoscalers": "HorizontalPodAutoscaler", "ingressclasses": "IngressClass", "ingresses": "Ingress",
    "leases": "Lease", "limitranges": "LimitRange", "mutatingadmissionpolicies": "MutatingAdmissionPolicy",
    "mutatingadmissionpolicybindings": "MutatingAdmissionPolicyBinding",
    "mutatingwebhookconfigurations": "MutatingWebhookConfiguration", "networkpolicies": "NetworkPolicy",
    "persistentvolumes": "PersistentVolume", "poddisruptionbudgets": "PodDisruptionBudget",
    "replicationcontrollers": "ReplicationController", "resourcequotas": "ResourceQuota", "roles": "Role",
    "rolebindings": "RoleBinding", "serviceaccounts": "ServiceAccount", "storageclasses": "StorageClass",
    "validatingadmissionpolicies": "ValidatingAdmissionPolicy",
    "validatingadmissionpolicybindings": "ValidatingAdmissionPolicyBinding",
    "validatingwebhookconfigurations": "ValidatingWebhookConfiguration", "volumeattachments": "VolumeAttachment",
}
FIXTURES = REPO / "tests" / "fixtures" / "kube"
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def render(resource: str, objects: list[dict], allow: Allowlists | None = None) -> str:
    spec = RESOURCES[resource]
    generators = spec.families(allow or Allowlists())
    store = MetricsStore(spec, generators)
    store.replace(objects)
    return b"".join(write(generators, [store], False)).decode()


def lines_of(text: str, family: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(family + "{")]


CLUSTER_SCOPED = {"certificatesigningrequests", "clusterrolebindings", "clusterroles", "ingressclasses",
                  "mutatingadmissionpolicies", "mutatingadmissionpolicybindings", "mutatingwebhookconfigurations",
                  "persistentvolumes", "storageclasses", "validatingadmissionpolicies",
                  "validatingadmissionpolicybindings", "validatingwebhookconfigurations", "volumeattachments"}


@pytest.mark.parametrize("resource", sorted(NEW))
def test_list_path_is_the_one_ksm_lists(resource):
    spec = RESOURCES[resource]
    assert spec.list_path(None) == f"{load(resource)[0]['api_path']}/{resource}"
    assert spec.namespaced == (resource not in CLUSTER_SCOPED)
    if spec.namespaced:
        assert spec.list_path("shop").endswith(f"/namespaces/shop/{resource}")
    else:
        assert spec.list_path("shop") == spec.list_path(None)


def test_opt_in_families_are_only_the_ones_ksm_has():
    opt_in = {g.name for r in NEW for g in RESOURCES[r].families(Allowlists()) if g.opt_in}
    assert opt_in == {"kube_persistentvolume_csi_attributes"}


def test_every_family_name_is_written_whole_in_its_module():
    for resource in NEW:
        module = RESOURCES[resource].families.__module__.rsplit(".", 1)[1]
        source = (REPO / "kube_state_exporter" / "resources" / f"{module}.py").read_text()
        for generator in RESOURCES[resource].families(Allowlists()):
            assert f'"{generator.name}"' in source, generator.name


@pytest.mark.parametrize(("text", "milli", "whole"), [
    ("1234567n", 0.002, 1.0), ("1500m", 1.5, 2.0), ("26335914666m", 26335914.666, 26335915.0),
    ("800Ki", 819200.0, 819200.0), ("1e3", 1000.0, 1000.0), ("5Gi", 5368709120.0, 5368709120.0), ("bogus", None, None),
])
def test_quantities_round_up_as_ksm_reads_them(text, milli, whole):
    assert milli_quantity(text) == milli
    assert whole_quantity(text) == whole


@pytest.mark.parametrize("version", ["12", " 7", "1_0", "inf", "abc"])
def test_resource_version_reads_as_the_configmaps_does(version):
    # KSM reads every metadata.resourceVersion with one function (resourceVersionMetric, Go's ParseFloat); the
    # configmap's reading is checked against the real binary in tests/integration/test_kube_ksm_edge_cases.py.
    def values(resource: str, family: str) -> list[str]:
        obj = {"metadata": {"name": "a", "namespace": "n", "resourceVersion": version}}
        return [line.rsplit(" ", 1)[1] for line in lines_of(render(resource, [obj]), family)]

    expected = values("configmaps", "kube_configmap_metadata_resource_version")
    for resource, family in (("roles", "kube_role_metadata_resource_version"),
                             ("clusterroles", "kube_clusterrole_metadata_resource_version"),
                             ("rolebindings", "kube_rolebinding_metadata_resource_version"),
                             ("clusterrolebindings", "kube_clusterrolebinding_metadata_resource_version"),
                             ("ingresses", "kube_ingress_metadata_resource_version"),
                             ("mutatingwebhookconfigurations",
                              "kube_mutatingwebhookconfiguration_metadata_resource_version"),
                             ("validatingwebhookconfigurations",
                              "kube_validatingwebhookconfiguration_metadata_resource_version")):
        assert values(resource, family) == expected, resource


def test_volumeattachment_labels_ignore_the_allowlist():
    objects = json.loads((FIXTURES / "volumeattachments.json").read_text())
    text = render("volumeattachments", objects, Allowlists(labels=["other"]))
    assert 'label_csi_example_com_zone="a"' in text and 'label_app="db"' in text


def test_other_resources_expose_no_label_without_an_allowlist():
    for resource in sorted(set(NEW) - {"volumeattachments"}):
        objects = json.loads((FIXTURES / f"{resource}.json").read_text())
        text = render(resource, objects)
        assert not re.search(r"_(labels|annotations)\{[^}]*(label|annotation)_", text), resource


def test_persistentvolume_info_reads_only_the_first_source_set():
    pv = {"metadata": {"name": "pv", "uid": "u"},
          "spec": {"fc": {"lun": 0, "targetWWNs": ["a"]}, "hostPath": {"path": "/x"}}}
    [line] = lines_of(render("persistentvolumes", [pv]), "kube_persistentvolume_info")
    assert 'fc_lun="0"' in line and 'fc_target_wwns="a"' in line and 'host_path=""' in line


def test_lease_without_owner_and_microsecond_renew_time():
    lease = {"metadata": {"name": "l", "namespace": "x", "uid": "u"},
             "spec": {"holderIdentity": "h", "renewTime": "2026-01-02T03:14:05.999999Z"}}
    text = render("leases", [lease])
    assert lines_of(text, "kube_lease_owner") == [
        'kube_lease_owner{lease="l",owner_kind="",owner_name="",namespace="x",lease_holder="h"} 1']
    assert lines_of(text, "kube_lease_renew_time") == ['kube_lease_renew_time{lease="l",namespace="x"} 1.767323645e+09']


def test_ingress_named_service_port_reads_zero_as_in_ksm():
    backend = {"service": {"name": "s", "port": {"name": "http"}}}
    ingress = {"metadata": {"name": "i", "namespace": "x", "uid": "u"}, "spec": {"rules": [
        {"host": "h", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]}}
    [line] = lines_of(render("ingresses", [ingress]), "kube_ingress_path")
    assert 'service_name="s",service_port="0"' in line


def test_endpointslice_hints_use_the_first_address_and_need_one():
    slice_ = {"metadata": {"name": "s", "namespace": "x", "uid": "u"}, "addressType": "FQDN", "endpoints": [
        {"addresses": [], "hints": {"forZones": [{"name": "z"}]}},
        {"addresses": ["a", "b"], "hints": {"forZones": [{"name": "z1"}, {"name": "z2"}]}}]}
    assert lines_of(render("endpointslices", [slice_]), "kube_endpointslice_endpoints_hints") == [
        'kube_endpointslice_endpoints_hints{endpointslice="s",namespace="x",address="a",for_zone="z1"} 1',
        'kube_endpointslice_endpoints_hints{endpointslice="s",namespace="x",address="a",for_zone="z2"} 1']


def test_csr_conditions_are_counted_whatever_their_status():
    csr = {"metadata": {"name": "c", "uid": "u"}, "spec": {"signerName": "s"},
           "status": {"conditions": [{"type": "Approved", "status": "True"}, {"type": "Approved", "status": "False"}],
                      "certificate": "YWJj"}}
    text = render("certificatesigningrequests", [csr])
    assert 'condition="approved"} 2' in text and 'condition="denied"} 0' in text
    assert lines_of(text, "kube_certificatesigningrequest_cert_length") == [
        'kube_certificatesigningrequest_cert_length{certificatesigningrequest="c",signer_name="s"} 3']


# --- side by side with the real kube-state-metrics v2.20.0 -------------------------------------------------


def ksm_default_resources(binary) -> list[str]:
    help_text = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=60).stdout
    match = re.search(r'--resources string .*?Defaults to "([^"]+)"', help_text)
    assert match, "no --resources default in kube-state-metrics --help"
    return match.group(1).split(",")


@pytest.fixture(scope="module")
def ksm_binary():
    return require_ksm()


def test_default_resources_are_ksm_defaults(ksm_binary):
    assert sorted(DEFAULT_RESOURCES) == sorted(ksm_default_resources(ksm_binary))


class FakeApiServer:
    """List and watch (held open, no events) of the fixture objects at any path ending in /<plural>."""

    def __init__(self, objects: dict[str, list[dict]]):
        self.stopping = threading.Event()
        stopping = self.stopping

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                if url.path == "/version":
                    return self.answer({"major": "1", "minor": "36", "gitVersion": "v1.36.0"})
                parts = url.path.strip("/").split("/")
                plural = parts[-1]
                if plural not in objects:
                    return self.answer({"kind": "Status", "code": 404}, 404)
                if parse_qs(url.query).get("watch", [""])[0] in ("true", "1"):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    stopping.wait()
                    return None
                version = parts[1] if parts[0] == "api" else f"{parts[1]}/{parts[2]}"
                return self.answer({"kind": f"{NEW[plural]}List", "apiVersion": version,
                                    "metadata": {"resourceVersion": "1"}, "items": objects[plural]})

            def answer(self, body: dict, code: int = 200):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def sample_multiset(text: str) -> Counter:
    found: Counter = Counter()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, rest = line.partition("{")
            body, _, value = rest.rpartition("} ")
            found[(name, tuple(sorted(LABEL.findall(body))), float(value))] += 1
    return found


def test_real_ksm_prints_what_we_render_for_the_fixtures(ksm_binary, tmp_path):
    objects = {plural: json.loads((FIXTURES / f"{plural}.json").read_text()) for plural in NEW}
    allow = Allowlists(labels=["app", "team"], annotations=["*"])
    ours = "".join(render(plural, objects[plural], allow) for plural in sorted(NEW))
    with FakeApiServer(objects) as api:
        kubeconfig = tmp_path / "kubeconfig.yaml"
        kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
            f"clusters: [{{name: f, cluster: {{server: 'http://127.0.0.1:{api.server.server_port}'}}}}]\n"
            "users: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: f, user: u}}]\n")
        port, telemetry = free_port(), free_port()
        daemon = start_daemon(
            "kube-state-metrics", [str(ksm_binary), f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
                                   f"--port={port}", "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}",
                                   f"--resources={','.join(sorted(NEW))}", "--metric-labels-allowlist=*=[app,team]",
                                   "--metric-annotations-allowlist=*=[*]",
                                   "--metric-opt-in-list=kube_persistentvolume_csi_attributes"],
            port, str(tmp_path / "ksm.log"), ready_path="/metrics", timeout=120,
            env={**os.environ, "KUBE_FEATURE_WatchListClient": "false"})
        try:
            want = sample_multiset(ours)
            wait_for(lambda: sample_multiset(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text)
                     == want, timeout=60, interval=0.5, what="KSM to serve every fixture sample")
            theirs = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        except TimeoutError:
            theirs = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        finally:
            daemon.stop()
    got = sample_multiset(theirs)
    assert got == sample_multiset(ours), (sorted((got - sample_multiset(ours)).elements()),
                                          sorted((sample_multiset(ours) - got).elements()))
    headers = {line for line in theirs.splitlines() if line.startswith("# ")}
    assert headers == {line for line in ours.splitlines() if line.startswith("# ")}
