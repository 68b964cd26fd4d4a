"""glibc malloc settings for a daemon that answers scrapes on a few threads.

By default glibc gives each thread that allocates its own arena and keeps freed memory of one scrape for the
next: large blocks move from mmap to the heap once one has been freed (the mmap threshold slides up), and a
heap only shrinks past a trim threshold that slides with it. One arena and fixed thresholds hand a scrape's
large buffers (rows, the rendered body, its gzip) back to the kernel when the scrape ends. Elsewhere (musl,
macOS) nothing is changed.
"""

from __future__ import annotations

import ctypes

# mallopt() parameters, from glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def tune_malloc(arenas: int = 1, mmap_threshold: int = 128 * 1024, trim_threshold: int = 128 * 1024) -> bool:
    """Apply each setting with mallopt(); False where the C library has no mallopt or refuses any of them."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    settings = ((M_ARENA_MAX, arenas), (M_MMAP_THRESHOLD, mmap_threshold), (M_TRIM_THRESHOLD, trim_threshold))
    return all([mallopt(param, value) == 1 for param, value in settings])  # each applied, refused or not
