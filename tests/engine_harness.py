"""Run the engine on Appendix A documents and compare every result with the reference.

`run_both(engine, documents, event_id)` loads the documents, runs the engine's Dry Run and then
its Final Run, computes the reference for both modes, and asserts they agree on: status, stats
totals, counts, payee results, findings (code, severity, count, sample ids), every claim's
outcome / hold reason / payable / net / interest, ledger applications, new ledger records,
payments with their numbers, and new payees with their ids.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Engine, select, text

from paymentprocess.domain import payee_result
from paymentprocess.domain.addresses import PARTS
from paymentprocess.domain.columns import PAYEE_ADDRESS
from paymentprocess.io.load import load_documents
from paymentprocess.reference.cycle import compute_cycle
from paymentprocess.reference.results import ReferenceResult
from paymentprocess.service.runs import RunOutcome, run_payment_event
from paymentprocess.storage import tables as t


def _rows(engine: Engine, query: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def expected_document_parts(ref: ReferenceResult) -> dict[str, Any]:
    totals = {
        total: payee_result.document_value(f, getattr(ref.totals, f.name))
        for f, total in payee_result.TOTALS
    }
    payees = []
    for p in ref.payees:
        doc: dict[str, Any] = {"payment_center_id": p.payment_center_id}
        if p.payment_center_id is None:
            doc["key"] = p.stats_key
        for f in payee_result.IN_STATS:
            doc[f.name] = payee_result.document_value(f, getattr(p, f.name))
        payees.append(doc)
    if ref.status == "Blocked":
        payees = []
    findings = [
        {"code": f.code, "severity": f.severity, "count": f.count, "sample_ids": list(f.sample_ids)}
        for f in ref.findings
    ]
    counts = {
        "claims": ref.counts.claims,
        "by_frequency_code": ref.counts.by_frequency_code,
        "by_outcome": ref.counts.by_outcome,
        "payees": ref.counts.payees,
    }
    return {
        "status": ref.status,
        "totals": totals,
        "payees": payees,
        "findings": findings,
        "counts": counts,
    }


def actual_document_parts(doc: dict[str, Any]) -> dict[str, Any]:
    findings = [
        {k: f[k] for k in ("code", "severity", "count", "sample_ids")} for f in doc["findings"]
    ]
    return {
        "status": doc["status"],
        "totals": doc["totals"],
        "payees": doc["payees"],
        "findings": findings,
        "counts": doc["counts"],
    }


def _claims_expected(ref: ReferenceResult, mode: str) -> dict[str, tuple[Any, ...]]:
    amount = "estimate" if mode == "dry-run" else "payable"
    return {
        c.claim_core_id: (c.outcome, c.hold_reason, getattr(c, amount), c.net, c.interest)
        for c in ref.claims
    }


def _claims_actual(engine: Engine, event_id: str, mode: str) -> dict[str, tuple[Any, ...]]:
    if mode == "dry-run":
        w = t.claim_ws_result
        q = select(
            w.c.claim_core_id, w.c.outcome, w.c.hold_reason, w.c.estimate, w.c.net, w.c.interest
        ).where(w.c.payment_event_id == event_id)
    else:
        r = t.claim_result
        q = select(
            r.c.claim_core_id, r.c.outcome, r.c.hold_reason, r.c.payable, r.c.net, r.c.interest
        ).where(r.c.payment_event_id == event_id)
    return {row["claim_core_id"]: tuple(list(row.values())[1:]) for row in _rows(engine, q)}


def _final_ledger_actual(engine: Engine, event_id: str) -> dict[str, Any]:
    a, ou, pr, pc = (
        t.over_and_under_payment_application,
        t.over_and_under_payment,
        t.payment_register,
        t.payment_center,
    )
    apps = _rows(
        engine,
        select(a.c.kind, a.c.over_and_under_payment_id, a.c.amount, a.c.refund_id).where(
            a.c.payment_event_id == event_id
        ),
    )
    news = _rows(
        engine,
        select(
            ou.c.over_and_under_payment_id,
            ou.c.payment_center_id,
            ou.c.type,
            ou.c.total_amount,
            ou.c.claim_chain_id,
        ).where(ou.c.payment_event_id == event_id),
    )
    pays = _rows(
        engine,
        select(
            pr.c.payment_id, pr.c.payment_center_id, pr.c.amount, pr.c.method, pr.c.check_number
        ).where(pr.c.payment_event_id == event_id),
    )
    payees = _rows(
        engine,
        select(
            pc.c.payment_center_id,
            pc.c.payee_key,
            pc.c.contract_type,
            pc.c.payment_method,
            pc.c.vendor_name,
            *(pc.c[name] for name in PAYEE_ADDRESS),
        ).where(pc.c.created_payment_event_id == event_id),
    )
    return {
        "applications": sorted(
            (r["kind"], r["over_and_under_payment_id"], r["amount"], r["refund_id"]) for r in apps
        ),
        "new_records": sorted(
            (
                r["over_and_under_payment_id"],
                r["payment_center_id"],
                r["type"],
                r["total_amount"],
                r["claim_chain_id"],
            )
            for r in news
        ),
        "payments": sorted(
            (r["payment_id"], r["payment_center_id"], r["amount"], r["method"], r["check_number"])
            for r in pays
        ),
        "new_payees": sorted(
            (
                r["payment_center_id"],
                r["payee_key"],
                r["contract_type"],
                r["payment_method"],
                r["vendor_name"],
                tuple(r[name] for name in PAYEE_ADDRESS),
            )
            for r in payees
        ),
    }


def _final_ledger_expected(ref: ReferenceResult) -> dict[str, Any]:
    return {
        "applications": sorted(
            (a.kind, a.record_id, a.amount, a.refund_id) for a in ref.applications
        ),
        "new_records": sorted(
            (n.record_id, n.payment_center_id, n.type, n.amount, n.claim_chain_id)
            for n in ref.new_records
        ),
        "payments": sorted(
            (p.payment_id, p.payment_center_id, p.amount, p.method, p.check_number)
            for p in ref.payments
        ),
        "new_payees": sorted(
            (
                n.payment_center_id,
                n.payee_key,
                n.contract_type,
                n.payment_method,
                n.vendor_name,
                tuple((n.address or {}).get(part) for part in PARTS),
            )
            for n in ref.new_payees
        ),
    }


def _line_payments_expected(ref: ReferenceResult) -> dict[str, tuple[int, ...]]:
    return {
        c.claim_core_id: tuple(c.line_payables)
        for c in ref.claims
        if c.outcome == "paid" and c.line_payables
    }


def _line_payments_actual(engine: Engine, event_id: str) -> dict[str, tuple[int, ...]]:
    view = t.metadata.tables.get("service_line_payment")
    assert view is None, "service_line_payment is a view, not a table"
    query = text(
        "SELECT claim_core_id, line_number, payable FROM service_line_payment "
        "WHERE payment_event_id = :e ORDER BY claim_core_id, line_number"
    )
    with engine.connect() as conn:
        rows = conn.execute(query, {"e": event_id}).all()
    out: dict[str, list[int]] = {}
    for claim_id, _line, payable in rows:
        out.setdefault(claim_id, []).append(int(payable))
    return {k: tuple(v) for k, v in out.items()}


def compare(
    engine: Engine, outcome: RunOutcome, ref: ReferenceResult, event_id: str, mode: str
) -> None:
    assert outcome.document, outcome.message
    assert actual_document_parts(outcome.document) == expected_document_parts(ref)
    if mode == "final" and ref.status == "Blocked":
        return
    assert _claims_actual(engine, event_id, mode) == _claims_expected(ref, mode)
    if mode == "final":
        assert _final_ledger_actual(engine, event_id) == _final_ledger_expected(ref)
        assert _line_payments_actual(engine, event_id) == _line_payments_expected(ref)


def run_both(
    engine: Engine, documents: dict[str, list[dict[str, Any]]], event_id: str
) -> tuple[RunOutcome, RunOutcome]:
    """Load, Dry Run, Final Run; each compared with the reference. Returns both outcomes."""
    ref_dry = compute_cycle(copy.deepcopy(documents), event_id, "dry-run")
    ref_final = compute_cycle(copy.deepcopy(documents), event_id, "final")
    load_documents(engine, documents)
    dry = run_payment_event(engine, event_id, "dry-run")
    compare(engine, dry, ref_dry, event_id, "dry-run")
    final = run_payment_event(engine, event_id, "final")
    compare(engine, final, ref_final, event_id, "final")
    return dry, final


def documents_from_db(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every importable collection as `export` writes it (the reference's input)."""
    from paymentprocess.io.collections import IMPORTABLE
    from paymentprocess.io.export import export_documents

    with engine.connect() as conn:
        return {c.name: export_documents(conn, c.name) for c in IMPORTABLE}


def run_both_from_db(engine: Engine, event_id: str) -> tuple[RunOutcome, RunOutcome]:
    """Dry Run and Final Run of data already in the database, each compared with the reference."""
    documents = documents_from_db(engine)
    ref_dry = compute_cycle(copy.deepcopy(documents), event_id, "dry-run")
    ref_final = compute_cycle(copy.deepcopy(documents), event_id, "final")
    dry = run_payment_event(engine, event_id, "dry-run")
    compare(engine, dry, ref_dry, event_id, "dry-run")
    final = run_payment_event(engine, event_id, "final")
    compare(engine, final, ref_final, event_id, "final")
    return dry, final
