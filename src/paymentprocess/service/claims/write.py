"""The SQL that stores intake claims: claims and lines, provider totals, outbox, answers.

Intake maps onto the shared schema: `claim_fin_core` (an original, its own parent, `Unpaid`,
header totals = line sums, `npi` the billing provider), `service_line` (each line with its own
`provider_npi`), the `provider_aggregate` running totals (upsert: each line's net fee goes to that
line's NPI, and a claim counts once for every NPI its lines name), an `outbox_event` for the
payments service and the `idempotency_key` answers; and the two look-ups that settle a race
(a stored key, a taken reference). Helpers take a connection and never commit: the caller's unit
of work decides. Reading claims back is `service.claims.read`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, RowMapping, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from paymentprocess.service.claims.document import (
    HEADER_KEYS,
    LINE_KEYS,
    as_row,
    claim_document,
)
from paymentprocess.service.claims.model import NewClaim, NewLine
from paymentprocess.storage.outbox import add_events
from paymentprocess.storage.tables import (
    claim_fin_core,
    idempotency_key,
    provider_aggregate,
    service_line,
)

CLAIM_CREATED_TOPIC = "claim.created"
CLAIM_CREATED_VERSION = 1


def claim_header(
    claim_id: str, claim: NewClaim, *, received: date, created_at: datetime
) -> dict[str, Any]:
    """The claim_fin_core row of an intake claim (header totals = line sums)."""
    lines = claim.lines
    dates = [line.service_date for line in lines]
    return {
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
        "service_begin_date": min(dates),
        "service_end_date": max(dates),
        "billed_amount": sum(line.provider_fees for line in lines),
        "allowed_amount": sum(line.allowed_fees for line in lines),
        "coinsurance_amount": sum(line.member_coinsurance for line in lines),
        "copay_amount": sum(line.member_copay for line in lines),
        "deductible_amount": 0,
        "other_adjustment_amount": 0,
        "claim_reference": claim.claim_reference,
        "created_at": created_at,
        "patient_control_number": claim.patient_control_number,
        "patient_first_name": claim.patient_first_name,
        "patient_last_name": claim.patient_last_name,
    }


def insert_claims(
    conn: Connection,
    claims: Sequence[tuple[str, NewClaim]],
    *,
    received: date,
    created_at: datetime,
) -> dict[str, dict[str, Any]]:
    """Write the (id, claim) pairs whose claim_reference (and id) is free, with their lines and
    provider aggregates (no commit); the documents of the claims written, by id.

    A claim whose reference is already stored — or sent earlier in the same call, or being
    written by a concurrent transaction that then commits — is skipped, not an error
    (`ON CONFLICT DO NOTHING`): the caller finds it missing from the answer and settles it.
    Rows go in (NPI, reference) order and aggregates in NPI order, so that concurrent writers
    lock rows in the same order and do not deadlock.

    Each statement is sent once with a list of rows (the driver's executemany: psycopg sends
    them in one pipeline, sqlite3 loops in C). Not as multi-row INSERTs (SQLAlchemy's
    insertmanyvalues): psycopg caches the conversion of a statement only up to 50 parameters
    and 4 KB, so a multi-row INSERT of a batch was re-parsed in Python every time — about
    1.6 ms per statement, more than the rows cost to send (measured).
    """
    headers = sorted(
        (
            claim_header(cid, claim, received=received, created_at=created_at)
            for cid, claim in claims
        ),
        key=lambda h: (h["npi"], h["claim_reference"] or ""),
    )
    if not headers:
        return {}
    conn.execute(_insert_new_claims(conn.dialect.name), headers)
    ids = [h["claim_core_id"] for h in headers]
    written = set(
        conn.execute(
            select(claim_fin_core.c.claim_core_id).where(claim_fin_core.c.claim_core_id.in_(ids))
        ).scalars()
    )
    by_id = {cid: claim for cid, claim in claims if cid in written}
    if not by_id:
        return {}
    lines: dict[str, list[dict[str, Any]]] = {
        cid: [line_row(cid, n, line) for n, line in enumerate(claim.lines, start=1)]
        for cid, claim in by_id.items()
    }
    conn.execute(_INSERT_LINES, [row for rows in lines.values() for row in rows])
    totals: dict[str, list[int]] = {}
    for claim in by_id.values():
        for npi, (count, net) in claim.line_npis().items():
            total = totals.setdefault(npi, [0, 0])
            total[0] += count
            total[1] += net
    conn.execute(
        _upsert_statement(conn.dialect.name),
        [
            {"provider_npi": npi, "claim_count": count, "total_net_fee": net}
            for npi, (count, net) in sorted(totals.items())
        ],
    )
    return {
        cid: claim_document(
            as_row({**h, "paid_status": None}, HEADER_KEYS),
            [as_row(row, LINE_KEYS) for row in lines[cid]],
        )
        for h in headers
        if (cid := h["claim_core_id"]) in by_id
    }


def line_row(claim_id: str, number: int, line: NewLine) -> dict[str, Any]:
    """The service_line row of line `number` of an intake claim."""
    return {
        "claim_core_id": claim_id,
        "line_number": number,
        "procedure_code": line.submitted_procedure,
        "quadrant": line.quadrant,
        "units": None,
        "service_date": line.service_date,
        "billed_amount": line.provider_fees,
        "allowed_amount": line.allowed_fees,
        "deductible_amount": 0,
        "coinsurance_amount": line.member_coinsurance,
        "copay_amount": line.member_copay,
        "other_adjustment_amount": 0,
        "provider_npi": line.provider_npi,
        "line_item_control_number": line.line_item_control_number,
        "modifiers": None if line.modifiers is None else list(line.modifiers),
    }


def _dialect_insert(dialect: str, table: Any) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


# Statements compile once and are reused from SQLAlchemy's cache. `modifiers` is bound as a JSON
# whose None is SQL NULL (not the JSON text `null`), as `load` leaves a line without modifiers:
# the 835 writers read NULL as "no modifiers".
_INSERT_LINES = insert(service_line).values(
    modifiers=bindparam("modifiers", type_=JSON(none_as_null=True))
)


@functools.cache
def _insert_new_claims(dialect: str) -> Any:
    """INSERT claim headers ... ON CONFLICT DO NOTHING (a taken reference skips the claim)."""
    return _dialect_insert(dialect, claim_fin_core).on_conflict_do_nothing()


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (provider_npi) DO UPDATE adding claims and their net fees."""
    stmt = _dialect_insert(dialect, provider_aggregate)
    return stmt.on_conflict_do_update(
        index_elements=[provider_aggregate.c.provider_npi],
        set_={
            "claim_count": provider_aggregate.c.claim_count + stmt.excluded.claim_count,
            "total_net_fee": provider_aggregate.c.total_net_fee + stmt.excluded.total_net_fee,
        },
    )


def insert_outbox(
    conn: Connection, payloads: Sequence[dict[str, Any]], *, created_at: datetime
) -> None:
    """One `claim.created` outbox event per payload (schema version 1, docs/events.md), ordered
    per claim."""
    add_events(
        conn,
        [
            (CLAIM_CREATED_TOPIC, {"version": CLAIM_CREATED_VERSION, **p}, str(p["claim_id"]))
            for p in payloads
        ],
        created_at=created_at,
    )


_INSERT_IDEMPOTENCY = insert(idempotency_key)


def insert_idempotency(
    conn: Connection,
    answers: Sequence[tuple[str, str, int, dict[str, Any]]],
    *,
    created_at: datetime,
) -> None:
    """Remember (key, request hash, status, body) answers; a key already stored is an
    IntegrityError (the caller's transaction then rolls back)."""
    if answers:
        conn.execute(
            _INSERT_IDEMPOTENCY,
            [
                {
                    "key": key,
                    "request_hash": request_hash,
                    "status_code": status,
                    "response": body,
                    "created_at": created_at,
                }
                for key, request_hash, status, body in sorted(answers, key=lambda a: a[0])
            ],
        )


def find_idempotency(conn: Connection, keys: Sequence[str]) -> dict[str, RowMapping]:
    """The stored answers of `keys`, by key (keys never used are absent)."""
    if not keys:
        return {}
    rows = conn.execute(select(idempotency_key).where(idempotency_key.c.key.in_(keys))).mappings()
    return {row["key"]: row for row in rows}


def find_claim_id_by_reference(conn: Connection, reference: str) -> str | None:
    return conn.execute(
        select(claim_fin_core.c.claim_core_id).where(claim_fin_core.c.claim_reference == reference)
    ).scalar_one_or_none()
