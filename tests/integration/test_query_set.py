"""`generate query-set`: tiers of the right shape, same seed same rows, aggregates that agree."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
import typer
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from paymentprocess.cli import cmd_generate
from paymentprocess.cli import main as cli_main
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.tables import claim_fin_core, provider_aggregate, service_line
from paymentprocess.synth import GenerationRefusedError
from paymentprocess.synth.query_frames import build_query_frames
from paymentprocess.synth.query_plan import NOMINAL_CLAIMS, make_query_plan, scaled_tiers
from paymentprocess.synth.query_set import generate_query_set

CLAIMS = 5_000


def _read(engine: Engine, table: object) -> pl.DataFrame:
    from sqlalchemy import Table

    assert isinstance(table, Table)
    cols = [c.name for c in table.columns if c.name != "extra"]
    keys = [table.c[c] for c in table.primary_key.columns.keys()]  # noqa: SIM118
    with unit_of_work(engine, write=False) as uow:
        query = select(*(table.c[c] for c in cols)).order_by(*keys)
        return read_frame(uow.conn, query, table_schema(table, cols))


def _scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_nominal_tiers_and_scaling() -> None:
    tiers, extra = scaled_tiers(NOMINAL_CLAIMS)
    assert [(t.name, t.volume, t.providers) for t in tiers] == [
        ("1M", 1_000_000, 1), ("100K", 100_000, 10), ("10K", 10_000, 50), ("1K", 1_000, 500),
    ]  # fmt: skip
    assert extra == 0
    for claims in (2_000, 5_000, 123_457, 3_000_001, 7_000_000):
        tiers, extra = scaled_tiers(claims)
        assert sum(t.volume * t.providers for t in tiers) + extra == claims
        volumes = [t.volume for t in tiers]
        assert volumes == sorted(volumes, reverse=True)
    with pytest.raises(GenerationRefusedError):
        make_query_plan(1_999, 1)


def test_tiers_claims_and_aggregates_in_the_database(engine: Engine) -> None:
    summary = generate_query_set(engine, CLAIMS, 11)
    assert summary.rows["claim_fin_core"] == CLAIMS
    assert [len(t.providers) for t in summary.tiers] == [1, 10, 50, 500]
    with engine.connect() as conn:
        query = select(claim_fin_core.c.tax_id, func.count()).group_by(claim_fin_core.c.tax_id)
        per_tin = {row[0]: row[1] for row in conn.execute(query).all()}
    for tier in summary.tiers:
        for provider in tier.providers:
            assert per_tin[provider["tax_id"]] == provider["claims"]
    volumes = [t.providers[0]["claims"] for t in summary.tiers]
    assert volumes[0] > volumes[1] > volumes[2] > volumes[3] >= 1
    claims, lines = _read(engine, claim_fin_core), _read(engine, service_line)
    assert claims["claim_core_id"].n_unique() == CLAIMS
    assert claims.select(pl.col("tax_id", "npi").n_unique()).row(0) == (561, 561)
    assert set(claims["status"]) == {"Unpaid"}
    assert set(claims["frequency_code"]) == {"1"}
    assert claims["payment_event_id"].null_count() == CLAIMS
    assert claims.filter(
        pl.col("member_id").is_null() | pl.col("benefit_plan_id").is_null()
    ).is_empty()
    assert claims["service_begin_date"].min() >= date(2001, 1, 1)  # type: ignore[operator]
    assert (claims["service_begin_date"] <= claims["service_end_date"]).all()
    assert (claims["service_begin_date"] < claims["service_end_date"]).sum() > CLAIMS // 20
    per_claim = lines.group_by("claim_core_id").agg(
        n=pl.len(), first=pl.col("service_date").min(), last=pl.col("service_date").max(),
        billed=pl.col("billed_amount").sum(), allowed=pl.col("allowed_amount").sum(),
    )  # fmt: skip
    assert set(per_claim["n"]) == {1, 2, 3}
    joined = claims.join(per_claim, on="claim_core_id")
    assert joined.height == CLAIMS
    assert (joined["first"] == joined["service_begin_date"]).all()
    assert (joined["last"] == joined["service_end_date"]).all()
    assert (joined["billed"] == joined["billed_amount"]).all()
    assert (joined["allowed"] == joined["allowed_amount"]).all()
    assert (lines["billed_amount"] % 100 != 0).sum() > lines.height // 2  # amounts with cents
    assert (lines["allowed_amount"] <= lines["billed_amount"]).all()
    net = lines.select(
        (pl.col("billed_amount") + pl.col("coinsurance_amount") + pl.col("copay_amount")
         - pl.col("allowed_amount")).alias("net"), "claim_core_id",
    )  # fmt: skip
    assert (net["net"] >= 0).all()
    expected = (
        net.join(claims.select("claim_core_id", "npi"), on="claim_core_id")
        .group_by("npi")
        .agg(claim_count=pl.col("claim_core_id").n_unique(), total_net_fee=pl.col("net").sum())
        .rename({"npi": "provider_npi"})
        .sort("provider_npi")
    )
    aggregate = _read(engine, provider_aggregate)
    assert aggregate.equals(expected)


def test_same_seed_same_rows_and_a_refusal_when_not_empty(engine: Engine) -> None:
    generate_query_set(engine, 2_000, 5)
    frames = build_query_frames(make_query_plan(2_000, 5))
    built = frames["claim_fin_core"].sort("claim_core_id")
    stored = _read(engine, claim_fin_core).select(built.columns)
    assert stored.equals(built)
    assert not build_query_frames(make_query_plan(2_000, 6))["service_line"].equals(
        frames["service_line"]
    )
    with pytest.raises(GenerationRefusedError, match="empty database"):
        generate_query_set(engine, 2_000, 5)
    assert _scalar(engine, "SELECT count(*) FROM claim_fin_core") == 2_000


def test_cli_prints_the_tier_providers(db_uri: str) -> None:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    cmd_generate.register(app)
    runner = CliRunner()
    args = [
        "--db-uri",
        db_uri,
        "generate",
        "query-set",
        "--claims",
        "2000",
        "--seed",
        "2",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [t["tier"] for t in summary["tiers"]] == ["1M", "100K", "10K", "1K"]
    assert summary["rows"]["claim_fin_core"] == 2000
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "empty database" in again.output
