"""`domain.money.format_cents`, the one formatter of money: exact, two places, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paymentprocess.domain.money import (
    MAX_CENTS,
    MoneyError,
    format_cents,
    parse_cents,
)

CENTS = st.integers(min_value=-(MAX_CENTS - 1), max_value=MAX_CENTS - 1)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (100, "1.00"),
        (-100, "-1.00"),
        (123456, "1234.56"),
        (-123456, "-1234.56"),
        (1534902437, "15349024.37"),
        (MAX_CENTS - 1, "9999999999999.99"),
    ],
)
def test_cents_are_written_with_two_places(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@given(CENTS)
def test_formatted_cents_parse_back_to_the_same_cents(cents: int) -> None:
    assert parse_cents(format_cents(cents)) == cents


def test_an_integral_decimal_is_exact_cents() -> None:
    """A PostgreSQL `sum` over a BIGINT column of cents arrives as a Decimal."""
    assert format_cents(Decimal("-1234")) == "-12.34"  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [12.0, 0.5, Decimal("12.5"), Decimal("NaN"), True, "12"])
def test_what_is_not_a_whole_number_of_cents_is_refused(value: object) -> None:
    with pytest.raises(MoneyError, match="cents must be a whole number"):
        format_cents(value)  # type: ignore[arg-type]


def test_a_float_is_money_only_when_it_holds_a_whole_number_exactly() -> None:
    """The float rule of the module docstring: `100.0` is exact, `100.5` may have lost a cent."""
    assert parse_cents(100.0) == 10000
    assert parse_cents(-42.0) == -4200
    for value in (100.5, 2.0**53, float("inf"), float("nan"), True):
        with pytest.raises(MoneyError, match="must be a decimal number"):
            parse_cents(value)
