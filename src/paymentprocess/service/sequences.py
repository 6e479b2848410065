"""SequenceNumbers: list them, and create or move one as an explicit act (`sequence set`).

A run never invents a check sequence for an operator: creating `CheckNumber:<FundingSource_ID>`
is done here, by someone who knows where the funding source's checks stand. A sequence is never
moved below the largest number already used — that would issue a payee id, a ledger id or a
check number twice — unless forced; the same holds for names no run uses and funding sources
that do not exist. Setting a sequence takes the Final Runs' lock, so it never lands in the middle
of a Final Run (which reads and advances the sequences in its own transaction).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select, update

from paymentprocess.domain.sequences import MAX_VALUE
from paymentprocess.errors import InputError, RecordProblem, RunRefusedError
from paymentprocess.logs import get_logger
from paymentprocess.service.runs import busy_is_refusal, one_final_run_at_a_time
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work

log = get_logger(__name__)

CHECK_PREFIX = "CheckNumber:"
ISA_PREFIX = "InterchangeControl:"  # + ISA06: the 835s' ISA13 (outputs.issue)
ACH_PREFIX = "AchFileId:"  # + FundingSource_ID:YYMMDD: NACHA files of that source and date
MAX_ISA13 = 999_999_999
ACH_MODIFIERS = string.ascii_uppercase + string.digits  # = outputs.issue.MODIFIERS


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
    elif name.startswith(ISA_PREFIX) and name != ISA_PREFIX:
        used = _largest_isa13(conn, name[len(ISA_PREFIX) :])
    elif name.startswith(ACH_PREFIX) and name.count(":") == 2:
        source, _, day = name[len(ACH_PREFIX) :].partition(":")
        used = _ach_files(conn, source, day)
    else:
        return None
    return int(used or 0)


def _largest_isa13(conn: Connection, sender: str) -> int:
    """The largest ISA13 of the 835s issued for payer sender id `sender` (any status)."""
    f, ev, fs, py = t.output_file, t.payment_event, t.funding_source, t.payer
    controls = conn.execute(
        select(f.c.control)
        .join(ev, ev.c.payment_event_id == f.c.payment_event_id)
        .join(fs, fs.c.funding_source_id == ev.c.funding_source_id)
        .join(py, py.c.payer_id == fs.c.payer_id)
        .where(f.c.kind == "835", py.c.isa_sender_id == sender)
    ).scalars()
    return max((int(c["isa13"]) for c in controls if c and "isa13" in c), default=0)


def _ach_files(conn: Connection, source: str, day: str) -> int:
    """How many file-id modifiers the NACHA files of `source` dated `day` (YYMMDD) used."""
    f = t.output_file
    rows = conn.execute(
        select(f.c.file_name, f.c.control).where(f.c.kind == "ACH", f.c.scope == source)
    ).all()
    used = [
        ACH_MODIFIERS.index(str(r.control["file_id_modifier"])) + 1
        for r in rows
        if r.control
        and str(r.control.get("file_id_modifier", "")) in ACH_MODIFIERS
        and f"_20{day}_" in r.file_name
    ]
    return max(used, default=0)


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
                f"{CHECK_PREFIX}<FundingSource_ID>, {ISA_PREFIX}<ISA06>, "
                f"{ACH_PREFIX}<FundingSource_ID>:<YYMMDD>); nothing changed "
                "(--force sets it anyway)"
            )
        if name.startswith(ISA_PREFIX) and value > MAX_ISA13:
            raise _problem("Value", f"an ISA13 has nine digits: at most {MAX_ISA13}")
        if name.startswith(ACH_PREFIX) and value > len(ACH_MODIFIERS):
            raise _problem(
                "Value", f"a NACHA file-id modifier has {len(ACH_MODIFIERS)} values (A–Z, 0–9)"
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
