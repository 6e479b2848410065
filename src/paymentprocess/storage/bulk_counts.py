"""Bulk writers keep the claim counts themselves, from the frame they write (storage.claim_counts).

    with unit_of_work(engine) as uow, bulk_counts(uow.conn):
        write_frame(uow.conn, claim_fin_core, claims)
        add_claim_counts(uow.conn, claims)
    ... uow.commit()

`bulk_counts(conn)` switches the count triggers off for the caller's transaction only
(PostgreSQL: `SET LOCAL paymentprocess.bulk_counts = 'on'`; SQLite: a flag row in
`claim_count_bulk`, deleted again when the block ends), so another connection's claims written
meanwhile are still counted by the triggers, and a rollback undoes the claims and the counts
together. Inside the block every change to `tax_id`, `npi` or `service_begin_date` of
`claim_fin_core` is the writer's to count: `add_claim_counts(conn, claims)` adds a frame of new
claims (`sign=-1` takes deleted ones away) with one GROUP BY in Polars and one aggregated upsert per
count table, in key order like the triggers (so concurrent writers lock count rows in one order).
A writer that changes no counted column (`event create` assigning claims) adds nothing.

`fresh=True` is for a writer that holds claim_fin_core against every other writer (`generate`
into an empty database): when both count tables are empty it COPYs the counts straight in, their
primary keys built afterwards (storage.bulk_keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from sqlalchemy import BigInteger, Column, Connection, Date, MetaData, String, Table

from paymentprocess.storage.bulk_keys import keys_built_after
from paymentprocess.storage.claim_counts import BULK_SETTING
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_write import write_frame
from paymentprocess.storage.tables import claim_day_count, claim_provider_count

_FLAG = 1
_temp = MetaData()
# The aggregated changes of one add_claim_counts call, before they are upserted.
_DELTA = Table(
    "claim_count_delta",
    _temp,
    Column("kind", String, nullable=False),
    Column("provider", String, nullable=False),
    Column("service_begin_date", Date, nullable=False),
    Column("claims", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
)


@contextmanager
def bulk_counts(conn: Connection) -> Iterator[None]:
    """Inside: this transaction's writes to claim_fin_core fire no count trigger (see module)."""
    if is_sqlite(conn):
        conn.exec_driver_sql(f"INSERT INTO claim_count_bulk (flag) VALUES ({_FLAG})")
        try:
            yield
        finally:  # SQLite keeps its transaction usable after a failed statement
            conn.exec_driver_sql(f"DELETE FROM claim_count_bulk WHERE flag = {_FLAG}")
        return
    conn.exec_driver_sql(f"SET LOCAL {BULK_SETTING} = 'on'")
    yield  # after an error PostgreSQL's transaction is aborted: its rollback ends the setting
    conn.exec_driver_sql(f"SET LOCAL {BULK_SETTING} = 'off'")


def count_frames(claims: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per (kind, provider, day) and per (kind, provider): the claims of `claims` that the claim
    list counts (a TIN or NPI and a service begin date), keys sorted."""
    present = [(k, c) for k, c in (("tin", "tax_id"), ("npi", "npi")) if c in claims.columns]
    if "service_begin_date" not in claims.columns or not present:  # nothing the list counts
        claims = pl.DataFrame(schema={"tax_id": pl.String, "service_begin_date": pl.Date})
        present = [("tin", "tax_id")]
    dated = claims.lazy().filter(pl.col("service_begin_date").is_not_null())
    keys = pl.concat(
        [
            dated.filter(pl.col(column).is_not_null()).select(
                pl.lit(kind).alias("kind"),
                pl.col(column).cast(pl.String).alias("provider"),
                pl.col("service_begin_date").cast(pl.Date),
            )
            for kind, column in present
        ]
    )
    days = keys.group_by("kind", "provider", "service_begin_date").agg(
        pl.len().cast(pl.Int64).alias("claims")
    )
    providers = days.group_by("kind", "provider").agg(pl.col("claims").sum())
    return days.collect(), providers.collect()  # key order: the upserts' ORDER BY, the PK build


def add_claim_counts(
    conn: Connection, claims: pl.DataFrame, *, sign: int = 1, fresh: bool = False
) -> int:
    """Add the claims of `claims` (columns tax_id, npi, service_begin_date) to the count tables
    (`sign=-1`: take them away); returns the day rows changed. Call inside `bulk_counts`."""
    days, providers = count_frames(claims)
    if days.height == 0:
        return 0
    if sign != 1:
        days = days.with_columns(pl.col("claims") * sign)
        providers = providers.with_columns(pl.col("claims") * sign)
    if fresh and sign == 1 and _counts_empty(conn):
        for table, frame in ((claim_provider_count, providers), (claim_day_count, days)):
            with keys_built_after(conn, table):
                write_frame(conn, table, frame)
        return days.height
    _DELTA.create(conn)
    try:
        write_frame(conn, _DELTA, days)
        for statement in _UPSERTS:
            conn.exec_driver_sql(statement)
    finally:
        _DELTA.drop(conn)
    return days.height


def _counts_empty(conn: Connection) -> bool:
    sql = (
        "SELECT NOT EXISTS (SELECT 1 FROM claim_provider_count) "
        "AND NOT EXISTS (SELECT 1 FROM claim_day_count)"
    )
    return bool(conn.exec_driver_sql(sql).scalar_one())


# `WHERE true`: SQLite's parser needs it before ON CONFLICT in an INSERT … SELECT.
_UPSERTS = (
    """INSERT INTO claim_provider_count (kind, provider, claims)
       SELECT kind, provider, sum(claims) FROM claim_count_delta WHERE true
       GROUP BY kind, provider ORDER BY kind, provider
       ON CONFLICT (kind, provider)
       DO UPDATE SET claims = claim_provider_count.claims + excluded.claims""",
    """INSERT INTO claim_day_count (kind, provider, service_begin_date, claims)
       SELECT kind, provider, service_begin_date, claims FROM claim_count_delta WHERE true
       ORDER BY kind, provider, service_begin_date
       ON CONFLICT (kind, provider, service_begin_date)
       DO UPDATE SET claims = claim_day_count.claims + excluded.claims""",
)
