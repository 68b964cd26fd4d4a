"""Kubernetes quantities ("100m", "1.5Gi", "1e3") from any object's spec or status, against the real `kubernetes`
client's parse_quantity: where both accept an input they agree on its value; where the client rejects one, ours
rejects it too (ValueError, which the resource turns into a missing series), never another exception."""

from __future__ import annotations

import math
import re
from decimal import MAX_EMAX, Decimal, localcontext

from hypothesis import example, given
from hypothesis import strategies as st
from kubernetes.utils.quantity import parse_quantity as client_parse_quantity

from kube_state_exporter.resources.util import (
    parse_quantity,
    quantity,
    quantity_cores,
    quantity_milli_value,
    quantity_value,
)
from tests.fuzz.support import examples, tried

# The quantity grammar of k8s.io/apimachinery's resource package (its doc comment), written out independently.
GRAMMAR = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)((Ki|Mi|Gi|Ti|Pi|Ei)|[numkMGTPE]|[eE][+-]?\d+)?")
SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
            "ki", "mi", "K", "i", "e", "E+", "e-", "X", "KiB", "mm", " ", "\u00b5"]

digits = st.text("0123456789", max_size=25)
exponents = st.builds(lambda e, sign, n: f"{e}{sign}{n}", st.sampled_from("eE"), st.sampled_from(["", "+", "-"]),
                      st.integers(0, 400))
shaped = st.builds(lambda sign, whole, dot, frac, suffix: f"{sign}{whole}{dot}{frac}{suffix}",
                   st.sampled_from(["", "+", "-", "--", "+-"]), digits, st.sampled_from(["", ".", ".."]), digits,
                   st.one_of(st.sampled_from(SUFFIXES), exponents))
quantities = st.one_of(shaped, st.text(max_size=30), st.text("0123456789.eE+-kMGiunm_ ", max_size=20))


def _client(text: str) -> Decimal | None:
    """The client's value, its arithmetic made exact (in the default context it rounds to 28 digits); surrounding
    blanks aside (ours trims them: an API server never sends any)."""
    try:
        with localcontext(prec=1000, Emax=MAX_EMAX):
            value = client_parse_quantity(text.strip())
    except ValueError:
        return None
    return value if value.is_finite() else None


@examples(400)
@given(quantities)
@example("1e400")
@example("NaN")
@example("1_000")
@example(" 1Ki ")
@example("1e99")
@example("10000000001Ei")
@example("10000000000000000000000000001")  # found: 29 digits were rounded to 28 (the default decimal context)
def test_quantities_agree_with_the_kubernetes_client(text: str) -> None:
    tried("kubernetes quantity")
    expected = _client(text)
    try:
        ours = parse_quantity(text)
    except ValueError:
        # The client is lax (Python's Decimal takes "1_000", "NaN", spaces): ours may refuse those, not valid ones.
        assert expected is None or not GRAMMAR.fullmatch(text.strip()), text
        return
    assert expected is not None, f"{text!r}: ours {ours}, the client rejects it"
    assert ours == expected, text
    # Every reading a resource makes of it: a number or a clean ValueError, nothing else.
    assert quantity(text) == float(expected) or math.isinf(quantity(text))
    assert isinstance(quantity_value(text), int) and isinstance(quantity_milli_value(text), int)
    assert not math.isnan(quantity_cores(text))


@examples(200)
@given(st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False)))
def test_numbers_in_place_of_strings(number: int | float) -> None:
    """YAML turns `cpu: 2` into an int and `memory: 1.5` into a float: both are quantities."""
    tried("kubernetes quantity")
    assert parse_quantity(number) == Decimal(str(number))
    assert isinstance(quantity_value(number), int)


def test_a_huge_exponent_is_read_at_once():
    """Found by the fuzzing: "1e999999" took 54 s to build as an integer, then raised decimal.Overflow."""
    assert quantity_value("1e999999") == 0 and quantity_milli_value("1e999999") == 0
    assert quantity("1e999999") == math.inf and quantity_cores("-1e999999") == 0.0
    assert quantity_value("10000000000000000000000000001") == (10**28 + 1) % 2**64  # Go keeps the low 64 bits
