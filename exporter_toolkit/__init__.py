"""Shared runtime of the exporter daemons, the Python counterpart of Prometheus' Go exporter-toolkit."""

from exporter_toolkit.errors import ConfigError

__all__ = ["ConfigError"]
