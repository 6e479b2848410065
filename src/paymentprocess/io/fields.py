"""Field kinds of the import format: how one JSON value becomes one column value, and back.

Each `Kind` pairs `parse` (document value → column value, see `io.scalars`) with `show` (column
value → exported document value: amounts as two-place strings, dates `YYYY-MM-DD`, rates as
decimals, lists as lists) and, for amounts and dates, `show_expr`, the same over a whole Polars
column. `choice` builds a fixed set of values (with `aliases`, other spellings of them: the legacy
stage names); the list kinds hold ids. `IDENTIFIER` is text without separators
(`domain.identifiers`): TaxID and NPI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from paymentprocess.domain.identifiers import (
    normalize_identifier,
    normalize_payee_key,
    routing_number_valid,
)
from paymentprocess.domain.money import format_cents, format_rate_ppm
from paymentprocess.io.extjson import describe
from paymentprocess.io.scalars import (
    FieldError,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    parse_rate,
    parse_small_int,
    parse_text,
)


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


def choice(*values: str, aliases: Mapping[str, str] | None = None) -> Kind:
    """A fixed set of values, matched whatever their capitalisation, stored as written here.

    `aliases` maps other names (any capitalisation) to one of the values.
    """
    canonical = {v.lower(): v for v in values}
    canonical.update({a.strip().lower(): v for a, v in (aliases or {}).items()})
    alias_text = ""
    if aliases:
        by_value: dict[str, list[str]] = {}
        for name, value in aliases.items():
            by_value.setdefault(value, []).append(name)
        alias_text = (
            " (other names: "
            + "; ".join(f"{', '.join(names)} → {value}" for value, names in by_value.items())
            + ")"
        )

    def parse(value: object) -> str:
        found = canonical.get(value.strip().lower()) if isinstance(value, str) else None
        if found is None:
            raise FieldError(
                f"must be one of {', '.join(values)}{alias_text}, not {describe(value)}"
            )
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
    """A payee in inclusion criteria: a PaymentCenter_ID, or a payee key (normalised TaxID|NPI)."""
    if type(value) is int:
        return value
    return normalize_payee_key(parse_text(value))


def parse_identifier(value: object) -> str | None:
    """TaxID / NPI: text without separators (`36-2514789` → `362514789`); letters stay.

    Nothing left (`""`, `"-"`) is a missing identifier."""
    return normalize_identifier(parse_text(value)) or None


def _json_list(text: str) -> Any:
    return json.loads(text)


TEXT = Kind(parse_text, same)
IDENTIFIER = Kind(parse_identifier, same)
INT = Kind(parse_int, same)
SMALL_INT = Kind(parse_small_int, same)
BOOL = Kind(parse_bool, same)
MONEY = Kind(parse_money, format_cents, cents_text_expr)
RATE = Kind(parse_rate, format_rate_ppm)
DATE = Kind(parse_date, date.isoformat, date_text_expr)
TEXT_LIST = Kind(_list_of(parse_text), _json_list)
ID_LIST = Kind(_list_of(_text_or_int), _json_list)


# --- the payment outputs' fields (OUTPUTS.md §1; docs/import-format.md) ------------------------

# CLP06 claim filing indicator codes (X12 005010X221A1, element 1032)
CLAIM_FILING_INDICATORS = (
    *(str(n) for n in range(12, 18)),
    "AM",
    "CH",
    "DS",
    "HM",
    "LM",
    "MA",
    "MB",
    "MC",
    "OF",
    "TV",
    "VA",
    "WC",
    "ZZ",
)
_MODIFIER = re.compile(r"[A-Za-z0-9]{2}", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
_ALNUM = re.compile(r"[A-Za-z0-9]+", re.ASCII)


def _parse_tin(value: object) -> str:
    """A TIN (EIN): 9 digits once separators are dropped (`36-2514789` → `362514789`)."""
    tin = normalize_identifier(parse_text(value))
    if len(tin) != 9 or not _DIGITS.fullmatch(tin):
        raise FieldError("must be 9 digits (an EIN such as 36-2514789)")
    return tin


def _parse_routing(value: object) -> str:
    """A routing number: 9 digits passing the ABA 3-7-1 check digit test."""
    routing = parse_text(value).strip()
    if not routing_number_valid(routing):
        raise FieldError("must be a 9-digit ABA routing number with a valid check digit")
    return routing


def _parse_ach_origin(value: object) -> str:
    """The NACHA immediate origin: a 9-digit routing number (ABA check) or 10 digits (`1` + EIN)."""
    origin = parse_text(value).strip()
    if len(origin) == 10 and _DIGITS.fullmatch(origin):
        return origin
    if not routing_number_valid(origin):
        raise FieldError(
            "must be a 9-digit ABA routing number with a valid check digit, or 10 digits"
        )
    return origin


def _parse_company_id(value: object) -> str:
    """The ACH company identification: 1-10 letters or digits (usually `1` + the EIN)."""
    company = parse_text(value).strip()
    if not 1 <= len(company) <= 10 or not _ALNUM.fullmatch(company):
        raise FieldError("must be 1 to 10 letters or digits (usually 1 followed by the EIN)")
    return company


def text_up_to(limit: int) -> Kind:
    """Text of at most `limit` characters (a fixed-width field of the bank files)."""

    def parse(value: object) -> str:
        text = parse_text(value)
        if len(text) > limit:
            raise FieldError(f"must be at most {limit} characters, not {len(text)}")
        return text

    return Kind(parse, same)


def _parse_modifier(value: object) -> str:
    modifier = parse_text(value)
    if not _MODIFIER.fullmatch(modifier):
        raise FieldError("must be 2 letters or digits (a procedure modifier)")
    return modifier.upper()


def _parse_modifiers(value: object) -> str:
    if isinstance(value, list) and len(value) > 4:
        raise FieldError(f"must hold at most 4 modifiers, not {len(value)}")
    return _list_of(_parse_modifier)(value)


TIN = Kind(_parse_tin, same)
ROUTING = Kind(_parse_routing, same)
ACH_ORIGIN = Kind(_parse_ach_origin, same)
ACH_COMPANY_ID = Kind(_parse_company_id, same)
MODIFIERS = Kind(_parse_modifiers, _json_list)
