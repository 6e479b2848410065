"""Calendar dates written as text: the one parser of the import and of the claims service.

Accepted: ISO `2026-09-25`; ISO timestamps `2026-09-25T10:30`, `2026-09-25 10:30:00.123`, with
`Z` or an offset such as `-05:00` (a timestamp with a zone counts as its UTC calendar day, one
without as its own date); US `09/25/2026`, `9/25/26`, `3/28/18 0:00`. A two-digit year is
20yy when that is no later than next year, else 19yy (docs/claims-service.md). Surrounding
white space is ignored. `DateTextError` says whether the text is not a date at all (`shape`) or
names a day that does not exist (`2023-02-30`, `13/01/2024`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)


class DateTextError(ValueError):
    """Text that is not a date; `shape` is True when it does not even look like one."""

    def __init__(self, message: str, *, shape: bool) -> None:
        super().__init__(message)
        self.shape = shape


def full_year(two_or_four: str, *, today: date | None = None) -> int:
    """A year from 4 digits, or from 2: 20yy up to next year, else 19yy."""
    if len(two_or_four) == 4:
        return int(two_or_four)
    two = int(two_or_four)
    this_year = (today or datetime.now(UTC).date()).year
    return 2000 + two if 2000 + two <= this_year + 1 else 1900 + two


def parse_date_text(text: str, *, today: date | None = None) -> date:
    """The calendar date `text` names (see the module docstring), or DateTextError."""
    text = text.strip()
    iso = _ISO.fullmatch(text)
    us = None if iso else _US.fullmatch(text)
    if iso is None and us is None:
        raise DateTextError(f"is not a date: {text!r}", shape=True)
    try:
        if iso is not None:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
            _check_time(iso[4], iso[5], iso[6])
            if iso[7] and iso[7] != "Z":
                return _utc_day(day, iso[4], iso[5], iso[6], iso[7])
            return day
        assert us is not None
        day = date(full_year(us[3], today=today), int(us[1]), int(us[2]))
        _check_time(us[4], us[5], us[6])
        return day
    except (ValueError, OverflowError):
        raise DateTextError(f"is not a real date: {text!r}", shape=False) from None


def _check_time(hour: str | None, minute: str | None, second: str | None) -> None:
    if hour is not None and (int(hour) > 23 or int(minute or 0) > 59 or int(second or 0) > 59):
        raise ValueError("bad time of day")


def _utc_day(day: date, hour: str, minute: str, second: str | None, offset: str) -> date:
    digits = offset[1:].replace(":", "")
    shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if shift >= timedelta(hours=24):
        raise ValueError("bad offset")
    zone = timezone(shift if offset[0] == "+" else -shift)
    moment = datetime(day.year, day.month, day.day, int(hour), int(minute), int(second or 0))
    return moment.replace(tzinfo=zone).astimezone(UTC).date()
