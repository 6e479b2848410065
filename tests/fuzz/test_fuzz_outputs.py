"""Property over random cycles, through the whole outputs pipeline, on both databases.

Hypothesis draws a cycle (size, seed, event type, the generator's data errors) and pays it (Dry
Run, Final Run); `issue_outputs` then writes its files. For every such cycle:

- every 835 passes the per-file checker, V-8's chain rules included (so V-3 BPR02 = ΣCLP04 − ΣPLB
  holds for every payee);
- the money identity R-3 of every payee: BPR02 = net_pay = the register amount (and 0 with BPR*H);
- V-9/V-10: the NACHA credits equal the EFT payments, entry by entry and in total;
- the bulk renderer's bytes equal the per-remittance renderer's (its oracle) for every 835.

`PAYMENT_FUZZ_SCALE` multiplies the examples (default 4 per database).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from tests.golden.test_legacy_cycles import _pay
from tests.reliability.harness import wipe

from paymentprocess.outputs import x12_check
from paymentprocess.outputs.cross_check import cross_problems
from paymentprocess.outputs.details import read_event_details
from paymentprocess.outputs.gather import read_remit_inputs
from paymentprocess.outputs.issue import (
    _issued,
    _stored_controls,
    _with_zero_pay_trn,
    issue_outputs,
)
from paymentprocess.outputs.remit_835 import render_835s
from paymentprocess.outputs.remit_model import X12Settings
from paymentprocess.outputs.remittance import build_remittances
from paymentprocess.synth.cycle import generate_cycle

SCALE = int(os.environ.get("PAYMENT_FUZZ_SCALE", "1"))
OA23 = X12Settings(other_adjustment_cas="OA:23")
NOW = datetime(2026, 1, 5, 9, 0)


@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_random_cycles_issue_balanced_consistent_files(engine: Engine, tmp_path: Path) -> None:
    seen = {"835": 0, "ACH": 0, "remits": 0}

    @settings(
        max_examples=4 * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        claims=st.integers(min_value=200, max_value=320),
        seed=st.integers(min_value=0, max_value=2**31 - 1),
        errors=st.sampled_from(["default", "none"]),
    )
    def check(claims: int, seed: int, errors: str) -> None:
        wipe(engine)
        generate_cycle(engine, claims, seed, event_id="PE-F", errors=errors)  # type: ignore[arg-type]
        _pay(engine, "PE-F")
        out = tmp_path / f"{claims}-{seed}-{errors}"
        report = issue_outputs(engine, "PE-F", out, now=NOW, x12=OA23)
        assert report.skipped == {}, report.skipped
        with engine.connect() as conn:
            details = read_event_details(conn, "PE-F")
            inputs = read_remit_inputs(conn, "PE-F")
            details = replace(details, register=inputs.register)
            remits = build_remittances(inputs)
            controls = _stored_controls(_issued(conn, "PE-F"))
            remits = _with_zero_pay_trn(remits, controls)
            oracle = {r.path: r.content for r in render_835s(conn, details, remits, controls, OA23)}
        x12 = {f.path: f for f in report.files if f.kind == "835"}
        assert {p: f.content for p, f in x12.items()} == oracle
        net = dict(zip(remits.headers["remit_id"], remits.headers["net_pay"], strict=True))
        register = dict(zip(inputs.register["payment_id"], inputs.register["amount"], strict=True))
        paid = remits.headers.filter(pl.col("net_pay") > 0)
        for f in x12.values():
            problems, summary = x12_check.check(f.content, OA23)
            assert problems == [], (f.path, problems)
            assert summary is not None
            assert summary.bpr02_cents == net[f.control["remit_id"]]
            assert summary.bpr02_cents == summary.clp04_total - summary.plb_total
            assert (summary.bpr01 == "H") == (summary.bpr02_cents == 0)
        for payment, amount in zip(paid["payment_id"], paid["net_pay"], strict=True):
            assert register[payment] == amount
        assert cross_problems(report.files, remits.headers, inputs.register) == []
        seen["835"] += len(x12)
        seen["ACH"] += report.counts().get("ACH", 0)
        seen["remits"] += remits.headers.height

    check()
    assert seen["835"] > 0, seen
    assert seen["ACH"] > 0, seen
