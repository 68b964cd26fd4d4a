"""node_fibrechannel_*: Fibre Channel HBA port info and error counters from /sys/class/fc_host."""

from __future__ import annotations

import os

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_opt_text

INFO_FILES = ("dev_loss_tmo", "fabric_name", "port_id", "port_name", "port_state", "port_type", "speed",
              "supported_classes", "supported_speeds", "symbolic_name")
# statistics/<file> -> (metric, HELP)
COUNTERS = (
    ("dumped_frames", "node_fibrechannel_dumped_frames_total", "Number of dumped frames"),
    ("error_frames", "node_fibrechannel_error_frames_total", "Number of errors in frames"),
    ("invalid_crc_count", "node_fibrechannel_invalid_crc_total", "Invalid Cyclic Redundancy Check count"),
    ("rx_frames", "node_fibrechannel_rx_frames_total", "Number of frames received"),
    ("rx_words", "node_fibrechannel_rx_words_total", "Number of words received by host port"),
    ("tx_frames", "node_fibrechannel_tx_frames_total", "Number of frames transmitted by host port"),
    ("tx_words", "node_fibrechannel_tx_words_total", "Number of words transmitted by host port"),
    ("seconds_since_last_reset", "node_fibrechannel_seconds_since_last_reset_total",
     "Number of seconds since last host port reset"),
    ("invalid_tx_word_count", "node_fibrechannel_invalid_tx_words_total",
     "Number of invalid words transmitted by host port"),
    ("link_failure_count", "node_fibrechannel_link_failure_total", "Number of times the host port link has failed"),
    ("loss_of_sync_count", "node_fibrechannel_loss_of_sync_total",
     "Number of failures on either bit or transmission word boundaries"),
    ("loss_of_signal_count", "node_fibrechannel_loss_of_signal_total", "Number of times signal has been lost"),
    ("nos_count", "node_fibrechannel_nos_total", "Number Not_Operational Primitive Sequence received by host port"),
    ("fcp_packet_aborts", "node_fibrechannel_fcp_packet_aborts_total", "Number of aborted packets"),
)
HEX_NAMES = ("fabric_name", "port_id", "port_name")  # shown without their 0x prefix, as Go's sysfs parser does
UNAVAILABLE = 0xFFFFFFFFFFFFFFFF  # what the driver reports for a statistic it does not keep


@register
class FibrechannelCollector(Collector):
    name = "fibrechannel"

    def update(self):
        root = self.paths.sys("class", "fc_host")
        try:
            hosts = sorted(os.listdir(root))
        except FileNotFoundError as exc:
            raise NoDataError("fibrechannel statistics not found") from exc
        info = gauge("node_fibrechannel_info",
                     "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
                     labels=["fc_host", *INFO_FILES])
        families = {attribute: counter(name, help_text, labels=["fc_host"])
                    for attribute, name, help_text in COUNTERS}
        for host in hosts:
            directory = os.path.join(root, host)
            values = []
            for name in INFO_FILES:
                value = read_opt_text(os.path.join(directory, name)) or ""
                values.append(value.removeprefix("0x") if name in HEX_NAMES else value)
            info.add_metric([host, *values], 1.0)
            for attribute, _, _ in COUNTERS:
                text = read_opt_text(os.path.join(directory, "statistics", attribute))
                if not text:
                    continue
                value = int(text, 0)
                if value != UNAVAILABLE:
                    families[attribute].add_metric([host], float(value))
        yield from (family for family in (info, *families.values()) if family.rows)
