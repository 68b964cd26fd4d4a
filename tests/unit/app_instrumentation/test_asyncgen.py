"""The async generator wrapper: built with the wrapped function's own parameters, it binds arguments exactly as
the function does, forwards asend/athrow/aclose, and updates its metric once the generator ends."""

from __future__ import annotations

import asyncio

import pytest

from app_instrumentation import arg, counted, exception_type, timed
from app_instrumentation.asyncgen import _own_signature
from app_instrumentation.testing import fresh_registry, sample


def collect(agen) -> list:
    async def consume():
        return [item async for item in agen]
    return asyncio.run(consume())


SHARED_DEFAULT: list = []


async def everything(a, b=2, /, c=3, *rest, d, e=SHARED_DEFAULT, **more):
    yield (a, b, c, rest, d, e is SHARED_DEFAULT, more)


@pytest.mark.parametrize(("args", "kwargs"), [
    ((1,), {"d": 4}),
    ((1, 5, 6, 7, 8), {"d": 4, "e": None, "extra": 9}),
    ((1,), {"c": 6, "d": 4}),
])
def test_arguments_are_bound_as_the_function_binds_them(args, kwargs):
    wrapped = counted("bound_total", "b", registry=fresh_registry())(everything)
    assert _own_signature(everything) is not None  # the wrapper really has the function's own parameters
    assert collect(wrapped(*args, **kwargs)) == collect(everything(*args, **kwargs))


@pytest.mark.parametrize(("args", "kwargs"), [((), {"d": 4}), ((1,), {}),
                                               ((1, 2, 3), {"c": 3, "d": 4})])
def test_a_wrong_call_raises_the_functions_own_type_error(args, kwargs):
    wrapped = counted("wrong_total", "w", registry=fresh_registry())(everything)
    with pytest.raises(TypeError) as expected:
        everything(*args, **kwargs)
    with pytest.raises(TypeError) as got:
        wrapped(*args, **kwargs)
    assert str(got.value) == str(expected.value)


def test_labels_from_keyword_only_and_default_parameters():
    registry = fresh_registry()

    @counted("pages_total", "p", registry=registry, labels={"kind": arg("kind"), "size": arg("size")})
    async def pages(query, *, kind, size=10):
        yield query

    assert collect(pages("q", kind="books")) == ["q"]
    assert collect(pages(query="q", kind="films", size=5)) == ["q"]
    assert sample(registry, "pages_total", kind="books", size="10") == 1.0
    assert sample(registry, "pages_total", kind="films", size="5") == 1.0


def test_a_parameter_named_like_the_wrappers_variables_still_works():
    registry = fresh_registry()

    async def raw(item, start=0):
        yield item + start

    assert _own_signature(raw) is None
    items = counted("items_total", "i", registry=registry, labels={"item": arg("item")})(raw)
    assert collect(items(1, start=2)) == [3]
    assert sample(registry, "items_total", item="1") == 1.0


def test_asend_athrow_and_aclose_reach_the_wrapped_generator():
    registry = fresh_registry()
    log = []

    @timed("echo_seconds", "e", registry=registry, labels={"error": exception_type()})
    async def echo():
        try:
            received = yield "ready"
            while True:
                try:
                    received = yield received * 2
                except KeyError:
                    received = "recovered"
        finally:
            log.append("closed")

    async def scenario():
        agen = echo()
        assert await agen.asend(None) == "ready"
        assert await agen.asend(21) == 42
        assert await agen.athrow(KeyError("x")) == "recoveredrecovered"
        assert await agen.asend(2) == 4
        await agen.aclose()

    asyncio.run(scenario())
    assert log == ["closed"]
    assert sample(registry, "echo_seconds_count", error="none") == 1.0


def test_an_exception_ends_it_and_is_recorded():
    registry = fresh_registry()

    @counted("failing_total", "f", registry=registry, labels={"error": exception_type()})
    async def failing():
        yield 1
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        collect(failing())
    assert sample(registry, "failing_total", error="ValueError") == 1.0
