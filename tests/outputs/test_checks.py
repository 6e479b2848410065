"""Check register CSV and Positive Pay profiles: hand-checked rows, sums and counts, refusals."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

import pytest

from paymentprocess.outputs.checks import (
    DEFAULT_PROFILE,
    PROFILES,
    REGISTER_COLUMNS,
    CheckItem,
    check_positive_pay,
    positive_pay_profile,
    register_totals,
    render_check_register,
    render_positive_pay,
)
from paymentprocess.outputs.problems import OutputDataError

ISSUE = date(2026, 1, 15)
ACCOUNT = "000123456789"


def _item(pcid: int, check: str, amount: int, **changes: object) -> CheckItem:
    base = CheckItem(
        payment_event_id="PE-1",
        payment_id=f"PE-1:{pcid}",
        funding_source_id="FS1",
        check_number=check,
        issue_date=ISSUE,
        amount_cents=amount,
        payee_id=pcid,
        payee_type="Provider",
        payee_name=f"Payee {pcid}",
        address_line1="1 Main St",
        address_line2=None,
        city="Springfield",
        state="IL",
        zip="62701",
        trn02=check,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


ITEMS = [
    _item(12, "1000", 123456, payee_name='Smith, Jones & "Partners"', address_line2="Suite 5"),
    _item(7, "999", 7200, payee_name="Zoë  Ångström\u00a0DDS", address_line1="2 Elm\nAve"),
    _item(30, "1001", 5, payee_type="Member", payee_name="Jane Q Public"),
]


def test_check_register_is_sorted_by_check_number_with_minimal_quoting() -> None:
    expected = (
        ",".join(REGISTER_COLUMNS) + "\n"
        "PE-1,PE-1:7,FS1,999,2026-01-15,72.00,7,Provider,Zoë Ångström DDS,2 Elm Ave,,"
        "Springfield,IL,62701,999,ISSUED\n"
        'PE-1,PE-1:12,FS1,1000,2026-01-15,1234.56,12,Provider,"Smith, Jones & ""Partners""",'
        "1 Main St,Suite 5,Springfield,IL,62701,1000,ISSUED\n"
        "PE-1,PE-1:30,FS1,1001,2026-01-15,0.05,30,Member,Jane Q Public,1 Main St,,"
        "Springfield,IL,62701,1001,ISSUED\n"
    )
    register = render_check_register(ITEMS)
    assert register.decode("utf-8") == expected
    rows = list(csv.DictReader(io.StringIO(register.decode("utf-8"), newline="")))
    assert rows[1]["payee_name"] == 'Smith, Jones & "Partners"'
    assert register_totals(register).count == 3
    assert register_totals(register).amount_cents == 130661


def test_generic_csv_v1_rows() -> None:
    content = render_positive_pay(ITEMS, ACCOUNT)
    assert content == (
        b"I,000123456789,999,72.00,20260115,ZOE ANGSTROM DDS\n"
        b"I,000123456789,1000,1234.56,20260115,SMITH JONES & PARTNERS\n"
        b"I,000123456789,1001,0.05,20260115,JANE Q PUBLIC\n"
    )
    assert render_positive_pay(ITEMS, ACCOUNT, DEFAULT_PROFILE) == content


def test_chase_csv_rows() -> None:
    assert render_positive_pay(ITEMS[:1], ACCOUNT, "chase-csv") == (
        b"I,000123456789,1000,011526,1234.56,SMITH JONES & PARTNERS\n"
    )


def test_fixed_100_rows() -> None:
    content = render_positive_pay(ITEMS[:2], "12-3456", "fixed-100")
    lines = content.decode("ascii").split("\n")[:-1]
    assert lines == [
        "000000123456"
        + " "
        + "  "
        + "0000000999"
        + "000000007200"
        + "20260115"
        + " "
        + "ZOE ANGSTROM DDS".ljust(54),
        "000000123456"
        + " "
        + "  "
        + "0000001000"
        + "000000123456"
        + "20260115"
        + " "
        + "SMITH JONES & PARTNERS".ljust(54),
    ]
    assert all(len(line) == 100 for line in lines)


def test_long_payee_names_are_cut_per_profile() -> None:
    long = _item(1, "5", 100, payee_name="A" * 30 + " " + "B" * 40)
    generic = render_positive_pay([long], ACCOUNT).decode().rstrip("\n").split(",")[-1]
    fixed = render_positive_pay([long], ACCOUNT, "fixed-100").decode()[46:100]
    assert generic == "A" * 30 + " " + "B" * 9
    assert fixed == "A" * 30 + " " + "B" * 23


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_positive_pay_count_and_sum_equal_the_register(profile: str) -> None:
    register = render_check_register(ITEMS)
    pospay = render_positive_pay(ITEMS, ACCOUNT, profile)
    assert check_positive_pay(register, pospay, profile) == []
    totals = PROFILES[profile].totals(pospay)
    assert (totals.count, totals.amount_cents) == (3, 130661)
    short = render_positive_pay(ITEMS[:2], ACCOUNT, profile)
    assert check_positive_pay(register, short, profile) == [
        "POSITIVE_PAY_COUNT: 2 issue rows, register has 3 checks",
        "POSITIVE_PAY_TOTAL: Σ 1306.56, register Σ 1306.61",
    ]


def test_missing_name_or_address_is_refused_naming_the_payees() -> None:
    items = [
        *ITEMS,
        _item(40, "2000", 100, payee_name=" ", zip=None),
        _item(41, "2001", 100, payee_type="Member", address_line1=None, city=""),
    ]
    for render in (render_check_register, lambda i: render_positive_pay(i, ACCOUNT)):
        with pytest.raises(OutputDataError) as caught:
            render(items)
        err = caught.value
        assert [(p.code, p.payee_id, p.field) for p in err.problems] == [
            ("OUTPUT_DATA_MISSING", 40, "payee_name"),
            ("OUTPUT_DATA_MISSING", 40, "zip"),
            ("OUTPUT_DATA_MISSING", 41, "address_line1"),
            ("OUTPUT_DATA_MISSING", 41, "city"),
        ]
        assert err.payee_ids == [40, 41]


def test_zero_amount_and_bad_or_repeated_check_numbers_are_refused() -> None:
    with pytest.raises(OutputDataError) as caught:
        render_check_register(
            [_item(1, "10", 0), _item(2, "A1", 5), _item(3, "11", 5), _item(4, "011", 5)]
        )
    assert [(p.code, p.payee_id) for p in caught.value.problems] == [
        ("CHECK_AMOUNT_INVALID", 1),
        ("CHECK_NUMBER_INVALID", 2),
        ("CHECK_NUMBER_INVALID", 4),
    ]


def test_unknown_profile_and_missing_account() -> None:
    with pytest.raises(ValueError, match="known: chase-csv, fixed-100, generic-csv-v1"):
        positive_pay_profile("bank-of-nowhere")
    with pytest.raises(OutputDataError, match="account_number"):
        render_positive_pay(ITEMS, "")
