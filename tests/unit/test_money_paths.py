"""The fast money path (domain.money.plain_cents: a regular expression and integer arithmetic)
and the exact one (parse_cents_exact: Decimal) agree on every input: where the fast path answers
it answers the exact path's cents, and `parse_cents` / the import format's `parse_money` accept
and refuse exactly what the exact path does — for plain amounts, signs, exponents, more than two
decimals, spaces, symbols, huge values and arbitrary text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from paymentprocess.domain.money import (
    MAX_CENTS,
    MoneyError,
    parse_cents,
    parse_cents_exact,
    plain_cents,
)
from paymentprocess.io.scalars import FieldError, parse_money

# money-like text: optional spaces, a sign or two, up to 20 whole digits, up to 4 decimals, an
# exponent, a dollar sign, thousands separators, accounting parentheses
_digits = st.text("0123456789", max_size=20)
_money_like = st.builds(
    lambda pre, sign, whole, point, frac, exp, post: f"{pre}{sign}{whole}{point}{frac}{exp}{post}",
    st.sampled_from(["", " ", "\t", "$", "(", "$ "]),
    st.sampled_from(["", "-", "+", "--", "-+"]),
    _digits | st.sampled_from(["1,234", "12,345,678", "0"]),
    st.sampled_from(["", ".", ","]),
    st.text("0123456789", max_size=4),
    st.sampled_from(["", "e2", "E-3", "e+1", "e", "e400"]),
    st.sampled_from(["", " ", "\n", ")", "x", "\u00a0"]),
)
_inputs = (
    _money_like | st.text(max_size=24) | st.from_regex(r"-?\d{1,16}(\.\d{0,3})?", fullmatch=True)
)


def _exact(text: str) -> int | None:
    try:
        return parse_cents_exact(text)
    except MoneyError:
        return None


@given(_inputs)
@example("9999999999999.99")  # the largest plain amount: 13 whole digits
@example("10000000000000")  # 14 whole digits: not plain, too large for the exact path
@example("-0")
@example("-0.00")
@example("007.5")
@example("1.005")
@example("1.50e1")
@example(" 12.34 ")
@example("١٢٣")  # Arabic-Indic digits: Decimal reads them, the fast path does not answer
def test_the_fast_path_answers_what_the_exact_path_does(text: str) -> None:
    fast = plain_cents(text)
    if fast is not None:
        assert fast == _exact(text)
        assert abs(fast) < MAX_CENTS


@given(_inputs)
def test_parse_cents_and_parse_money_accept_and_refuse_exactly_what_the_exact_path_does(
    text: str,
) -> None:
    expected = _exact(text)
    if expected is None:
        with pytest.raises(MoneyError):
            parse_cents(text)
        with pytest.raises(FieldError):
            parse_money(text)
    else:
        assert parse_cents(text) == expected
        assert parse_money(text) == expected


@given(st.integers(min_value=-(10**13), max_value=10**13), st.integers(0, 99), st.booleans())
def test_plain_amounts_take_the_fast_path_with_their_exact_cents(
    whole: int, cents: int, two_places: bool
) -> None:
    text = f"{whole}.{cents:02d}" if two_places else str(whole)
    expected = int(Decimal(text) * 100)
    if abs(whole) < 10**13:
        assert plain_cents(text) == expected
    else:
        assert plain_cents(text) is None  # 14 digits: the exact path decides (too large)
    assert _exact(text) == (expected if abs(expected) < MAX_CENTS else None)


@given(st.integers(min_value=-(10**16), max_value=10**16))
@example(10**13 - 1)  # the largest whole amount: 9999999999999.00
@example(10**13)
@example(-(10**13))
@example(10**14)
def test_whole_numbers_fast_and_exact_agree(n: int) -> None:
    expected = n * 100 if abs(n * 100) < MAX_CENTS else None
    assert _exact(str(n)) == expected
    if expected is None:
        with pytest.raises(MoneyError):
            parse_cents(n)
        with pytest.raises(MoneyError):
            parse_cents_exact(n)
    else:
        assert parse_cents(n) == parse_cents_exact(n) == expected


def test_the_exact_path_refuses_what_no_amount_can_be() -> None:
    for text in ("1.005", "1e400", "NaN", "-Infinity", "", " ", "12.3.4", "1-2"):
        assert plain_cents(text) is None
        with pytest.raises(MoneyError):
            parse_cents(text)
    assert parse_cents("1.50e1") == 1500  # an exponent: exact path, same cents as "15.00"
    assert parse_cents("$1,234.50") == 123450
    assert parse_cents("(5.00)") == -500
