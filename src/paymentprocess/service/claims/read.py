"""Read claims back as JSON-ready documents: one claim by id, or the claims of a page.

Rows are read as tuples (`HEADER_COLUMNS`, `LINE_COLUMNS`, positions named in
`service.claims.document`) and the lines of every claim of a page come in one statement, so a page
of 50 claims is two statements and a loop. A claim's `status` is its effective status: `Paid` once
a Final Run paid it (a `claim_result` row with outcome `paid`), else the stored one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    case,
    exists,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Select

from paymentprocess.errors import NotFoundError
from paymentprocess.service.claims.document import H_ID, L_CLAIM, claim_document
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.tables import claim_fin_core, claim_result, service_line

_c, _l = claim_fin_core.c, service_line.c

HEADER_COLUMNS: tuple[Any, ...] = (
    _c.claim_core_id,
    _c.claim_reference,
    _c.status,
    # A CASE over the EXISTS itself: an EXISTS wrapped in a scalar SELECT was not correlated to
    # the outer claim, and every claim read "Paid" as soon as any claim was paid. 'paid' is
    # written into the SQL (not bound), so that a prepared statement's generic plan can still use
    # the partial index ix_claim_result_paid_once (WHERE outcome = 'paid').
    case(
        (
            exists().where(
                claim_result.c.claim_core_id == _c.claim_core_id,
                claim_result.c.outcome == literal_column("'paid'"),
            ),
            literal_column("'Paid'"),
        )
    ).label("paid_status"),
    _c.tax_id,
    _c.npi,
    _c.member_id,
    _c.benefit_plan_id,
    _c.received_date,
    _c.service_begin_date,
    _c.service_end_date,
    _c.created_at,
    _c.billed_amount,
    _c.allowed_amount,
    _c.coinsurance_amount,
    _c.copay_amount,
    _c.patient_control_number,
    _c.patient_first_name,
    _c.patient_last_name,
)

LINE_COLUMNS: tuple[Any, ...] = (
    _l.claim_core_id,
    _l.line_number,
    _l.service_date,
    _l.procedure_code,
    _l.quadrant,
    _l.billed_amount,
    _l.allowed_amount,
    _l.coinsurance_amount,
    _l.copay_amount,
    _l.provider_npi,
    _l.line_item_control_number,
    _l.modifiers,
)

_LINES: Select[Any] = (
    select(*LINE_COLUMNS)
    .where(_l.claim_core_id.in_(bindparam("ids", expanding=True)))
    .order_by(_l.claim_core_id, _l.line_number)
)
# PostgreSQL: one array parameter, so the statement text is the same for every page size (and
# SQLAlchemy need not render 50 placeholders per page).
_LINES_PG: Select[Any] = (
    select(*LINE_COLUMNS)
    .where(_l.claim_core_id == any_(bindparam("ids", type_=postgresql.ARRAY(String))))
    .order_by(_l.claim_core_id, _l.line_number)
)
_ONE: Select[Any] = select(*HEADER_COLUMNS).where(_c.claim_core_id == bindparam("claim_id"))


def claim_documents(conn: Connection, headers: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Documents for `headers` (rows starting with `HEADER_COLUMNS`), in their order."""
    if not headers:
        return []
    lines: dict[str, list[Any]] = {h[H_ID]: [] for h in headers}
    statement = _LINES_PG if conn.dialect.name == "postgresql" else _LINES
    for row in conn.execute(statement, {"ids": list(lines)}):
        lines[row[L_CLAIM]].append(row)
    return [claim_document(h, lines[h[H_ID]]) for h in headers]


def grouped_lines(
    rows: Iterable[Sequence[Any]], lines_at: int
) -> list[tuple[Sequence[Any], list[Sequence[Any]]]]:
    """(claim row, its line rows) from rows of a claim-with-lines join: a claim's rows are
    adjacent, its LINE_COLUMNS start at `lines_at`, and a claim without lines has one row of NULLs."""
    out: list[tuple[Sequence[Any], list[Sequence[Any]]]] = []
    last = None
    for row in rows:
        if row[H_ID] != last:
            last = row[H_ID]
            out.append((row, []))
        if row[lines_at + L_CLAIM] is not None:
            out[-1][1].append(row[lines_at:])
    return out


def load_claim(conn: Connection, claim_id: str) -> dict[str, Any] | None:
    """The document of one claim, or None."""
    header = conn.execute(_ONE, {"claim_id": claim_id}).first()
    return None if header is None else claim_documents(conn, [header])[0]


def get_claim_document(engine: Engine, claim_id: str) -> dict[str, Any]:
    """The stored claim's document; NotFoundError if there is none."""
    with unit_of_work(engine, write=False) as uow:
        document = load_claim(uow.conn, claim_id)
    if document is None:
        raise NotFoundError(f"no claim with id {claim_id!r}")
    return document
