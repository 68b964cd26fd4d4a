"""node_infiniband_*: InfiniBand HCA info, port state, rate and counters from /sys/class/infiniband."""

from __future__ import annotations

import os

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_opt_text

# (directory, file, metric, HELP, multiplier); data counters count 4-byte words, as the IB spec defines them.
COUNTERS = (
    ("counters_ext", "port_rcv_data_64", "node_infiniband_legacy_data_received_bytes_total",
     "Number of data octets received on all links", 4),
    ("counters_ext", "port_xmit_data_64", "node_infiniband_legacy_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links", 4),
    ("counters_ext", "port_multicast_rcv_packets", "node_infiniband_legacy_multicast_packets_received_total",
     "Number of multicast packets received", 1),
    ("counters_ext", "port_multicast_xmit_packets", "node_infiniband_legacy_multicast_packets_transmitted_total",
     "Number of multicast packets transmitted", 1),
    ("counters_ext", "port_rcv_packets_64", "node_infiniband_legacy_packets_received_total",
     "Number of data packets received on all links", 1),
    ("counters_ext", "port_xmit_packets_64", "node_infiniband_legacy_packets_transmitted_total",
     "Number of data packets received on all links", 1),
    ("counters_ext", "port_unicast_rcv_packets", "node_infiniband_legacy_unicast_packets_received_total",
     "Number of unicast packets received", 1),
    ("counters_ext", "port_unicast_xmit_packets", "node_infiniband_legacy_unicast_packets_transmitted_total",
     "Number of unicast packets transmitted", 1),
    ("counters", "link_downed", "node_infiniband_link_downed_total",
     "Number of times the link failed to recover from an error state and went down", 1),
    ("counters", "link_error_recovery", "node_infiniband_link_error_recovery_total",
     "Number of times the link successfully recovered from an error state", 1),
    ("counters", "multicast_rcv_packets", "node_infiniband_multicast_packets_received_total",
     "Number of multicast packets received (including errors)", 1),
    ("counters", "multicast_xmit_packets", "node_infiniband_multicast_packets_transmitted_total",
     "Number of multicast packets transmitted (including errors)", 1),
    ("counters", "port_rcv_constraint_errors", "node_infiniband_port_constraint_errors_received_total",
     "Number of packets received on the switch physical port that are discarded", 1),
    ("counters", "port_xmit_constraint_errors", "node_infiniband_port_constraint_errors_transmitted_total",
     "Number of packets not transmitted from the switch physical port", 1),
    ("counters", "port_rcv_data", "node_infiniband_port_data_received_bytes_total",
     "Number of data octets received on all links", 4),
    ("counters", "port_xmit_data", "node_infiniband_port_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links", 4),
    ("counters", "port_rcv_discards", "node_infiniband_port_discards_received_total",
     "Number of inbound packets discarded by the port because the port is down or congested", 1),
    ("counters", "port_xmit_discards", "node_infiniband_port_discards_transmitted_total",
     "Number of outbound packets discarded by the port because the port is down or congested", 1),
    ("counters", "port_rcv_errors", "node_infiniband_port_errors_received_total",
     "Number of packets containing an error that were received on this port", 1),
    ("counters", "port_rcv_packets", "node_infiniband_port_packets_received_total",
     "Number of packets received on all VLs by this port (including errors)", 1),
    ("counters", "port_xmit_packets", "node_infiniband_port_packets_transmitted_total",
     "Number of packets transmitted on all VLs from this port (including errors)", 1),
    ("counters", "port_xmit_wait", "node_infiniband_port_transmit_wait_total",
     "Number of ticks during which the port had data to transmit but no data was sent during the entire tick", 1),
    ("counters", "unicast_rcv_packets", "node_infiniband_unicast_packets_received_total",
     "Number of unicast packets received (including errors)", 1),
    ("counters", "unicast_xmit_packets", "node_infiniband_unicast_packets_transmitted_total",
     "Number of unicast packets transmitted (including errors)", 1),
)
RATE_UNITS = {"Gb/sec": 1e9 / 8, "Mb/sec": 1e6 / 8}


def parse_id(text: str | None) -> float | None:
    """'4: ACTIVE' -> 4.0."""
    if not text:
        return None
    return float(int(text.split(":", 1)[0].strip()))


def parse_rate(text: str | None) -> float | None:
    """'40 Gb/sec (4X QDR)' -> bytes per second."""
    if not text:
        return None
    fields = text.split()
    if len(fields) < 2 or fields[1] not in RATE_UNITS:
        raise ValueError(f"unexpected infiniband rate {text!r}")
    return float(fields[0]) * RATE_UNITS[fields[1]]


def parse_counter(text: str | None) -> int | None:
    """A counter's value; None for 'N/A (no PMA)', which devices without a performance agent report."""
    if text is None or text.startswith("N/A"):
        return None
    return int(text)


@register
class InfinibandCollector(Collector):
    name = "infiniband"

    def update(self):
        root = self.paths.sys("class", "infiniband")
        try:
            devices = sorted(os.listdir(root))
        except FileNotFoundError as exc:
            raise NoDataError("infiniband statistics not found") from exc
        info = gauge("node_infiniband_info", "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                     labels=["device", "board_id", "firmware_version", "hca_type"])
        state = gauge("node_infiniband_state_id", "State of the InfiniBand port (0: no change, 1: down, 2: init, "
                      "3: armed, 4: active, 5: act defer)", labels=["device", "port"])
        physical = gauge("node_infiniband_physical_state_id", "Physical state of the InfiniBand port (0: no change, "
                         "1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
                         labels=["device", "port"])
        rate = gauge("node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate", labels=["device", "port"])
        counters = [(directory, name, counter(metric, help_text, labels=["device", "port"]), scale)
                    for directory, name, metric, help_text, scale in COUNTERS]
        for device in devices:
            base = os.path.join(root, device)
            info.add_metric([device, read_opt_text(os.path.join(base, "board_id")) or "",
                             read_opt_text(os.path.join(base, "fw_ver")) or "",
                             read_opt_text(os.path.join(base, "hca_type")) or ""], 1.0)
            ports_dir = os.path.join(base, "ports")
            ports = sorted(os.listdir(ports_dir), key=lambda p: (len(p), p)) if os.path.isdir(ports_dir) else []
            for port in ports:
                port_dir = os.path.join(ports_dir, port)
                labels = [device, port]
                for family, value in ((state, parse_id(read_opt_text(os.path.join(port_dir, "state")))),
                                      (physical, parse_id(read_opt_text(os.path.join(port_dir, "phys_state")))),
                                      (rate, parse_rate(read_opt_text(os.path.join(port_dir, "rate"))))):
                    if value is not None:
                        family.add_metric(labels, value)
                for directory, name, family, scale in counters:
                    value = parse_counter(read_opt_text(os.path.join(port_dir, directory, name)))
                    if value is not None:
                        family.add_metric(labels, float(value * scale))
        yield from (family for family in (info, state, physical, rate, *(f for _, _, f, _ in counters))
                    if family.rows)
