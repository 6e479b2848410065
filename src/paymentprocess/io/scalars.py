"""Scalar values of the import format: exact amounts, rates, whole numbers, text, true/false, dates.

Each `parse_*` turns one JSON value (plain, or a MongoDB Extended JSON wrapper) into the value a
column stores, or raises `FieldError` with a reason a payment-operations user can act on. Amounts
are exact cents through `domain.money`, refused with more than two decimals. A *double* (a JSON
number with a fraction or an exponent, `$numberDouble`, a Python float) is the amount its
shortest decimal form says when that has at most two decimals (`410.0`, `"410.5"`); a double such
as `20.040000000000003` raises `InexactDoubleError`, which `load --round-money-doubles` turns into the
amount rounded half-up to cents (the decimal text is rounded, never the float). Whole numbers
accept text of digits (`"1004"`); dates are real calendar dates through `domain.dates` (ISO,
timestamps taken as the UTC day, US `09/25/2026`, `$date`); text accepts whole numbers and `$oid`
(ids exported by MongoDB as numbers or object ids).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from paymentprocess.domain.dates import DateTextError, parse_date_text
from paymentprocess.domain.money import MoneyError, parse_cents, plain_cents, round_half_up_cents
from paymentprocess.domain.money import parse_rate_ppm as _parse_rate_ppm
from paymentprocess.io.extjson import describe, ext_wrapper

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WHOLE_TEXT = re.compile(r"[+-]?\d{1,20}", re.ASCII)
DATE_FORMS = "YYYY-MM-DD or MM/DD/YYYY"
MAX_WHOLE = 10**13
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CENT = Decimal("0.01")
_QUANTIZABLE = Decimal(10) ** 20  # quantize to cents works below this (28-digit context)
INT64 = 2**63
INT32 = 2**31


class FieldError(Exception):
    """A value that cannot be stored; `path` names a part of it (`[2]` of a list)."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path


class InexactDoubleError(FieldError):
    """A money double with more than two decimals; `shortest` is its shortest decimal form."""

    def __init__(self, shortest: Decimal) -> None:
        super().__init__(
            f"is a floating-point value with more than two decimals ({shortest}), "
            "not an amount in cents; correct it, or load with --round-money-doubles"
        )
        self.shortest = shortest

    def rounded(self) -> int:
        """The amount rounded half-up to cents (`domain.money`, the one rounding rule)."""
        try:
            return round_half_up_cents(self.shortest)
        except MoneyError as exc:
            raise FieldError(str(exc).removeprefix("amount ")) from None


def _number_text(value: object) -> str:
    """The decimal text of a number given as JSON number, string or Extended JSON."""
    wrapper = ext_wrapper(value)
    if wrapper is not None:
        key, inner = wrapper
        if key in {"$numberDecimal", "$numberLong", "$numberInt", "$numberDouble"} and isinstance(
            inner, str
        ):
            return inner
        raise FieldError(f"must be a number, not {describe(value)}")
    if isinstance(value, float):  # only from Python callers: JSON numbers are read as Decimal
        return repr(value)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise FieldError(f"must be a number, not {describe(value)}")
    return str(value)


def _double_text(value: object) -> str | None:
    """The decimal text of a money value that is a binary double, None for any other value.

    Doubles are `$numberDouble`, JSON numbers with a fraction or an exponent (read as Decimal:
    `410.0`, `1.1e-2`) and Python floats. Integers, strings and `$numberDecimal` are exact.
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    wrapper = ext_wrapper(value)
    if wrapper is not None and wrapper[0] == "$numberDouble" and isinstance(wrapper[1], str):
        return wrapper[1]
    return None


def _money_from_double(text: str) -> int:
    """Cents of a double: its shortest decimal form, which must have at most two decimals."""
    plain = plain_cents(text)
    if plain is not None:  # "410.0", "95.5": the usual case, integer arithmetic only
        return plain
    try:
        exact = Decimal(text.strip())
    except InvalidOperation:
        raise FieldError(f"is not a number: {text!r}") from None
    if not exact.is_finite():
        raise FieldError(f"must be a finite number, not {text!r}")
    if abs(exact) >= _QUANTIZABLE:
        raise FieldError(f"is too large: {text!r}")
    if exact != exact.quantize(_CENT):
        shortest = Decimal(repr(float(exact)))  # the double's shortest decimal form, exactly
        if shortest != shortest.quantize(_CENT):
            raise InexactDoubleError(shortest)
        exact = shortest
    try:
        return parse_cents(exact)
    except MoneyError as exc:
        raise FieldError(str(exc).removeprefix("amount ")) from None


def parse_money(value: object) -> int:
    """Exact cents of an amount through `domain.money.parse_cents` (plain text and whole numbers
    on its fast path); a double is the amount of its shortest decimal form (`_money_from_double`)."""
    if type(value) is not str and type(value) is not int:
        double = _double_text(value)
        if double is not None:
            return _money_from_double(double)
        value = _number_text(value)
    try:
        return parse_cents(value)
    except MoneyError as exc:
        raise FieldError(str(exc).removeprefix("amount ")) from None


def parse_rate(value: object) -> int:
    text = _number_text(value)
    try:
        return _parse_rate_ppm(text, what="rate")
    except MoneyError as exc:
        raise FieldError(str(exc).removeprefix("rate ")) from None


def _whole(value: object, limit: int) -> int:
    if isinstance(value, str):  # "1004", " 12 ": a whole number written as text
        if not _WHOLE_TEXT.fullmatch(value.strip()):
            raise FieldError(f"must be a whole number, not {describe(value)}")
        whole = int(value.strip())
        if abs(whole) >= limit:
            raise FieldError(f"is too large: {value.strip()!r}")
        return whole
    text = _number_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(f"is not a number: {text!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise FieldError(f"must be a whole number, not {text!r}")
    if abs(number) >= limit:
        raise FieldError(f"is too large: {text!r}")
    return int(number)


def parse_int(value: object) -> int:
    return value if type(value) is int and abs(value) < INT64 else _whole(value, INT64)


def parse_small_int(value: object) -> int:
    return value if type(value) is int and abs(value) < INT32 else _whole(value, INT32)


def parse_text(value: object) -> str:
    if isinstance(value, str):
        return _storable_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    wrapper = ext_wrapper(value)
    if (
        wrapper
        and wrapper[0] in {"$oid", "$numberLong", "$numberInt"}
        and isinstance(wrapper[1], str)
    ):
        return _storable_text(wrapper[1])
    raise FieldError(f"must be text, not {describe(value)}")


def _storable_text(text: str) -> str:
    """Text both databases can store: no NUL character (PostgreSQL text cannot hold one) and no
    unpaired surrogate (a JSON escape such as \\ud800 that is not a character)."""
    if "\x00" in text:
        raise FieldError("contains a NUL character (\\u0000), which text cannot hold")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError(
            "contains an unpaired surrogate (\\ud800-\\udfff), not a character"
        ) from None
    return text


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    words = {"true": True, "yes": True, "y": True, "false": False, "no": False, "n": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise FieldError(f"must be true or false, not {describe(value)}")


def parse_date(value: object) -> date:
    if type(value) is str and _DATE_ONLY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise FieldError(f"is not a real date: {value!r}") from None
    if isinstance(value, datetime):
        return _utc_date(value)
    if isinstance(value, date):
        return value
    wrapper = ext_wrapper(value)
    if wrapper is not None and wrapper[0] == "$date":
        return _from_ext_date(wrapper[1])
    if isinstance(value, str):
        return _from_text(value)
    raise FieldError(f"must be a date ({DATE_FORMS}), not {describe(value)}")


def _from_text(text: str) -> date:
    """A date written as text: the claims service's own parser (`domain.dates`)."""
    try:
        return parse_date_text(text)
    except DateTextError as exc:
        if exc.shape:
            raise FieldError(f"must be a date ({DATE_FORMS}), not {text!r}") from None
        raise FieldError(f"is not a real date: {text!r}") from None


def _from_ext_date(inner: object) -> date:
    if isinstance(inner, str):
        return _from_text(inner)
    millis = inner
    wrapper = ext_wrapper(inner)
    if wrapper is not None and wrapper[0] == "$numberLong" and isinstance(wrapper[1], str):
        millis = wrapper[1]
    try:
        ms = int(millis) if isinstance(millis, str | int) and not isinstance(millis, bool) else None
        if ms is None:
            raise FieldError(f"must be a date, not $date of {describe(inner)}")
        return (_EPOCH + timedelta(milliseconds=ms)).date()
    except (ValueError, OverflowError):
        raise FieldError(f"is not a date: $date {millis!r}") from None


def _utc_date(moment: datetime) -> date:
    return moment.date() if moment.tzinfo is None else moment.astimezone(UTC).date()
