"""MySQL/MariaDB metrics with the names and labels of Prometheus' mysqld_exporter."""

__version__ = "0.1.0"
