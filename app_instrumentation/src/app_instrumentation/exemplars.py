"""Exemplars from the current OpenTelemetry span, when opentelemetry-api is installed (it is optional).

With no span in the context (the app does not trace, or not in this request) the lookup is two C calls on
opentelemetry-api's own context variable, when its default runtime context is in use; otherwise, and
whenever a span is there, it goes through `get_current_span()` (about half a microsecond).
`set_automatic(False)` turns the lookup off (explicit `exemplar=` arguments still work)."""

from __future__ import annotations

from contextvars import ContextVar

try:
    from opentelemetry import context as _context
    from opentelemetry import trace as _trace
except ImportError:  # the app does not trace: no automatic exemplars
    _context = _trace = None


class _Switch:
    """Whether observations look up the current span (read on every observation: one attribute)."""

    on = _trace is not None


AUTOMATIC = _Switch()


def set_automatic(enabled: bool) -> None:
    """Turn automatic exemplars from the current OpenTelemetry span on or off (on when opentelemetry-api is
    installed)."""
    AUTOMATIC.on = bool(enabled) and _trace is not None


def _context_variable():
    """(the runtime context, its ContextVar's get, the span's key) when opentelemetry-api keeps the current
    context in a ContextVar as its default runtime context does; else None (a configured alternative)."""
    try:
        from opentelemetry.context.contextvars_context import ContextVarsRuntimeContext
        from opentelemetry.trace.propagation import _SPAN_KEY
    except ImportError:
        return None
    runtime = getattr(_context, "_RUNTIME_CONTEXT", None)
    variable = getattr(runtime, "_current_context", None)
    if type(runtime) is not ContextVarsRuntimeContext or not isinstance(variable, ContextVar):
        return None
    return runtime, variable.get, _SPAN_KEY


_RUNTIME, _CURRENT, _SPAN_KEY = (_context_variable() if _trace is not None else None) or (None, None, None)


def no_span_check() -> tuple | None:
    """For hot paths that inline the check (a Python call costs about as much): (opentelemetry's context
    module, its runtime context, that context variable's get, the span's key), where `module._RUNTIME_CONTEXT
    is runtime and get().get(key) is None` means there is no span; or None (no shortcut: call
    from_current_span())."""
    return None if _CURRENT is None else (_context, _RUNTIME, _CURRENT, _SPAN_KEY)


def from_current_span() -> dict[str, str] | None:
    """{"trace_id", "span_id"} of the current sampled span, or None (no OpenTelemetry, no span, not sampled)."""
    if _trace is None:
        return None
    if _CURRENT is not None and _context._RUNTIME_CONTEXT is _RUNTIME and _CURRENT().get(_SPAN_KEY) is None:
        return None  # no span in the context: get_current_span() would give the invalid span
    context = _trace.get_current_span().get_span_context()
    if not context.is_valid or not context.trace_flags.sampled:
        return None
    return {"trace_id": format(context.trace_id, "032x"), "span_id": format(context.span_id, "016x")}
