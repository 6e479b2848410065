"""A load with any bad record writes nothing and names every bad record (SQLite and PostgreSQL).

Each kind of bad input the import refuses has its test here; each asserts the exact messages a
payment-operations user would read and that no table received a row. Data that the payment runs
report as findings (frequency code 9, bad NPI, unknown plan, negative amounts) loads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from paymentprocess.errors import InputError, NotFoundError
from paymentprocess.io.collections import IMPORTABLE
from paymentprocess.io.load import LoadOptions, load_directory, load_documents
from paymentprocess.storage.tables import claim_fin_core, service_line


def _claim(claim_id: str = "C1", **fields: object) -> dict[str, object]:
    claim: dict[str, object] = {
        "ClaimCore_ID": claim_id,
        "FrequencyCode": "1",
        "ReceivedDate": "2024-01-02",
        "ServiceLines": [{"LineNumber": 1, "AllowedAmount": "10.00"}],
    }
    claim.update(fields)
    return {k: v for k, v in claim.items() if v is not ...}


def _jsonl(*docs: object) -> str:
    return "".join(json.dumps(d) + "\n" for d in docs)


def _problems(engine: Engine, directory: Path, files: dict[str, str]) -> list[str]:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_directory(engine, directory)
    assert _stored_rows(engine) == 0, "a refused load must write nothing"
    return [str(p) for p in caught.value.problems]


def _stored_rows(engine: Engine) -> int:
    tables = [c.table for c in IMPORTABLE] + [service_line]
    with engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)


def test_amount_with_three_decimals(engine: Engine, tmp_path: Path) -> None:
    lines = [
        {"LineNumber": 1, "AllowedAmount": "1.00"},
        {"LineNumber": 2, "AllowedAmount": "10.005"},
    ]
    text = _jsonl(_claim(BilledAmount={"$numberDecimal": "12.345"}, ServiceLines=lines))
    assert _problems(engine, tmp_path, {"ClaimFinCore.json": text}) == [
        "ClaimFinCore.json line 1: ServiceLines[1].AllowedAmount: "
        "has more than two decimal places: '10.005'",
        "ClaimFinCore.json line 1: BilledAmount: has more than two decimal places: '12.345'",
    ]


def test_amount_as_a_double_artifact_is_refused(engine: Engine, tmp_path: Path) -> None:
    text = _jsonl(_claim(PaidAmount={"$numberDouble": "10.005"}, BilledAmount=20.040000000000003))
    assert _problems(engine, tmp_path, {"ClaimFinCore.json": text}) == [
        "ClaimFinCore.json line 1: PaidAmount: is a floating-point value with more than two "
        "decimals (10.005), not an amount in cents; correct it, or load with --round-money-doubles",
        "ClaimFinCore.json line 1: BilledAmount: is a floating-point value with more than two "
        "decimals (20.040000000000003), not an amount in cents; correct it, or load with "
        "--round-money-doubles",
    ]


def test_date_that_does_not_exist(engine: Engine, tmp_path: Path) -> None:
    text = _jsonl(
        _claim("C1", ReceivedDate="2023-02-30"),
        _claim("C2", ServiceBeginDate={"$date": "2023-02-29T00:00:00Z"}),
        _claim("C3", ServiceEndDate="02/30/2023"),
        _claim("C4", ServiceEndDate="2023.02.03"),
    )
    assert _problems(engine, tmp_path, {"ClaimFinCore.json": text}) == [
        "ClaimFinCore.json line 1: ReceivedDate: is not a real date: '2023-02-30'",
        "ClaimFinCore.json line 2: ServiceBeginDate: is not a real date: '2023-02-29T00:00:00Z'",
        "ClaimFinCore.json line 3: ServiceEndDate: is not a real date: '02/30/2023'",
        "ClaimFinCore.json line 4: ServiceEndDate: must be a date (YYYY-MM-DD or MM/DD/YYYY), "
        "not '2023.02.03'",
    ]


def test_missing_required_fields(engine: Engine, tmp_path: Path) -> None:
    text = _jsonl(
        _claim(ClaimCore_ID=...),
        _claim("C2", ReceivedDate=None),
        _claim("C3", FrequencyCode=...),
        _claim("C4", FrequencyCode=""),
    )
    assert _problems(engine, tmp_path, {"ClaimFinCore.json": text}) == [
        "ClaimFinCore.json line 1: ClaimCore_ID: is required",
        "ClaimFinCore.json line 2: ReceivedDate: is required",
        "ClaimFinCore.json line 3: FrequencyCode: is required",
        "ClaimFinCore.json line 4: FrequencyCode: is empty",
    ]


def test_duplicate_id_within_the_file(engine: Engine, tmp_path: Path) -> None:
    text = json.dumps([_claim("C1"), _claim("C2"), _claim("C1")])
    centers = _jsonl(
        {"PaymentCenter_ID": 1, "PaymentCenterType": "Member", "MemberID": "M1"},
        {"PaymentCenter_ID": 2, "PaymentCenterType": "Member", "MemberID": "M1"},
    )
    assert _problems(
        engine, tmp_path, {"ClaimFinCore.json": text, "PaymentCenter.json": centers}
    ) == [
        "PaymentCenter.json line 2: payee (PaymentCenterType, TaxID|NPI or MemberID): "
        "duplicate 'Member' / (member id withheld) (also at line 1)",
        "ClaimFinCore.json index 2: ClaimCore_ID: duplicate 'C1' (also at index 0)",
    ]


def test_duplicate_id_against_the_database(engine: Engine, tmp_path: Path) -> None:
    assert load_documents(engine, {"ClaimFinCore": [_claim("C1")]}) == {
        "ClaimFinCore": 1,
        "ClaimFinCore.ServiceLines": 1,
    }
    (tmp_path / "ClaimFinCore.json").write_text(_jsonl(_claim("C2"), _claim("C1")))
    (tmp_path / "BenefitPlan.json").write_text(_jsonl({"BenefitPlan_ID": "BP1"}))
    with pytest.raises(InputError) as caught:
        load_directory(engine, tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "ClaimFinCore.json line 2: ClaimCore_ID: 'C1' is already in the database"
    ]
    assert _stored_rows(engine) == 2  # the first load's claim and line, nothing of the second


def test_numeric_and_composite_ids_already_in_the_database(engine: Engine) -> None:
    documents: dict[str, list[object]] = {
        "PaymentCenter": [
            {"PaymentCenter_ID": 7, "PaymentCenterType": "Provider", "TaxID": "1", "NPI": "2"}
        ],
        "OverAndUnderPayment": [
            {"OverAndUnderPayment_ID": 1, "PaymentCenter_ID": 7, "Type": "OverPayment",
             "TotalAmount": "1.00"}
        ],
        "InterestConfig": [
            {"ContractType": "CMS", "AnnualRate": "0.04", "GraceDays": 30,
             "EffectiveFrom": "2024-01-01"}
        ],
    }  # fmt: skip
    load_documents(engine, documents)
    again = {
        "PaymentCenter": [
            {"PaymentCenter_ID": 8, "PaymentCenterType": "provider", "TaxID": "1", "NPI": "2"}
        ],
        "OverAndUnderPayment": documents["OverAndUnderPayment"],
        "InterestConfig": [
            {"ContractType": "CMS", "AnnualRate": "0.05", "GraceDays": 10,
             "EffectiveFrom": {"$date": "2024-01-01T00:00:00Z"}}
        ],
    }  # fmt: skip
    with pytest.raises(InputError) as caught:
        load_documents(engine, again)
    assert [str(p) for p in caught.value.problems] == [
        "PaymentCenter index 0: payee (PaymentCenterType, TaxID|NPI or MemberID): "
        "'Provider' / '1|2' is already in the database",
        "OverAndUnderPayment index 0: OverAndUnderPayment_ID: 1 is already in the database",
        "InterestConfig index 0: ContractType+EffectiveFrom: "
        "'CMS' / 2024-01-01 is already in the database",
    ]
    assert _stored_rows(engine) == 3


def test_wrong_types(engine: Engine, tmp_path: Path) -> None:
    claims = _jsonl(
        _claim("C1", ServiceLines=[{"LineNumber": "1.5", "AllowedAmount": "1.00", "Units": "two"}]),
        _claim("C2", ServiceLines={"LineNumber": 1}),
        _claim("C3", ServiceLines=[[1, "1.00"]], ProcessCodes="PX1"),
        ["C4", "1"],
        _claim("C5", AllowedAmount=True, ClaimCore_ID=["C5"]),
    )
    centers = json.dumps([{"PaymentCenter_ID": "7a", "PaymentCenterType": "Member", "MemberID": "M1",
                           "Address": ["1 Main St"]}])  # fmt: skip
    assert _problems(
        engine, tmp_path, {"ClaimFinCore.json": claims, "PaymentCenter.json": centers}
    ) == [
        "PaymentCenter.json index 0: PaymentCenter_ID: must be a whole number, not text '7a'",
        "PaymentCenter.json index 0: Address: must be an object, not a list",
        "ClaimFinCore.json line 1: ServiceLines[0].LineNumber: must be a whole number, not text '1.5'",
        "ClaimFinCore.json line 1: ServiceLines[0].Units: must be a whole number, not text 'two'",
        "ClaimFinCore.json line 2: ServiceLines: must be a list, not an object",
        "ClaimFinCore.json line 3: ServiceLines[0]: must be an object, not a list",
        "ClaimFinCore.json line 3: ProcessCodes: must be a list, not text 'PX1'",
        "ClaimFinCore.json line 4: (record): must be a JSON object, not a list",
        "ClaimFinCore.json line 5: ClaimCore_ID: must be text, not a list",
        "ClaimFinCore.json line 5: AllowedAmount: must be a number, not true/false",
    ]


def test_malformed_json_lines_are_reported_and_the_rest_still_checked(
    engine: Engine, tmp_path: Path
) -> None:
    text = (
        json.dumps(_claim("C1")) + "\n"
        + '{"ClaimCore_ID": "C2", "FrequencyCode": "1",\n'
        + json.dumps(_claim("C3", ReceivedDate="2024-13-01")) + "\n"
        + '{"ClaimCore_ID": "C4" "FrequencyCode": "1"}\n'
    )  # fmt: skip
    assert _problems(engine, tmp_path, {"ClaimFinCore.json": text}) == [
        "ClaimFinCore.json line 2: (record): not valid JSON: "
        "Expecting property name enclosed in double quotes at line 3 (column 1)",
        "ClaimFinCore.json line 3: ReceivedDate: is not a real date: '2024-13-01'",
        "ClaimFinCore.json line 4: (record): not valid JSON: Expecting ',' delimiter (column 23)",
    ]


def test_malformed_json_array_reports_its_line(engine: Engine, tmp_path: Path) -> None:
    text = '[\n{"BenefitPlan_ID": "BP1"},\n{"BenefitPlan_ID": "BP2",}\n]'
    assert _problems(engine, tmp_path, {"BenefitPlan.json": text}) == [
        "BenefitPlan.json line 3: (file): not valid JSON: "
        "Expecting property name enclosed in double quotes (column 26); the file was not read"
    ]


def test_unknown_enum_values(engine: Engine, tmp_path: Path) -> None:
    files = {
        "PaymentEvent.json": _jsonl({"PaymentEvent_ID": "PE1", "PaymentDueDate": "2024-03-01",
                                     "PaymentEventType": "Member"}),
        "OverAndUnderPayment.json": _jsonl({"OverAndUnderPayment_ID": 1, "PaymentCenter_ID": 1,
                                            "Type": "Overpaid", "TotalAmount": "1.00"}),
        "PaymentCenter.json": _jsonl({"PaymentCenter_ID": 1, "PaymentCenterType": "Vendor",
                                      "PaymentMethod": "WIRE"}),
        "ClaimFinCore.json": _jsonl(_claim(Status="Pending")),
    }  # fmt: skip
    assert _problems(engine, tmp_path, files) == [
        "PaymentEvent.json line 1: PaymentEventType: must be one of Provider, DMR, not text 'Member'",
        "PaymentCenter.json line 1: PaymentCenterType: must be one of Provider, Member, not text 'Vendor'",
        "PaymentCenter.json line 1: PaymentMethod: must be one of CHECK, EFT, not text 'WIRE'",
        "ClaimFinCore.json line 1: Status: must be one of Unpaid, Paid, not text 'Pending'",
        "OverAndUnderPayment.json line 1: Type: must be one of OverPayment, UnderPayment, "
        "not text 'Overpaid'",
    ]


def test_service_line_number_missing_or_repeated(engine: Engine, tmp_path: Path) -> None:
    lines = [
        {"LineNumber": 1, "AllowedAmount": "1.00"},
        {"AllowedAmount": "2.00"},
        {"LineNumber": {"$numberInt": "1"}, "AllowedAmount": "3.00"},
    ]
    text = _jsonl(_claim(ServiceLines=lines))
    assert _problems(engine, tmp_path, {"ClaimFinCore.json": text}) == [
        "ClaimFinCore.json line 1: ServiceLines[1].LineNumber: is required",
        "ClaimFinCore.json line 1: ServiceLines[2].LineNumber: "
        "duplicate LineNumber 1 in this claim (also ServiceLines[0])",
    ]


def test_every_problem_of_every_file_is_reported_at_once(engine: Engine, tmp_path: Path) -> None:
    files = {
        "Refund.json": _jsonl({"Refund_ID": "R1", "Amount": "1.001"}),
        "SequenceNumbers.json": _jsonl({"Name": "PaymentCenter", "Value": "10.5"}),
        "ProcessCodeEx.json": _jsonl({"ProcessCode": "PX", "HoldsPayment": "maybe"}),
        "InterestConfig.json": _jsonl({"ContractType": "CMS", "AnnualRate": "0.1234567",
                                       "GraceDays": 30, "EffectiveFrom": "2024-01-01"}),
        "BenefitPlan.json": _jsonl({"BenefitPlan_ID": "BP1"}),  # good, but not written either
    }  # fmt: skip
    assert _problems(engine, tmp_path, files) == [
        "InterestConfig.json line 1: AnnualRate: has more than six decimal places: '0.1234567'",
        "Refund.json line 1: Amount: has more than two decimal places: '1.001'",
        "Refund.json line 1: OriginalClaimCore_ID: is required",
        "SequenceNumbers.json line 1: Value: must be a whole number, not text '10.5'",
        "ProcessCodeEx.json line 1: HoldsPayment: must be true or false, not text 'maybe'",
    ]


def test_data_the_runs_flag_is_loadable(engine: Engine) -> None:
    claim = _claim(
        "C9",
        FrequencyCode=9,
        NPI="1234567890",
        BenefitPlan_ID="NO-SUCH-PLAN",
        BilledAmount="-5.00",
        ServiceLines=[{"LineNumber": 1, "AllowedAmount": "10.00", "CopayAmount": "-1.00"}],
    )
    assert load_documents(engine, {"ClaimFinCore": [claim]})["ClaimFinCore"] == 1
    with engine.connect() as conn:
        row = conn.execute(
            select(claim_fin_core).where(claim_fin_core.c.claim_core_id == "C9")
        ).one()
        line = conn.execute(select(service_line)).one()
    assert (row.frequency_code, row.npi, row.benefit_plan_id, row.billed_amount) == (
        "9", "1234567890", "NO-SUCH-PLAN", -500,
    )  # fmt: skip
    assert (row.status, line.allowed_amount, line.copay_amount, line.billed_amount) == (
        "Unpaid", 1000, -100, 0,
    )  # fmt: skip


def test_load_documents_refuses_an_unknown_collection(engine: Engine) -> None:
    with pytest.raises(InputError) as caught:
        load_documents(engine, {"ClaimWSCore": [{}], "BenefitPlan": [{"BenefitPlan_ID": "B"}]})
    [problem] = caught.value.problems
    assert (problem.source, problem.field) == ("ClaimWSCore", "(collection)")
    assert _stored_rows(engine) == 0


def test_directory_must_exist_and_hold_a_collection_file(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        load_directory(engine, tmp_path / "missing")
    (tmp_path / "notes.json").write_text("[]")
    with pytest.raises(NotFoundError, match="no collection file"):
        load_directory(engine, tmp_path, options=LoadOptions(skip_unknown=True))


def test_a_link_to_a_file_outside_the_directory_is_refused(engine: Engine, tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere.json"
    secret.write_text(_jsonl({"BenefitPlan_ID": "BP1"}))
    directory = tmp_path / "in"
    directory.mkdir()
    (directory / "BenefitPlan.json").symlink_to(secret)
    assert _problems(engine, directory, {}) == [
        "BenefitPlan.json line 1: (file): is a link to a file outside the directory; refused"
    ]
