"""Exemplars from the current OpenTelemetry span, when opentelemetry-api is installed (it is optional)."""

from __future__ import annotations

try:
    from opentelemetry import trace as _trace
except ImportError:  # the app does not trace: no automatic exemplars
    _trace = None

TRACING = _trace is not None


def from_current_span() -> dict[str, str] | None:
    """{"trace_id", "span_id"} of the current sampled span, or None (no OpenTelemetry, no span, not sampled)."""
    if _trace is None:
        return None
    context = _trace.get_current_span().get_span_context()
    if not context.is_valid or not context.trace_flags.sampled:
        return None
    return {"trace_id": format(context.trace_id, "032x"), "span_id": format(context.span_id, "016x")}
