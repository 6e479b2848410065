"""`paymentprocess outputs` end to end on the legacy cycles (tests/golden/test_legacy_cycles.py),
on both databases: issue, regenerate byte for byte, verify, refuse drift, re-issue, and the
restore that refuses once files were issued.

The money of each file is the hand computation of tests/golden/test_outputs_remittance_legacy.py:
PE-1 pays 1002 257.04 (check 7001) and 1003 40.00 (check 7002), 1001 nothing (a zero-pay 835);
PE-2 pays 1001 84.00 by EFT (trace 7003) and remits 1002's void with a forward balance.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import achkit
import pytest
from sqlalchemy import Engine, select, update
from tests.golden.test_legacy_cycles import _pay, legacy_documents
from tests.unit.outputs.remit_builders import oxedi_problems, pyx12_errors

from paymentprocess.errors import RunRefusedError
from paymentprocess.io.load import load_documents
from paymentprocess.outputs.issue import OutputDriftError, issue_outputs, reissue_outputs
from paymentprocess.service.runs import restore_final_run
from paymentprocess.storage import tables as t

NOW = __import__("datetime").datetime(2025, 7, 1, 15, 42, 17)
ADDRESS = {"Line1": "1 Main St", "City": "Springfield", "State": "IL", "Zip": "62701"}


def _documents() -> dict[str, list[dict[str, Any]]]:
    docs = copy.deepcopy(legacy_documents())
    docs["Payer"] = [
        {
            "Payer_ID": "SMILE",
            "LegalName": "Smile Dental Plan",
            "TIN": "987654321",
            "PayerIdentifier": "SMILE01",
            "Address": {"Line1": "500 Plan Way", "City": "Chicago", "State": "IL", "Zip": "60601"},
            "EdiContactName": "EDI Desk",
            "EdiContactPhone": "3125550100",
            "IsaSenderQualifier": "ZZ",
            "IsaSenderId": "SMILEDENTAL",
            "GsSenderCode": "SMILEDENTAL",
            "UsageIndicator": "P",
        }
    ]
    docs["BenefitPlan"][0]["ClaimFilingIndicator"] = "12"
    docs["FundingSource"][0].update(
        {
            "BankRoutingNumber": "011000015",
            "BankAccountNumber": "123456789",
            "Payer_ID": "SMILE",
            "AchCompanyId": "1987654321",
            "AchCompanyName": "SMILE DENTAL",
            "AchImmediateDestination": "011000015",
            "AchImmediateDestinationName": "FED BANK",
            "AchImmediateOrigin": "1987654321",
            "AchImmediateOriginName": "SMILE DENTAL PLAN",
        }
    )
    for payee in docs["PaymentCenter"]:
        payee["Address"] = dict(ADDRESS)
        if payee["PaymentMethod"] == "EFT":
            payee.update(
                BankRoutingNumber="021000021", BankAccountNumber="55554444", BankAccountType="C"
            )
    return docs


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _segments(content: bytes, tag: str) -> list[str]:
    return [s.strip() for s in content.decode().split("~") if s.strip().startswith(tag + "*")]


def _one(files: dict[str, bytes], prefix: str) -> tuple[str, bytes]:
    found = [(p, c) for p, c in files.items() if p.startswith(prefix)]
    assert len(found) == 1, (prefix, sorted(files))
    return found[0]


@pytest.fixture
def paid(engine: Engine) -> Engine:
    load_documents(engine, _documents(), notes=[])
    _pay(engine, "PE-1")
    return engine


def test_issue_regenerate_verify_and_drift(paid: Engine, tmp_path: Path) -> None:
    report = issue_outputs(paid, "PE-1", tmp_path, now=NOW)
    assert report.status == "issued"
    assert report.counts() == {"835": 3, "CHECK_REGISTER": 1, "POSITIVE_PAY": 1}
    directory = tmp_path / "PE-1"
    files = _files(directory)
    assert all((directory / p).stat().st_mode & 0o777 == 0o600 for p in files)
    # 1001 nets to zero: BPR*H, TRN02 NP + its ISA13 (ISA13s 1, 2, 3 in payee order)
    _, zero = _one(files, "835/835_FS1_1001_")
    assert _segments(zero, "BPR") == ["BPR*H*0*C*NON************20250701"]
    assert _segments(zero, "TRN") == ["TRN*1*NP1*1987654321"]
    assert _segments(zero, "PLB") == [
        "PLB*1234567893*20251231*72:RF2*-40*WO:OP702*100*WO:OP703*184"
    ]
    path, check = _one(files, "835/835_FS1_1002_")
    assert path == "835/835_FS1_1002_7001.x12"
    assert _segments(check, "BPR") == ["BPR*I*257.04*C*CHK************20250701"]
    assert check.startswith(b"ISA*00*          *00*          *ZZ*SMILEDENTAL    *")
    assert b"*250701*1542*^*00501*000000002*0*P*:~" in check
    register = files["checks/CHECKREG_FS1.csv"].decode().splitlines()
    assert len(register) == 3  # header + checks 7001, 7002
    assert register[1].split(",")[3:6] == ["7001", "2025-07-01", "257.04"]
    assert files["MANIFEST.sha256"].decode().count("\n") == len(files) - 1
    for name, content in files.items():
        if name.startswith("835/"):
            assert (name, pyx12_errors(content), oxedi_problems(content)) == (name, [], [])

    # the same command again: the same bytes, nothing allocated anew
    again = issue_outputs(paid, "PE-1", tmp_path, now=NOW.replace(hour=18))
    assert again.status == "rewritten"
    assert _files(directory) == files
    assert issue_outputs(paid, "PE-1", tmp_path, verify=True).mismatches == []
    (directory / path).write_bytes(check.replace(b"257.04", b"257.05"))
    assert issue_outputs(paid, "PE-1", tmp_path, verify=True).mismatches == [f"{path}: differs"]

    # data changed after issue: refused, nothing written
    with paid.begin() as conn:
        conn.execute(
            update(t.payment_center)
            .where(t.payment_center.c.payment_center_id == 1003)
            .values(vendor_name="Renamed Dental")
        )
    before = _files(directory)
    with pytest.raises(OutputDriftError, match=r"OUTPUT_DRIFT.*835_FS1_1003_7002\.x12"):
        issue_outputs(paid, "PE-1", tmp_path)
    assert _files(directory) == before


def test_ach_next_cycle_forward_balance_restore_and_reissue(paid: Engine, tmp_path: Path) -> None:
    issue_outputs(paid, "PE-1", tmp_path, now=NOW)
    _pay(paid, "PE-2")
    report = issue_outputs(paid, "PE-2", tmp_path, now=NOW.replace(month=8))
    files = _files(tmp_path / "PE-2")
    path, ach = _one(files, "ach/")
    assert path == "ach/ACH_FS1_20250801_A.ach"
    assert achkit.validate(ach.decode()) == {"ok": True, "errors": []}
    entries = [r for r in ach.decode().splitlines() if r.startswith("6")]
    assert len(entries) == 1
    assert entries[0][29:39] == "0000008400"
    addenda = [r for r in ach.decode().splitlines() if r.startswith("7")]
    _, eft = _one(files, "835/835_FS1_1001_7003")
    assert addenda[0][3:83].rstrip() == _segments(eft, "TRN")[0] + "\\"
    _, void = _one(files, "835/835_FS1_1002_")
    # the void's new overpayment is forwarded under this 835's own TRN02 (NP + ISA13 = 5)
    assert _segments(void, "TRN") == ["TRN*1*NP5*1987654321"]
    assert _segments(void, "PLB") == ["PLB*1234567901*20251231*FB:NP5*-480"]  # NPI_B
    assert report.counts()["ACH"] == 1
    for name, content in files.items():
        if name.startswith("835/"):
            assert (name, pyx12_errors(content), oxedi_problems(content)) == (name, [], [])

    # the Final Run of PE-2 cannot be undone silently once its files exist
    with paid.connect() as conn:
        backup_id = conn.execute(
            select(t.backup.c.backup_id).where(t.backup.c.payment_event_id == "PE-2")
        ).scalar_one()
    with pytest.raises(RunRefusedError, match="issued payment file"):
        restore_final_run(paid, backup_id)
    restore_final_run(paid, backup_id, force_issued="files recalled from the bank")
    with paid.connect() as conn:
        rows = conn.execute(
            select(t.output_file.c.status, t.output_file.c.reason).where(
                t.output_file.c.payment_event_id == "PE-2"
            )
        ).all()
    assert {r.status for r in rows} == {"superseded"}
    assert all("files recalled from the bank" in r.reason for r in rows)

    # PE-1 re-issued: new control numbers (ISA13 6.. after PE-2's 4, 5), old rows superseded
    old = _files(tmp_path / "PE-1")
    reissued = reissue_outputs(paid, "PE-1", tmp_path, reason="clearinghouse rejected ISA08")
    new = _files(tmp_path / "PE-1")
    assert reissued.counts() == {"835": 3, "CHECK_REGISTER": 1, "POSITIVE_PAY": 1}
    assert new["checks/CHECKREG_FS1.csv"] == old["checks/CHECKREG_FS1.csv"]
    _, zero = _one(new, "835/835_FS1_1001_")
    assert _segments(zero, "TRN") == ["TRN*1*NP6*1987654321"]
    with paid.connect() as conn:
        statuses = conn.execute(
            select(t.output_file.c.status, t.output_file.c.superseded_by).where(
                t.output_file.c.payment_event_id == "PE-1"
            )
        ).all()
    assert sorted(s.status for s in statuses) == ["issued"] * 5 + ["superseded"] * 5
    assert all(s.superseded_by is not None for s in statuses if s.status == "superseded")
    digest = hashlib.sha256(new["835/835_FS1_1002_7001.x12"]).hexdigest()
    assert digest != hashlib.sha256(old["835/835_FS1_1002_7001.x12"]).hexdigest()  # new ISA13


def test_a_kind_missing_data_is_not_generated_and_names_the_payees(
    engine: Engine, tmp_path: Path
) -> None:
    """O-5: no claim filing indicator (CLP06 is required) → no 835 at all, the problem names the
    payees; the check register and Positive Pay are still written."""
    docs = _documents()
    del docs["BenefitPlan"][0]["ClaimFilingIndicator"]
    load_documents(engine, docs, notes=[])
    _pay(engine, "PE-1")
    report = issue_outputs(engine, "PE-1", tmp_path, now=NOW)
    assert report.counts() == {"CHECK_REGISTER": 1, "POSITIVE_PAY": 1}
    problem = report.skipped["835"]
    assert problem.payee_ids == [1001, 1002, 1003]
    assert "ClaimFilingIndicator" in str(problem)
    assert sorted(_files(tmp_path / "PE-1")) == [
        "MANIFEST.sha256",
        "checks/CHECKREG_FS1.csv",
        "checks/POSPAY_FS1.csv",
    ]


def test_sequence_set_knows_the_output_sequences(paid: Engine, tmp_path: Path) -> None:
    """`sequence set` on InterchangeControl:<ISA06> and AchFileId:<FS>:<YYMMDD> (outputs.issue):
    never below what the issued files used, never past the field's range."""
    from paymentprocess.errors import InputError
    from paymentprocess.service.sequences import largest_used, set_sequence

    issue_outputs(paid, "PE-1", tmp_path, now=NOW)
    _pay(paid, "PE-2")
    issue_outputs(paid, "PE-2", tmp_path, now=NOW.replace(month=8))
    with paid.connect() as conn:
        assert largest_used(conn, "InterchangeControl:SMILEDENTAL") == 5  # 3 + 2 835s
        assert largest_used(conn, "InterchangeControl:OTHER") == 0
        assert largest_used(conn, "AchFileId:FS1:250801") == 1  # modifier A
        assert largest_used(conn, "AchFileId:FS1:250802") == 0
    with pytest.raises(RunRefusedError, match="5 is already used"):
        set_sequence(paid, "InterchangeControl:SMILEDENTAL", 4)
    assert set_sequence(paid, "InterchangeControl:SMILEDENTAL", 100).before == 5
    with pytest.raises(InputError, match="nine digits"):
        set_sequence(paid, "InterchangeControl:SMILEDENTAL", 10**9)
    with pytest.raises(RunRefusedError, match="1 is already used"):
        set_sequence(paid, "AchFileId:FS1:250801", 0)
    with pytest.raises(InputError, match="36 values"):
        set_sequence(paid, "AchFileId:FS1:250801", 37)
    assert set_sequence(paid, "AchFileId:FS1:250801", 2).value == 2


def test_cross_checks_catch_files_that_disagree(paid: Engine, tmp_path: Path) -> None:
    """V-9/V-10 (outputs.cross_check) on PE-2's real files, then on copies changed one way each."""
    from dataclasses import replace as changed

    from paymentprocess.outputs.cross_check import cross_problems
    from paymentprocess.outputs.gather import read_remit_inputs
    from paymentprocess.outputs.remittance import build_remittances

    issue_outputs(paid, "PE-1", tmp_path, now=NOW)
    _pay(paid, "PE-2")
    report = issue_outputs(paid, "PE-2", tmp_path, now=NOW.replace(month=8))
    with paid.connect() as conn:
        inputs = read_remit_inputs(conn, "PE-2")
    headers = build_remittances(inputs).headers
    files = report.files
    assert cross_problems(files, headers, inputs.register) == []

    def swap(kind: str, old: bytes, new: bytes) -> list[str]:
        out = [
            changed(f, content=f.content.replace(old, new, 1))
            if f.kind == kind and old in f.content
            else f
            for f in files
        ]
        assert out != files
        return cross_problems(out, headers, inputs.register)

    bpr = swap("835", b"BPR*I*84*", b"BPR*I*84.01*")
    assert any(p.startswith("V-9: 835/835_FS1_1001_7003") for p in bpr)
    assert any(p.startswith("V-10: Σ BPR02 8401") for p in bpr)
    entry = swap("ACH", b"0000008400", b"0000008401")
    assert any("is 8401, payment" in p for p in entry)
    assert any(p.startswith("V-10: ach/") for p in entry)
    addenda = swap("ACH", b"TRN*1*7003*", b"TRN*1*7004*")
    assert any("addenda is not the TRN of payee 1001" in p for p in addenda)
