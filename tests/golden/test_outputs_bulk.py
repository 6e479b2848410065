"""The bulk 835 renderer (outputs.x12_835_bulk, the product path) against the per-remittance
renderer (outputs.remit_835, its oracle), on both databases: the same bytes, paths, control values
and items for every remittance; the same problems when data are missing; every bulk file also
passes the per-file checker (x12_check, V-8's chain rules included), pyx12 and oxedi.

Cycles: the hand-written legacy cycles (voids, refunds, legacy overpayments, forward balances,
zero-pay and EFT payees: tests/golden/test_outputs_issue.py) and a generated cycle.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, update
from tests.golden.test_legacy_cycles import _pay
from tests.golden.test_outputs_issue import _documents
from tests.unit.outputs.remit_builders import oxedi_problems, pyx12_errors

from paymentprocess.io.load import load_documents
from paymentprocess.outputs import x12_835_bulk, x12_check
from paymentprocess.outputs.details import read_event_details
from paymentprocess.outputs.gather import read_remit_inputs
from paymentprocess.outputs.issue import Rendered, _allocate, _with_zero_pay_trn
from paymentprocess.outputs.problems import OutputDataError
from paymentprocess.outputs.remit_835 import render_835s
from paymentprocess.outputs.remit_model import X12Settings
from paymentprocess.outputs.remittance import build_remittances
from paymentprocess.outputs.x12_835_bulk import render_835s_bulk
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

NOW = datetime(2025, 7, 1, 15, 42)
OA23 = X12Settings(other_adjustment_cas="OA:23")


def _both(engine: Engine, event: str, settings: X12Settings) -> tuple[Any, Any]:
    """(reference result, bulk result): each a list of Rendered or the OutputDataError raised."""
    with engine.connect() as conn:
        details = read_event_details(conn, event)
        inputs = read_remit_inputs(conn, event)
        details = replace(details, register=inputs.register)
        remits = build_remittances(inputs)
        controls = _allocate(conn, details, remits, NOW)
        remits = _with_zero_pay_trn(remits, controls)
        out = []
        for render in (render_835s, render_835s_bulk):
            try:
                out.append(render(conn, details, remits, controls, settings))
            except OutputDataError as exc:
                out.append(exc)
        conn.rollback()
    return out[0], out[1]


def _same(reference: list[Rendered], bulk: list[Rendered]) -> None:
    assert [r.path for r in bulk] == [r.path for r in reference]
    for ref, got in zip(reference, bulk, strict=True):
        assert got.content == ref.content, ref.path
        assert (got.kind, got.scope, got.control, got.items) == (
            ref.kind,
            ref.scope,
            ref.control,
            ref.items,
        )


def test_legacy_cycles_render_the_same_bytes(engine: Engine) -> None:
    load_documents(engine, _documents())
    for event in ("PE-1", "PE-2"):
        _pay(engine, event)
        reference, bulk = _both(engine, event, X12Settings())
        assert isinstance(reference, list)
        assert reference
        _same(reference, bulk)
        for rendered in bulk:
            assert x12_check.validate(rendered.content) == [], rendered.path


@pytest.mark.parametrize("chunk_lines", [x12_835_bulk.CHUNK_LINES, 97])
def test_generated_cycle_renders_the_same_bytes_and_passes_every_checker(
    engine: Engine, chunk_lines: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x12_835_bulk, "CHUNK_LINES", chunk_lines)  # 97: many chunk boundaries
    generate_cycle(engine, claims=600, seed=5, event_id="PE-B")
    _pay(engine, "PE-B")
    reference, bulk = _both(engine, "PE-B", OA23)
    assert isinstance(reference, list)
    assert len(reference) > 20
    _same(reference, bulk)
    for rendered in bulk[:40]:
        assert x12_check.validate(rendered.content, OA23) == [], rendered.path
        assert pyx12_errors(rendered.content) == [], rendered.path
        assert oxedi_problems(rendered.content) == [], rendered.path


def test_missing_data_gives_the_same_problems(engine: Engine) -> None:
    generate_cycle(engine, claims=300, seed=8, event_id="PE-M")
    _pay(engine, "PE-M")
    # No other-adjustment code configured: every payee with such a line is named, as before.
    reference, bulk = _both(engine, "PE-M", X12Settings())
    assert isinstance(reference, OutputDataError)
    assert isinstance(bulk, OutputDataError)
    assert bulk.problems == reference.problems
    # An EFT payee without its account: the per-remittance path names it the same way.
    pc = t.payment_center
    with engine.begin() as conn:
        conn.execute(
            update(pc).where(pc.c.payment_method == "EFT").values(bank_account_number=None)
        )
    reference, bulk = _both(engine, "PE-M", OA23)
    assert isinstance(reference, OutputDataError)
    assert isinstance(bulk, OutputDataError)
    assert bulk.problems == reference.problems
    assert any("EFT_BANK_INVALID" in p.reason for p in bulk.problems)
