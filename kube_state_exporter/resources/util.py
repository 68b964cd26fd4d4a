"""Helpers every resource uses, as kube-state-metrics' internal/store/utils.go defines them: timestamps,
condition state sets, quantities, label and annotation allowlists, owners."""

from __future__ import annotations

import calendar
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_CEILING, ROUND_FLOOR, Context, Decimal, DecimalException
from functools import lru_cache
from typing import Any

from exporter_toolkit.memo import BoundedMemo
from kube_state_exporter.metric import Row

CONDITION_STATUSES = ("true", "false", "unknown")
_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$")
_SUFFIX = {None: Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal(10**3),
           "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12), "P": Decimal(10**15),
           "E": Decimal(10**18), "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30),
           "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60)}
_MAX_MILLI_VALUE = (2**63 - 1) // 1000
# Products of quantities kept exact: the default context rounds to 28 digits and overflows past 1e999999.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
# Go's time.Time{}.Unix(): what KSM prints for a timestamp field it reads without a nil check (e.g. a running
# container's startedAt when the object has none).
GO_ZERO_TIME = -62135596800.0


def timestamp_or_zero(value: str | None) -> float:
    """A timestamp field KSM reads unconditionally: unset is Go's zero time, not "no series"."""
    parsed = timestamp(value)
    return GO_ZERO_TIME if parsed is None else parsed


def timestamp(value: str | None) -> float | None:
    """RFC 3339 -> Unix seconds (float), None when unset. Memoised."""
    if not value:
        return None
    try:
        return _TIMES[value]
    except TypeError:  # not a string: parsed (and failing) as before
        return _parse_timestamp(value)


def _parse_timestamp(value: str) -> float:
    if value.endswith("Z") and len(value) == 20:
        return float(calendar.timegm((int(value[0:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
                                      int(value[14:16]), int(value[17:19]), 0, 0, 0)))
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# Parsed timestamps: an object's conditions and containers repeat a few times.
_TIMES = BoundedMemo(_parse_timestamp, 1 << 14)


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def created(obj: dict[str, Any]) -> Iterable[Row]:
    """creationTimestamp; no series when unset (the Unix epoch itself is a real time and is reported)."""
    value = timestamp(meta(obj).get("creationTimestamp"))
    return [((), (), value)] if value is not None else []


def deletion_timestamp(obj: dict[str, Any]) -> Iterable[Row]:
    value = timestamp(meta(obj).get("deletionTimestamp"))
    return [((), (), value)] if value is not None else []


def condition_rows(status: str | None, keys: Sequence[str] = (), values: Sequence[str] = ()) -> list[Row]:
    """Three series, `status` true|false|unknown, 1 on the condition's status."""
    current = (status or "").lower()
    return [((*keys, "status"), (*values, s), 1.0 if s == current else 0.0) for s in CONDITION_STATUSES]


def conditions_by_type(obj: dict[str, Any]) -> list[Row]:
    """Three series per condition of status.conditions, labelled condition=<type> and status."""
    rows: list[Row] = []
    for condition in (obj.get("status") or {}).get("conditions") or []:
        rows.extend(condition_rows(condition.get("status"), ("condition",), (condition.get("type", ""),)))
    return rows


def condition_state_rows(status: str | None) -> list[Row]:
    """Pod-style: the label is called `condition`."""
    current = (status or "").lower()
    return [(("condition",), (s,), 1.0 if s == current else 0.0) for s in CONDITION_STATUSES]


def parse_quantity(text: str | int | float | None) -> Decimal:
    """A Kubernetes quantity ("100m", "128Mi", "1e3") exactly, in base units: no float rounding on the way.
    None (a JSON null in a resource list) is 0, the zero Quantity Go decodes it to."""
    if text is None:
        return Decimal(0)
    if isinstance(text, int | float):
        return Decimal(str(text))
    match = _QUANTITY.match(str(text).strip())
    if not match:
        raise ValueError(f"invalid quantity {text!r}")
    number, suffix = match.groups()
    try:
        if suffix and suffix not in _SUFFIX:  # a decimal exponent ("e3"), not the binary suffix "Ei"
            return _EXACT.scaleb(Decimal(number), int(suffix[1:]))
        return _EXACT.multiply(Decimal(number), _SUFFIX[suffix])
    except (DecimalException, OverflowError, ValueError) as exc:
        raise ValueError(f"invalid quantity {text!r}") from exc


def quantity(text: str | int | float) -> float:
    """A Kubernetes quantity as a float in base units (the exact value, rounded once)."""
    return float(parse_quantity(text))


def _go_int64(value: int) -> int:
    """Go's big.Int.Int64(): the low 64 bits, as KSM gets them for quantities beyond int64."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _held_as_int64(text: str | int | float) -> bool:
    """Whether resource.Quantity keeps this value as a scaled int64 (its fast path: at most 18 digits, or a small
    binary multiple) rather than an arbitrary-precision decimal. A scaled int64 that overflows reads as 0; a
    decimal one keeps its low 64 bits."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        return True
    number, suffix = match.groups()
    digits = sum(ch.isdigit() for ch in number)
    if suffix and suffix.endswith("i"):
        exponent = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}[suffix]
        if "." in number.rstrip("0").rstrip(".") or 15 - digits - int(exponent * 3 / 10) - 1 < 0:
            return False
        return abs(int(Decimal(number)) << exponent) < 1 << 63
    return digits <= 18


def _scaled(text: str | int | float, factor: int) -> int:
    """resource.Quantity.ScaledValue: ceil(q * factor) as Go's int64 arithmetic leaves it."""
    scaled = _EXACT.multiply(parse_quantity(text), factor)
    exponent = scaled.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 64:
        return 0  # a multiple of 10**64, so of 2**64: its low 64 bits are 0 (and building it whole takes minutes)
    exact = _round_away(scaled)
    if -(1 << 63) <= exact < 1 << 63:
        return exact
    return 0 if _held_as_int64(text) else _go_int64(exact)


def _round_away(value: Decimal) -> int:
    """resource.Quantity's scaled values round up, away from zero."""
    return int(value.to_integral_value(rounding=ROUND_CEILING if value >= 0 else ROUND_FLOOR))


def quantity_value(text: str | int | float | None) -> int:
    """resource.Quantity.Value(): the value rounded up to an integer ("1500m" -> 2)."""
    return _cached_value("0" if text is None else str(text))


@lru_cache(maxsize=4096)
def _cached_value(text: str) -> int:
    return _scaled(text, 1)


def quantity_milli_value(text: str | int | float) -> int:
    """resource.Quantity.MilliValue(): thousandths rounded up ("1n" -> 1)."""
    return _scaled(text, 1000)


def quantity_cores(text: str | int | float | None) -> float:
    """KSM's convertValueToFloat64: integer thousandths divided once, so "1900m" is 1.9, never
    1.9000000000000001; the integer value when thousandths would not fit in an int64 ("10P" is 1e+16)."""
    return _cached_cores("0" if text is None else str(text))


@lru_cache(maxsize=4096)
def _cached_cores(text: str) -> float:
    value = quantity_value(text)
    return float(value) if value > _MAX_MILLI_VALUE else quantity_milli_value(text) / 1000


def sanitize(name: str) -> str:
    return _INVALID.sub("_", name)


def resource_unit(resource: str) -> tuple[str, str]:
    """(label value for `resource`, `unit`) as kube-state-metrics names them."""
    if resource == "cpu":
        return "cpu", "core"
    if resource in ("memory", "storage", "ephemeral-storage") or resource.startswith(("hugepages-",
                                                                                      "attachable-volumes-")):
        return sanitize(resource), "byte"
    return sanitize(resource), "integer"


_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@lru_cache(maxsize=1024)
def is_extended_resource(name: str) -> bool:
    """Kubernetes' IsExtendedResourceName: a domain-prefixed name outside kubernetes.io that is not
    `requests.*` and would be a valid quota name (`nvidia.com/gpu`)."""
    if "/" not in name or "kubernetes.io/" in name or name.startswith("requests."):
        return False
    prefix, _, short = f"requests.{name}".rpartition("/")
    return (0 < len(prefix) <= 253 and bool(_DNS_SUBDOMAIN.match(prefix)) and 0 < len(short) <= 63
            and bool(_QUALIFIED_NAME.match(short)) and prefix.count("/") == 0)


def container_resource_rows(resources: Mapping[str, Any] | None, keys: Sequence[str] = (),
                            values: Sequence[str] = ()) -> list[Row]:
    """Pod container requests/limits as KSM: cpu in cores from milli-units; memory, storage, ephemeral-storage,
    hugepages-* and attachable-volumes-* in bytes and extended resources as integers, from Value() (rounded
    up); any other native resource (e.g. `pods`) is not reported."""
    rows: list[Row] = []
    for name in sorted(resources or {}):
        try:
            if name == "cpu":
                rows.append(((*keys, "resource", "unit"), (*values, "cpu", "core"), quantity_cores(resources[name])))
                continue
            byte_like = name in ("memory", "storage", "ephemeral-storage")
            byte_like = byte_like or name.startswith(("hugepages-", "attachable-volumes-"))
            if byte_like or is_extended_resource(name):
                rows.append(((*keys, "resource", "unit"), (*values, sanitize(name), "byte" if byte_like else "integer"),
                             float(quantity_value(resources[name]))))
        except ValueError:
            continue
    return rows


def node_resource_rows(resources: Mapping[str, Any] | None) -> list[Row]:
    """Node capacity/allocatable as KSM: every value from milli-units (so "1500m" memory is 1.5), cpu in cores,
    memory, storage, ephemeral-storage, hugepages-* and attachable-volumes-* in bytes, `pods` and extended
    resources as integers; other native resources are not reported."""
    rows: list[Row] = []
    for name in sorted(resources or {}):
        if name == "cpu":
            unit = "core"
        elif name in ("memory", "storage", "ephemeral-storage") or name.startswith(("hugepages-",
                                                                                     "attachable-volumes-")):
            unit = "byte"
        elif name == "pods" or is_extended_resource(name):
            unit = "integer"
        else:
            continue
        try:
            rows.append((("resource", "unit"), (sanitize(name), unit), quantity_cores(resources[name])))
        except ValueError:
            continue
    return rows


def ip_family(address: str) -> str | None:
    """"4" or "6" as Go's net.ParseIP sees it (an IPv4-mapped IPv6 address is 4); None when not an IP."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return "6"
    return "4"


def resource_rows(resources: Mapping[str, Any] | None, keys: Sequence[str] = (),
                  values: Sequence[str] = ()) -> list[Row]:
    rows = []
    for name in sorted(resources or {}):
        try:
            value = quantity(resources[name])
        except ValueError:
            continue
        label, unit = resource_unit(name)
        rows.append(((*keys, "resource", "unit"), (*values, label, unit), value))
    return rows


def prometheus_label_keys(keys: Iterable[str], prefix: str) -> list[str]:
    """Kubernetes keys to `label_<key>`: invalid characters to _, camelCase to snake_case, lower case.
    Keys that collide all get a suffix, _conflict1, _conflict2, ... in the order given (KSM sorts the keys)."""
    bases = [prefix + "_" + _CAMEL.sub(r"\1_\2", sanitize(key)).lower() for key in keys]
    totals: dict[str, int] = {}
    for base in bases:
        totals[base] = totals.get(base, 0) + 1
    seen: dict[str, int] = {}
    names = []
    for base in bases:
        if totals[base] == 1:
            names.append(base)
            continue
        seen[base] = seen.get(base, 0) + 1
        names.append(f"{base}_conflict{seen[base]}")
    return names


def _key_matches(pattern: str, key: str) -> bool:
    """One allowlist entry against one key: exact, or one `*` standing for any run of characters
    (`example.org/foo-*`, `*-bar`). A lone `*` means "all keys" only as the first entry (see `allowed`)."""
    if "*" not in pattern:
        return pattern == key
    if pattern == "*" or pattern.count("*") > 1:
        return False
    head, tail = pattern.split("*")
    return len(key) >= len(head) + len(tail) and key.startswith(head) and key.endswith(tail)


def allowed(allowlist: Sequence[str] | None, mapping: Mapping[str, str]) -> list[str]:
    """The mapping's keys an allowlist admits, sorted: `*` first admits all (KSM honours it nowhere else),
    other entries match exactly or with one `*` wildcard."""
    if not allowlist:
        return []
    if allowlist[0] == "*":
        return sorted(mapping)
    return [key for key in sorted(mapping) if any(_key_matches(pattern, key) for pattern in allowlist)]


def map_rows(mapping: Mapping[str, str] | None, prefix: str) -> list[Row]:
    """One series whose labels are every key of `mapping` converted as KSM does (`nodeselector_<key>`...)."""
    mapping = mapping or {}
    keys = sorted(mapping)
    return [(tuple(prometheus_label_keys(keys, prefix)), tuple(mapping[k] for k in keys), 1.0)]


def metadata_map_rows(field: str, prefix: str, allowlist: Sequence[str] | None):
    """The generator function of a *_labels or *_annotations family."""

    def fn(obj: dict[str, Any]) -> list[Row]:
        if not allowlist:
            return []
        mapping = meta(obj).get(field) or {}
        keys = allowed(allowlist, mapping)
        return [(tuple(prometheus_label_keys(keys, prefix)), tuple(mapping[k] for k in keys), 1.0)]

    return fn


def owner_rows(obj: dict[str, Any], with_controller: bool = True) -> list[Row]:
    owners = meta(obj).get("ownerReferences") or []
    keys = ("owner_kind", "owner_name", "owner_is_controller") if with_controller else ("owner_kind", "owner_name")
    if not owners:
        return [(keys, ("",) * len(keys), 1.0)]
    rows = []
    for owner in owners:
        values = [owner.get("kind", ""), owner.get("name", "")]
        if with_controller:
            values.append("true" if owner.get("controller") else "false")
        rows.append((keys, tuple(values), 1.0))
    return rows


def number(obj: dict[str, Any], *path: str) -> float | None:
    current: Any = obj
    for part in path:
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return float(current) if isinstance(current, int | float) and not isinstance(current, bool) else None


def optional(value: float | None) -> list[Row]:
    return [((), (), value)] if value is not None else []


def field(*path: str, default: float | None = None):
    """A generator function: the number at `path` (e.g. "status", "readyReplicas"), or `default` when unset
    (no series at all when the default is None)."""

    def fn(obj: dict[str, Any]) -> list[Row]:
        value = number(obj, *path)
        return optional(default if value is None else value)

    return fn
