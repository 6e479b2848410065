"""`read_frames` reads side by side (PostgreSQL snapshot readers, SQLite reader processes) and
returns exactly what one-by-one reads on the caller's connection return."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, func, select
from structlog.testing import capture_logs

from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.frames_side_by_side import read_frames
from paymentprocess.storage.frames_write import write_frame
from paymentprocess.storage.tables import claim_fin_core, process_code_ex

COLUMNS = ("claim_core_id", "parent_claim_core_id", "status", "paid_amount", "received_date")


def _claims(n: int) -> pl.DataFrame:
    # a text column that is NULL for its first 3,000 rows: a reader that typed columns from a
    # first batch would call it INT64 and fail (or mangle) on the first text value
    return pl.DataFrame(
        {
            "claim_core_id": [f"C{i:06d}" for i in range(n)],
            "parent_claim_core_id": [None if i < 3000 else f"P{i % 7}" for i in range(n)],
            "status": ["Unpaid" if i % 3 else "Paid" for i in range(n)],
            "paid_amount": [None if i % 5 == 0 else i * 101 - 7_000 for i in range(n)],
            "received_date": [dt.date(2000, 1, 1) + dt.timedelta(days=i % 9000) for i in range(n)],
        }
    )


def test_side_by_side_reads_equal_one_by_one_reads(engine: Engine) -> None:
    claims = _claims(4000)
    codes = pl.DataFrame(
        {"process_code": ["H1", "X9"], "holds_payment": [True, False], "description": ["h", None]}
    )
    with unit_of_work(engine) as uow:
        write_frame(uow.conn, claim_fin_core, claims)
        write_frame(uow.conn, process_code_ex, codes)
        uow.commit()
    c, p = claim_fin_core, process_code_ex
    queries = {
        "claims": (
            select(*(c.c[n] for n in COLUMNS)).where(c.c.status == "Unpaid"),
            table_schema(c, COLUMNS),
        ),
        "codes": (
            select(p.c.process_code, p.c.holds_payment),
            table_schema(p, ("process_code", "holds_payment")),
        ),
        "none": (
            select(c.c.claim_core_id).where(c.c.status == "Nothing"),
            table_schema(c, ["claim_core_id"]),
        ),
    }
    timings: dict[str, int] = {}
    with unit_of_work(engine) as uow, capture_logs() as logs:
        # a run's transaction: write lock held, nothing written yet
        side = read_frames(uow.conn, queries, timings, large=True)
        alone = {name: read_frame(uow.conn, q, s) for name, (q, s) in queries.items()}
    assert [e for e in logs if e["event"] == "sqlite_reader_failed"] == []  # no fallback taken
    assert set(timings) == {"claims", "codes", "none"}
    for name in queries:
        assert side[name].schema == alone[name].schema, name
        assert side[name].sort(side[name].columns).equals(alone[name].sort(alone[name].columns)), (
            name
        )
    expected = claims.filter(pl.col("status") == "Unpaid").sort("claim_core_id")
    assert side["claims"].sort("claim_core_id").equals(expected)
    assert side["claims"]["parent_claim_core_id"].null_count() == 2000  # i < 3000 and i % 3 != 0
    assert side["codes"].sort("process_code").to_dicts() == [
        {"process_code": "H1", "holds_payment": True},
        {"process_code": "X9", "holds_payment": False},
    ]
    assert side["none"].height == 0


def test_side_by_side_reads_see_what_was_committed_before(engine: Engine) -> None:
    """A row committed by another connection just before the run's transaction is read."""
    c = claim_fin_core
    query = {
        "all": (select(c.c.claim_core_id), table_schema(c, ["claim_core_id"])),
        "paid": (
            select(c.c.claim_core_id).where(c.c.status == "Paid"),
            table_schema(c, ["claim_core_id"]),
        ),
    }
    with unit_of_work(engine) as uow:
        write_frame(uow.conn, c, _claims(10))
        uow.commit()
    with unit_of_work(engine) as uow:
        first = read_frames(uow.conn, query, large=True)
    with unit_of_work(engine) as uow:
        write_frame(uow.conn, c, pl.DataFrame({"claim_core_id": ["LATE"], "status": ["Paid"]}))
        uow.commit()
    with unit_of_work(engine) as uow:
        second = read_frames(uow.conn, query, large=True)
    assert first["all"].height == 10
    assert sorted(second["all"]["claim_core_id"]) == sorted(
        [*first["all"]["claim_core_id"], "LATE"]
    )
    assert "LATE" in second["paid"]["claim_core_id"].to_list()


def test_planner_settings_reach_every_reader_and_the_caller_keeps_its_own(engine: Engine) -> None:
    """`planner` is SET LOCAL on each PostgreSQL reader (the outputs' reads turn nested loops off:
    outputs.gather.HASH_JOINS); the caller's connection and readers without it keep the default."""
    if engine.dialect.name != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    setting = select(func.current_setting("enable_nestloop").label("v"))
    queries = {name: (setting, {"v": pl.String()}) for name in ("a", "b", "c", "d")}
    with unit_of_work(engine, write=False) as uow:
        off = read_frames(uow.conn, queries, planner={"enable_nestloop": "off"})
        default = read_frames(uow.conn, queries)
        own = uow.conn.execute(setting).scalar_one()
    assert {name: frame["v"].to_list() for name, frame in off.items()} == {
        name: ["off"] for name in queries
    }
    assert {name: frame["v"].to_list() for name, frame in default.items()} == {
        name: ["on"] for name in queries
    }
    assert own == "on"


def test_remit_reads_turn_nested_loops_off_on_the_callers_connection_only_inside(
    engine: Engine,
) -> None:
    from paymentprocess.outputs.gather import hash_joins

    if engine.dialect.name != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    setting = select(func.current_setting("enable_nestloop"))
    with unit_of_work(engine, write=False) as uow:
        with hash_joins(uow.conn):
            inside = uow.conn.execute(setting).scalar_one()
        after = uow.conn.execute(setting).scalar_one()
    assert (inside, after) == ("off", "on")
