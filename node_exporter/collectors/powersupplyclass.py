"""node_power_supply_*: batteries, AC adapters and USB supplies from /sys/class/power_supply/<supply>/."""

from __future__ import annotations

import errno
import os
import re

from prometheus_client.core import Metric

from exporter_toolkit.families import Family, gauge
from node_exporter.collector import Collector, Context, NoDataError, register
from node_exporter.options import regex

# (sysfs attribute, metric, divisor): plain numbers; micro-units (µA, µV, µWh, µW) to base units; tenths of °C.
NUMBERS = (
    ("authentic", "node_power_supply_authentic", 1),
    ("calibrate", "node_power_supply_calibrate", 1),
    ("capacity", "node_power_supply_capacity", 1),
    ("capacity_alert_max", "node_power_supply_capacity_alert_max", 1),
    ("capacity_alert_min", "node_power_supply_capacity_alert_min", 1),
    ("cycle_count", "node_power_supply_cyclecount", 1),
    ("online", "node_power_supply_online", 1),
    ("present", "node_power_supply_present", 1),
    ("time_to_empty_now", "node_power_supply_time_to_empty_seconds", 1),
    ("time_to_full_now", "node_power_supply_time_to_full_seconds", 1),
    ("current_boot", "node_power_supply_current_boot", 1e6),
    ("current_max", "node_power_supply_current_max", 1e6),
    ("current_now", "node_power_supply_current_ampere", 1e6),
    ("energy_empty", "node_power_supply_energy_empty", 1e6),
    ("energy_empty_design", "node_power_supply_energy_empty_design", 1e6),
    ("energy_full", "node_power_supply_energy_full", 1e6),
    ("energy_full_design", "node_power_supply_energy_full_design", 1e6),
    ("energy_now", "node_power_supply_energy_watthour", 1e6),
    ("voltage_boot", "node_power_supply_voltage_boot", 1e6),
    ("voltage_max", "node_power_supply_voltage_max", 1e6),
    ("voltage_max_design", "node_power_supply_voltage_max_design", 1e6),
    ("voltage_min", "node_power_supply_voltage_min", 1e6),
    ("voltage_min_design", "node_power_supply_voltage_min_design", 1e6),
    ("voltage_now", "node_power_supply_voltage_volt", 1e6),
    ("voltage_ocv", "node_power_supply_voltage_ocv", 1e6),
    ("charge_control_limit", "node_power_supply_charge_control_limit", 1e6),
    ("charge_control_limit_max", "node_power_supply_charge_control_limit_max", 1e6),
    ("charge_counter", "node_power_supply_charge_counter", 1e6),
    ("charge_empty", "node_power_supply_charge_empty", 1e6),
    ("charge_empty_design", "node_power_supply_charge_empty_design", 1e6),
    ("charge_full", "node_power_supply_charge_full", 1e6),
    ("charge_full_design", "node_power_supply_charge_full_design", 1e6),
    ("charge_now", "node_power_supply_charge_ampere", 1e6),
    ("charge_term_current", "node_power_supply_charge_term_current", 1e6),
    ("constant_charge_current", "node_power_supply_constant_charge_current", 1e6),
    ("constant_charge_current_max", "node_power_supply_constant_charge_current_max", 1e6),
    ("constant_charge_voltage", "node_power_supply_constant_charge_voltage", 1e6),
    ("constant_charge_voltage_max", "node_power_supply_constant_charge_voltage_max", 1e6),
    ("precharge_current", "node_power_supply_precharge_current", 1e6),
    ("input_current_limit", "node_power_supply_input_current_limit", 1e6),
    ("power_now", "node_power_supply_power_watt", 1e6),
    ("temp", "node_power_supply_temp_celsius", 10),
    ("temp_alert_max", "node_power_supply_temp_alert_max_celsius", 10),
    ("temp_alert_min", "node_power_supply_temp_alert_min_celsius", 10),
    ("temp_ambient", "node_power_supply_temp_ambient_celsius", 10),
    ("temp_ambient_max", "node_power_supply_temp_ambient_max_celsius", 10),
    ("temp_ambient_min", "node_power_supply_temp_ambient_min_celsius", 10),
    ("temp_max", "node_power_supply_temp_max_celsius", 10),
    ("temp_min", "node_power_supply_temp_min_celsius", 10),
)
NUMBER_ATTRIBUTES = {attribute: (metric, divisor) for attribute, metric, divisor in NUMBERS}
# (sysfs attribute, info label); the info metric carries only the labels a supply has.
STRINGS = (
    ("capacity_level", "capacity_level"), ("charge_type", "charge_type"), ("health", "health"),
    ("manufacturer", "manufacturer"), ("model_name", "model_name"), ("serial_number", "serial_number"),
    ("status", "status"), ("technology", "technology"), ("type", "type"), ("usb_type", "usb_type"),
    ("scope", "scope"),
)
STRING_ATTRIBUTES = dict(STRINGS)
# Attributes some drivers list but refuse to read: skipped, as Go's procfs does.
SKIPPED_ERRORS = (errno.ENOENT, errno.EOPNOTSUPP, errno.EINVAL, errno.ENODATA, errno.EAGAIN)
INVALID_RUN = re.compile("\ufffd+")


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        if exc.errno in SKIPPED_ERRORS:
            return None
        raise
    # Go replaces each run of invalid UTF-8 bytes with a single U+FFFD.
    return INVALID_RUN.sub("\ufffd", data.decode("utf-8", "replace")).strip()


def read_supply(directory: str) -> tuple[dict[str, float], dict[str, str]]:
    """(metric -> value, info label -> value) for one supply directory; a malformed number fails the supply."""
    numbers: dict[str, float] = {}
    strings: dict[str, str] = {}
    for entry in os.scandir(directory):
        if not entry.is_file(follow_symlinks=False):
            continue
        if entry.name not in NUMBER_ATTRIBUTES and entry.name not in STRING_ATTRIBUTES:
            continue
        text = _read(entry.path)
        if text is None:
            continue
        if entry.name in NUMBER_ATTRIBUTES:
            metric, divisor = NUMBER_ATTRIBUTES[entry.name]
            numbers[metric] = int(text) / divisor if divisor != 1 else float(int(text))
        elif text:
            strings[STRING_ATTRIBUTES[entry.name]] = text
    return numbers, strings


@register
class PowerSupplyClassCollector(Collector):
    name = "powersupplyclass"
    IGNORED_SUPPLIES = regex("--collector.powersupply.ignored-supplies", "powersupply_ignored_supplies", "^$",
                             "Regexp of power supplies to ignore for powersupplyclass collector.")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = self.IGNORED_SUPPLIES.read(ctx.options)

    def update(self):
        root = self.paths.sys("class", "power_supply")
        try:
            supplies = sorted(os.listdir(root))
        except FileNotFoundError as exc:
            raise NoDataError("power_supply class not found") from exc
        families: dict[str, Family] = {}
        info = Metric("node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.", "gauge")
        for supply in supplies:
            if self.ignored.search(supply):
                continue
            numbers, strings = read_supply(os.path.join(root, supply))
            for metric, value in numbers.items():
                family = families.get(metric)
                if family is None:
                    attribute = metric[len("node_power_supply_"):]
                    family = families[metric] = gauge(
                        metric, f"{attribute} value of /sys/class/power_supply/<power_supply>.", ["power_supply"])
                family.add_metric([supply], value)
            info.add_sample("node_power_supply_info", {"power_supply": supply, **strings}, 1.0)
        yield from (families[name] for name in sorted(families))
        if info.samples:
            yield info
