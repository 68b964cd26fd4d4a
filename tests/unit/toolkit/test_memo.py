"""The bounded memo the exposition and the kube-state store share: computed once per key, forgotten all at once
when full, unhashable keys refused as a dict refuses them."""

from __future__ import annotations

import pytest

from exporter_toolkit.memo import BoundedMemo


def test_a_key_is_computed_once_while_remembered():
    calls = []
    memo = BoundedMemo(lambda key: calls.append(key) or key * 2, limit=10)
    assert [memo[3], memo[3], memo[4]] == [6, 6, 8]
    assert calls == [3, 4]


def test_full_means_everything_forgotten_and_the_size_stays_bounded():
    calls = []
    memo = BoundedMemo(lambda key: calls.append(key) or str(key), limit=3)
    for key in range(10):
        assert memo[key] == str(key)
        assert len(memo) <= 3
    assert memo[9] == "9" and calls.count(9) == 1  # the newest stays after a clear
    assert memo[0] == "0" and calls.count(0) == 2  # an old one is computed again


def test_an_unhashable_key_raises_type_error():
    memo = BoundedMemo(len, limit=3)
    with pytest.raises(TypeError):
        memo[["a"]]
