"""tune_malloc(): glibc accepts the three settings; without a usable mallopt nothing breaks. release_free_memory()
finds glibc's malloc_trim."""

from __future__ import annotations

import ctypes
import platform

import pytest

from exporter_toolkit import memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt settings are glibc's")
def test_glibc_accepts_the_settings() -> None:
    assert memory.tune_malloc() is True


def test_a_refused_setting_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []

    def mallopt(param: int, value: int) -> int:  # a function: ctypes sets argtypes on it
        calls.append((param, value))
        return 0 if param == memory.M_ARENA_MAX else 1

    class Libc:
        pass

    libc = Libc()
    libc.mallopt = mallopt  # type: ignore[attr-defined]
    monkeypatch.setattr(ctypes, "CDLL", lambda _name: libc)
    assert memory.tune_malloc(arenas=2, mmap_threshold=4096, trim_threshold=8192) is False
    assert calls == [(memory.M_ARENA_MAX, 2), (memory.M_MMAP_THRESHOLD, 4096), (memory.M_TRIM_THRESHOLD, 8192)]


def test_no_mallopt_in_the_c_library(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(_name):
        raise OSError("no C library")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    assert memory.tune_malloc() is False


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_glibc_malloc_trim_is_found_and_runs() -> None:
    assert memory._malloc_trim is not None
    memory.release_free_memory()
