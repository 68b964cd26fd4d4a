"""CronJob schedules and time zones (spec.schedule, spec.timeZone, a CRON_TZ= prefix) as any user of a cluster
writes them: a Schedule or a ValueError (kube_cronjob_schedule_invalid), never another exception. In UTC the next
run is the first minute after the start that a plain search finds among the values croniter (a reference
implementation) expands each field to, day-of-month AND day-of-week as KSM has it; in zones with clock changes it
comes after the start and is the same on every call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from croniter import croniter
from hypothesis import assume, example, given
from hypothesis import strategies as st

from kube_state_exporter.resources import cronschedule
from kube_state_exporter.resources.util import GO_ZERO_TIME
from tests.fuzz.support import examples, tried

BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
NAMES = (None, None, None, ["jan", "FEB", "mar", "Dec"], ["sun", "MON", "sat", "thu"])
ZONES = [None, "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Local",
         "America/Sao_Paulo", "Pacific/Chatham", "", "Mars/Olympus", "../../etc/passwd", "Europe/Berlin\x00",
         "a" * 300, "/etc/localtime", "UTC ", "Etc/GMT+12"]
STARTS = st.integers(int(datetime(2001, 1, 1, tzinfo=UTC).timestamp()),
                     int(datetime(2090, 1, 1, tzinfo=UTC).timestamp()))


@st.composite
def field(draw, index: int, ordered: bool = False) -> str:
    low, high = BOUNDS[index]
    high = 6 if ordered and index == 4 else high  # croniter takes 7 alone, not in ranges
    number = st.integers(low, high)
    names = NAMES[index]

    def value() -> str:
        if names and draw(st.booleans()):
            return draw(st.sampled_from(names))
        return str(draw(number))

    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["*", "value", "range", "step"]))
        if kind == "*":
            parts.append(draw(st.sampled_from(["*", "*/" + str(draw(st.integers(1, 5)))])))
        elif kind == "value":
            parts.append(value())
        else:
            first, second = draw(number), draw(number)
            if ordered:  # croniter reads a one-value range ("1-1") as the whole field
                first, second = min(first, second), max(first, second)
                if first == second:
                    parts.append(str(first))
                    continue
            part = f"{first}-{second}"
            if kind == "step":
                part += f"/{draw(st.integers(1, max(1, second - first) if ordered else 9))}"
            parts.append(part)
    return ",".join(parts)


def schedule(ordered: bool = False):
    return st.builds(lambda *fields: " ".join(fields), *(field(i, ordered) for i in range(5)))


noise = st.text(alphabet="0123456789*/,-? @abcdefhjmnorstuvwxyTZCRON_=\t", max_size=40)
descriptors = st.sampled_from(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
                               "@every 90s", "@every 1h30m", "@every 0s", "@every", "@every 1.5h", "@every -1m",
                               "@every 1d", "@every 99999999999h", "@reboot", "@every 1e3s"])
prefixed = st.builds(lambda prefix, zone, rest: f"{prefix}={zone} {rest}", st.sampled_from(["TZ", "CRON_TZ"]),
                     st.sampled_from([z or "UTC" for z in ZONES]), schedule())
anything = st.one_of(schedule(), noise, descriptors, prefixed, st.text(max_size=30))


@examples(300)
@given(anything, st.sampled_from(ZONES), STARTS)
@example("@every 99999999999h", None, 1700000000)
@example("0 * * * *", "a" * 300, 1700000000)  # found: OSError (file name too long), not ValueError
@example("0 0 30 2 *", "UTC", 1700000000)
@example("30 2 * * *", "Europe/Berlin", 1711846800)  # 02:30 does not exist on 2024-03-31 there
def test_any_schedule_and_zone_parse_or_fail_cleanly(text: str, zone: str | None, start: int) -> None:
    tried("cron schedule")
    try:
        parsed = cronschedule.parse(text, zone)
    except ValueError:
        return
    first = parsed.next_after(start)
    assert first == GO_ZERO_TIME or first > start, (text, zone, start, first)
    assert parsed.next_after(start) == first
    if first != GO_ZERO_TIME:  # the run after the next one comes later still (or beyond the five-year horizon)
        later = parsed.next_after(first)
        assert later == GO_ZERO_TIME or later > first


@examples(300)
@given(schedule(ordered=True), STARTS)
@example("0 0 29 2 1", 1700000000)
@example("59 23 31 12 0-6", 1700000000)
def test_next_run_in_utc_agrees_with_croniter(text: str, start: int) -> None:
    tried("cron schedule")
    try:
        parsed = cronschedule.parse(text, "UTC")
    except ValueError:
        return  # a step longer than its range: KSM refuses it, croniter does not
    try:
        expanded = croniter(text, day_or=False).expanded
    except Exception:  # croniter's own limits (names in ranges): no reference for this one
        assume(False)
        return
    assume(all(isinstance(v, int) or v == "*" for values in expanded for v in values))  # "L", "#": not KSM's
    expected = _first_run(expanded, start)
    ours = parsed.next_after(start)
    assert ours == expected, (text, datetime.fromtimestamp(start, UTC), ours, expected)


def _first_run(expanded: list[list], start: int) -> float:
    """The first minute strictly after `start` whose fields are all among the expanded values, searched day by day
    up to the end of the fifth year after the start's (Go's zero time when none)."""
    minutes, hours, days, months, weekdays = ({v % 7 if i == 4 else v for v in values} if "*" not in values else None
                                              for i, values in enumerate(expanded))
    moment = datetime.fromtimestamp(start, UTC).replace(second=0) + timedelta(minutes=1)
    day = moment.replace(hour=0, minute=0)
    while day.year <= moment.year + 5:
        if ((months is None or day.month in months) and (days is None or day.day in days)
                and (weekdays is None or day.isoweekday() % 7 in weekdays)):
            for hour in sorted(hours) if hours is not None else range(24):
                for minute in sorted(minutes) if minutes is not None else range(60):
                    candidate = day.replace(hour=hour, minute=minute)
                    if candidate >= moment:
                        return candidate.timestamp()
        day += timedelta(days=1)
    return GO_ZERO_TIME
