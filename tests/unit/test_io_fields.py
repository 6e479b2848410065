"""Field kinds of the import format: exact amounts, real dates, whole numbers, text, choices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from paymentprocess.domain.money import format_cents
from paymentprocess.io.fields import (
    BOOL,
    DATE,
    ID_LIST,
    INT,
    MONEY,
    RATE,
    SMALL_INT,
    TEXT,
    TEXT_LIST,
    cents_text_expr,
    choice,
    date_text_expr,
)
from paymentprocess.io.scalars import FieldError, InexactDoubleError


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (Decimal("1234.56"), 123456),
        ("1234.5", 123450),
        (12, 1200),
        ("-0.05", -5),
        ("$1,000.00", 100000),
        ({"$numberDecimal": "10.10"}, 1010),
        ({"$numberLong": "7"}, 700),
        ({"$numberInt": "-3"}, -300),
        (Decimal("1E+2"), 10000),
        (Decimal("2.500"), 250),  # trailing zeros are not a third decimal
    ],
)
def test_money_is_exact_cents(value: object, cents: int) -> None:
    assert MONEY.parse(value) == cents


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("10.005", "has more than two decimal places: '10.005'"),  # text: never a double
        ({"$numberDecimal": "10.005"}, "has more than two decimal places: '10.005'"),
        (Decimal("10.005"), "is a floating-point value with more than two decimals (10.005)"),
        (Decimal("20.040000000000003"), "is a floating-point value with more than two decimals"),
        ({"$numberDouble": "1.1e-2"}, "is a floating-point value with more than two decimals"),
        (0.125, "is a floating-point value with more than two decimals (0.125)"),
        ({"$numberDouble": "NaN"}, "must be a finite number"),
        ({"$numberDouble": "1e300"}, "is too large"),
        ("abc", "is not a number: 'abc'"),
        ("", "is empty"),
        (True, "must be a number, not true/false"),
        ([1], "must be a number, not a list"),
        ({"$oid": "abc"}, "must be a number, not Extended JSON $oid"),
        ("1e20", "is too large: '1e20'"),
        (10**14, "is too large: 100000000000000"),  # a JSON number, shown as one
        ("1.2.3", "is not a number: '1.2.3'"),
    ],
)
def test_money_refusals(value: object, reason: str) -> None:
    with pytest.raises(FieldError) as caught:
        MONEY.parse(value)
    assert caught.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        ({"$numberDouble": "410.0"}, 41000),  # canonical mongoexport
        (Decimal("410.0"), 41000),  # relaxed mongoexport: a JSON number with a fraction
        ({"$numberDouble": "10.5"}, 1050),
        ({"$numberDouble": "-0.05"}, -5),
        ({"$numberDouble": "4.1e2"}, 41000),
        (Decimal("0.10000000000000001"), 10),  # the same double as 0.1: its shortest form
        (1.5, 150),  # a Python float given to load_documents
        (10.0, 1000),
    ],
)
def test_money_doubles_with_two_decimals_are_that_amount(value: object, cents: int) -> None:
    assert MONEY.parse(value) == cents


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (Decimal("20.040000000000003"), 2004),
        ({"$numberDouble": "0.125"}, 13),  # half-up on the decimal text
        ({"$numberDouble": "-0.125"}, -13),  # half-up on the absolute value
        ({"$numberDouble": "2.675"}, 268),  # float arithmetic would give 2.67
        (Decimal("1.1e-2"), 1),
        ({"$numberDouble": "1.0049999999999999"}, 101),  # the double of 1.005: its shortest form
    ],
)
def test_inexact_doubles_round_half_up_on_their_decimal_text(value: object, cents: int) -> None:
    with pytest.raises(InexactDoubleError) as caught:
        MONEY.parse(value)
    assert caught.value.rounded() == cents


def test_money_and_rate_are_shown_as_exact_strings() -> None:
    assert (MONEY.show(123456), MONEY.show(-5), MONEY.show(0)) == ("1234.56", "-0.05", "0.00")
    assert RATE.parse(Decimal("0.04125")) == 41250
    assert RATE.parse({"$numberDouble": "0.05"}) == 50000
    assert RATE.show(41250) == "0.04125"
    with pytest.raises(FieldError, match="more than six decimal places"):
        RATE.parse("0.1234567")


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-02-29", dt.date(2024, 2, 29)),
        ({"$date": "2024-01-02T00:00:00Z"}, dt.date(2024, 1, 2)),
        ({"$date": "2024-01-02T00:00:00.000+00:00"}, dt.date(2024, 1, 2)),
        ({"$date": "2024-01-01T22:00:00-05:00"}, dt.date(2024, 1, 2)),  # the UTC calendar day
        ({"$date": {"$numberLong": "1704153600000"}}, dt.date(2024, 1, 2)),
        ({"$date": 1704153600000}, dt.date(2024, 1, 2)),
        ("2024-01-02T10:30:00", dt.date(2024, 1, 2)),
        (dt.date(2024, 1, 2), dt.date(2024, 1, 2)),
        ("09/25/2026", dt.date(2026, 9, 25)),  # the claims service's US forms (domain.dates)
        ("9/25/26", dt.date(2026, 9, 25)),
        (" 3/28/18 0:00 ", dt.date(2018, 3, 28)),
        ("12/31/99", dt.date(1999, 12, 31)),  # 2099 is later than next year: 1999
        ({"$date": "09/25/2026"}, dt.date(2026, 9, 25)),
    ],
)
def test_dates(value: object, day: dt.date) -> None:
    assert DATE.parse(value) == day


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2023-02-30", "is not a real date: '2023-02-30'"),
        ({"$date": "2023-02-29T00:00:00Z"}, "is not a real date: '2023-02-29T00:00:00Z'"),
        ("02/30/2023", "is not a real date: '02/30/2023'"),
        ("13/01/2024", "is not a real date: '13/01/2024'"),
        ("20240102", "must be a date (YYYY-MM-DD or MM/DD/YYYY), not '20240102'"),
        ("2024-1-2", "must be a date (YYYY-MM-DD or MM/DD/YYYY), not '2024-1-2'"),
        (20240102, "must be a date (YYYY-MM-DD or MM/DD/YYYY), not a number (20240102)"),
        ({"$date": {"$numberLong": "99999999999999999"}}, "is not a date"),
    ],
)
def test_date_refusals(value: object, reason: str) -> None:
    with pytest.raises(FieldError) as caught:
        DATE.parse(value)
    assert caught.value.reason.startswith(reason)


def test_whole_numbers_refuse_fractions_and_words() -> None:
    assert INT.parse({"$numberLong": "9007199254740993"}) == 9007199254740993
    assert INT.parse("1004") == 1004  # text of digits: what legacy exports hold
    assert SMALL_INT.parse(" 12 ") == 12
    assert INT.parse("-3") == -3
    assert SMALL_INT.parse({"$numberDouble": "3.0"}) == 3
    assert INT.parse(Decimal("4.0")) == 4
    assert INT.parse(4.0) == 4  # a Python float from load_documents, when it is whole
    assert RATE.parse(0.04125) == 41250
    for value, reason in [
        ("12.5", "must be a whole number, not text '12.5'"),
        ("abc", "must be a whole number, not text 'abc'"),
        ("", "must be a whole number, not text ''"),
        ("1 000", "must be a whole number, not text '1 000'"),
        (Decimal("1.5"), "must be a whole number, not '1.5'"),
        (2**31, "is too large"),
    ]:
        with pytest.raises(FieldError) as caught:
            SMALL_INT.parse(value)
        assert caught.value.reason.startswith(reason)


def test_text_accepts_ids_exported_as_numbers_or_object_ids() -> None:
    assert TEXT.parse(1234567893) == "1234567893"
    assert TEXT.parse({"$numberLong": "42"}) == "42"
    assert TEXT.parse({"$oid": "65a1b2c3d4e5f60718293a4b"}) == "65a1b2c3d4e5f60718293a4b"
    with pytest.raises(FieldError, match="must be text, not an object"):
        TEXT.parse({"a": 1})
    with pytest.raises(FieldError, match="must be text, not a number"):
        TEXT.parse(Decimal("1.5"))


def test_choices_match_any_capitalisation_and_store_the_canonical_spelling() -> None:
    kind = choice("CHECK", "EFT")
    assert (kind.parse("eft"), kind.parse(" Check ")) == ("EFT", "CHECK")
    with pytest.raises(FieldError, match="must be one of CHECK, EFT, not text 'WIRE'"):
        kind.parse("WIRE")


def test_lists_and_booleans() -> None:
    assert TEXT_LIST.parse(["A1", 7]) == '["A1", "7"]'
    assert ID_LIST.parse([7, "123|456"]) == '[7, "123|456"]'
    assert TEXT_LIST.show('["A1"]') == ["A1"]
    with pytest.raises(FieldError) as caught:
        TEXT_LIST.parse(["A1", ["nested"]])
    assert (caught.value.path, caught.value.reason) == ("[1]", "must be text, not a list")
    assert (BOOL.parse(True), BOOL.parse("no"), BOOL.parse("Y")) == (True, False, True)
    with pytest.raises(FieldError, match="must be true or false"):
        BOOL.parse(1)


def test_column_formatting_matches_format_cents_and_isoformat() -> None:
    cents = [0, 1, 5, 10, 99, 100, 123456, -1, -5, -99, -100, -123456, 10**15 - 1, None]
    frame = pl.DataFrame({"c": cents}, schema={"c": pl.Int64})
    shown = frame.select(cents_text_expr(pl.col("c")))["c"].to_list()
    assert shown == [None if c is None else format_cents(c) for c in cents]
    days = [dt.date(2024, 2, 29), dt.date(999, 1, 2), dt.date(1, 1, 1), None]
    frame = pl.DataFrame({"d": days}, schema={"d": pl.Date})
    shown = frame.select(date_text_expr(pl.col("d")))["d"].to_list()
    assert shown == [None if d is None else d.isoformat() for d in days]
