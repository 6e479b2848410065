"""SequenceNumbers: list them, and create or move one as an explicit act (`sequence set`).

A run never invents a check sequence for an operator: creating `CheckNumber:<FundingSource_ID>`
is done here, by someone who knows where the funding source's checks stand. A sequence is never
moved below the largest number already used — that would issue a payee id, a ledger id or a
check number twice — unless forced; the same holds for names no run uses and funding sources
that do not exist. Setting a sequence takes the Final Runs' lock, so it never lands in the middle
of a Final Run (which reads and advances the sequences in its own transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select, update

from paymentprocess.errors import InputError, RecordProblem, RunRefusedError
from paymentprocess.logs import get_logger
from paymentprocess.service.runs import busy_is_refusal, one_final_run_at_a_time
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

log = get_logger(__name__)

CHECK_PREFIX = "CheckNumber:"
MAX_VALUE = 2**63 - 1


@dataclass(frozen=True)
class SequenceChange:
    name: str
    before: int | None  # None: the sequence was created
    value: int
    largest_used: int
    forced: bool


def list_sequences(engine: Engine) -> list[dict[str, object]]:
    """Every sequence, by name: its last used value."""
    seq = t.sequence_numbers
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(select(seq.c.name, seq.c.value).order_by(seq.c.name)).all()
    return [{"name": str(r.name), "value": int(r.value)} for r in rows]


def largest_used(conn: Connection, name: str) -> int | None:
    """The largest number already used for `name` (0 if none); None for a name no run uses."""
    if name == "PaymentCenter":
        used = conn.execute(select(func.max(t.payment_center.c.payment_center_id))).scalar()
    elif name == "OverAndUnderPayment":
        used = conn.execute(
            select(func.max(t.over_and_under_payment.c.over_and_under_payment_id))
        ).scalar()
    elif name.startswith(CHECK_PREFIX) and name != CHECK_PREFIX:
        pr, ev = t.payment_register, t.payment_event
        numbers = conn.execute(
            select(pr.c.check_number)
            .join(ev, ev.c.payment_event_id == pr.c.payment_event_id)
            .where(ev.c.funding_source_id == name[len(CHECK_PREFIX) :])
        ).scalars()
        used = max((int(n) for n in numbers if n is not None and n.isdigit()), default=0)
    else:
        return None
    return int(used or 0)


def _problem(field: str, reason: str) -> InputError:
    return InputError([RecordProblem("sequence", "argument", field, reason)])


def set_sequence(engine: Engine, name: str, value: int, *, force: bool = False) -> SequenceChange:
    """Create `name` at `value`, or move it there. Refuses (nothing changed) a value below the
    largest number already used, a name no run uses and an unknown funding source, unless
    `force`."""
    if not name.strip():
        raise _problem("Name", "is empty")
    if not 0 <= value <= MAX_VALUE:
        raise _problem("Value", f"must be between 0 and {MAX_VALUE}")
    seq = t.sequence_numbers
    with busy_is_refusal("set the sequence"), unit_of_work(engine) as uow:
        conn = uow.conn
        one_final_run_at_a_time(conn)
        used = largest_used(conn, name)
        if used is None and not force:
            raise RunRefusedError(
                f"{name!r} is not a sequence a run uses (PaymentCenter, OverAndUnderPayment, "
                f"{CHECK_PREFIX}<FundingSource_ID>); nothing changed (--force sets it anyway)"
            )
        if name.startswith(CHECK_PREFIX) and not force:
            source = name[len(CHECK_PREFIX) :]
            known = conn.execute(
                select(t.funding_source.c.funding_source_id).where(
                    t.funding_source.c.funding_source_id == source
                )
            ).first()
            if known is None:
                raise RunRefusedError(
                    f"funding source {source!r} does not exist; nothing changed "
                    "(--force creates the sequence anyway)"
                )
        if used is not None and value < used and not force:
            raise RunRefusedError(
                f"{name} cannot be set to {value}: {used} is already used, so the next run "
                f"would issue numbers twice; set it to {used} or more (or --force). "
                "Nothing changed."
            )
        before = conn.execute(select(seq.c.value).where(seq.c.name == name)).scalar()
        if before is None:
            conn.execute(insert(seq).values(name=name, value=value))
        else:
            conn.execute(update(seq).where(seq.c.name == name).values(value=value))
        uow.commit()
    change = SequenceChange(name, None if before is None else int(before), value, used or 0, force)
    log.info(
        "sequence_set",
        sequence=name,
        before=change.before,
        value=value,
        largest_used=change.largest_used,
        forced=force,
    )
    return change
