"""Parsers for the values of an intake claim; each raises `ValueError` with a message for users.

The rules use them to find problems and the claim builder uses them to convert a claim that
passed every rule, so a value is judged the same way in both places. Money goes through
`domain.money.parse_cents` (at most two decimals, `$100.00 ` accepted); dates accept ISO
(`2018-03-28`) and US (`3/28/18 0:00`, `03/28/2018`) spellings.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from paymentprocess.domain.money import MoneyError, parse_cents

MAX_AMOUNT_CENTS = 1_000_000_000  # $10,000,000.00: no dental line comes near it
MAX_TEXT = 64
MAX_REFERENCE = 128
EARLIEST_SERVICE_DATE = date(1900, 1, 1)

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?Z?)?$"
)
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_amount(value: object) -> int:
    """Non-negative cents, at most two decimals, at most MAX_AMOUNT_CENTS."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError('must be a decimal amount such as 12.34 or "$12.34"')
    try:
        cents = parse_cents(value, what="amount")
    except MoneyError as exc:
        raise ValueError(str(exc).removeprefix("amount ")) from None
    if cents < 0:
        raise ValueError("must not be negative")
    if cents > MAX_AMOUNT_CENTS:
        raise ValueError("is larger than 10000000.00")
    return cents


def parse_service_date(value: object, *, today: date | None = None) -> date:
    """A real calendar date, not before 1900 and not after tomorrow (UTC)."""
    if not isinstance(value, str):
        raise ValueError("must be a date such as 2018-03-28 or 3/28/18")
    text = value.strip()
    iso, us = _ISO.match(text), _US.match(text)
    try:
        if iso:
            year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
            time_parts = iso.group(4, 5, 6)
        elif us:
            month, day, year = int(us[1]), int(us[2]), _full_year(us[3])
            time_parts = us.group(4, 5, 6)
        else:
            raise ValueError("must be a date such as 2018-03-28 or 3/28/18")
        parsed = date(year, month, day)
        _check_time(*time_parts)
    except ValueError as exc:
        if "such as" in str(exc):
            raise
        raise ValueError(f"is not a real date: {text!r}") from None
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    if not EARLIEST_SERVICE_DATE <= parsed <= latest:
        raise ValueError(f"must be between {EARLIEST_SERVICE_DATE} and {latest}")
    return parsed


def _full_year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    two = int(text)
    this_year = datetime.now(UTC).year
    return 2000 + two if 2000 + two <= this_year + 1 else 1900 + two


def _check_time(hour: str | None, minute: str | None, second: str | None) -> None:
    if hour is not None and (int(hour) > 23 or int(minute or 0) > 59 or int(second or 0) > 59):
        raise ValueError("bad time of day")


def parse_text(value: object, *, max_length: int = MAX_TEXT) -> str:
    """Printable text, stripped, 1..max_length characters."""
    if not isinstance(value, str):
        raise ValueError("must be text (a JSON string)")
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if len(text) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    if not text.isprintable():
        raise ValueError("must not contain control characters")
    return text


def parse_npi(value: object) -> str:
    """Exactly ten ASCII digits (the check digit is not judged here: SPEC §7 only warns)."""
    text = parse_text(value)
    if len(text) != 10 or not (text.isascii() and text.isdigit()):
        raise ValueError("must be exactly 10 digits")
    return text


def parse_tin(value: object) -> str:
    """Nine ASCII digits; `12-3456789` is accepted and stored as `123456789`."""
    text = parse_text(value)
    digits = text.replace("-", "") if re.fullmatch(r"\d{2}-\d{7}", text, re.ASCII) else text
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        raise ValueError("must be exactly 9 digits")
    return digits


def parse_procedure(value: object) -> str:
    """A procedure code beginning with D (case-insensitive), letters and digits, stored upper."""
    text = parse_text(value, max_length=16).upper()
    if not text.startswith("D"):
        raise ValueError("must begin with D (a CDT dental procedure code)")
    if not (text.isascii() and text.isalnum()):
        raise ValueError("must contain only letters and digits")
    return text


def parse_quadrant(value: object) -> str:
    """An optional quadrant or area code (UR, UL, LR, LL, 10, ...): 1..8 letters or digits."""
    text = parse_text(value, max_length=8).upper()
    if not (text.isascii() and text.isalnum()):
        raise ValueError("must contain only letters and digits")
    return text


def parse_reference(value: object) -> str:
    """The caller's claim reference: printable text up to 128 characters."""
    return parse_text(value, max_length=MAX_REFERENCE)
