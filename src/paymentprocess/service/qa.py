"""QA views: the seeds' PaymentCenterClaims document of an event.

Before an event's Final Run, the document is computed by the per-claim reference implementation
from the documents read back in the import format (exactly what `export` would write), for
review, not for paying. After its Final Run (`-m final` of a Final event) it is read from what
that run stored — its claim results (`claim_result`), the service lines' payables, the payees it
paid or created, the ledger records open before it (its backup) and its stats — so QA sees what
*was* paid, not a new cycle of the claims still held. Both have the same shape.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from paymentprocess.domain import payee_result
from paymentprocess.domain.columns import MEMBER_SHARE
from paymentprocess.domain.money import format_cents
from paymentprocess.domain.run_config import Mode
from paymentprocess.io.collections import IMPORTABLE
from paymentprocess.io.export import export_documents
from paymentprocess.reference.cycle import compute_cycle
from paymentprocess.reference.export import to_payment_center_claims_json
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

GROUP_OF_CODE = {"1": "PaidClaim", "8": "VoidClaim", "7": "AdjustClaim"}
DEDUCTED = MEMBER_SHARE  # a line's payable is its allowed amount less these, floored at 0


def payment_center_claims(
    engine: Engine, payment_event_id: str, mode: Mode
) -> list[dict[str, Any]]:
    """PaymentCenterClaims (payee → chains → PaidClaim / VoidClaim / AdjustClaim) for one event."""
    with unit_of_work(engine, write=False) as uow:
        if mode == "final":
            paid = _final_run(uow.conn, payment_event_id)
            if paid is not None:
                return _as_paid(uow.conn, payment_event_id, *paid)
        documents = {c.name: export_documents(uow.conn, c.name) for c in IMPORTABLE}
    return to_payment_center_claims_json(compute_cycle(documents, payment_event_id, mode))


def _final_run(conn: Connection, event_id: str) -> tuple[dict[str, Any], int] | None:
    """The stats document and backup id of the Final Run that paid a Final event, if any."""
    ev, st, bk = t.payment_event, t.payment_event_stats, t.backup
    stage = conn.execute(
        select(ev.c.stage).where(ev.c.payment_event_id == event_id)
    ).scalar_one_or_none()
    if stage != "Final":
        return None
    doc = conn.execute(
        select(st.c.document)
        .where(st.c.payment_event_id == event_id, st.c.mode == "final", st.c.status == "Completed")
        .order_by(st.c.run_id.desc())
        .limit(1)
    ).scalar_one_or_none()
    backup_id = conn.execute(
        select(func.max(bk.c.backup_id)).where(
            bk.c.payment_event_id == event_id, bk.c.restored_at.is_(None)
        )
    ).scalar_one_or_none()
    if doc is None or backup_id is None:
        return None  # imported at stage Final: nothing of its payment is stored here
    return dict(doc), int(backup_id)


def _line_payable(line: Any) -> int:
    return max(0, int(line.allowed_amount) - sum(int(line[n]) for n in DEDUCTED))


def _estimate(claim: Any, lines: list[Any]) -> int:
    """The Dry Run estimate: the formula on the header totals (a missing one = sum of lines)."""

    def total(name: str) -> int:
        value = claim[name]
        return int(value) if value is not None else sum(int(line[name]) for line in lines)

    return max(0, total("allowed_amount") - sum(total(n) for n in DEDUCTED))


def _claim_key(claim: Any, event_type: str) -> str | None:
    if event_type == "DMR":
        return claim.member_id or None
    return f"{claim.tax_id}|{claim.npi}" if claim.tax_id and claim.npi else None


def _claims(conn: Connection, event_id: str, event_type: str) -> list[dict[str, Any]]:
    r, c, sl, pc = t.claim_result, t.claim_fin_core, t.service_line, t.payment_center
    rows = conn.execute(
        select(
            r.c.claim_core_id,
            r.c.outcome,
            r.c.hold_reason,
            r.c.payable,
            r.c.net,
            r.c.interest,
            r.c.payment_center_id,
            pc.c.payee_key,
            c.c.parent_claim_core_id,
            c.c.frequency_code,
            c.c.tax_id,
            c.c.npi,
            c.c.member_id,
            *(c.c[n] for n in ("allowed_amount", *MEMBER_SHARE)),
        )
        .join(c, c.c.claim_core_id == r.c.claim_core_id)
        .outerjoin(pc, pc.c.payment_center_id == r.c.payment_center_id)
        .where(r.c.payment_event_id == event_id)
        .order_by(r.c.claim_core_id)
    ).all()
    lines: dict[str, list[Any]] = defaultdict(list)
    for line in conn.execute(
        select(sl)
        .join(r, r.c.claim_core_id == sl.c.claim_core_id)
        .where(r.c.payment_event_id == event_id)
        .order_by(sl.c.claim_core_id, sl.c.line_number)
    ).mappings():
        lines[line["claim_core_id"]].append(line)
    out = []
    for row in rows:
        mine = lines.get(row.claim_core_id, [])
        parent = row.parent_claim_core_id
        out.append(
            {
                "key": row.payee_key or _claim_key(row, event_type),
                "chain": parent
                if parent is not None and str(parent).strip()
                else row.claim_core_id,
                "group": GROUP_OF_CODE.get(row.frequency_code or "", "OtherClaim"),
                "doc": {
                    "ClaimCore_ID": row.claim_core_id,
                    "FrequencyCode": row.frequency_code,
                    "Outcome": row.outcome,
                    "HoldReason": row.hold_reason,
                    "PayableAmount": format_cents(int(row.payable)),
                    "EstimateAmount": format_cents(_estimate(row._mapping, mine)),
                    "NetAmount": format_cents(int(row.net)),
                    "InterestAmount": format_cents(int(row.interest)),
                    "ServiceLines": [
                        {"LineNumber": i + 1, "PayableAmount": format_cents(_line_payable(line))}
                        for i, line in enumerate(mine)
                    ],
                },
            }
        )
    return out


def _open_records_before(
    conn: Connection, backup_id: int, payee_ids: set[int]
) -> dict[int, list[dict[str, Any]]]:
    """Per payee, its ledger records open before the Final Run (from the run's backup)."""
    rec = t.backup_copies["over_and_under_payment"]
    app = t.backup_copies["over_and_under_payment_application"]
    applied = dict(
        conn.execute(
            select(app.c.over_and_under_payment_id, func.sum(app.c.amount))
            .where(app.c.backup_id == backup_id)
            .group_by(app.c.over_and_under_payment_id)
        ).all()
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute(select(rec).where(rec.c.backup_id == backup_id)).mappings():
        remaining = int(r["opening_remaining_amount"]) - int(
            applied.get(r["over_and_under_payment_id"]) or 0
        )
        if r["payment_center_id"] not in payee_ids or remaining <= 0:
            continue
        out[int(r["payment_center_id"])].append({**r, "remaining": remaining})
    for records in out.values():
        records.sort(
            key=lambda x: (
                x["created_date"] is not None,
                x["created_date"] or "",
                x["over_and_under_payment_id"],
            )
        )
    return out


def _records_json(records: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    chosen = [r for r in records if r["type"] == kind]
    return {
        "TotalAmount": format_cents(sum(int(r["total_amount"]) for r in chosen)),
        "RemainingAmount": format_cents(sum(r["remaining"] for r in chosen)),
        "Data": [
            {
                "OverAndUnderPayment_ID": r["over_and_under_payment_id"],
                "PaymentEvent_ID": r["payment_event_id"],
                "Type": r["type"],
                "TotalAmount": format_cents(int(r["total_amount"])),
                "RemainingAmount": format_cents(r["remaining"]),
                "CreatedDate": None if r["created_date"] is None else r["created_date"].isoformat(),
                "ClaimChain_ID": r["claim_chain_id"],
            }
            for r in chosen
        ],
    }


def _as_paid(
    conn: Connection, event_id: str, stats: dict[str, Any], backup_id: int
) -> list[dict[str, Any]]:
    """The document of a Final event, from what its Final Run stored."""
    event_type = conn.execute(
        select(t.payment_event.c.payment_event_type).where(
            t.payment_event.c.payment_event_id == event_id
        )
    ).scalar_one()
    claims = _claims(conn, event_id, event_type)
    results = {p["payment_center_id"]: p for p in stats.get("payees", [])}
    stg = t.over_and_under_payment_stg
    refunds = dict(
        conn.execute(
            select(stg.c.payment_center_id, func.sum(stg.c.amount))
            .where(
                stg.c.payment_event_id == event_id, stg.c.mode == "final", stg.c.action == "refund"
            )
            .group_by(stg.c.payment_center_id)
        ).all()
    )
    payee_docs = {d["PaymentCenter_ID"]: d for d in export_documents(conn, "PaymentCenter")}
    ids = {c for c in results if c is not None} | {
        int(x)
        for x in conn.execute(
            select(t.claim_result.c.payment_center_id).where(
                t.claim_result.c.payment_event_id == event_id
            )
        ).scalars()
        if x is not None
    }
    pc = t.payment_center
    payees = {
        row.payee_key: row
        for row in conn.execute(
            select(pc.c.payment_center_id, pc.c.payee_key, pc.c.created_payment_event_id).where(
                pc.c.payment_center_id.in_(sorted(ids))
            )
        )
    }
    records = _open_records_before(
        conn, backup_id, {int(p.payment_center_id) for p in payees.values()}
    )
    keys = {c["key"] for c in claims} | {
        row.payee_key for row in payees.values() if row.payment_center_id in results
    }
    out = []
    for key in sorted(keys, key=lambda k: (k is None, k or "")):
        row = payees.get(key) if key is not None else None
        pc_id = None if row is None else int(row.payment_center_id)
        details = None
        if row is not None:
            doc = payee_docs.get(pc_id, {})
            details = {
                "PaymentCenter_ID": pc_id,
                "PaymentCenterType": doc.get("PaymentCenterType"),
                "VendorName": doc.get("VendorName"),
                "VendorNPI": doc.get("NPI"),
                "TaxID": doc.get("TaxID"),
                "MemberID": doc.get("MemberID"),
                "Address": doc.get("Address"),
                "Flag": "NEW" if row.created_payment_event_id == event_id else "OLD",
            }
        mine = records.get(pc_id, []) if pc_id is not None else []
        groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for c in claims:
            if c["key"] == key:
                group = groups.setdefault(
                    c["chain"], {"PaidClaim": [], "VoidClaim": [], "AdjustClaim": []}
                )
                group.setdefault(c["group"], []).append(c["doc"])
        res = results.get(pc_id)
        out.append(
            {
                "PaymentCenter_ID": pc_id,
                "PayeeKey": key,
                "PaymentCenter": details,
                "OverAndUnderPayment": {
                    "OverPayment": _records_json(mine, "OverPayment"),
                    "UnderPayment": _records_json(mine, "UnderPayment"),
                },
                "Claims": dict(sorted(groups.items())),
                "PaymentResult": None
                if res is None
                else _payment_result(res, {"refunds_applied": int(refunds.get(pc_id) or 0)}),
            }
        )
    return out


def _payment_result(stats_row: dict[str, Any], stored: dict[str, int]) -> dict[str, Any]:
    """A payee's PaymentResult, in domain.payee_result's order: the fields of the stats document
    from its payee row (`stats_row`), the others from what the run stored (`stored`, by name)."""
    return {
        f.name: stats_row[f.name] if f.in_stats else payee_result.document_value(f, stored[f.name])
        for f in payee_result.FIELDS
    }
