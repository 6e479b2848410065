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
from paymentprocess.io.scalars import FieldError


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
        (Decimal("10.005"), "has more than two decimal places: '10.005'"),
        ("abc", "is not a number: 'abc'"),
        ("", "is empty"),
        (True, "must be a number, not true/false"),
        ([1], "must be a number, not a list"),
        (1.5, "is a floating-point number (1.5); give amounts as decimals"),
        (10.0, "is a floating-point number (10.0)"),
        ({"$numberDouble": "10.5"}, "is a floating-point number ($numberDouble)"),
        ({"$oid": "abc"}, "must be a number, not Extended JSON $oid"),
        ("1e20", "is too large: '1e20'"),
        (10**14, "is too large: '100000000000000'"),
        ("1.2.3", "is not a number: '1.2.3'"),
    ],
)
def test_money_refusals(value: object, reason: str) -> None:
    with pytest.raises(FieldError) as caught:
        MONEY.parse(value)
    assert caught.value.reason.startswith(reason)


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
    ],
)
def test_dates(value: object, day: dt.date) -> None:
    assert DATE.parse(value) == day


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2023-02-30", "is not a real date: '2023-02-30'"),
        ({"$date": "2023-02-29T00:00:00Z"}, "is not a real date: '2023-02-29T00:00:00Z'"),
        ("02/03/2023", "must be a date (YYYY-MM-DD), not '02/03/2023'"),
        ("20240102", "must be a date (YYYY-MM-DD), not '20240102'"),
        (20240102, "must be a date (YYYY-MM-DD), not a number (20240102)"),
        ({"$date": {"$numberLong": "99999999999999999"}}, "is not a date"),
    ],
)
def test_date_refusals(value: object, reason: str) -> None:
    with pytest.raises(FieldError) as caught:
        DATE.parse(value)
    assert caught.value.reason.startswith(reason)


def test_whole_numbers_refuse_text_and_fractions() -> None:
    assert INT.parse({"$numberLong": "9007199254740993"}) == 9007199254740993
    assert SMALL_INT.parse({"$numberDouble": "3.0"}) == 3
    assert INT.parse(Decimal("4.0")) == 4
    assert INT.parse(4.0) == 4  # a Python float from load_documents, when it is whole
    assert RATE.parse(0.04125) == 41250
    for value, reason in [
        ("7", "must be a whole number, not text '7'"),
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
