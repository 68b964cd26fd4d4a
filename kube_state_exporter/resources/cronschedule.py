"""CronJob schedules: parsing and the next run time, as kube-state-metrics computes kube_cronjob_next_schedule_time.

Written here rather than taken from a package: the rules are KSM's (checked against the real v2.20 binary), not
any one cron library's. Five fields (minute hour day-of-month month day-of-week), or @yearly/@annually, @monthly,
@weekly, @daily/@midnight, @hourly, @every <Go duration>; `*` and `?`, lists, ranges (a range whose start is after
its end wraps around), steps (a step larger than its range is an error), month and weekday names, weekday 7 for
Sunday. Day-of-month and day-of-week must both match. The zone is spec.timeZone, a `TZ=`/`CRON_TZ=` prefix (not
both) or the process's local zone; a wall time that does not exist (spring forward) runs at the same wall time in
the offset before the change, one that exists twice (fall back) runs at each. No run within five years gives
Go's zero time, as KSM prints it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kube_state_exporter.resources.util import GO_ZERO_TIME

_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_MONTHS = {name: i + 1 for i, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                                  "nov", "dec"))}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_YEARS_AHEAD = 5
_SLACK = 3 * 3600 + 3600  # an hour of runs plus the largest clock change anywhere, in seconds


@dataclass(frozen=True)
class Schedule:
    zone: tzinfo
    every: float | None = None  # seconds, for @every
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Sunday

    def next_after(self, start: float) -> float:
        """The first run strictly after `start` (Unix seconds), or GO_ZERO_TIME when none within five years."""
        if self.every is not None:
            return float(int(start)) + self.every
        local = datetime.fromtimestamp(start, self.zone)
        day = local.date() - timedelta(days=1)
        last = date(local.year + _YEARS_AHEAD, 12, 31)
        while day <= last:
            if (day.month in self.months and day.day in self.days
                    and (day.isoweekday() % 7) in self.weekdays):
                found = self._first_run_of_day(day, start)
                if found is not None:
                    return found
            day += timedelta(days=1)
        return GO_ZERO_TIME

    def _first_run_of_day(self, day: date, start: float) -> float | None:
        best: float | None = None
        for hour in sorted(self.hours):
            hour_start = _wall(day, hour, 0, self.zone)
            if hour_start + _SLACK < start:
                continue  # every run in this hour is before the start, whatever the clock changes
            if best is not None and hour_start - _SLACK > best:
                break  # nothing in this or a later hour can come first
            for minute in sorted(self.minutes):
                for instant in _instants(day, hour, minute, self.zone):
                    if instant > start and (best is None or instant < best):
                        best = instant
        return best


def _wall(day: date, hour: int, minute: int, zone: tzinfo) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp()


def _instants(day: date, hour: int, minute: int, zone: tzinfo) -> list[float]:
    """The instants a wall time denotes: one normally, two when the clock falls back, and for a wall time that
    does not exist the one in the offset before the change (Go's time.Date does the same)."""
    first = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    second = first.replace(fold=1)
    instants = [first.timestamp()]
    if second.utcoffset() != first.utcoffset():
        back = datetime.fromtimestamp(second.timestamp(), zone)
        if (back.hour, back.minute) == (hour, minute):
            instants.append(second.timestamp())
    return instants


@cache
def local_zone() -> tzinfo:
    """Go's time.Local: $TZ (empty means UTC), else /etc/localtime, else UTC."""
    name = os.environ.get("TZ")
    if name is not None:
        return load_zone(name.lstrip(":")) if name else ZoneInfo("UTC")
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle)
    except (OSError, ValueError):
        return ZoneInfo("UTC")


def load_zone(name: str) -> tzinfo:
    """Go's time.LoadLocation for a CronJob: "Local" is the process's zone; "" and unknown names are errors."""
    if name == "Local":
        return local_zone()
    if not name:
        raise ValueError("empty time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a file name
        raise ValueError(f"unknown time zone {name!r}") from exc


def _value(text: str, names: dict[str, int] | None, low: int, high: int) -> int:
    if text.isdigit():
        value = int(text)
    elif names is not None and text.lower() in names:
        value = names[text.lower()]
    else:
        raise ValueError(f"bad value {text!r}")
    if not low <= value <= high:
        raise ValueError(f"value {value} out of range [{low}, {high}]")
    return value


def _field(text: str, index: int) -> frozenset[int]:
    low, high = _BOUNDS[index]
    names = _MONTHS if index == 3 else _DAYS if index == 4 else None
    values: set[int] = set()
    for part in text.split(","):
        span, slash, step_text = part.partition("/")
        if slash and not step_text.isdigit():
            raise ValueError(f"bad step in {part!r}")
        step = int(step_text) if slash else 1
        if step == 0:
            raise ValueError(f"zero step in {part!r}")
        if span in ("*", "?"):
            start, end = low, high
        elif "-" in span:
            first, _, second = span.partition("-")
            start, end = _value(first, names, low, high), _value(second, names, low, high)
        else:
            start = _value(span, names, low, high)
            end = high if slash else start
        sequence = list(range(start, end + 1)) if start <= end else [*range(start, high + 1), *range(low, end + 1)]
        if step > 1 and step > len(sequence) - 1:
            raise ValueError(f"step {step} larger than the range of {part!r}")
        values.update(sequence[::step])
    if index == 4 and 7 in values:
        values.discard(7)
        values.add(0)
    return frozenset(values)


def _duration(text: str) -> float:
    """A Go duration ("1h30m", "90s") in whole seconds, at least one (as robfig/cron's @every)."""
    if not text or _DURATION_PART.sub("", text):
        raise ValueError(f"bad duration {text!r}")
    seconds = sum(float(n) * _DURATION_UNITS[u] for n, u in _DURATION_PART.findall(text))
    return float(max(1, int(seconds)))


@lru_cache(maxsize=4096)
def parse(schedule: str, time_zone: str | None) -> Schedule:
    """A CronJob's schedule in its zone; ValueError when KSM would report kube_cronjob_schedule_invalid."""
    text = schedule.strip()
    zone_name = time_zone
    match = re.match(r"^(?:CRON_TZ|TZ)=(\S*)\s+(.*)$", text)
    if match:
        if time_zone is not None:
            raise ValueError("time zone given twice")
        zone_name, text = match.group(1), match.group(2).strip()
    zone = local_zone() if zone_name is None else load_zone(zone_name)
    if text.startswith("@every"):
        return Schedule(zone, every=_duration(text[len("@every"):].strip()))
    text = _DESCRIPTORS.get(text, text)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minutes, hours, days, months, weekdays = (_field(f, i) for i, f in enumerate(fields))
    return Schedule(zone, None, minutes, hours, days, months, weekdays)
