"""A date and time the coach writes (a header's Date or Modified, BUILD_MOMENT) as an instant.

Only ISO 8601 is read: `2026-03-12`, `2026-03-12 09:00`, `2026-03-12T09:00:30`,
with or without a numeric offset (`+02:00`, `-0500`, `Z`). Anything else is
refused with the ISO form to write instead, never guessed: `12/03/2026` is 12
March in Europe and 3 December in the US, and a zone name (`CET`, `EST`, `CST`)
stands for different offsets in summer and winter, or in different countries.

A time without an offset is in the site's time zone (TIMEZONE). One that does
not exist there (skipped when the clocks go forward) or happens twice (when
they go back) is refused with both readings written out with their offsets.
Every instant this returns can be compared with any other in UTC.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pelican.utils import SafeDatetime

__all__ = ["TimeError", "as_written", "read_time", "utc"]

# Years a date may have: wide enough for any article, narrow enough that every
# instant, in every zone and in UTC, stays within what Python can hold.
FIRST_YEAR, LAST_YEAR = 1900, 2999

ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r" ?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
ZONE_NAME = re.compile(
    r"(?P<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?) ?\(?(?P<name>[A-Za-z][\w/+-]*)\)?"
)
# Day and month as numbers, in either order, then the year: 12/03/2026, 3.12.2026.
NUMERIC = re.compile(
    r"(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<year>\d{4})"
    r"(?:[ ,T]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
)
YEAR_FIRST = re.compile(
    r"(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})"
    r"(?:[ ,T]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
)
# The offsets the usual abbreviations stand for (for the fix only: they are refused).
ABBREVIATIONS = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "WET": "+00:00",
    "BST": "+01:00",
    "CET": "+01:00",
    "CEST": "+02:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
    "AEST": "+10:00",
    "AEDT": "+11:00",
}


class TimeError(ValueError):
    """A date or time that is refused: what is wrong, and the fix."""

    def __init__(self, what: str, fix: str):
        super().__init__(f"{what}. Fix: {fix}")
        self.what, self.fix = what, fix


def utc(moment: datetime) -> datetime:
    """The instant in UTC: aware datetimes sharing one zone compare by wall
    clock in Python, which is an hour off around a change of the clocks."""
    return moment.astimezone(UTC)


def as_written(moment: datetime) -> str:
    """A moment in its own zone as a header's Date: `2026-03-12 09:00`, with its
    offset only when that hour happens twice there (the night the clocks go back)."""
    text = f"{moment:%Y-%m-%d %H:%M}"
    if moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset():
        text += _offset(moment)
    return text


def read_time(text: str, zone_name: str, label: str, written: Callable[[str], str]) -> datetime:
    """`text` as an aware instant (a SafeDatetime, as Pelican's own dates are).
    `label` names it in messages ("Date", "BUILD_MOMENT"); `written(value)` is
    how a fix shows a value, like `"Date: 2026-03-12 09:00"`."""
    value = " ".join(str(text).split())
    zone = ZoneInfo(zone_name)
    found = ISO.fullmatch(value)
    if not found:
        raise _not_iso(value, zone, label, written)
    try:
        day = date.fromisoformat(found["date"])
    except ValueError:
        raise TimeError(
            f'{label} "{value}" is not valid: {found["date"]} is not a day of the calendar',
            f"write the real day as year-month-day, like {written('2026-03-04 09:00')}",
        ) from None
    try:
        local = datetime.fromisoformat(f"{day}T{found['time'] or '00:00'}")
    except ValueError:
        raise TimeError(
            f'{label} "{value}" is not valid: {found["time"]} is not a time of day',
            f"write the hour from 00:00 to 23:59, like {written(f'{day} 09:00')}",
        ) from None
    if not FIRST_YEAR <= local.year <= LAST_YEAR:
        example = local.replace(year=2027, day=28) if day.day == 29 else local.replace(year=2027)
        example = _shown(example, time_given=bool(found["time"]))
        raise TimeError(
            f'{label} "{value}" is in the year {local.year}; the site handles the years '
            f"{FIRST_YEAR} to {LAST_YEAR}",
            f"write the year you mean, like {written(example)}",
        )
    if found["offset"]:
        return _with_offset(local, found["offset"], value, zone, label, written)
    return _in_zone(local, zone, value, label, written)


def _with_offset(local, offset: str, value: str, zone: ZoneInfo, label: str, written):
    if offset.upper() == "Z":
        shift = timedelta(0)
    else:
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        shift = timedelta(hours=hours, minutes=minutes) * (-1 if offset[0] == "-" else 1)
        if minutes >= 60 or not timedelta(hours=-12) <= shift <= timedelta(hours=14):
            raise TimeError(
                f'{label} "{value}" has the offset {offset}, which no time zone has '
                "(offsets run from -12:00 to +14:00)",
                f"write the offset of the time you mean, or leave it out for the site's "
                f"time zone ({zone.key}), like {written(_shown(local))}",
            )
    moment = local.replace(tzinfo=timezone(shift) if shift else UTC)
    return SafeDatetime(*moment.timetuple()[:6], moment.microsecond, tzinfo=moment.tzinfo)


def _in_zone(local, zone: ZoneInfo, value: str, label: str, written):
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        change = _amount(abs(second.utcoffset() - first.utcoffset()))
        if utc(first).astimezone(zone).replace(tzinfo=None) == local:
            raise TimeError(
                f'{label} "{value}" happens twice in {zone.key}: the clocks go back {change} '
                f"that night, so {local:%H:%M} comes first at {_offset(first)}, then again "
                f"at {_offset(second)}",
                f"write the one you mean with its offset: {written(_shown(first, True))} "
                f"(the first) or {written(_shown(second, True))} (the second)",
            )
        # Each reading as the clock on the wall shows it (astimezone to the
        # moment's own zone would change nothing).
        before, after = sorted((utc(first).astimezone(zone), utc(second).astimezone(zone)))
        raise TimeError(
            f'{label} "{value}" does not exist in {zone.key}: the clocks go forward '
            f"{change} that night and skip {local:%H:%M}",
            f"write the time you mean with its offset: {written(_shown(before, True))} "
            f"(before the change) or {written(_shown(after, True))} (after it)",
        )
    return SafeDatetime(*local.timetuple()[:6], local.microsecond, tzinfo=zone)


def _not_iso(value: str, zone: ZoneInfo, label: str, written) -> TimeError:
    """Refused: a zone name, day and month as numbers, or words; with the ISO form."""
    if not value:
        return TimeError(f"{label} is empty", f"write it like {written('2026-03-04 09:00')}")
    named = ZONE_NAME.fullmatch(value)
    if named and named["name"].upper() not in ("AM", "PM"):
        return _zone_name(named["local"], named["name"], value, zone, label, written)
    readings = _readings(value)
    only_iso = "only year-month-day is read without guessing"
    if len(readings) == 2:
        (one, one_words), (other, other_words) = readings
        return TimeError(
            f'{label} "{value}" could be {one_words} or {other_words}; {only_iso}',
            f"write the one you mean: {written(one)} ({one_words}) or "
            f"{written(other)} ({other_words})",
        )
    if len(readings) == 1:
        return TimeError(
            f'{label} "{value}" is not written year-month-day, the only form read without guessing',
            f"write it as {written(readings[0][0])}",
        )
    return TimeError(
        f'{label} "{value}" is not valid', f"write it like {written('2026-03-04 09:00')}"
    )


def _zone_name(local_text: str, name: str, value: str, zone: ZoneInfo, label: str, written):
    local = datetime.fromisoformat(local_text.replace(" ", "T"))
    offset = ABBREVIATIONS.get(name.upper())
    if offset is None:
        try:
            offset = _offset(local.replace(tzinfo=ZoneInfo(name)))
        except (ZoneInfoNotFoundError, ValueError):
            offset = _offset(local.replace(tzinfo=zone))
    return TimeError(
        f'{label} "{value}" names a time zone ("{name}"), which is not read: a name '
        "stands for different offsets in summer and winter, or in different countries",
        f"write the offset instead, like {written(_shown(local) + offset)}, or leave the "
        f"zone out for the site's own ({zone.key})",
    )


def _readings(value: str) -> list[tuple[str, str]]:
    """The ISO forms `value` may stand for, with each one in words."""
    numeric = NUMERIC.fullmatch(value)
    year_first = YEAR_FIRST.fullmatch(value)
    if numeric:
        a, b, year = int(numeric["a"]), int(numeric["b"]), int(numeric["year"])
        pairs, time = [(a, b), (b, a)], numeric["time"]  # (day, month), (month, day) orders
    elif year_first:
        year, time = int(year_first["year"]), year_first["time"]
        pairs = [(int(year_first["day"]), int(year_first["month"]))]
    else:
        return _words(value)
    readings = []
    for day, month in dict.fromkeys(pairs):
        try:
            moment = datetime(year, month, day)
        except ValueError:
            continue
        if time:
            moment = datetime.combine(moment, _clock(time))
        readings.append((_shown(moment, time_given=bool(time)), f"{day} {moment:%B %Y}"))
    return readings


def _clock(time: str):
    """09:00 or 9:00:30 as a time of day."""
    return datetime.strptime(time, "%H:%M:%S" if time.count(":") == 2 else "%H:%M").time()


def _words(value: str) -> list[tuple[str, str]]:
    """A date in words ("March 3, 2026"), only when every part of it is written."""
    from dateutil import parser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            one = parser.parse(value, default=datetime(2001, 1, 1))  # 00:00:00
            other = parser.parse(value, default=datetime(2002, 2, 2, 2, 2, 2))
        except (ValueError, OverflowError, TypeError):
            return []
    if one.tzinfo or other.tzinfo or one.date() != other.date():
        return []  # a part missing (filled in from the default), or a zone written
    time_given = one.hour == other.hour  # minutes and seconds not written are 0 in `one`
    return [(_shown(one, time_given=time_given), f"{one.day} {one:%B %Y}")]


def _shown(moment: datetime, with_offset: bool = False, time_given: bool = True) -> str:
    """`2026-03-12 09:00` (seconds only when there are some), with its offset."""
    text = f"{moment:%Y-%m-%d}"
    if time_given:
        text += f" {moment:%H:%M}" + (f":{moment:%S}" if moment.second else "")
    return text + (_offset(moment) if with_offset else "")


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _amount(change: timedelta) -> str:
    minutes = int(change.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    return "an hour" if minutes == 60 else f"{minutes // 60} hours"
