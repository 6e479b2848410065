"""The reference consumer's effect, applied at most once per message: one transaction records the
message_id in `consumer_message` and writes the effect in `consumer_effect`; a message_id that
is already recorded writes nothing (a redelivery, or the relay's resend after a crash).

The effect is what the downstream payments side would book: a claim's net fee (`claim.created`),
a payment issued (`payment.issued`), a run's total (`payment_event.*`), a Final Run undone
(`payment_event.restored`). An event type this
consumer does not know is recorded and otherwise ignored (new types must not stop old
consumers); a payload it cannot read (not JSON, a version it does not know, a field missing or
wrong) raises `EventFormatError`, naming the event and the field, and the message is retried,
then dead-lettered (consumer.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, Engine, insert
from sqlalchemy.dialects import postgresql, sqlite

from paymentprocess.domain.money import MoneyError, parse_cents
from paymentprocess.errors import PaymentError
from paymentprocess.storage.database import is_sqlite, unit_of_work, utcnow
from paymentprocess.storage.tables import consumer_effect, consumer_message

Outcome = Literal["applied", "duplicate", "ignored"]
SUPPORTED_VERSION = 1


class EventFormatError(PaymentError):
    """A message this consumer cannot apply (it is retried, then dead-lettered)."""


def _text(data: dict[str, Any], event: str, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise EventFormatError(f"{event}: field {name!r} is missing or not a string")
    return value


def _cents(data: dict[str, Any], event: str, name: str) -> int:
    try:
        return parse_cents(data.get(name), what=f"{event}: field {name!r}")
    except MoneyError as exc:
        raise EventFormatError(str(exc)) from None


def _totals_paid(data: dict[str, Any], event: str) -> int:
    totals = data.get("totals")
    if not isinstance(totals, dict):
        raise EventFormatError(f"{event}: field 'totals' is missing or not an object")
    return _cents(totals, event, "paid")


# event type → (subject id, amount in cents) of its effect
_EFFECTS: dict[str, Callable[[dict[str, Any], str], tuple[str, int | None]]] = {
    "claim.created": lambda d, e: (_text(d, e, "claim_id"), _cents(d, e, "net_fee")),
    "payment.issued": lambda d, e: (_text(d, e, "payment_id"), _cents(d, e, "amount")),
    "payment_event.finalized": lambda d, e: (_text(d, e, "payment_event_id"), _totals_paid(d, e)),
    "payment_event.dry_run_completed": lambda d, e: (
        _text(d, e, "payment_event_id"),
        _totals_paid(d, e),
    ),
    "payment_event.restored": lambda d, e: (_text(d, e, "payment_event_id"), None),
}


def read_event(event_type: str, body: bytes) -> dict[str, Any]:
    """The payload as a dict of a version this consumer reads; EventFormatError otherwise."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise EventFormatError(f"{event_type}: body is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise EventFormatError(f"{event_type}: body is not a JSON object")
    if data.get("version") != SUPPORTED_VERSION:
        raise EventFormatError(
            f"{event_type}: field 'version' is {data.get('version')!r}; "
            f"this consumer reads version {SUPPORTED_VERSION}"
        )
    return data


def apply_once(
    engine: Engine, consumer: str, message_id: str, event_type: str, body: bytes
) -> Outcome:
    """Apply the message's effect unless `consumer` already applied `message_id`."""
    data = read_event(event_type, body)
    effect = _EFFECTS.get(event_type)
    subject = effect(data, event_type) if effect is not None else None
    with unit_of_work(engine) as uow:
        if not _first_time(uow.conn, consumer, message_id, event_type):
            return "duplicate"  # rolled back: nothing written
        if subject is not None:
            uow.conn.execute(
                insert(consumer_effect).values(
                    consumer=consumer,
                    event_type=event_type,
                    subject_id=subject[0],
                    amount=subject[1],
                    applied_at=utcnow(),
                )
            )
        uow.commit()
    return "applied" if subject is not None else "ignored"


def _first_time(conn: Connection, consumer: str, message_id: str, event_type: str) -> bool:
    """Record the message; False when it was recorded before (PostgreSQL: a concurrent consumer
    inserting the same id waits for the other's commit, then sees it)."""
    dialect_insert = sqlite.insert if is_sqlite(conn) else postgresql.insert
    stmt = (
        dialect_insert(consumer_message)
        .values(
            consumer=consumer,
            message_id=message_id,
            event_type=event_type,
            received_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(consumer_message.c.message_id)
    )
    return conn.execute(stmt).first() is not None  # (rowcount is -1 here on psycopg 3)
