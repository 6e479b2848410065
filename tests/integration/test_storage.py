"""The schema and bulk frame I/O behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Engine, inspect, select

from paymentprocess.storage.database import alembic_version, ensure_schema, unit_of_work
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.frames_write import write_frame
from paymentprocess.storage.tables import (
    SCHEMA_REVISION,
    claim_fin_core,
    metadata,
    process_code_ex,
)


def test_schema_creation_is_idempotent(engine: Engine) -> None:
    ensure_schema(engine)
    ensure_schema(engine)
    names = set(inspect(engine).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= names
    with engine.connect() as conn:
        assert conn.execute(select(alembic_version.c.version_num)).scalars().all() == [
            SCHEMA_REVISION
        ]


def test_frames_round_trip_every_type(engine: Engine) -> None:
    frame = pl.DataFrame(
        {
            "claim_core_id": ["C1", "C2", 'C\'3,"q"'],
            "parent_claim_core_id": ["C1", None, ""],
            "status": ["Unpaid", "Paid", "Unpaid"],
            "paid_amount": [None, 12345, -9_000_000_000_000],
            "received_date": [dt.date(2024, 1, 31), None, dt.date(2000, 2, 29)],
            "process_codes": ['["A1", "B2"]', None, "[]"],
            "created_at": [dt.datetime(2024, 5, 6, 7, 8, 9, 123456), None, None],
        }
    )
    with unit_of_work(engine) as uow:
        assert write_frame(uow.conn, claim_fin_core, frame) == 3
        uow.commit()
    schema = table_schema(claim_fin_core, frame.columns)
    with unit_of_work(engine, write=False) as uow:
        got = read_frame(
            uow.conn,
            select(*(claim_fin_core.c[c] for c in frame.columns)).order_by(
                claim_fin_core.c.claim_core_id
            ),
            schema,
        )
    assert got.schema == frame.schema
    assert got.to_dicts() == frame.sort("claim_core_id").to_dicts()


def test_unit_of_work_rolls_back_unless_committed(engine: Engine) -> None:
    codes = pl.DataFrame({"process_code": ["X"], "holds_payment": [True], "description": ["d"]})
    with unit_of_work(engine) as uow:
        write_frame(uow.conn, process_code_ex, codes)
    with unit_of_work(engine) as uow:
        got = read_frame(
            uow.conn, select(process_code_ex.c.process_code), {"process_code": pl.String()}
        )
        assert got.height == 0
        write_frame(uow.conn, process_code_ex, codes)
        uow.commit()
    with unit_of_work(engine, write=False) as uow:
        got = read_frame(
            uow.conn, select(process_code_ex.c.holds_payment), {"holds_payment": pl.Boolean()}
        )
    assert got["holds_payment"].to_list() == [True]
