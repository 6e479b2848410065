"""Findings of a run grouped by severity and code, and the claims and payees a finding names.

A finding carries up to 20 sample ids (domain.findings); most are ClaimCore_IDs. The drill-down
lists the sample claims of the event in keyset pages ordered by ClaimCore_ID (`after` = the last
id of the previous page), each with its payee (by `payee_ref`, never a member id) and the Dry
Run's estimate; sample ids that name no claim of the event (refunds, payees) are listed as given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from paymentprocess.domain.payee_keys import stats_key
from paymentprocess.service.review.masking import payee_ref
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

SEVERITIES = ("Critical", "Warning", "Info")
PAGE = 10


@dataclass
class SeverityGroup:
    severity: str
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(int(f["count"]) for f in self.findings)


def grouped(document: dict[str, Any] | None) -> list[SeverityGroup]:
    """The document's findings by severity (Critical, Warning, Info), each group by code."""
    groups = {s: SeverityGroup(s) for s in SEVERITIES}
    for finding in (document or {}).get("findings", []):
        groups.setdefault(finding["severity"], SeverityGroup(finding["severity"]))
        groups[finding["severity"]].findings.append(finding)
    for group in groups.values():
        group.findings.sort(key=lambda f: f["code"])
    return [g for g in groups.values() if g.findings]


def by_code(document: dict[str, Any] | None) -> list[tuple[str, str, int]]:
    """(code, severity, count) of every finding, in the document's order."""
    return [
        (f["code"], f["severity"], int(f["count"])) for f in (document or {}).get("findings", [])
    ]


@dataclass
class FindingPage:
    finding: dict[str, Any] | None
    claims: list[dict[str, Any]]
    other_ids: list[str]
    next_after: str | None
    payees: list[tuple[str, str]] = field(default_factory=list)  # (sample id, payee_ref)


def finding_page(
    engine: Engine,
    event_id: str,
    document: dict[str, Any] | None,
    code: str,
    *,
    after: str | None = None,
    limit: int = PAGE,
) -> FindingPage:
    found = next((f for f in (document or {}).get("findings", []) if f["code"] == code), None)
    if found is None:
        return FindingPage(None, [], [], None)
    ids = sorted(str(i) for i in found.get("sample_ids", []))
    c, r = t.claim_fin_core, t.claim_ws_result
    query = (
        select(
            c.c.claim_core_id,
            c.c.frequency_code,
            c.c.service_begin_date,
            c.c.status,
            r.c.payee_key,
            r.c.payment_center_id,
            r.c.outcome,
            r.c.hold_reason,
            r.c.net,
            r.c.interest,
        )
        .outerjoin(r, (r.c.claim_core_id == c.c.claim_core_id) & (r.c.payment_event_id == event_id))
        .where(c.c.claim_core_id.in_(ids))
        .order_by(c.c.claim_core_id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(c.c.claim_core_id > after)
    with unit_of_work(engine, write=False) as uow:
        page = [dict(m) for m in uow.conn.execute(query).mappings()]
        known = (
            set(uow.conn.scalars(select(c.c.claim_core_id).where(c.c.claim_core_id.in_(ids))))
            if after is None
            else set(ids)
        )
    for row in page:
        key = row.pop("payee_key")
        row["payee_ref"] = payee_ref(row["payment_center_id"], key) if key else None
    more = len(page) > limit
    page = page[:limit]
    others = [i for i in ids if i not in known]
    payees = _named_payees(engine, event_id, others)
    others = [i for i in others if i not in dict(payees)]
    return FindingPage(found, page, others, page[-1]["claim_core_id"] if more else None, payees)


def _named_payees(engine: Engine, event_id: str, ids: list[str]) -> list[tuple[str, str]]:
    """The sample ids that name a payee of the event (a PaymentCenter_ID, or the stats key of a
    payee to be created: TaxID|NPI, or a member's pseudonym), each with its payee_ref."""
    if not ids:
        return []
    p, ev = t.payment_event_ws_payee, t.payment_event
    with unit_of_work(engine, write=False) as uow:
        event_type = uow.conn.execute(
            select(ev.c.payment_event_type).where(ev.c.payment_event_id == event_id)
        ).scalar()
        rows = uow.conn.execute(
            select(p.c.payee_key, p.c.payment_center_id).where(p.c.payment_event_id == event_id)
        ).all()
    names: dict[str, str] = {}
    for key, center_id in rows:
        ref = payee_ref(center_id, key)
        if center_id is not None:
            names[str(center_id)] = ref
        else:
            names[stats_key(key, str(event_type))] = ref
    return [(i, names[i]) for i in ids if i in names]
