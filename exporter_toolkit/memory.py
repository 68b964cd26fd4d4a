"""glibc malloc settings for a daemon that answers scrapes on a few threads.

By default glibc gives each thread that allocates its own arena and keeps freed memory of one scrape for the
next: large blocks move from mmap to the heap once one has been freed (the mmap threshold slides up), and a
heap only shrinks past a trim threshold that slides with it. One arena and fixed thresholds hand a scrape's
large buffers (rows, the rendered body, its gzip) back to the kernel when the scrape ends; release_free_memory()
trims the heap after work that freed much at once. Elsewhere (musl, macOS) nothing is changed.
"""

from __future__ import annotations

import ctypes

# mallopt() parameters, from glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def _c_function(name: str):
    """A function of the C library the interpreter runs on (dlopen(NULL): no `ldconfig` child to find it), or
    None where that library has none (not glibc)."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


def tune_malloc(arenas: int = 1, mmap_threshold: int = 128 * 1024, trim_threshold: int = 128 * 1024) -> bool:
    """Apply each setting with mallopt(); False where the C library has no mallopt or refuses any of them."""
    mallopt = _c_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    settings = ((M_ARENA_MAX, arenas), (M_MMAP_THRESHOLD, mmap_threshold), (M_TRIM_THRESHOLD, trim_threshold))
    return all([mallopt(param, value) == 1 for param, value in settings])  # each applied, refused or not


_malloc_trim = _c_function("malloc_trim")


def release_free_memory() -> None:
    """Give freed heap pages back to the OS (glibc's malloc_trim; nothing elsewhere): after a list of thousands of
    JSON objects that die right after rendering, or under churn, the heap otherwise keeps their pages resident."""
    if _malloc_trim is not None:
        _malloc_trim(0)
