"""Errors the daemons turn into a one-line message and exit code 2, and the short reasons those lines give."""

from __future__ import annotations

import errno


class ConfigError(Exception):
    """Unusable flags or configuration: the daemon must not start."""


_REASONS = {
    errno.ENOENT: "file not found",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "not a directory",
    errno.EADDRINUSE: "address already in use",
    errno.EADDRNOTAVAIL: "address not available on this host",
    errno.EAFNOSUPPORT: "address family not supported",
}


def os_reason(exc: OSError) -> str:
    """A short reason for an OSError: 'file not found', 'permission denied', 'address already in use', ..."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]
