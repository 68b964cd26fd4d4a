"""The wrapper of an async generator: what the consumer sends (asend), throws (athrow) or closes (aclose) goes
on to the wrapped generator, and the metric is updated once it ends.

The wrapper is built from source with the wrapped function's own parameters (`async def f(a, b, /, *c, d,
**e)` calling `func(a, b, *c, d=d, **e)`, the function's very default objects): `*args, **kwargs` would cost
a tuple and a dict on every call, about a sixth of the whole wrapper. Arguments are bound as the function
binds them, so a wrong call raises the function's own TypeError at the call. Anything else (a callable
object, a parameter named like one of the wrapper's variables) gets the `*args, **kwargs` wrapper.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable

_SOURCE = """
def build(func, update, record, sum_inc, bounds, bucket_steps, bisect, clock):
    async def async_generator({parameters}):
        agen = {call}
        start = {start}
        error = None
        try:
            async for item in agen:
                while True:  # hand the item out; forward what comes back
                    try:
                        sent = yield item
                    except GeneratorExit:
                        await agen.aclose()
                        raise
                    except BaseException as thrown:
                        try:
                            item = await agen.athrow(thrown)
                        except StopAsyncIteration:
                            return
                        continue
                    if sent is None:
                        break  # the next item, as async for asks for it
                    try:
                        item = await agen.asend(sent)
                    except StopAsyncIteration:
                        return
        except GeneratorExit:
            pass
        except BaseException as raised:
            error = raised
            raise
        finally:
            {finish}
    return async_generator
"""

_FINISH = {  # the update at the end, by kind: no branch taken per call
    "inline": "amount = clock() - start; sum_inc(amount); bucket_steps[bisect(bounds, amount)]()",
    "observe": "update(clock() - start)",
    "count": "update()",
    "record": "record({arguments}, None, error, start)",
}

_GENERIC = ("*args, **kwargs", "func(*args, **kwargs) if kwargs else func(*args)", "args, kwargs")
_TAKEN = frozenset({"func", "update", "record", "inline", "timing", "sum_inc", "bounds", "bucket_steps", "bisect",
                    "clock", "agen", "start", "error", "item", "sent", "thrown", "raised", "amount", "async_generator",
                    "BaseException", "GeneratorExit", "StopAsyncIteration"})


def _own_signature(func: Callable) -> tuple[str, str, str] | None:
    """(parameters, call, the (args, kwargs) of the labels) in source, for a plain function's own parameters."""
    if type(func) is not types.FunctionType:
        return None
    code = func.__code__
    names = code.co_varnames
    positional = list(names[:code.co_argcount])
    keyword = list(names[code.co_argcount:code.co_argcount + code.co_kwonlyargcount])
    index = code.co_argcount + code.co_kwonlyargcount
    varargs = names[index] if code.co_flags & inspect.CO_VARARGS else None
    index += 1 if varargs else 0
    varkw = names[index] if code.co_flags & inspect.CO_VARKEYWORDS else None
    if not _TAKEN.isdisjoint([*positional, *keyword, varargs, varkw]):
        return None
    parameters = list(positional)
    if code.co_posonlyargcount:
        parameters.insert(code.co_posonlyargcount, "/")
    parameters += [f"*{varargs}"] if varargs else ["*"] if keyword else []
    parameters += keyword + ([f"**{varkw}"] if varkw else [])
    passed = positional + ([f"*{varargs}"] if varargs else [])
    named = [f"{name}={name}" for name in keyword] + ([f"**{varkw}"] if varkw else [])
    args = f"({', '.join(passed)}{',' if len(passed) == 1 else ''})"
    kwargs = "{" + ", ".join([f"{name!r}: {name}" for name in keyword] + ([f"**{varkw}"] if varkw else [])) + "}"
    return ", ".join(parameters), f"func({', '.join(passed + named)})", f"{args}, {kwargs}"


def wrap_async_generator(func: Callable, update: Callable | None, record: Callable | None,
                         parts: tuple | None, timing: bool, bisect: Callable, clock: Callable) -> Callable:
    """The wrapper: `parts` (a classic histogram's observation, inlined), else `update` (constant labels:
    `update(seconds)` or `update()`), else `record(args, kwargs, outcome, error, start)`."""
    own = _own_signature(func)
    parameters, call, arguments = own or _GENERIC
    kind = "inline" if parts is not None else "record" if update is None else "observe" if timing else "count"
    source = _SOURCE.format(parameters=parameters, call=call, start="clock()" if timing else "0.0",
                            finish=_FINISH[kind].format(arguments=arguments))
    namespace: dict = {}
    exec(compile(source, f"<app_instrumentation wrapper of {func.__qualname__}>", "exec"), namespace)
    sum_inc, bounds, bucket_steps = parts or (None, None, None)
    wrapper = namespace["build"](func, update, record, sum_inc, bounds, bucket_steps, bisect, clock)
    if own is not None:
        wrapper.__defaults__ = func.__defaults__
        wrapper.__kwdefaults__ = dict(func.__kwdefaults__) if func.__kwdefaults__ else None
    return wrapper
