"""A Final Run's writes, step by step, each timed and ended by a checkpoint (`persist_steps`).

`backup` (engine.backup) → `payees` (new payees, ids in payee-key order) → `claims` (one
`claim_result` per cycle claim) → `ledger` (new over/underpayment records, ids in
PaymentCenter_ID order, their applications, OverAndUnderPayment_STG) → `payments` (the register,
check numbers in PaymentCenter_ID order) → `stage` (sequences advanced and noted in the backup,
the event `Final`). Insert-only except the few sequence rows and the event row.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, update

from paymentprocess.domain import columns as col
from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.new_payees import new_payee_details
from paymentprocess.domain.run_config import RunConfig
from paymentprocess.engine.backup import note_sequences_after, take_backup
from paymentprocess.engine.ledger import LedgerResult
from paymentprocess.engine.numbering import number_rows, sequence_start
from paymentprocess.engine.persist_steps import Steps, in_key_order
from paymentprocess.engine.persist_working import (
    event_column,
    new_record_amount,
    replace_event_rows,
    staging_rows,
)
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import utcnow
from paymentprocess.storage.frames_write import write_frame

KEY = col.PAYEE_KEY
Sequences = dict[str, int]  # sequence name → the value the run leaves


def persist_final(
    conn: Connection,
    cfg: RunConfig,
    data: CycleData,
    claims: pl.DataFrame,
    first: pl.DataFrame,
    cycle: pl.DataFrame,
    result: LedgerResult,
    steps: Steps,
) -> pl.DataFrame:
    """Write the Final Run; the payees with their final PaymentCenter and ledger ids."""
    backup_id = take_backup(conn, cfg.payment_event_id)
    steps.done("backup")
    seqs: Sequences = {}
    new_ids = _new_payees(conn, cfg, data, first, cycle, seqs)
    steps.done("payees")
    payees = _with_new_ids(result.payees, new_ids)
    claims = _with_new_ids(claims, new_ids)
    write_frame(conn, t.claim_result, in_key_order(claims.with_columns(event_column(cfg))))
    steps.done("claims")
    payees = _ledger(conn, cfg, data, result, payees.sort("payment_center_id"), seqs)
    steps.done("ledger")
    _payments(conn, cfg, data, payees, seqs)
    steps.done("payments")
    _advance_sequences(conn, cfg, seqs)
    note_sequences_after(conn, backup_id, seqs)
    conn.execute(
        update(t.payment_event)
        .where(t.payment_event.c.payment_event_id == cfg.payment_event_id)
        .values(stage="Final", updated_at=utcnow())
    )
    steps.done("stage")
    return payees


def _new_payees(
    conn: Connection,
    cfg: RunConfig,
    data: CycleData,
    first: pl.DataFrame,
    cycle: pl.DataFrame,
    seqs: Sequences,
) -> pl.DataFrame:
    """Create the cycle's new payees (ids in payee-key order); (payee key, new_id) of each."""
    details = new_payee_details(first, cycle, cfg)
    start = sequence_start(cfg.sequences, "PaymentCenter", data.max_payment_center_id)
    details, seqs["PaymentCenter"] = number_rows(details, start, "payment_center_id")
    write_frame(
        conn,
        t.payment_center,
        details.with_columns(pl.lit(cfg.payment_event_id).alias("created_payment_event_id")),
    )
    return details.select(KEY, pl.col("payment_center_id").alias("new_id"))


def _with_new_ids(frame: pl.DataFrame, new_ids: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the new payees' PaymentCenter_ID filled in."""
    fill = pl.coalesce("payment_center_id", "new_id").alias("payment_center_id")
    return frame.join(new_ids, on=KEY, how="left").with_columns(fill).drop("new_id")


def _ledger(
    conn: Connection,
    cfg: RunConfig,
    data: CycleData,
    result: LedgerResult,
    payees: pl.DataFrame,
    seqs: Sequences,
) -> pl.DataFrame:
    """New ledger records (ids in PaymentCenter_ID order: `payees` come sorted), applications
    and staging rows; the payees with `new_over_and_under_payment_id`."""
    event = event_column(cfg)
    news = payees.filter(pl.col("new_record_type").is_not_null())
    start = sequence_start(cfg.sequences, "OverAndUnderPayment", data.max_ledger_id)
    news, seqs["OverAndUnderPayment"] = number_rows(news, start, "over_and_under_payment_id")
    amount = new_record_amount()
    write_frame(
        conn,
        t.over_and_under_payment,
        news.select(
            "over_and_under_payment_id",
            "payment_center_id",
            event,
            pl.col("new_record_type").alias("type"),
            amount.alias("total_amount"),
            amount.alias("opening_remaining_amount"),
            pl.lit(cfg.payment_due_date).alias("created_date"),
            pl.col("new_chain").alias("claim_chain_id"),
        ),
    )
    new_record = pl.col("over_and_under_payment_id").alias("new_over_and_under_payment_id")
    payees = payees.join(news.select(KEY, new_record), on=KEY, how="left")
    write_frame(conn, t.over_and_under_payment_application, result.applications.with_columns(event))
    stg = staging_rows(cfg, result, payees)
    replace_event_rows(conn, t.over_and_under_payment_stg, cfg, stg, mode=cfg.mode)
    return payees


def _payments(
    conn: Connection, cfg: RunConfig, data: CycleData, payees: pl.DataFrame, seqs: Sequences
) -> None:
    """The payment register: one payment per payee with a positive net pay, check numbers in
    PaymentCenter_ID order (`payees` come sorted)."""
    pays = payees.filter(pl.col("net_pay") > 0)
    start = sequence_start(cfg.sequences, cfg.check_sequence, data.max_check_number)
    pays, seqs[cfg.check_sequence] = number_rows(pays, start, "check_no")
    write_frame(
        conn,
        t.payment_register,
        pays.select(
            pl.concat_str(
                pl.lit(cfg.payment_event_id + ":"), pl.col("payment_center_id").cast(pl.String)
            ).alias("payment_id"),
            event_column(cfg),
            "payment_center_id",
            pl.col("net_pay").alias("amount"),
            pl.col("payment_method").alias("method"),
            pl.col("check_no").cast(pl.String).alias("check_number"),
            pl.lit(cfg.payment_due_date).alias("payment_date"),
        ),
    )


def _advance_sequences(conn: Connection, cfg: RunConfig, values: Sequences) -> None:
    """SequenceNumbers: the values the run leaves (a row updated only when it changed)."""
    seq = t.sequence_numbers
    for name, value in sorted(values.items()):  # three rows
        if name in cfg.sequences:
            if value != cfg.sequences[name]:
                conn.execute(update(seq).where(seq.c.name == name).values(value=value))
        else:
            conn.execute(seq.insert().values(name=name, value=value))
