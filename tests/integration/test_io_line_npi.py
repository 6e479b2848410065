"""ClaimFinCore `ServiceLines[].NPI` (issue 11), on both databases: a line's own NPI is loaded
per line, a line without one (every export made before lines had their own) takes the claim's
NPI, and the export gives a line's NPI only where it differs from the claim's, so an export
loads back unchanged and old exports export as they were."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Engine, select

from paymentprocess.io.export import export_documents
from paymentprocess.io.load import load_documents
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work


def _claim(claim_id: str, npi: str, *line_npis: str | None) -> dict[str, Any]:
    lines = []
    for number, line_npi in enumerate(line_npis, start=1):
        item: dict[str, Any] = {
            "LineNumber": number,
            "ProcedureCode": "D0120",
            "ServiceDate": "2025-01-02",
            "BilledAmount": "100.00",
            "AllowedAmount": "80.00",
        }
        if line_npi is not None:
            item["NPI"] = line_npi
        lines.append(item)
    return {
        "ClaimCore_ID": claim_id,
        "ParentClaimCore_ID": claim_id,
        "FrequencyCode": "1",
        "Status": "Unpaid",
        "TaxID": "123456789",
        "NPI": npi,
        "MemberID": "M1",
        "ReceivedDate": "2025-01-05",
        "ServiceBeginDate": "2025-01-02",
        "ServiceEndDate": "2025-01-02",
        "ServiceLines": lines,
    }


def test_line_npis_load_per_line_and_export_where_they_differ(engine: Engine) -> None:
    docs = [
        _claim("C1", "1497775530", None, None),  # an old export: no line NPI
        _claim("C2", "1497775530", "1234567893", "1497775530", "1234-567-893"),
    ]
    counts = load_documents(engine, {"ClaimFinCore": copy.deepcopy(docs)})
    assert counts["ClaimFinCore.ServiceLines"] == 5
    s = t.service_line.c
    with engine.connect() as conn:
        stored = conn.execute(
            select(s.claim_core_id, s.line_number, s.provider_npi).order_by(
                s.claim_core_id, s.line_number
            )
        ).all()
    assert [tuple(r) for r in stored] == [
        ("C1", 1, "1497775530"),
        ("C1", 2, "1497775530"),
        ("C2", 1, "1234567893"),
        ("C2", 2, "1497775530"),
        ("C2", 3, "1234567893"),  # separators dropped, as for the claim's NPI
    ]
    with unit_of_work(engine, write=False) as uow:
        exported = export_documents(uow.conn, "ClaimFinCore")
    by_id = {d["ClaimCore_ID"]: d for d in exported}
    assert ["NPI" in line for line in by_id["C1"]["ServiceLines"]] == [False, False]
    assert [line.get("NPI") for line in by_id["C2"]["ServiceLines"]] == [
        "1234567893",
        None,
        "1234567893",
    ]
    assert list(by_id["C2"]["ServiceLines"][0])[-1] == "NPI"


def test_an_export_with_line_npis_loads_back_unchanged(engine: Engine, db_uri: str) -> None:
    docs = [_claim("C1", "1497775530", "1234567893", None)]
    load_documents(engine, {"ClaimFinCore": docs})
    with unit_of_work(engine, write=False) as uow:
        first = export_documents(uow.conn, "ClaimFinCore")
    with engine.begin() as conn:
        conn.execute(t.service_line.delete())
        conn.execute(t.claim_fin_core.delete())
    load_documents(engine, {"ClaimFinCore": copy.deepcopy(first)})
    with unit_of_work(engine, write=False) as uow:
        assert export_documents(uow.conn, "ClaimFinCore") == first


def test_a_generated_cycle_has_lines_of_their_own_provider(engine: Engine) -> None:
    from paymentprocess.synth.cycle import generate_cycle

    generate_cycle(engine, claims=400, seed=5, event_id="PE-1")
    c, s = t.claim_fin_core.c, t.service_line.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.claim_core_id, s.line_number, s.provider_npi, c.npi).join(
                t.claim_fin_core, c.claim_core_id == s.claim_core_id
            )
        ).all()
    own = {(cid, n) for cid, n, line_npi, npi in rows if line_npi != npi}
    assert all(line_npi is not None for _, _, line_npi, npi in rows if npi is not None)
    assert all(n > 1 for _, n in own)  # line 1 is always the claim's
    assert 0.03 < len(own) / len(rows) < 0.2, (len(own), len(rows))
    with unit_of_work(engine, write=False) as uow:
        exported = export_documents(uow.conn, "ClaimFinCore")
    shown = {
        (d["ClaimCore_ID"], line["LineNumber"])
        for d in exported
        for line in d["ServiceLines"]
        if "NPI" in line
    }
    assert shown == own
