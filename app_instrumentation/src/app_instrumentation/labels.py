"""Where a label's value comes from on each call: a constant, an argument, the return value, or the
exception raised. Sources are resolved to positions once, at decoration time, not per call."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class arg:
    """The value of the named parameter (positional or keyword, or its default), through `transform`."""

    name: str
    transform: Callable[[Any], Any] = str


@dataclass(frozen=True)
class result:
    """The return value through `transform`; `on_exception` when the call raised."""

    transform: Callable[[Any], Any] = str
    on_exception: str = "error"


@dataclass(frozen=True)
class exception_type:
    """The raised exception's class name, or `none` when the call returned."""

    none: str = "none"


LabelSource = str | arg | result | exception_type


class LabelPlan:
    """Label values for one call: constants, then arguments (before the call), then outcome (after)."""

    def __init__(self, func: Callable, labels: Mapping[str, LabelSource] | None) -> None:
        self.names = tuple((labels or {}).keys())
        self.sources = tuple((labels or {}).values())
        self.static = all(isinstance(source, str) for source in self.sources)
        self.static_values = tuple(self.sources) if self.static else ()
        self.needs_outcome = any(isinstance(source, result | exception_type) for source in self.sources)
        self._arg_lookup: dict[int, tuple[int | None, str, Any, Callable]] = {}
        if any(isinstance(source, arg) for source in self.sources):
            parameters = list(inspect.signature(func).parameters.values())
            names = [p.name for p in parameters]
            for index, source in enumerate(self.sources):
                if isinstance(source, arg):
                    if source.name not in names:
                        raise ValueError(f"{func.__qualname__} has no parameter {source.name!r} for label "
                                         f"{self.names[index]!r}")
                    parameter = parameters[names.index(source.name)]
                    position = names.index(source.name) if parameter.kind in (
                        parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD) else None
                    default = None if parameter.default is parameter.empty else parameter.default
                    self._arg_lookup[index] = (position, source.name, default, source.transform)

    def compiled(self) -> Callable[[tuple, dict, Any, BaseException | None], tuple[str, ...]]:
        """`values` as one function of (args, kwargs, outcome, error) returning a tuple, with each source's
        branch taken once here rather than on every call."""
        getters = [self._getter(index, source) for index, source in enumerate(self.sources)]
        if len(getters) == 1:
            (first,) = getters
            return lambda args, kwargs, outcome, error: (first(args, kwargs, outcome, error),)
        if len(getters) == 2:
            first, second = getters
            return lambda args, kwargs, outcome, error: (first(args, kwargs, outcome, error),
                                                         second(args, kwargs, outcome, error))
        return lambda args, kwargs, outcome, error: tuple(get(args, kwargs, outcome, error) for get in getters)

    def _getter(self, index: int, source: LabelSource) -> Callable[[tuple, dict, Any, BaseException | None], str]:
        if isinstance(source, str):
            return lambda args, kwargs, outcome, error: source
        if isinstance(source, arg):
            position, name, default, transform = self._arg_lookup[index]
            if position is None:
                return lambda args, kwargs, outcome, error: str(transform(kwargs.get(name, default)))
            if transform is str:
                return lambda args, kwargs, outcome, error: str(
                    args[position] if position < len(args) else kwargs.get(name, default))
            return lambda args, kwargs, outcome, error: str(transform(
                args[position] if position < len(args) else kwargs.get(name, default)))
        if isinstance(source, result):
            transform, on_exception = source.transform, source.on_exception
            return lambda args, kwargs, outcome, error: on_exception if error is not None else str(transform(outcome))
        none = source.none
        return lambda args, kwargs, outcome, error: type(error).__name__ if error is not None else none

    def values(self, args: tuple, kwargs: dict, outcome: Any = None, error: BaseException | None = None) -> list[str]:
        values = []
        for index, source in enumerate(self.sources):
            if isinstance(source, str):
                values.append(source)
            elif isinstance(source, arg):
                position, name, default, transform = self._arg_lookup[index]
                positional = position is not None and position < len(args)
                values.append(str(transform(args[position] if positional else kwargs.get(name, default))))
            elif isinstance(source, result):
                values.append(source.on_exception if error is not None else str(source.transform(outcome)))
            else:
                values.append(type(error).__name__ if error is not None else source.none)
        return values
