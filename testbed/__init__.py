"""Helpers that start real servers (MariaDB, Prometheus, the exporters) for tests, benchmarks and the local stack."""
