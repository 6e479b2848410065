"""Revision 0007 (count triggers that skip inside a bulk writer's transaction): a 0006 database
with claims keeps its counts through the upgrade, its triggers still count single writes after
it and skip inside `bulk_counts`; down to 0006 gives back 0006's schema (both databases)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Connection, Engine, text
from tests.migrations.test_schema_revisions import _differences, _engine, _signature

from paymentprocess.storage import migrate
from paymentprocess.storage.bulk_counts import add_claim_counts, bulk_counts
from paymentprocess.storage.tables import SCHEMA_REVISION, metadata

CLAIM = (
    "INSERT INTO claim_fin_core (claim_core_id, status, tax_id, npi, service_begin_date) "
    "VALUES (:id, 'Unpaid', :tin, :npi, :day)"
)
GROUPED = """
    SELECT kind, provider, count(*) FROM (
      SELECT 'tin' AS kind, tax_id AS provider FROM claim_fin_core
       WHERE tax_id IS NOT NULL AND service_begin_date IS NOT NULL
      UNION ALL
      SELECT 'npi', npi FROM claim_fin_core WHERE npi IS NOT NULL AND service_begin_date IS NOT NULL
    ) k GROUP BY kind, provider ORDER BY kind, provider"""
DAY = dt.date(2025, 1, 1)
COUNTS = "SELECT kind, provider, claims FROM claim_provider_count WHERE claims <> 0 ORDER BY 1, 2"


def _claims(conn: Connection, *ids: str) -> None:
    for n, claim_id in enumerate(ids):
        conn.execute(text(CLAIM), {"id": claim_id, "tin": f"T{n % 2}", "npi": "N1", "day": DAY})


def _counts_in(conn: Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(text(COUNTS))]


def _counts(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return (
            [tuple(r) for r in conn.execute(text(COUNTS))],
            [tuple(r) for r in conn.execute(text(GROUPED))],
        )


def test_upgrade_keeps_counts_and_downgrade_gives_back_0006(
    empty_uri: str, other_empty_uri: str
) -> None:
    engine, baseline = _engine(empty_uri), _engine(other_empty_uri)
    try:
        migrate.upgrade(engine, "0006")
        with engine.begin() as conn:
            _claims(conn, "C1", "C2", "C3")
        assert migrate.upgrade(engine) == ("0006", SCHEMA_REVISION)
        assert _differences(engine, metadata) == []
        counted, grouped = _counts(engine)
        assert counted == grouped == [("npi", "N1", 3), ("tin", "T0", 2), ("tin", "T1", 1)]
        with engine.begin() as conn:  # a single writer: the triggers count
            _claims(conn, "C4")
        assert _counts(engine)[0] == [("npi", "N1", 4), ("tin", "T0", 3), ("tin", "T1", 1)]
        with engine.begin() as conn:  # inside bulk_counts they do not: the writer counts
            with bulk_counts(conn):
                _claims(conn, "C5")
                assert _counts_in(conn) == [("npi", "N1", 4), ("tin", "T0", 3), ("tin", "T1", 1)]
                add_claim_counts(
                    conn,
                    pl.DataFrame({"tax_id": ["T0"], "npi": ["N1"], "service_begin_date": [DAY]}),
                )
            _claims(conn, "C6")  # after the block they count again, in the same transaction
        counted, grouped = _counts(engine)
        assert counted == grouped == [("npi", "N1", 6), ("tin", "T0", 5), ("tin", "T1", 1)]
        with engine.connect() as conn:  # the flag never outlives the writer's transaction
            assert conn.execute(text("SELECT count(*) FROM claim_count_bulk")).scalar_one() == 0
        assert migrate.downgrade(engine, "0006") == (SCHEMA_REVISION, "0006")
        migrate.upgrade(baseline, "0006")
        assert _signature(engine, columns_in_order=False) == _signature(
            baseline, columns_in_order=False
        )
        with engine.begin() as conn:  # 0006's triggers count
            conn.execute(text("DELETE FROM claim_fin_core WHERE claim_core_id IN ('C5', 'C6')"))
        assert _counts(engine)[0] == [("npi", "N1", 4), ("tin", "T0", 3), ("tin", "T1", 1)]
        assert migrate.upgrade(engine) == ("0006", SCHEMA_REVISION)
    finally:
        engine.dispose()
        baseline.dispose()
