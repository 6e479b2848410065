"""Identifiers of generated data: claim ids, valid NPIs (Luhn), TINs and member ids.

All are built as Polars expressions from integer indexes, so they are unique by construction:
an NPI is `1` or `2` followed by eight digits taken from a bijection of the payee index, then the
check digit of the Luhn algorithm over the prefix `80840` + the first nine digits (the CMS rule
that validation applies). `npi_is_valid` is the same rule in plain Python, for tests.
"""

from __future__ import annotations

import polars as pl

CLAIM_WIDTH = 9
_NPI_SPAN = 200_000_000  # 100000000..299999999: first digit 1 or 2
_NPI_MULT = 123_456_791  # coprime with _NPI_SPAN → index ↦ base is a bijection
_TIN_SPAN = 1_000_000_000
_TIN_MULT = 387_420_489
_MEMBER_SPAN = 10_000_000_000
_MEMBER_MULT = 7_777_777_777
_NPI_PREFIX_SUM = 24  # Luhn contribution of the constant prefix 80840


def numbered(prefix: str, number: pl.Expr, width: int = CLAIM_WIDTH) -> pl.Expr:
    """`prefix` + zero-padded number, e.g. C000000042."""
    return pl.lit(prefix) + number.cast(pl.String).str.zfill(width)


def claim_id(number: pl.Expr) -> pl.Expr:
    return numbered("C", number)


def npi_check_digit(base9: pl.Expr) -> pl.Expr:
    """The NPI check digit of a nine-digit integer (Luhn over 80840 + the digits)."""
    total = pl.lit(_NPI_PREFIX_SUM, dtype=pl.Int64)
    for position in range(9):  # position 0 = rightmost digit: doubled
        digit = (base9 // (10**position)) % 10
        if position % 2 == 0:
            doubled = digit * 2
            digit = pl.when(doubled > 9).then(doubled - 9).otherwise(doubled)
        total = total + digit
    return (10 - total % 10) % 10


def npi(index: pl.Expr, offset: int) -> pl.Expr:
    """A valid, unique ten-digit NPI for each distinct index (given one offset)."""
    base = (index * _NPI_MULT + offset) % _NPI_SPAN + 100_000_000
    return base.cast(pl.String) + npi_check_digit(base).cast(pl.String)


def broken_npi(valid_npi: pl.Expr) -> pl.Expr:
    """The same NPI with a wrong check digit (for INVALID_NPI)."""
    check = valid_npi.str.slice(9, 1).cast(pl.Int64)
    return valid_npi.str.slice(0, 9) + ((check + 5) % 10).cast(pl.String)


def tin(index: pl.Expr, offset: int) -> pl.Expr:
    """A nine-digit TIN (zero-padded) for each index."""
    return ((index * _TIN_MULT + offset) % _TIN_SPAN).cast(pl.String).str.zfill(9)


def member_id(index: pl.Expr, offset: int) -> pl.Expr:
    """A unique member id "M" + ten digits for each distinct index."""
    return numbered("M", (index * _MEMBER_MULT + offset) % _MEMBER_SPAN, 10)


def npi_is_valid(value: str | None) -> bool:
    """SPEC §7: ten digits starting 1 or 2 whose Luhn check over 80840 + NPI holds."""
    if value is None or len(value) != 10 or not value.isdigit() or value[0] not in "12":
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + value)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


_ROUTING_FIRST_TWO = (*range(1, 13), *range(21, 33))  # Federal Reserve districts (and thrifts)
_ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)


def routing_number(index: pl.Expr, draw: pl.Expr) -> pl.Expr:
    """A nine-digit ABA routing number whose 3-7-1 check digit holds: the first two digits a
    Federal Reserve district (01-12, 21-32) picked by `index`, six digits from `draw` (0..999999),
    then the check digit."""
    first = pl.lit(pl.Series(_ROUTING_FIRST_TWO, dtype=pl.Int64)).gather(
        index % len(_ROUTING_FIRST_TWO)
    )
    base8 = first * 1_000_000 + draw % 1_000_000
    total = pl.lit(0, dtype=pl.Int64)
    for position, weight in enumerate(_ROUTING_WEIGHTS):  # position 0 = leftmost digit
        total = total + (base8 // 10 ** (7 - position)) % 10 * weight
    check = (10 - total % 10) % 10
    return (base8 * 10 + check).cast(pl.String).str.zfill(9)


def broken_routing(valid: pl.Expr) -> pl.Expr:
    """The same routing number with a wrong check digit (for EFT_BANK_INVALID)."""
    check = valid.str.slice(8, 1).cast(pl.Int64)
    return valid.str.slice(0, 8) + ((check + 1) % 10).cast(pl.String)
