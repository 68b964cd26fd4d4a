"""One bounded memo for values worked out from data that repeats (timestamps, numbers, label sets): a hit is a
single dict lookup, a miss computes once, and when `limit` keys are held all are forgotten, so keys read from
data that keeps changing (high-cardinality values, label sets of textfiles) cannot pile up."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class BoundedMemo(dict):
    """memo[key] is fn(key), computed once while remembered. An unhashable key raises TypeError, as a dict does."""

    __slots__ = ("fn", "limit")

    def __init__(self, fn: Callable[[Any], Any], limit: int) -> None:
        super().__init__()
        self.fn, self.limit = fn, limit

    def __missing__(self, key: Hashable) -> Any:
        value = self.fn(key)
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
