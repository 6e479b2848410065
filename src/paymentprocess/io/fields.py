"""Field kinds of the import format: how one JSON value becomes one column value, and back.

Each `Kind` pairs `parse` (document value → column value; raises `FieldError` with a reason a payment
operations user can act on) with `show` (column value → exported document value). Amounts are
exact cents through `domain.money` and are refused with more than two decimals or as a float
(`$numberDouble`); dates are real calendar dates (`YYYY-MM-DD`, an ISO timestamp or `$date`);
whole numbers refuse text; text accepts whole numbers (ids exported by MongoDB as numbers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from paymentprocess.domain.money import MoneyError, format_cents, format_rate_ppm, parse_cents
from paymentprocess.domain.money import parse_rate_ppm as _parse_rate_ppm
from paymentprocess.io.extjson import describe, ext_wrapper

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_PLAIN_AMOUNT = re.compile(r"(-?)(\d{1,13})(?:\.(\d{1,2}))?", re.ASCII)  # < MAX_CENTS
MAX_WHOLE = 10**13
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INT64 = 2**63
INT32 = 2**31


class FieldError(Exception):
    """A value that cannot be stored; `path` names a part of it (`[2]` of a list)."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class Kind:
    """How values of one kind are parsed on load and shown on export.

    `show_expr`, when set, is `show` over a whole Polars column (export formats every amount and
    date of a table at once); `show` is then used for single values only.
    """

    parse: Callable[[object], Any]
    show: Callable[[Any], Any]
    show_expr: Callable[[pl.Expr], pl.Expr] | None = None

    @property
    def shown_as_stored(self) -> bool:
        return self.show is same


def same(value: Any) -> Any:
    return value


def cents_text_expr(cents: pl.Expr) -> pl.Expr:
    """`format_cents` over a column of cents: 123456 → "1234.56", -5 → "-0.05", null → null."""
    magnitude = cents.abs()
    body = pl.concat_str(
        (magnitude // 100).cast(pl.String),  # first: the result keeps the column's name
        pl.lit("."),
        (magnitude % 100).cast(pl.String).str.zfill(2),
    )
    return pl.when(cents < 0).then(body.str.replace("^", "-")).otherwise(body)


def date_text_expr(dates: pl.Expr) -> pl.Expr:
    return dates.dt.strftime("%Y-%m-%d")


def _number_text(value: object, *, money: bool) -> str:
    """The decimal text of a number given as JSON number, string or Extended JSON."""
    wrapper = ext_wrapper(value)
    if wrapper is not None:
        key, inner = wrapper
        if key == "$numberDouble" and money:
            raise FieldError(
                "is a floating-point number ($numberDouble); give amounts as "
                "$numberDecimal, a string or a plain number"
            )
        if key in {"$numberDecimal", "$numberLong", "$numberInt", "$numberDouble"} and isinstance(
            inner, str
        ):
            return inner
        raise FieldError(f"must be a number, not {describe(value)}")
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise FieldError(f"must be a number, not {describe(value)}")
    return str(value)


def parse_money(value: object) -> int:
    if type(value) is int and abs(value) < MAX_WHOLE:
        return value * 100
    text = value if type(value) is str else _number_text(value, money=True)
    plain = _PLAIN_AMOUNT.fullmatch(text)
    if plain is not None:  # the usual "1234.5" / "-0.05": integer arithmetic only
        sign, whole, cents = plain.groups()
        amount = int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
        return -amount if sign else amount
    try:
        return parse_cents(text)
    except MoneyError as exc:
        raise FieldError(str(exc).removeprefix("amount ")) from None


def parse_rate(value: object) -> int:
    text = _number_text(value, money=False)
    try:
        return _parse_rate_ppm(text, what="rate")
    except MoneyError as exc:
        raise FieldError(str(exc).removeprefix("rate ")) from None


def _whole(value: object, limit: int) -> int:
    if isinstance(value, str):
        raise FieldError(f"must be a whole number, not {describe(value)}")
    text = _number_text(value, money=False)
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
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    wrapper = ext_wrapper(value)
    if (
        wrapper
        and wrapper[0] in {"$oid", "$numberLong", "$numberInt"}
        and isinstance(wrapper[1], str)
    ):
        return wrapper[1]
    raise FieldError(f"must be text, not {describe(value)}")


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
    raise FieldError(f"must be a date (YYYY-MM-DD), not {describe(value)}")


def _from_text(text: str) -> date:
    try:
        if _DATE_ONLY.fullmatch(text):
            return date.fromisoformat(text)
        if _DATE_ONLY.match(text) and text[10:11] in {"T", " "}:
            return _utc_date(datetime.fromisoformat(text))
    except ValueError:
        raise FieldError(f"is not a real date: {text!r}") from None
    raise FieldError(f"must be a date (YYYY-MM-DD), not {text!r}")


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


def choice(*values: str) -> Kind:
    """A fixed set of values, matched whatever their capitalisation, stored as written here."""
    canonical = {v.lower(): v for v in values}

    def parse(value: object) -> str:
        found = canonical.get(value.strip().lower()) if isinstance(value, str) else None
        if found is None:
            raise FieldError(f"must be one of {', '.join(values)}, not {describe(value)}")
        return found

    return Kind(parse, same)


def _list_of(item: Callable[[object], object]) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if not isinstance(value, list):
            raise FieldError(f"must be a list, not {describe(value)}")
        items = []
        for i, element in enumerate(value):
            try:
                items.append(item(element))
            except FieldError as exc:
                raise FieldError(exc.reason, f"[{i}]") from None
        return json.dumps(items)

    return parse


def _text_or_int(value: object) -> str | int:
    if type(value) is int:
        return value
    return parse_text(value)


def _json_list(text: str) -> Any:
    return json.loads(text)


TEXT = Kind(parse_text, same)
INT = Kind(parse_int, same)
SMALL_INT = Kind(parse_small_int, same)
BOOL = Kind(parse_bool, same)
MONEY = Kind(parse_money, format_cents, cents_text_expr)
RATE = Kind(parse_rate, format_rate_ppm)
DATE = Kind(parse_date, date.isoformat, date_text_expr)
TEXT_LIST = Kind(_list_of(parse_text), _json_list)
ID_LIST = Kind(_list_of(_text_or_int), _json_list)
