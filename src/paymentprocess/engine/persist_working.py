"""The event's own rows in the working and staging tables, which every run replaces.

`replace_event_rows` deletes the event's rows of a table (TRUNCATE when they are all it holds)
and writes the new frame; `staging_rows` are the OverAndUnderPayment_STG rows of a run (each
application, each new over- or underpayment), written by a Dry Run and a Final Run alike.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, Table, delete, select

from paymentprocess.domain import columns as col
from paymentprocess.domain.run_config import RunConfig
from paymentprocess.engine.ledger import LedgerResult
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_write import write_frame

KEY = col.PAYEE_KEY


def event_column(cfg: RunConfig) -> pl.Expr:
    """The run's `payment_event_id` as a column of every row it writes."""
    return pl.lit(cfg.payment_event_id).alias("payment_event_id")


def new_record_amount() -> pl.Expr:
    """What a payee's new ledger record holds: its new overpayment, or what it held back."""
    return (
        pl.when(pl.col("new_record_type") == "OverPayment")
        .then(pl.col("new_overpayment"))
        .otherwise(pl.col("held"))
    )


def staging_rows(cfg: RunConfig, result: LedgerResult, payees: pl.DataFrame) -> pl.DataFrame:
    """OverAndUnderPayment_STG: the run's applications and new records, with the payees' ids."""
    ids = payees.select(KEY, "payment_center_id")
    apps = result.applications.select(
        KEY, "over_and_under_payment_id", pl.col("kind").alias("action"), "amount", "refund_id"
    )
    news = payees.filter(pl.col("new_record_type").is_not_null()).select(
        KEY,
        pl.col("new_over_and_under_payment_id").alias("over_and_under_payment_id")
        if "new_over_and_under_payment_id" in payees.columns
        else pl.lit(None, pl.Int64).alias("over_and_under_payment_id"),
        pl.when(pl.col("new_record_type") == "OverPayment")
        .then(pl.lit("new_overpayment"))
        .otherwise(pl.lit("new_underpayment"))
        .alias("action"),
        new_record_amount().alias("amount"),
        pl.lit(None, pl.String).alias("refund_id"),
    )
    rows = pl.concat([apps, news], how="vertical_relaxed").join(ids, on=KEY, how="left")
    return rows.with_columns(
        pl.lit(cfg.payment_event_id).alias("payment_event_id"), pl.lit(cfg.mode).alias("mode")
    )


def replace_event_rows(
    conn: Connection, table: Table, cfg: RunConfig, frame: pl.DataFrame, **match: str
) -> None:
    """The event's rows of `table` (and of `match`, e.g. its mode) become `frame`."""
    clear_event_rows(conn, table, cfg, **match)
    write_frame(conn, table, frame)


def clear_event_rows(conn: Connection, table: Table, cfg: RunConfig, **match: str) -> None:
    """Delete the event's rows of a working table; TRUNCATE when they are all it holds (much
    faster than deleting a million rows, and still transactional on PostgreSQL)."""
    mine = table.c.payment_event_id == cfg.payment_event_id
    for name, value in match.items():
        mine = mine & (table.c[name] == value)
    others = conn.execute(select(table.c.payment_event_id).where(~mine).limit(1)).first()
    if others is None and not is_sqlite(conn):
        conn.exec_driver_sql(f'TRUNCATE "{table.name}"')
    else:
        conn.execute(delete(table).where(mine))
