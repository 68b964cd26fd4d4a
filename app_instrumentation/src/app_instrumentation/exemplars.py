"""Exemplars from the current OpenTelemetry span, when opentelemetry-api is installed (it is optional).

Looking the span up costs each observation about half a microsecond; `set_automatic(False)` turns it off
(explicit `exemplar=` arguments still work)."""

from __future__ import annotations

try:
    from opentelemetry import trace as _trace
except ImportError:  # the app does not trace: no automatic exemplars
    _trace = None


class _Switch:
    """Whether observations look up the current span (read on every observation: one attribute)."""

    on = _trace is not None


AUTOMATIC = _Switch()


def set_automatic(enabled: bool) -> None:
    """Turn automatic exemplars from the current OpenTelemetry span on or off (on when opentelemetry-api is
    installed)."""
    AUTOMATIC.on = bool(enabled) and _trace is not None


def from_current_span() -> dict[str, str] | None:
    """{"trace_id", "span_id"} of the current sampled span, or None (no OpenTelemetry, no span, not sampled)."""
    if _trace is None:
        return None
    context = _trace.get_current_span().get_span_context()
    if not context.is_valid or not context.trace_flags.sampled:
        return None
    return {"trace_id": format(context.trace_id, "032x"), "span_id": format(context.span_id, "016x")}
