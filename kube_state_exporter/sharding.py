"""Horizontal sharding as kube-state-metrics does it: an object belongs to shard
jump_hash(fnv64a(uid), total_shards); every shard still lists and watches everything."""

from __future__ import annotations

FNV64_OFFSET = 0xCBF29CE484222325
FNV64_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1


def fnv64a(data: bytes) -> int:
    value = FNV64_OFFSET
    for byte in data:
        value = ((value ^ byte) * FNV64_PRIME) & MASK64
    return value


def jump_hash(key: int, buckets: int) -> int:
    """Lamping and Veach's jump consistent hash."""
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & MASK64
        j = int((b + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return b


class Shard:
    """This instance's shard; --auto-sharding changes it when the StatefulSet is scaled."""

    def __init__(self, shard: int = 0, total: int = 1) -> None:
        if total < 1 or not 0 <= shard < total:
            raise ValueError(f"shard {shard} is not in [0, {total})")
        self.shard, self.total = shard, total

    def update(self, shard: int, total: int) -> bool:
        """Take a new (shard, total); True when it changed. A shard beyond the total (a pod the scale-down is
        removing) keeps nothing."""
        if total < 1 or shard < 0:
            raise ValueError(f"shard {shard} of {total} is not a shard")
        changed = (shard, total) != (self.shard, self.total)
        self.shard, self.total = shard, total
        return changed

    def keeps(self, obj: dict) -> bool:
        if self.total == 1:
            return self.shard == 0
        metadata = obj.get("metadata") if isinstance(obj, dict) else None
        uid = metadata.get("uid") if isinstance(metadata, dict) else None
        uid = uid if isinstance(uid, str) else ""
        return jump_hash(fnv64a(uid.encode(errors="surrogatepass")), self.total) == self.shard


def ordinal(pod_name: str) -> int:
    """A StatefulSet pod's ordinal: the number after the last '-' of its name (web-2 -> 2)."""
    _, _, suffix = pod_name.rpartition("-")
    if not suffix.isdigit():
        raise ValueError(f"pod name {pod_name!r} does not end in a StatefulSet ordinal")
    return int(suffix)
