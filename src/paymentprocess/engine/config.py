"""Stage `config`: the event and everything small that a run needs, read once.

Reads the PaymentEvent, its business, funding source, inclusion criteria, the interest row that
applies to each contract type on the payment date, reference sets (benefit plans, service codes,
payment-holding process codes) and the sequences. Large data (claims, lines) is the `load` stage.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, select

from paymentprocess.domain.run_config import InterestTerms, Mode, RunConfig
from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.storage import tables as t


def _json_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = json.loads(value) if isinstance(value, str) else value
    return tuple(str(v) for v in items or ())


def load_config(conn: Connection, payment_event_id: str, mode: Mode) -> RunConfig:
    """Read the run configuration; refuses an unknown event or unusable configuration."""
    ev = (
        conn.execute(
            select(t.payment_event).where(t.payment_event.c.payment_event_id == payment_event_id)
        )
        .mappings()
        .first()
    )
    if ev is None:
        raise NotFoundError(f"payment event {payment_event_id!r} does not exist")
    if ev["payment_event_type"] not in ("Provider", "DMR"):
        raise RunRefusedError(
            f"payment event {payment_event_id!r} has unknown type {ev['payment_event_type']!r}"
        )
    due: dt.date = ev["payment_due_date"]
    business = conn.execute(
        select(t.business.c.custom_interest_days).where(
            t.business.c.business_id == ev["business_id"]
        )
    ).first()
    funding = conn.execute(
        select(t.funding_source.c.minimum_payment).where(
            t.funding_source.c.funding_source_id == ev["funding_source_id"]
        )
    ).first()
    if funding is None:
        raise RunRefusedError(
            f"payment event {payment_event_id!r}: funding source {ev['funding_source_id']!r} does not exist"
        )
    criteria = (
        conn.execute(
            select(t.inclusion_criteria).where(
                t.inclusion_criteria.c.inclusion_criteria_id == ev["inclusion_criteria_id"]
            )
        )
        .mappings()
        .first()
    )
    return RunConfig(
        payment_event_id=payment_event_id,
        mode=mode,
        event_type=ev["payment_event_type"],
        payment_due_date=due,
        stage=ev["stage"],
        fingerprint=ev["claims_fingerprint"],
        business_id=ev["business_id"],
        funding_source_id=ev["funding_source_id"],
        minimum_payment=int(funding[0]),
        custom_interest_days=None if business is None else business[0],
        benefit_plan_filter=_json_list(criteria["benefit_plan_ids"]) if criteria else (),
        include_payees=_json_list(criteria["include_payment_centers"]) if criteria else (),
        exclude_payees=_json_list(criteria["exclude_payment_centers"]) if criteria else (),
        interest=_interest_terms(conn, due),
        benefit_plans=frozenset(conn.execute(select(t.benefit_plan.c.benefit_plan_id)).scalars()),
        service_codes=frozenset(conn.execute(select(t.service_code.c.service_code)).scalars()),
        holding_process_codes=frozenset(
            conn.execute(
                select(t.process_code_ex.c.process_code).where(
                    t.process_code_ex.c.holds_payment.is_(True)
                )
            ).scalars()
        ),
        sequences={r.name: int(r.value) for r in conn.execute(select(t.sequence_numbers))},
    )


def _interest_terms(conn: Connection, due: dt.date) -> dict[str, InterestTerms]:
    """Per contract type, the row in force on the payment date (latest EffectiveFrom wins)."""
    ic = t.interest_config
    rows = conn.execute(
        select(ic.c.contract_type, ic.c.annual_rate_ppm, ic.c.grace_days, ic.c.effective_from)
        .where(ic.c.effective_from <= due)
        .where((ic.c.effective_to.is_(None)) | (ic.c.effective_to >= due))
        .order_by(ic.c.contract_type, ic.c.effective_from, ic.c.interest_config_id)
    ).all()
    terms: dict[str, InterestTerms] = {}
    for row in rows:  # few rows: one per contract type and period
        terms[row.contract_type] = InterestTerms(int(row.annual_rate_ppm), int(row.grace_days))
    return terms
