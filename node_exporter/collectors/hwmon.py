"""node_hwmon_*: hardware sensors (temperature, voltage, fans, pwm, power...) from /sys/class/hwmon.

Metric names follow the sensor files as Go's collector derives them: `<type><n>_<element>` becomes
node_hwmon_<type>[_<element>]<unit>, with a generic family for elements it has no unit for.
"""

from __future__ import annotations

import os
import re

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.lazy_families import LazyFamilies
from node_exporter.paths import go_valid_utf8

SENSOR_FILE = re.compile(r"^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$")
SENSOR_TYPES = {"vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr", "power",
                "energy", "humidity", "intrusion"}
INVALID_NAME_CHARS = re.compile(r"[^a-z0-9:_]")
LABELS = ["chip", "sensor"]


def clean_name(name: str) -> str:
    return INVALID_NAME_CHARS.sub("_", name.strip().lower()).strip("_")


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:  # unreadable attributes (EAGAIN, EINVAL, EIO from a sleeping device) are skipped
        return None


def chip_name(directory: str) -> str:
    """A stable chip name: bus_device of the parent device, else the driver's name file, else hwmonN."""
    device = os.path.join(directory, "device")
    if os.path.exists(device):
        prefix, device_name = os.path.split(os.path.realpath(device))
        bus, device_name = clean_name(os.path.basename(prefix)), clean_name(device_name)
        if bus and device_name:
            return f"{bus}_{device_name}"
        if device_name:
            return device_name
    raw = _read(os.path.join(directory, "name"))
    if raw:
        name = clean_name(raw.decode("utf-8", "replace"))
        if name:
            return name
    name = clean_name(os.path.basename(os.path.realpath(directory)))
    if not name:
        raise ValueError(f"could not derive a monitoring name for {directory}")
    return name


def collect_sensor_data(directory: str, data: dict[str, dict[str, str]]) -> None:
    """data[sensor][element] = raw text for every sensor file in directory ('' is the element-less file)."""
    for filename in sorted(os.listdir(directory)):
        match = SENSOR_FILE.match(filename)
        if match is None or match.group("type") not in SENSOR_TYPES:
            continue
        raw = _read(os.path.join(directory, filename))
        if raw is None:
            continue
        sensor = match.group("type") + (match.group("id") or "")
        data.setdefault(sensor, {})[match.group("property") or ""] = go_valid_utf8(raw.strip(b"\n"))


def _float(text: str) -> float | None:
    try:
        return float(text) if text == text.strip() else None  # Go's ParseFloat refuses surrounding blanks
    except ValueError:
        return None


def element_metric(sensor_type: str, element: str, name: str, value: float) -> tuple[str, str, float, bool]:
    """(metric, HELP, value, counter?) for one sensor element, with Go's unit rules."""
    if element in ("fault", "alarm"):
        return name, f"Hardware sensor {element} status ({sensor_type})", value, False
    if element == "beep":
        return name + "_enabled", "Hardware monitor sensor has beeping enabled", value, False
    if sensor_type in ("in", "cpu"):
        return name + "_volts", f"Hardware monitor for voltage ({element})", value * 0.001, False
    if sensor_type == "temp" and element != "type":
        return name + "_celsius", f"Hardware monitor for temperature ({element or 'input'})", value * 0.001, False
    if sensor_type == "curr":
        return name + "_amps", f"Hardware monitor for current ({element})", value * 0.001, False
    if sensor_type == "energy":
        return name + "_joule_total", f"Hardware monitor for joules used so far ({element})", value / 1e6, True
    if sensor_type == "power" and element == "accuracy":
        return name, "Hardware monitor power meter accuracy, as a ratio", value / 1e6, False
    if sensor_type == "power" and element in ("average_interval", "average_interval_min", "average_interval_max"):
        return name + "_seconds", f"Hardware monitor power usage update interval ({element})", value * 0.001, False
    if sensor_type == "power":
        return name + "_watt", f"Hardware monitor for power usage in watts ({element})", value / 1e6, False
    if sensor_type == "humidity":
        return name, f"Hardware monitor for humidity ({element})", value / 1e6, False
    if sensor_type == "fan" and element in ("input", "min", "max", "target"):
        return name + "_rpm", f"Hardware monitor for fan revolutions per minute ({element})", value, False
    return name, f"Hardware monitor {sensor_type} element {element}", value, False


@register
class HwmonCollector(Collector):
    name = "hwmon"

    def _chip(self, directory: str, out: LazyFamilies) -> None:
        chip = chip_name(directory)
        raw_name = _read(os.path.join(directory, "name"))
        if raw_name:
            out.add("node_hwmon_chip_names", "Annotation metric for human-readable chip names",
                    ["chip", "chip_name"], [chip, clean_name(raw_name.decode("utf-8", "replace"))], 1.0)
        data: dict[str, dict[str, str]] = {}
        collect_sensor_data(directory, data)
        if os.path.isdir(os.path.join(directory, "device")):
            collect_sensor_data(os.path.join(directory, "device"), data)
        for sensor, elements in data.items():
            sensor_type = SENSOR_FILE.match(sensor).group("type")
            labels = [chip, sensor]
            if "label" in elements:
                out.add("node_hwmon_sensor_label", "Label for given chip and sensor", ["chip", "sensor", "label"],
                        [chip, sensor, elements["label"]], 1.0)
            if sensor_type == "beep_enable":
                out.add("node_hwmon_beep_enabled", "Hardware beep enabled", LABELS, labels,
                        1.0 if elements.get("") == "1" else 0.0)
                continue
            if sensor_type == "vrm":
                value = _float(elements.get("", ""))
                if value is not None:
                    out.add("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", LABELS, labels,
                            value)
                continue
            if sensor_type == "update_interval":
                value = _float(elements.get("", ""))
                if value is not None:
                    out.add("node_hwmon_update_interval_seconds", "Hardware monitor update interval", LABELS,
                            labels, value * 0.001)
                continue
            for element, text in elements.items():
                if element == "label":
                    continue
                # the names come from the data: the sensor files' type and element, as in Go
                name = "node_hwmon_" + sensor_type
                if element == "input":
                    if "" in elements:
                        name += "_input"
                elif element:
                    name += "_" + element
                value = _float(text)
                if value is None:
                    continue
                metric, help_text, scaled, is_counter = element_metric(sensor_type, element, name, value)
                out.add(metric, help_text, LABELS, labels, scaled, counter if is_counter else gauge)

    def update(self):
        root = self.paths.sys("class", "hwmon")
        try:
            entries = sorted(os.listdir(root))
        except FileNotFoundError as exc:
            raise NoDataError("hwmon directory does not exist") from exc
        out = LazyFamilies()
        for entry in entries:
            directory = os.path.join(root, entry)
            if os.path.isdir(directory):
                self._chip(directory, out)
        yield from out.by_name.values()
