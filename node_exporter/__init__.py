"""Host metrics with the names and labels of Prometheus' Go node_exporter."""

__version__ = "0.1.0"
