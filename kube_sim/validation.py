"""What the simulator checks before it stores a create or an update, as an API server does: the object against
the OpenAPI schema of its kind (the newest Kubernetes version `kubernetes-validate` ships; one validator per
kind, compiled by jsonschema-rs on first use: about 10 µs for a pod, where the pure-Python jsonschema took
about 1 ms, 50 s more for a 50k-pod benchmark), then the semantic rules a server adds that no schema expresses. A
rejected object raises ApiError 422 Invalid with the causes a server lists (field, reason, message).

Semantic rules: a workload's pod template exists, has containers with a name and an image, carries labels its
selector matches, and restarts as its kind allows (Always for controllers, OnFailure/Never for Jobs and
CronJobs); a Job is Complete only after SuccessCriteriaMet and Failed only after FailureTarget, and has a
completionTime only when Complete; a Service's cluster IPs lie in the service range (SERVICE_CIDR), are not
its network or broadcast address, are absent for ExternalName and unique (the store allocates them), and a
Service that is not headless has ports; a CSR's request is a PEM CERTIFICATE
REQUEST that parses; admission policies name what they match (matchConstraints.resourceRules) and what they
do; their bindings name a policy (and validation bindings their actions)."""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import json
from importlib import resources as importlib_resources
from typing import Any

import jsonschema_rs
from cryptography import x509

from kube_sim.errors import ApiError
from kube_sim.resources import Resource

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")  # kubeadm's default --service-cluster-ip-range
TEMPLATED = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController", "Job"}
_REASONS = {"Enum": "FieldValueNotSupported", "Type": "FieldValueTypeInvalid"}


@functools.cache
def _schema_dir() -> tuple[str, Any]:
    """The newest schema directory kubernetes-validate ships ("v1.37.0-local") and its traversable."""
    root = importlib_resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")

    def version(name: str) -> tuple[int, ...]:
        return tuple(int(p) for p in name[1:].split("-")[0].split("."))

    newest = max((d.name for d in root.iterdir() if d.name.endswith("-local")), key=version)
    return newest, root.joinpath(newest)


def schema_version() -> str:
    """The Kubernetes version whose schemas the simulator validates against, e.g. "1.37"."""
    return ".".join(_schema_dir()[0][1:].split("-")[0].split(".")[:2])


@functools.cache
def _registry() -> jsonschema_rs.Registry:
    definitions = json.loads(_schema_dir()[1].joinpath("_definitions.json").read_text())
    return jsonschema_rs.Registry([(definitions["$id"], definitions)])


@functools.cache
def _validator(kind: str, api_version: str) -> Any:
    """The compiled validator of a kind; None for kinds without a schema (custom resources)."""
    group_version = api_version.split("/")
    file_api = f"{group_version[0].split('.')[0]}-{group_version[1]}" if len(group_version) == 2 else api_version
    path = _schema_dir()[1].joinpath(f"{kind.lower()}-{file_api}.json")
    if not path.is_file():
        return None
    return jsonschema_rs.validator_for(json.loads(path.read_text()), registry=_registry())


def _field(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Causes:
    """The causes of one rejection, collected in order."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, reason: str, field: str, message: str) -> None:
        self.items.append({"reason": reason, "message": f"{field}: {message}" if field else message,
                           "field": field})

    def required(self, field: str) -> None:
        self.add("FieldValueRequired", field, "Required value")

    def invalid(self, field: str, value: Any, why: str) -> None:
        self.add("FieldValueInvalid", field, f"Invalid value: {json.dumps(value)}: {why}")

    def unsupported(self, field: str, value: Any, supported: tuple[str, ...]) -> None:
        self.add("FieldValueNotSupported", field, f"Unsupported value: {json.dumps(value)}: supported values: "
                                                  + ", ".join(f'"{s}"' for s in supported))


def validate(resource: Resource, obj: dict[str, Any]) -> None:
    """Raise ApiError 422 when a server would not store `obj` as a `resource`."""
    causes = Causes()
    validator = _validator(resource.kind, resource.api_version)
    if validator is not None and not validator.is_valid(obj):
        for error in validator.iter_errors(obj):
            field = _field(error.instance_path)
            kind = type(error.kind).__name__
            if kind == "Required":
                missing = error.message.split('"')[1] if '"' in error.message else ""
                causes.required(f"{field}.{missing}" if field else missing)
            else:
                causes.add(_REASONS.get(kind, "FieldValueInvalid"), field, error.message)
    check = _SEMANTICS.get(resource.kind)
    if check is not None and not causes.items:  # semantic rules read a well-typed object
        check(obj, causes)
    if causes.items:
        name = (obj.get("metadata") or {}).get("name", "")
        kind = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
        raise ApiError(422, "Invalid", f'{kind} "{name}" is invalid: '
                       + ", ".join(c["message"] for c in causes.items),
                       details={"name": name, "group": resource.group, "kind": resource.kind,
                                "causes": causes.items})


# --- pod templates ----------------------------------------------------------------------------------------------

def _pod_spec(spec: dict[str, Any] | None, field: str, restart: tuple[str, ...], causes: Causes) -> None:
    if spec is None:
        causes.required(field)
        return
    containers = spec.get("containers") or []
    if not containers:
        causes.required(f"{field}.containers")
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(group) or []):
            where = f"{field}.{group}[{index}]"
            if container.get("name") in seen:
                causes.add("FieldValueDuplicate", f"{where}.name", f'Duplicate value: "{container["name"]}"')
            seen.add(container.get("name"))
            if not container.get("image"):
                causes.required(f"{where}.image")
    policy = spec.get("restartPolicy") or "Always"  # what defaulting fills in
    if policy not in restart:
        causes.unsupported(f"{field}.restartPolicy", policy, restart)


def _selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        present = key in labels
        matched = {"In": present and labels[key] in values, "NotIn": not present or labels[key] not in values,
                   "Exists": present, "DoesNotExist": not present}[operator]
        if not matched:
            return False
    return True


def _templated(obj: dict[str, Any], causes: Causes) -> None:
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    template = spec.get("template")
    if template is None:
        causes.required("spec.template")
        return
    labels = (template.get("metadata") or {}).get("labels") or {}
    restart = ("OnFailure", "Never") if kind == "Job" else ("Always",)
    _pod_spec(template.get("spec"), "spec.template.spec", restart, causes)
    if kind == "ReplicationController":
        selector = {"matchLabels": spec.get("selector") or labels}  # defaulted from the template's labels
    elif kind == "Job":
        if not spec.get("manualSelector"):
            return  # the server generates the selector and the template labels it matches
        selector = spec.get("selector") or {}
    else:
        selector = spec.get("selector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        causes.invalid("spec.selector", selector, "empty selector is invalid for this kind")
    elif not _selector_matches(selector, labels):
        causes.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`")


def _cronjob(obj: dict[str, Any], causes: Causes) -> None:
    template = (((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get("template")
    if template is None:
        causes.required("spec.jobTemplate.spec.template")
        return
    _pod_spec(template.get("spec"), "spec.jobTemplate.spec.template.spec", ("OnFailure", "Never"), causes)


def _job(obj: dict[str, Any], causes: Causes) -> None:
    _templated(obj, causes)
    status = obj.get("status") or {}
    true = {c["type"] for c in status.get("conditions") or [] if c.get("status") == "True"}
    for final, first in (("Complete", "SuccessCriteriaMet"), ("Failed", "FailureTarget")):
        if final in true and first not in true:
            causes.invalid("status.conditions", sorted(true), f"cannot set {final}=True condition without the "
                                                               f"{first}=True condition")
    if status.get("completionTime") and "Complete" not in true:
        causes.invalid("status.completionTime", status["completionTime"],
                       "completionTime can only be set when Complete=True")


def _pod(obj: dict[str, Any], causes: Causes) -> None:
    _pod_spec(obj.get("spec"), "spec", ("Always", "OnFailure", "Never"), causes)


# --- services, CSRs, admission policies -------------------------------------------------------------------------

def service_ips(service: dict[str, Any]) -> list[str]:
    """The cluster IPs a Service holds (none for headless and ExternalName services)."""
    spec = service.get("spec") or {}
    ips = list(spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []))
    return [ip for ip in ips if ip and ip != "None"]


def _service(obj: dict[str, Any], causes: Causes) -> None:
    spec = obj.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    given = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    if kind == "ExternalName":
        if given:
            causes.add("FieldValueForbidden", "spec.clusterIPs", "Forbidden: may not be set for ExternalName "
                                                                 "services")
        return
    if not spec.get("ports") and "None" not in given:
        causes.required("spec.ports")
    if "None" in given and kind != "ClusterIP":
        causes.invalid("spec.clusterIPs", given, "may not be set to 'None' for services of type " + kind)
    if spec.get("clusterIP") and spec.get("clusterIPs") and spec["clusterIP"] != spec["clusterIPs"][0]:
        causes.invalid("spec.clusterIPs", spec["clusterIPs"], "must have the same value as spec.clusterIP")
    for index, ip in enumerate(service_ips(obj)):
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            causes.invalid(f"spec.clusterIPs[{index}]", ip, "must be a valid IP address")
            continue
        if address not in SERVICE_CIDR or address in (SERVICE_CIDR.network_address, SERVICE_CIDR.broadcast_address):
            causes.invalid(f"spec.clusterIPs[{index}]", ip, f"provided IP is not in the valid range. The range of "
                                                            f"valid IPs is {SERVICE_CIDR}")


def _csr(obj: dict[str, Any], causes: Causes) -> None:
    request = (obj.get("spec") or {}).get("request") or ""
    try:
        pem = base64.b64decode(request, validate=True)
        if b"-----BEGIN CERTIFICATE REQUEST-----" not in pem:
            raise ValueError("PEM block type must be CERTIFICATE REQUEST")
        x509.load_pem_x509_csr(pem)
    except (binascii.Error, ValueError) as exc:
        causes.invalid("spec.request", "<request>", str(exc) or "not a CERTIFICATE REQUEST")


def _match_constraints(spec: dict[str, Any], causes: Causes) -> None:
    constraints = spec.get("matchConstraints")
    if constraints is None:
        causes.required("spec.matchConstraints")
    elif not constraints.get("resourceRules"):
        causes.required("spec.matchConstraints.resourceRules")


def _validating_policy(obj: dict[str, Any], causes: Causes) -> None:
    spec = obj.get("spec") or {}
    _match_constraints(spec, causes)
    if not spec.get("validations") and not spec.get("auditAnnotations"):
        causes.required("spec.validations")
    for index, rule in enumerate(spec.get("validations") or []):
        if not rule.get("expression"):
            causes.required(f"spec.validations[{index}].expression")


def _mutating_policy(obj: dict[str, Any], causes: Causes) -> None:
    spec = obj.get("spec") or {}
    _match_constraints(spec, causes)
    if not spec.get("mutations"):
        causes.required("spec.mutations")
    for index, mutation in enumerate(spec.get("mutations") or []):
        body = {"ApplyConfiguration": "applyConfiguration", "JSONPatch": "jsonPatch"}.get(mutation["patchType"])
        if body is None:
            causes.unsupported(f"spec.mutations[{index}].patchType", mutation["patchType"],
                               ("ApplyConfiguration", "JSONPatch"))
        elif not (mutation.get(body) or {}).get("expression"):
            causes.required(f"spec.mutations[{index}].{body}.expression")


def _binding(obj: dict[str, Any], causes: Causes) -> None:
    spec = obj.get("spec") or {}
    if not spec.get("policyName"):
        causes.required("spec.policyName")
    if obj.get("kind") == "ValidatingAdmissionPolicyBinding" and not spec.get("validationActions"):
        causes.required("spec.validationActions")


_SEMANTICS = {
    **{kind: _templated for kind in TEMPLATED}, "Job": _job, "CronJob": _cronjob, "Pod": _pod,
    "Service": _service, "CertificateSigningRequest": _csr,
    "ValidatingAdmissionPolicy": _validating_policy, "MutatingAdmissionPolicy": _mutating_policy,
    "ValidatingAdmissionPolicyBinding": _binding, "MutatingAdmissionPolicyBinding": _binding,
}
