"""The reference rows the output files quote: the event, its funding source and payer, the payees.

Read once per `paymentprocess outputs` run (a few rows, plus one per payee), as of the caller's
transaction. Amounts never come from here: they come from the event's stored results
(outputs.gather / outputs.remittance).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.outputs.gather import event_payees
from paymentprocess.storage import tables as t
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema

PAYEE_COLUMNS = (
    "payment_center_id",
    "payment_center_type",
    "tax_id",
    "npi",
    "vendor_name",
    "name_first",
    "name_last",
    "address_line1",
    "address_line2",
    "address_city",
    "address_state",
    "address_zip",
    "payment_method",
    "bank_routing_number",
    "bank_account_number",
    "bank_account_type",
    "era_receiver_qualifier",
    "era_receiver_id",
)


@dataclass(frozen=True)
class EventDetails:
    """The event and the rows its files name (O-1)."""

    event_id: str
    event_type: str  # Provider | DMR
    payment_date: date
    funding_source: dict[str, Any]  # the funding_source row
    payer: dict[str, Any] | None  # the payer row its funding source names, if any
    payees: pl.DataFrame  # PAYEE_COLUMNS of every payee the event touched
    register: pl.DataFrame = field(
        default_factory=pl.DataFrame
    )  # the event's payment_register rows (outputs.gather)


def read_event_details(conn: Connection, event_id: str) -> EventDetails:
    """The event's details; refuses an event that is not at stage `Final` (outputs follow a
    Final Run, O-1) or whose funding source is unknown."""
    ev = t.payment_event
    event = conn.execute(select(ev).where(ev.c.payment_event_id == event_id)).mappings().first()
    if event is None:
        raise NotFoundError(f"payment event {event_id!r} does not exist")
    if event["stage"] != "Final":
        raise RunRefusedError(
            f"payment event {event_id!r} is at stage {event['stage']}: outputs are written only "
            "after its Final Run (run `paymentprocess run -m final -p ...` first)"
        )
    fs = t.funding_source
    source = (
        conn.execute(select(fs).where(fs.c.funding_source_id == event["funding_source_id"]))
        .mappings()
        .first()
    )
    if source is None:
        raise RunRefusedError(
            f"payment event {event_id!r}: its funding source {event['funding_source_id']!r} "
            "does not exist, so no file can name the paying account"
        )
    payer = None
    if source["payer_id"] is not None:
        p = t.payer
        found = conn.execute(select(p).where(p.c.payer_id == source["payer_id"])).mappings().first()
        payer = dict(found) if found is not None else None
    pc = t.payment_center
    ids = select(event_payees(event_id).c.payment_center_id)
    payees = read_frame(
        conn,
        select(*(pc.c[n] for n in PAYEE_COLUMNS)).where(pc.c.payment_center_id.in_(ids)),
        table_schema(pc, PAYEE_COLUMNS),
    ).sort("payment_center_id")
    return EventDetails(
        event_id=event_id,
        event_type=str(event["payment_event_type"]),
        payment_date=event["payment_due_date"],
        funding_source=dict(source),
        payer=payer,
        payees=payees,
    )
