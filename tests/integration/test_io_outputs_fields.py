"""The payment outputs' fields (OUTPUTS.md §1) on load and export, SQLite and PostgreSQL.

Every new field is optional: records without them load as before; bad values are refused naming
the file, the record and the field; values an older export kept as unknown fields (the `extra`
column) load into their columns now.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from stdnum.us import rtn

from paymentprocess.domain.identifiers import routing_number_valid
from paymentprocess.errors import InputError
from paymentprocess.io.export import export_directory
from paymentprocess.io.load import load_directory
from paymentprocess.storage import tables as t


def _write(directory: Path, files: dict[str, list[dict[str, object]]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, docs in files.items():
        (directory / f"{name}.json").write_text(json.dumps(docs), encoding="utf-8")
    return directory


def _problems(
    engine: Engine, directory: Path, files: dict[str, list[dict[str, object]]]
) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_directory(engine, _write(directory, files))
    with engine.connect() as conn:
        for table in (
            t.payer,
            t.funding_source,
            t.payment_center,
            t.benefit_plan,
            t.claim_fin_core,
        ):
            assert conn.execute(select(table)).first() is None, "a refused load writes nothing"
    return [str(p) for p in caught.value.problems]


def _claim(**fields: object) -> dict[str, object]:
    return {
        "ClaimCore_ID": "C1",
        "FrequencyCode": "1",
        "ReceivedDate": "2024-01-02",
        "ServiceLines": [{"LineNumber": 1, "AllowedAmount": "10.00"}],
        **fields,
    }


def test_bad_values_are_refused_naming_record_and_field(engine: Engine, tmp_path: Path) -> None:
    files: dict[str, list[dict[str, object]]] = {
        "Payer": [
            {"Payer_ID": "P1", "TIN": "12-345678", "UsageIndicator": "X"},
            {"Payer_ID": "P2", "IsaSenderQualifier": "ZZZ"},
        ],
        "FundingSource": [
            {
                "FundingSource_ID": "FS1",
                "MinimumPayment": "0",
                "AchImmediateDestination": "021000022",
                "AchImmediateOrigin": "12345",
                "AchCompanyId": "1-36251478",
                "AchCompanyName": "A NAME LONGER THAN 16",
            }
        ],
        "PaymentCenter": [
            {
                "PaymentCenter_ID": 1,
                "PaymentCenterType": "Provider",
                "TaxID": "123456789",
                "NPI": "1234567893",
                "BankAccountType": "X",
            }
        ],
        "BenefitPlan": [{"BenefitPlan_ID": "BP1", "ClaimFilingIndicator": "99"}],
        "ClaimFinCore": [
            _claim(
                ServiceLines=[
                    {"LineNumber": 1, "AllowedAmount": "1", "Modifiers": ["TC", "5"]},
                    {
                        "LineNumber": 2,
                        "AllowedAmount": "1",
                        "Modifiers": ["A1", "A2", "A3", "A4", "A5"],
                    },
                    {"LineNumber": 3, "AllowedAmount": "1", "Modifiers": "TC"},
                ]
            )
        ],
    }
    problems = _problems(engine, tmp_path, files)
    assert problems == [
        "Payer.json index 0: TIN: must be 9 digits (an EIN such as 36-2514789)",
        "Payer.json index 0: UsageIndicator: must be one of P, T, not text 'X'",
        "Payer.json index 1: IsaSenderQualifier: must be at most 2 characters, not 3",
        "FundingSource.json index 0: AchImmediateDestination: must be a 9-digit ABA routing "
        "number with a valid check digit",
        "FundingSource.json index 0: AchImmediateOrigin: must be a 9-digit ABA routing number "
        "with a valid check digit, or 10 digits",
        "FundingSource.json index 0: AchCompanyId: must be 1 to 10 letters or digits "
        "(usually 1 followed by the EIN)",
        "FundingSource.json index 0: AchCompanyName: must be at most 16 characters, not 21",
        "BenefitPlan.json index 0: ClaimFilingIndicator: must be one of 12, 13, 14, 15, 16, 17, "
        "AM, CH, DS, HM, LM, MA, MB, MC, OF, TV, VA, WC, ZZ, not text '99'",
        "PaymentCenter.json index 0: BankAccountType: must be one of C, S, not text 'X'",
        "ClaimFinCore.json index 0: ServiceLines[0].Modifiers[1]: must be 2 letters or digits "
        "(a procedure modifier)",
        "ClaimFinCore.json index 0: ServiceLines[1].Modifiers: must hold at most 4 modifiers, "
        "not 5",
        "ClaimFinCore.json index 0: ServiceLines[2].Modifiers: must be a list, not text 'TC'",
    ]


def test_records_without_the_new_fields_load_and_export_as_before(
    engine: Engine, tmp_path: Path
) -> None:
    files: dict[str, list[dict[str, object]]] = {
        "FundingSource": [{"FundingSource_ID": "FS1", "MinimumPayment": "5.00"}],
        "BenefitPlan": [{"BenefitPlan_ID": "BP1", "Name": "Gold"}],
        "ClaimFinCore": [_claim()],
    }
    load_directory(engine, _write(tmp_path / "in", files))
    export_directory(engine, tmp_path / "out")
    funding = json.loads((tmp_path / "out" / "FundingSource.json").read_text())
    assert funding == [
        {
            "FundingSource_ID": "FS1",
            "Name": None,
            "MinimumPayment": "5.00",
            "BankRoutingNumber": None,
            "BankAccountNumber": None,
        }
    ]
    plans = json.loads((tmp_path / "out" / "BenefitPlan.json").read_text())
    assert plans == [{"BenefitPlan_ID": "BP1", "Name": "Gold"}]
    (claim,) = json.loads((tmp_path / "out" / "ClaimFinCore.json").read_text())
    assert "PatientControlNumber" not in claim
    assert "Modifiers" not in claim["ServiceLines"][0]
    assert json.loads((tmp_path / "out" / "Payer.json").read_text()) == []


def test_fields_an_older_export_kept_as_unknown_load_into_columns(
    engine: Engine, tmp_path: Path
) -> None:
    """An export of a version without these columns wrote them back from `extra`, as top-level
    fields of the record (any capitalisation): now they fill the columns, and `extra` is empty."""
    files: dict[str, list[dict[str, object]]] = {
        "PaymentCenter": [
            {
                "PaymentCenter_ID": 5,
                "PaymentCenterType": "Member",
                "MemberID": "M-5",
                "bankaccounttype": "C",
                "NameFirst": "Ann",
                "NameLast": "Lee",
                "Address": {"Line1": "1 A St", "Line2": "Apt 2"},
            }
        ],
        "ClaimFinCore": [
            _claim(
                PatientControlNumber="PCN-1",
                patientlastname="Lee",
                ServiceLines=[
                    {
                        "LineNumber": 1,
                        "AllowedAmount": "10",
                        "LineItemControlNumber": "L-1",
                        "Modifiers": ["D1"],
                    }
                ],
            )
        ],
    }
    load_directory(engine, _write(tmp_path / "in", files))
    pc, c, sl = t.payment_center, t.claim_fin_core, t.service_line
    with engine.connect() as conn:
        assert conn.execute(
            select(
                pc.c.bank_account_type,
                pc.c.name_first,
                pc.c.name_last,
                pc.c.address_line2,
                pc.c.extra,
            )
        ).one() == ("C", "Ann", "Lee", "Apt 2", None)
        assert conn.execute(
            select(c.c.patient_control_number, c.c.patient_last_name, c.c.extra)
        ).one() == ("PCN-1", "Lee", None)
        licn, modifiers, extra = conn.execute(
            select(sl.c.line_item_control_number, sl.c.modifiers, sl.c.extra)
        ).one()
    assert (licn, extra) == ("L-1", None)
    assert (json.loads(modifiers) if isinstance(modifiers, str) else modifiers) == ["D1"]


def test_sensitive_new_fields_are_withheld_in_problems(engine: Engine, tmp_path: Path) -> None:
    files: dict[str, list[dict[str, object]]] = {
        "ClaimFinCore": [_claim(PatientLastName={"secret": "Doe"})],
    }
    (problem,) = _problems(engine, tmp_path, files)
    assert "Doe" not in problem
    assert problem.startswith("ClaimFinCore.json index 0: PatientLastName: must be text")


@pytest.mark.parametrize(
    "routing",
    [
        "111000025",
        "021000021",
        "071000013",
        "011000015",
        "111000026",
        "021000022",
        "12345678",
        "1234567890",
        "02100002a",
        "000000000",
        "",
    ],
)
def test_routing_number_check_agrees_with_python_stdnum(routing: str) -> None:
    assert routing_number_valid(routing) == rtn.is_valid(routing)


def test_routing_numbers_are_ascii_digits_only() -> None:
    """Stricter than python-stdnum, which takes any Unicode digit: the bank files are ASCII."""
    assert rtn.is_valid("０２１０００021")
    assert not routing_number_valid("０２１０００021")


def test_routing_number_check_over_every_check_digit() -> None:
    for prefix in ("02100002", "07100001", "12345678", "00000000"):
        valid = [d for d in "0123456789" if routing_number_valid(prefix + d)]
        assert valid == [d for d in "0123456789" if rtn.is_valid(prefix + d)]
        assert len(valid) == 1
