"""Turning MySQL's text values into sample values and metric names, as mysqld_exporter does."""

from __future__ import annotations

import calendar
import re
import time

_WORDS = {"yes": 1.0, "on": 1.0, "no": 0.0, "off": 0.0, "disabled": 0.0,
          # SHOW SLAVE STATUS Slave_IO_Running says "Connecting" while it is not running.
          "connecting": 0.0,
          # wsrep_cluster_status
          "primary": 1.0, "non-primary": 0.0, "disconnected": 0.0}
# Go's strconv.ParseFloat: decimal or scientific notation, inf/nan words; no underscores, no spaces.
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$", re.I)
# Timestamps mysqld_exporter understands; the shape check keeps strptime off the many plain strings.
_TIMESTAMPS = (
    (re.compile(r"^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4} [A-Z]+$"), "%b %d %H:%M:%S %Y %Z"),
    (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"), "%Y-%m-%d %H:%M:%S"),
)


def parse_status(text: str | None) -> float | None:
    """A value as mysqld_exporter's parseStatus reads it, or None when it is not a number."""
    if text is None:
        return None
    word = _WORDS.get(text.lower())
    if word is not None:
        return word
    if _FLOAT.match(text):
        return float(text)
    for shape, fmt in _TIMESTAMPS:
        if shape.match(text):
            try:
                return float(calendar.timegm(time.strptime(text, fmt)))
            except ValueError:
                return None
    return None


_NOT_NAME = re.compile(r"[^a-z0-9_]")


def metric_name(name: str) -> str:
    """Lower case, '-' and '.' to '_' (mysqld_exporter's validPrometheusName); any other character a metric name
    cannot hold (a space, unicode in an unknown variable's name) to '_' as well."""
    return _NOT_NAME.sub("_", name.lower())


def sanitize_state(state: str) -> str:
    """Thread states and commands as processlist labels: lower case, punctuation dropped, spaces to '_'."""
    if not state:
        return "unknown"
    state = state.lower()
    for char in ";,:.()":
        state = state.replace(char, "")
    return state.replace(" ", "_").replace("-", "_")
