"""Importing this package registers every collector (one module each)."""

from node_exporter.collectors import (  # noqa: F401 - imported for their registration
    conntrack,
    cpu,
    diskstats,
    entropy,
    filefd,
    filesystem,
    loadavg,
    meminfo,
    netclass,
    netdev,
    netstat,
    os_release,
    pressure,
    sockstat,
    stat,
    textfile,
    time,
    uname,
    vmstat,
)
