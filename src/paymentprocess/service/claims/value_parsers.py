"""Parsers for the values of an intake claim; each raises `ValueError` with a message for users.

The rules use them to find problems and the claim builder uses them to convert a claim that
passed every rule, so a value is judged the same way in both places. Money goes through
`domain.money.parse_cents` (at most two decimals, `$100.00 ` accepted); dates go through
`domain.dates` (ISO `2018-03-28`, US `3/28/18 0:00`, `03/28/2018`), the import's parser too;
TIN and NPI lose their separators through `domain.identifiers`, as on load.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from paymentprocess.domain.dates import DateTextError, parse_date_text
from paymentprocess.domain.identifiers import normalize_identifier
from paymentprocess.domain.money import MoneyError, parse_cents

MAX_AMOUNT_CENTS = 1_000_000_000  # $10,000,000.00: no dental line comes near it
MAX_TEXT = 64
MAX_REFERENCE = 128
EARLIEST_SERVICE_DATE = date(1900, 1, 1)
# The lengths the 835 carries (X12 005010X221A1): CLP01, NM103, NM104, REF02 of REF*6R.
MAX_PATIENT_CONTROL_NUMBER = 38
MAX_PATIENT_LAST_NAME = 60
MAX_PATIENT_FIRST_NAME = 35
MAX_LINE_ITEM_CONTROL_NUMBER = 50
MAX_MODIFIERS = 4
_MODIFIER = re.compile(r"[A-Za-z0-9]{2}")
_MODIFIER_SEPARATORS = re.compile(r"[:, ]+")


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
    """A real calendar date (`domain.dates`, the import's parser too), 1900 to tomorrow (UTC)."""
    if not isinstance(value, str):
        raise ValueError("must be a date such as 2018-03-28 or 3/28/18")
    try:
        parsed = parse_date_text(value, today=today)
    except DateTextError as exc:
        if exc.shape:
            raise ValueError("must be a date such as 2018-03-28 or 3/28/18") from None
        raise ValueError(str(exc)) from None
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    if not EARLIEST_SERVICE_DATE <= parsed <= latest:
        raise ValueError(f"must be between {EARLIEST_SERVICE_DATE} and {latest}")
    return parsed


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
    """Ten ASCII digits once separators are dropped (`domain.identifiers`: `1234-567-893` is
    `1234567893`); the check digit is not judged here: SPEC §7 only warns."""
    text = normalize_identifier(parse_text(value))
    if len(text) != 10 or not (text.isascii() and text.isdigit()):
        raise ValueError("must be exactly 10 digits")
    return text


def parse_tin(value: object) -> str:
    """Nine ASCII digits once separators are dropped (`domain.identifiers`): `12-3456789` is
    accepted and stored as `123456789`, as a load stores it."""
    digits = normalize_identifier(parse_text(value))
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


def text_of_at_most(max_length: int) -> Callable[[object], str]:
    """A parser of printable text up to `max_length` characters, stored as given after trimming."""
    return functools.partial(parse_text, max_length=max_length)


parse_patient_control_number = text_of_at_most(MAX_PATIENT_CONTROL_NUMBER)
parse_patient_first_name = text_of_at_most(MAX_PATIENT_FIRST_NAME)
parse_patient_last_name = text_of_at_most(MAX_PATIENT_LAST_NAME)
parse_line_item_control_number = text_of_at_most(MAX_LINE_ITEM_CONTROL_NUMBER)


def parse_modifiers(value: object) -> tuple[str, ...]:
    """Up to 4 procedure modifiers of exactly 2 letters or digits, stored upper case (as `load`
    stores them): a JSON list of strings, or a text with `:`, `,` or spaces between the codes
    (`"25:59"`, `"25 59"`). An empty list or text is no modifiers: `()`."""
    if isinstance(value, list):
        codes = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError('must be a list of 2-character codes such as ["25", "59"]')
            codes.append(item.strip())
    elif isinstance(value, str):
        if not value.isprintable():
            raise ValueError("must not contain control characters")
        codes = [code for code in _MODIFIER_SEPARATORS.split(value.strip()) if code]
    else:
        raise ValueError('must be a list of codes or a text such as "25:59"')
    if len(codes) > MAX_MODIFIERS:
        raise ValueError(f"must hold at most {MAX_MODIFIERS} modifiers, not {len(codes)}")
    for code in codes:
        if not _MODIFIER.fullmatch(code):
            raise ValueError(
                f"{code!r} is not a modifier: each must be exactly 2 letters or digits"
            )
    return tuple(code.upper() for code in codes)
