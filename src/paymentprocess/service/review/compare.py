"""Differences: an event's Dry Run against its Final Run, and this cycle against the previous
cycle of the same business and funding source (amounts in integer cents)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, or_, select

from paymentprocess.domain.money import parse_cents
from paymentprocess.domain.payee_result import TOTAL_NAMES
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

MAX_PAYEE_DIFFS = 50


def totals_cents(document: dict[str, Any] | None) -> dict[str, int]:
    totals = (document or {}).get("totals", {})
    return {name: parse_cents(totals[name]) for name in TOTAL_NAMES if name in totals}


@dataclass
class Difference:
    name: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


def dry_vs_final(dry: dict[str, Any], final: dict[str, Any]) -> dict[str, Any]:
    """Totals, counts and OLD payees' net pay where the Final Run differs from the Dry Run."""
    before, after = totals_cents(dry), totals_cents(final)
    totals = [Difference(n, before.get(n, 0), after.get(n, 0)) for n in TOTAL_NAMES]
    count_names = ("claims", "payees")
    counts = [Difference(n, _count(dry, n), _count(final, n)) for n in count_names] + [
        Difference(
            f"claims {o}",
            dry["counts"]["by_outcome"].get(o, 0),
            final["counts"]["by_outcome"].get(o, 0),
        )
        for o in ("paid", "held", "excluded")
    ]
    old_dry = {
        p["payment_center_id"]: p
        for p in dry.get("payees", [])
        if p["payment_center_id"] is not None
    }
    payees = []
    for p in final.get("payees", []):
        d = old_dry.get(p["payment_center_id"])
        if d is not None and d["net_pay"] != p["net_pay"]:
            payees.append(
                Difference(
                    str(p["payment_center_id"]),
                    parse_cents(d["net_pay"]),
                    parse_cents(p["net_pay"]),
                )
            )
    return {
        "totals": totals,
        "counts": counts,
        "payees": payees[:MAX_PAYEE_DIFFS],
        "payees_differing": len(payees),
        "same": all(d.change == 0 for d in totals + counts) and not payees,
    }


def _count(document: dict[str, Any], name: str) -> int:
    value = document.get("counts", {}).get(name, 0)
    return int(value["total"] if isinstance(value, dict) else value)


def previous_cycle(engine: Engine, event_id: str) -> tuple[str, dict[str, Any]] | None:
    """The latest earlier event of the same business and funding source that has a completed
    run (its Final Run's document, else its Dry Run's), or None."""
    ev, st = t.payment_event, t.payment_event_stats
    with unit_of_work(engine, write=False) as uow:
        this = uow.conn.execute(select(ev).where(ev.c.payment_event_id == event_id)).first()
        if this is None:
            return None
        earlier = or_(
            ev.c.payment_due_date < this.payment_due_date,
            and_(
                ev.c.payment_due_date == this.payment_due_date,
                ev.c.payment_event_id < event_id,
            ),
        )
        same = and_(
            ev.c.business_id.is_(None)
            if this.business_id is None
            else ev.c.business_id == this.business_id,
            ev.c.funding_source_id.is_(None)
            if this.funding_source_id is None
            else ev.c.funding_source_id == this.funding_source_id,
        )
        rows = uow.conn.execute(
            select(ev.c.payment_event_id, st.c.mode, st.c.document)
            .join(st, st.c.payment_event_id == ev.c.payment_event_id)
            .where(earlier, same, st.c.status.in_(("Completed", "CompletedWithErrors")))
            .order_by(
                ev.c.payment_due_date.desc(), ev.c.payment_event_id.desc(), st.c.run_id.desc()
            )
        ).all()
    if not rows:
        return None
    first = rows[0].payment_event_id
    of_first = [r for r in rows if r.payment_event_id == first]
    chosen = next((r for r in of_first if r.mode == "final"), of_first[0])
    return str(first), chosen.document


def cycle_vs_previous(
    this: dict[str, Any] | None, previous: dict[str, Any] | None
) -> list[Difference]:
    before, after = totals_cents(previous), totals_cents(this)
    return [Difference(n, before.get(n, 0), after.get(n, 0)) for n in TOTAL_NAMES]
