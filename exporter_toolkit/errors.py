"""Errors the daemons turn into a one-line message and exit code 2."""


class ConfigError(Exception):
    """Unusable flags or configuration: the daemon must not start."""
