"""The C library the interpreter already runs on, for the few system calls Python does not wrap (adjtimex,
perf_event_open). dlopen(NULL) finds it without ctypes.util.find_library, which runs `ldconfig -p` in a child
process and loads the subprocess module to do so."""

from __future__ import annotations

import ctypes

LIBC = ctypes.CDLL(None, use_errno=True)
