"""The one door for money: parsing, formatting and the one rounding rule.

Inside the product money is an integer number of cents (Python `int`, Polars `Int64`). Decimal
lives only at the edges: `parse_cents` turns user input (str, int, Decimal, Extended JSON
`$numberDecimal` text) into cents and refuses more than two decimal places — plain text such as
"1234.50" on a fast path of integer arithmetic (`plain_cents`), anything else through Decimal
(`parse_cents_exact`), with the same answers; `format_cents` turns cents back into a two-place
decimal string. Floats: `parse_decimal` (so `parse_cents` and `parse_rate_ppm`) refuses a float
unless it holds a whole number below 2**53 — such a float is exact, it cannot have lost a cent
(`100.0` is 100, `100.5` is refused) — and `format_cents` refuses every float. A double of the
import format is turned into its shortest decimal text before it reaches this module
(`io.scalars`); the API reads JSON numbers as Decimal.

Interest is the only place where a rule divides. Rates are held as integer parts per million
(`0.04125` → 41250) and `interest_cents` / `interest_cents_expr` compute
`round_half_up(net × rate × days / 365)` with integer arithmetic only, split so that no
intermediate value overflows 64 bits for any realistic amount.
"""

from __future__ import annotations

import contextlib
import operator
import re
from decimal import Decimal, InvalidOperation

import polars as pl

CENT = Decimal("0.01")
RATE_SCALE = 1_000_000  # annual rates are stored as parts per million
DAYS_PER_YEAR = 365
MAX_CENTS = 10**15  # ten trillion dollars: anything larger is a data error, not a claim
_DIVISOR = DAYS_PER_YEAR * RATE_SCALE


class MoneyError(ValueError):
    """A value cannot be money: not a number, a float, too many decimals, too large."""


def parse_decimal(value: object, *, what: str = "amount") -> Decimal:
    """Return `value` as a finite Decimal; strings may carry `$`, `,` and spaces."""
    if isinstance(value, (bool, float)):
        # A float may already have lost the cent (only a whole number below 2**53 is exact);
        # JSON numbers are parsed as Decimal upstream.
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return Decimal(int(value))
        raise MoneyError(f"{what} must be a decimal number, not {type(value).__name__} {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        dec = value
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("$", "").strip()
        if text.startswith("(") and text.endswith(")"):
            text = "-" + text[1:-1].strip()
        if not text:
            raise MoneyError(f"{what} is empty")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"{what} is not a number: {value!r}") from None
    else:
        raise MoneyError(f"{what} must be a decimal number, not {type(value).__name__}")
    if not dec.is_finite():
        raise MoneyError(f"{what} must be a finite number, not {value!r}")
    return dec


# Plain decimal text: an optional minus, 1 to 13 ASCII digits, at most two decimals (< MAX_CENTS).
_PLAIN = re.compile(r"(-?)(\d{1,13})(?:\.(\d{1,2}))?", re.ASCII)
_MAX_WHOLE = MAX_CENTS // 100


def plain_cents(text: str) -> int | None:
    """The fast path: cents of plain decimal text ("1234.5", "-0.05", "007") with integer
    arithmetic only, or None for any other text (signs other than one leading minus, exponents,
    more than two decimals, spaces, symbols, more than 13 whole digits), which only
    `parse_cents_exact` decides. Where it answers, it answers what `parse_cents_exact` does
    (tests/unit/test_money_paths.py checks that on every kind of input)."""
    plain = _PLAIN.fullmatch(text)
    if plain is None:
        return None
    sign, whole, cents = plain.groups()
    amount = int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
    return -amount if sign else amount


def parse_cents(value: object, *, what: str = "amount") -> int:
    """Exact cents from a decimal value with at most two decimal places; never rounds.

    Plain text and whole numbers take the fast path (`plain_cents`, integer arithmetic); every
    other value the exact one (`parse_cents_exact`, Decimal). Both give the same answer."""
    if type(value) is str:
        fast = plain_cents(value)
        if fast is not None:
            return fast
    elif type(value) is int and abs(value) < _MAX_WHOLE:
        return value * 100
    return parse_cents_exact(value, what=what)


def parse_cents_exact(value: object, *, what: str = "amount") -> int:
    """`parse_cents` through Decimal only: the reference for the fast path."""
    dec = parse_decimal(value, what=what)
    exponent = dec.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and dec != dec.quantize(CENT):
        raise MoneyError(f"{what} has more than two decimal places: {value!r}")
    cents = int(dec.scaleb(2).to_integral_value())
    if abs(cents) >= MAX_CENTS:
        raise MoneyError(f"{what} is too large: {value!r}")
    return cents


def round_half_up_cents(value: Decimal) -> int:
    """A finite decimal rounded half-up (on the absolute value) to cents, exactly: 20.045 → 2005.

    Used only where the input is known to be a binary float written as its shortest decimal
    (`load --round-money-doubles`); the decimal text is rounded, never the float.
    """
    if not value.is_finite():
        raise MoneyError(f"amount must be a finite number, not {value}")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    magnitude = int("".join(str(d) for d in digits) or "0")
    if magnitude and exponent + len(digits) > 16:  # ≥ 10**16: far above MAX_CENTS / 100
        raise MoneyError(f"amount is too large: {value}")
    if exponent >= -2:
        cents = magnitude * 10 ** (exponent + 2)
    else:
        cents = round_half_up_div(magnitude, 10 ** (-exponent - 2))
    if cents >= MAX_CENTS:
        raise MoneyError(f"amount is too large: {value}")
    return int(-cents if sign else cents)


def to_decimal(cents: int) -> Decimal:
    """Cents as a two-place Decimal."""
    return Decimal(cents).scaleb(-2).quantize(CENT)


def format_cents(cents: int) -> str:
    """Cents as a two-place decimal string, e.g. 123456 → "1234.56", -5 → "-0.05".

    The one formatter of money, for every document, file and answer (the claim list included: a
    formatter of its own without Decimal, measured beside this one on 140,000 values, was no
    faster — about 0.7 µs a value either way, C decimal being quick). A value that is not a whole
    number of cents — a float, a Decimal with a fraction, a bool — is a MoneyError, never
    rounded; an integral Decimal (a PostgreSQL `sum` of cents) is exact and accepted.
    """
    if type(cents) is not int:
        cents = whole_cents(cents)
    return str(to_decimal(cents))


def whole_cents(value: object) -> int:
    """`value` as an int number of cents if it is one exactly (an int-like or an integral
    Decimal); MoneyError for a float, a bool or a fraction of a cent."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if not isinstance(value, (bool, float, Decimal)):
        with contextlib.suppress(TypeError):
            return operator.index(value)  # type: ignore[arg-type]
    raise MoneyError(f"cents must be a whole number, not {type(value).__name__} {value!r}")


def parse_rate_ppm(value: object, *, what: str = "AnnualRate") -> int:
    """An annual rate such as 0.04125 as integer parts per million; at most six decimals."""
    dec = parse_decimal(value, what=what)
    scaled = dec.scaleb(6)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{what} has more than six decimal places: {value!r}")
    if dec < 0 or dec > 1:
        raise MoneyError(f"{what} must be between 0 and 1: {value!r}")
    return int(scaled)


def format_rate_ppm(ppm: int) -> str:
    """Parts per million back to a decimal string without trailing zeros (41250 → "0.04125")."""
    text = format(Decimal(ppm).scaleb(-6).normalize(), "f")
    return text if "." in text else text + ".0"


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up on the absolute value (the one rounding rule)."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


def interest_cents(net_cents: int, rate_ppm: int, late_days: int) -> int:
    """Prompt-pay interest of one claim: round_half_up(net × rate × days / 365); 0 unless all > 0."""
    if net_cents <= 0 or rate_ppm <= 0 or late_days <= 0:
        return 0
    return round_half_up_div(net_cents * rate_ppm * late_days, _DIVISOR)


def interest_cents_expr(net: pl.Expr, rate_ppm: pl.Expr, late_days: pl.Expr) -> pl.Expr:
    """`interest_cents` as a vectorized Polars expression over Int64 columns.

    q = net × days is split as q = a × D + b (D = 365 × 10⁶) so that
    q × rate / D = a × rate + b × rate / D, and only b × rate (< 3.7 × 10¹⁴) is divided. The
    arithmetic is done in Int128 (net × days alone can pass 2⁶³ at the money bounds); the result
    is Int64, which `engine.bounds.check_money_range` guarantees it fits (a strict cast raises
    otherwise, it never wraps).
    """
    q = net.cast(pl.Int128) * late_days.cast(pl.Int128)
    a = q // _DIVISOR
    b = q % _DIVISOR
    r = rate_ppm.cast(pl.Int128)
    value = a * r + (2 * b * r + _DIVISOR) // (2 * _DIVISOR)
    applies = (net > 0) & (r > 0) & (late_days > 0)
    return pl.when(applies).then(value).otherwise(0).cast(pl.Int64)
