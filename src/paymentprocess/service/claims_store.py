"""SQL of the claims service: write one intake claim, read claims back as JSON-ready documents.

Intake maps onto the shared schema: `claim_fin_core` (an original, its own parent, `Unpaid`,
header totals = line sums), `service_line`, the `provider_aggregate` running totals (upsert) and an
`outbox_event` for the payments service. Helpers take a connection and never commit: the caller's
unit of work decides. A claim's `status` is its effective status: `Paid` once a Final Run paid it
(a `claim_result` row with outcome `paid`), else the stored one.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from paymentprocess.service.claims_document import LINE_AMOUNTS, claim_document
from paymentprocess.service.claims_model import NewClaim, NewLine
from paymentprocess.storage.claims_view import paid_by_final_run
from paymentprocess.storage.tables import (
    claim_fin_core,
    idempotency_key,
    outbox_event,
    provider_aggregate,
    service_line,
)

CLAIM_CREATED_TOPIC = "claim.created"


def insert_claim(
    conn: Connection, claim_id: str, claim: NewClaim, *, received: date, created_at: datetime
) -> dict[str, Any]:
    """Write the claim, its lines and the provider aggregate (no commit); its document."""
    header = {
        "claim_core_id": claim_id,
        "parent_claim_core_id": claim_id,
        "frequency_code": "1",
        "payment_event_id": None,
        "status": "Unpaid",
        "tax_id": claim.provider_tin,
        "npi": claim.provider_npi,
        "member_id": claim.subscriber_number,
        "benefit_plan_id": claim.plan_group,
        "received_date": received,
        "service_begin_date": min(line.service_date for line in claim.lines),
        "service_end_date": max(line.service_date for line in claim.lines),
        **{col: claim.total(field) for col, field in LINE_AMOUNTS.items()},
        "deductible_amount": 0,
        "other_adjustment_amount": 0,
        "claim_reference": claim.claim_reference,
        "created_at": created_at,
    }
    lines = [_line_row(claim_id, n, line) for n, line in enumerate(claim.lines, start=1)]
    # Statements without .values() compile once and are reused from SQLAlchemy's cache.
    conn.execute(insert(claim_fin_core), header)
    conn.execute(insert(service_line), lines)
    conn.execute(
        _upsert_statement(conn.dialect.name),
        {"provider_npi": claim.provider_npi, "claim_count": 1, "total_net_fee": claim.net_fee},
    )
    return claim_document({**header, "paid_status": None}, lines)


def _line_row(claim_id: str, number: int, line: NewLine) -> dict[str, Any]:
    return {
        "claim_core_id": claim_id,
        "line_number": number,
        "procedure_code": line.submitted_procedure,
        "quadrant": line.quadrant,
        "units": None,
        "service_date": line.service_date,
        "deductible_amount": 0,
        "other_adjustment_amount": 0,
        **{col: getattr(line, field) for col, field in LINE_AMOUNTS.items()},
    }


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (provider_npi) DO UPDATE adding one claim and its net fee."""
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(provider_aggregate)
    return stmt.on_conflict_do_update(
        index_elements=[provider_aggregate.c.provider_npi],
        set_={
            "claim_count": provider_aggregate.c.claim_count + 1,
            "total_net_fee": provider_aggregate.c.total_net_fee + stmt.excluded.total_net_fee,
        },
    )


def insert_outbox(conn: Connection, payload: dict[str, Any], *, created_at: datetime) -> None:
    conn.execute(
        insert(outbox_event),
        {"created_at": created_at, "topic": CLAIM_CREATED_TOPIC, "payload": payload},
    )


def insert_idempotency(
    conn: Connection,
    key: str,
    request_hash: str,
    status: int,
    body: dict[str, Any],
    *,
    created_at: datetime,
) -> None:
    conn.execute(
        insert(idempotency_key).values(
            key=key,
            request_hash=request_hash,
            status_code=status,
            response=body,
            created_at=created_at,
        )
    )


def find_idempotency(conn: Connection, key: str) -> RowMapping | None:
    return (
        conn.execute(select(idempotency_key).where(idempotency_key.c.key == key)).mappings().first()
    )


def find_claim_id_by_reference(conn: Connection, reference: str) -> str | None:
    return conn.execute(
        select(claim_fin_core.c.claim_core_id).where(claim_fin_core.c.claim_reference == reference)
    ).scalar_one_or_none()


def _paid_status() -> Any:
    return select(literal("Paid")).where(paid_by_final_run()).scalar_subquery()


def claim_header_columns() -> list[Any]:
    """The claim_fin_core columns a claim document needs, plus its effective status."""
    c = claim_fin_core.c
    return [
        c.claim_core_id,
        c.claim_reference,
        c.status,
        _paid_status().label("paid_status"),
        c.tax_id,
        c.npi,
        c.member_id,
        c.benefit_plan_id,
        c.received_date,
        c.service_begin_date,
        c.service_end_date,
        c.created_at,
        *(c[col] for col in LINE_AMOUNTS),
    ]


def load_claims(conn: Connection, headers: Sequence[RowMapping]) -> list[dict[str, Any]]:
    """JSON-ready documents for `headers` (rows of `claim_header_columns`), lines included."""
    ids = [h["claim_core_id"] for h in headers]
    lines: dict[str, list[RowMapping]] = {i: [] for i in ids}
    if ids:
        rows = conn.execute(
            select(service_line)
            .where(service_line.c.claim_core_id.in_(ids))
            .order_by(service_line.c.claim_core_id, service_line.c.line_number)
        ).mappings()
        for row in rows:
            lines[row["claim_core_id"]].append(row)
    return [claim_document(h, lines[h["claim_core_id"]]) for h in headers]


def load_claim(conn: Connection, claim_id: str) -> dict[str, Any] | None:
    header = (
        conn.execute(
            select(*claim_header_columns()).where(claim_fin_core.c.claim_core_id == claim_id)
        )
        .mappings()
        .first()
    )
    return None if header is None else load_claims(conn, [header])[0]
