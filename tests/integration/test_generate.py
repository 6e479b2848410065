"""`generate`: same seed same data, consistent sequences, clear refusals, and the CLI end to end."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import typer
from sqlalchemy import JSON, Engine, func, select
from typer.testing import CliRunner

from paymentprocess.cli import cmd_generate
from paymentprocess.cli import main as cli_main
from paymentprocess.storage.database import create_engine_for, ensure_schema, unit_of_work
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.tables import metadata
from paymentprocess.synth import GenerationRefusedError, build_cycle, generate_cycle, make_plan
from paymentprocess.synth.writer import TABLE_ORDER


def dump(engine: Engine) -> dict[str, pl.DataFrame]:
    """Every generated table, in a canonical order, as frames."""
    out = {}
    with unit_of_work(engine, write=False) as uow:
        for name in TABLE_ORDER:
            table = metadata.tables[name]
            cols = [c.name for c in table.columns]
            keys = [table.c[c] for c in cols if not isinstance(table.c[c].type, JSON)]
            query = select(*(table.c[c] for c in cols)).order_by(*keys)
            out[name] = read_frame(uow.conn, query, table_schema(table, cols))
    return out


def test_same_seed_gives_identical_tables_in_two_databases(engine: Engine, tmp_path: Path) -> None:
    """The fixture database (SQLite or PostgreSQL) and a second, fresh SQLite file."""
    other = create_engine_for(f"sqlite:///{tmp_path / 'second.db'}")
    ensure_schema(other)
    first = generate_cycle(engine, 2000, 17, errors="critical")
    second = generate_cycle(other, 2000, 17, errors="critical")
    before, after = dump(engine), dump(other)
    other.dispose()
    assert (first.rows, first.phenomena, first.data_errors) == (
        second.rows, second.phenomena, second.data_errors,
    )  # fmt: skip
    for name in TABLE_ORDER:
        assert before[name].equals(after[name]), name
    assert before["claim_fin_core"].height == first.rows["claim_fin_core"]


def test_a_different_seed_gives_different_data() -> None:
    one, _, _ = build_cycle(make_plan(500, 1, "PE-1", "Provider", "default"))
    two, _, _ = build_cycle(make_plan(500, 2, "PE-1", "Provider", "default"))
    again, _, _ = build_cycle(make_plan(500, 1, "PE-1", "Provider", "default"))
    assert not one["service_line"].equals(two["service_line"])
    assert all(one[name].equals(again[name]) for name in one)


def test_sequences_match_the_largest_ids_in_use(engine: Engine) -> None:
    generate_cycle(engine, 2000, 9)
    t = metadata.tables
    with engine.connect() as conn:
        seqs = dict(
            conn.execute(select(t["sequence_numbers"].c.name, t["sequence_numbers"].c.value)).all()
        )
        largest = {
            "PaymentCenter": select(func.max(t["payment_center"].c.payment_center_id)),
            "OverAndUnderPayment": select(
                func.max(t["over_and_under_payment"].c.over_and_under_payment_id)
            ),
            "CheckNumber:FS-1": select(func.max(t["payment_register"].c.check_number)),
        }
        expected = {name: int(conn.execute(q).scalar_one()) for name, q in largest.items()}
        ids = conn.execute(select(t["claim_fin_core"].c.claim_core_id)).scalars().all()
    assert seqs == expected
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 10 and i.startswith("C") and i[1:].isdigit() for i in ids)


def test_an_existing_event_is_refused_and_nothing_is_written(engine: Engine) -> None:
    generate_cycle(engine, 300, 1)
    before = dump(engine)
    with pytest.raises(GenerationRefusedError, match="'PE-1' already exists"):
        generate_cycle(engine, 300, 2)
    with pytest.raises(GenerationRefusedError, match="empty database"):
        generate_cycle(engine, 300, 2, event_id="PE-2")
    after = dump(engine)
    assert all(before[name].equals(after[name]) for name in TABLE_ORDER)


def test_too_few_claims_are_refused(engine: Engine) -> None:
    with pytest.raises(GenerationRefusedError, match="at least 200"):
        generate_cycle(engine, 10, 1)


@pytest.fixture
def app() -> typer.Typer:
    """The real global options with only the generate command."""
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    cmd_generate.register(app)
    return app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_generates_and_prints_the_summary(
    db_uri: str, app: typer.Typer, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["--db-uri", db_uri, "generate", "--claims", "400", "--seed", "3"])
    assert result.exit_code == 0, result.output
    for expected in ("Rows written", "claim_fin_core", "Phenomena", "late_claims",
                     "Deliberate data errors", "NEGATIVE_PAYABLE", "run -m dry-run -p PE-1"):  # fmt: skip
        assert expected in result.output
    again = runner.invoke(app, ["--db-uri", db_uri, "generate", "--claims", "400", "--seed", "3"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert "Traceback" not in again.output


def test_cli_json_summary_for_a_clean_dmr_cycle(
    db_uri: str, app: typer.Typer, runner: CliRunner
) -> None:
    args = ["--db-uri", db_uri, "generate", "--claims", "300", "--seed", "4", "--type", "DMR",
            "--clean", "--event-id", "PE-9", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["payment_event_id"], summary["event_type"]) == ("PE-9", "DMR")
    assert summary["data_errors"] == {}
    assert summary["rows"]["claim_fin_core"] >= 300


def test_cli_refuses_contradictory_options(
    db_uri: str, app: typer.Typer, runner: CliRunner
) -> None:
    args = ["--db-uri", db_uri, "generate", "--claims", "300", "--seed", "4",
            "--clean", "--with-critical-errors"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "at most one" in result.output
