"""The migrations build the schema the tables describe, 0001 is exactly 0.1.0, and only `db
upgrade` moves a database between revisions (both databases)."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, MetaData, String, insert, text
from tests.migrations.signature import signature

from paymentprocess.errors import SchemaRevisionError
from paymentprocess.storage import migrate
from paymentprocess.storage.database import create_engine_for, ensure_schema
from paymentprocess.storage.tables import SCHEMA_REVISION, metadata

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schema_0_1_0"


def _engine(uri: str) -> Engine:
    return create_engine_for(uri)


def _differences(engine: Engine, target: MetaData) -> list[object]:
    """Alembic autogenerate's differences between the database and `target`. SQLite cannot
    reflect expression indexes, so there they are compared by `signature` instead."""
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index")
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, target))


def _signature(engine: Engine, *, columns_in_order: bool = True) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return signature(conn, columns_in_order=columns_in_order)


def legacy_0_1_0(engine: Engine) -> None:
    """A database exactly as 0.1.0 left it: revision 0001's schema, schema_version 1, no
    alembic_version."""
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


def test_the_head_constant_names_the_last_migration() -> None:
    assert migrate.head_revision() == SCHEMA_REVISION
    assert [r.revision for r in migrate.history()] == [
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
        "0006",
        "0007",
    ]


def test_migrated_schema_equals_the_tables(empty_uri: str, other_empty_uri: str) -> None:
    migrated, created = _engine(empty_uri), _engine(other_empty_uri)
    try:
        assert migrate.upgrade(migrated) == (None, SCHEMA_REVISION)
        assert _differences(migrated, metadata) == []
        # ensure_schema's shortcut for a new database (create_all + stamp) is the same schema,
        # down to the view, the triggers, the expression and partial indexes.
        ensure_schema(created)
        assert migrate.current(created).revision == SCHEMA_REVISION
        assert _signature(created, columns_in_order=False) == _signature(
            migrated, columns_in_order=False
        )
    finally:
        migrated.dispose()
        created.dispose()


def test_a_table_edited_without_a_migration_is_found(empty_uri: str) -> None:
    engine = _engine(empty_uri)
    try:
        migrate.upgrade(engine)
        edited = MetaData()
        for table in metadata.sorted_tables:
            table.to_metadata(edited)
        edited.tables["refund"].append_column(Column("reason", String))
        (diff,) = _differences(engine, edited)
        assert diff[0] == "add_column"
        assert diff[3].name == "reason"
    finally:
        engine.dispose()


def test_revision_0001_is_the_0_1_0_schema(empty_uri: str) -> None:
    """The fixtures are the schema that 0.1.0 (commit 10bb9e9) created with its ensure_schema."""
    engine = _engine(empty_uri)
    try:
        migrate.upgrade(engine, "0001")
        expected = json.loads((FIXTURES / f"{engine.dialect.name}.json").read_text())
        assert _signature(engine) == expected
    finally:
        engine.dispose()


def test_an_older_database_is_refused_and_left_alone(empty_uri: str) -> None:
    engine = _engine(empty_uri)
    try:
        legacy_0_1_0(engine)
        before = _signature(engine)
        with pytest.raises(SchemaRevisionError) as refused:
            ensure_schema(engine)
        message = str(refused.value)
        assert "paymentprocess db upgrade" in message
        assert "revision 0001" in message
        assert f"revision {SCHEMA_REVISION} (head)" in message
        assert _signature(engine) == before
        assert migrate.current(engine).legacy
    finally:
        engine.dispose()


def test_a_database_from_a_newer_version_is_refused(empty_uri: str) -> None:
    engine = _engine(empty_uri)
    try:
        ensure_schema(engine)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        with pytest.raises(SchemaRevisionError, match="0099, which this version"):
            ensure_schema(engine)
        with pytest.raises(SchemaRevisionError, match="does not know"):
            migrate.upgrade(engine)
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(empty_uri: str) -> None:
    engine = _engine(empty_uri)
    try:
        legacy_0_1_0(engine)
        assert migrate.upgrade(engine) == ("0001", SCHEMA_REVISION)
        after = _signature(engine)
        assert migrate.upgrade(engine) == (SCHEMA_REVISION, SCHEMA_REVISION)
        assert _signature(engine) == after
        ensure_schema(engine)  # accepted as it is
        assert _signature(engine) == after
    finally:
        engine.dispose()


def test_upgrade_sql_is_printed_and_changes_nothing(empty_uri: str) -> None:
    engine = _engine(empty_uri)
    try:
        legacy_0_1_0(engine)
        before = _signature(engine)
        script = io.StringIO()
        assert migrate.upgrade_sql(engine, out=script) == "0001"
        sql = script.getvalue()
        assert "CREATE TABLE alembic_version" in sql
        assert "ALTER TABLE refund ADD COLUMN opening_applied_amount BIGINT" in sql
        assert "UPDATE alembic_version SET version_num='0002' WHERE" in sql
        assert _signature(engine) == before
    finally:
        engine.dispose()


def test_downgrade_step_by_step_gives_back_0_1_0(empty_uri: str, other_empty_uri: str) -> None:
    engine, baseline = _engine(empty_uri), _engine(other_empty_uri)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:  # rows that 0.1.0 can hold keep their values
            conn.execute(
                text(
                    "INSERT INTO refund (refund_id, original_claim_core_id, amount) "
                    "VALUES ('R1', 'C1', 500)"
                )
            )
        assert migrate.downgrade(engine, "-1") == (SCHEMA_REVISION, "0006")
        assert migrate.downgrade(engine, "-1") == ("0006", "0005")
        assert migrate.downgrade(engine, "-1") == ("0005", "0004")
        assert migrate.downgrade(engine, "-1") == ("0004", "0003")
        assert migrate.downgrade(engine, "-1") == ("0003", "0002")
        assert migrate.downgrade(engine, "-1") == ("0002", "0001")
        # SQLite rebuilt the tables (batch mode), so their CREATE text is new: columns by name.
        migrate.upgrade(baseline, "0001")
        assert _signature(engine, columns_in_order=False) == _signature(
            baseline, columns_in_order=False
        )
        with engine.connect() as conn:
            assert conn.execute(text("SELECT refund_id, amount FROM refund")).all() == [("R1", 500)]
            assert conn.execute(text("SELECT version FROM schema_version")).scalars().all() == [1]
        assert migrate.upgrade(engine) == ("0001", SCHEMA_REVISION)
        assert _differences(engine, metadata) == []
    finally:
        engine.dispose()
        baseline.dispose()


def test_downgrade_that_would_lose_data_is_refused(empty_uri: str) -> None:
    engine = _engine(empty_uri)
    try:
        ensure_schema(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(metadata.tables["refund"]).values(
                    refund_id="R1",
                    original_claim_core_id="C1",
                    amount=500,
                    opening_applied_amount=200,
                )
            )
        with pytest.raises(SchemaRevisionError, match="refund hold opening_applied_amount"):
            migrate.downgrade(engine, "0001")
        assert migrate.current(engine).revision == SCHEMA_REVISION
        assert _differences(engine, metadata) == []
        with pytest.raises(SchemaRevisionError, match="below the baseline"):
            migrate.downgrade(engine, "base")
    finally:
        engine.dispose()
