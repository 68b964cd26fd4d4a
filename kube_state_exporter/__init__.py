"""Cluster state as kube-state-metrics' metric families, kept in sync through list + watch streams."""

__version__ = "0.1.0"
