"""`generate_cycle`: build every frame of a payment cycle from a plan, then write it.

The steps read top to bottom: plan → reference tables → payees → history chains → current claims
→ service lines (fresh, then copies) → claims with payee fields and header totals → ledger,
refunds, prior payments, sequences. `build_cycle` is pure (frames in memory, same seed → same
frames); `generate_cycle` checks the database, builds, writes in one transaction and returns a
`GenerationSummary`.
"""

from __future__ import annotations

import time

import polars as pl
from sqlalchemy import Engine

from paymentprocess.storage.database import unit_of_work
from paymentprocess.synth.claims import finish_claims
from paymentprocess.synth.current import current_skeleton
from paymentprocess.synth.history import chain_frame, history_skeleton
from paymentprocess.synth.ledger import ledger_frame, prior_register, refund_frame, sequences
from paymentprocess.synth.lines import copied_lines, fresh_lines, header_totals, line_providers
from paymentprocess.synth.payees import payee_frame, payment_center_rows
from paymentprocess.synth.plan import CyclePlan, ErrorMode, EventType, make_plan
from paymentprocess.synth.reference import reference_frames
from paymentprocess.synth.summary import (
    GenerationSummary,
    claim_phenomena,
    data_errors,
    ledger_phenomena,
)
from paymentprocess.synth.writer import ProgressFn, refuse_existing, write_cycle

STEPS = 6
LEDGER_COLUMNS = ("over_and_under_payment_id", "payment_center_id", "payment_event_id", "type",
                  "total_amount", "opening_remaining_amount", "created_date", "claim_chain_id")  # fmt: skip


def build_cycle(
    plan: CyclePlan, progress: ProgressFn | None = None
) -> tuple[dict[str, pl.DataFrame], dict[str, int], dict[str, int]]:
    """Every table's frame, the phenomena counts and the data errors of one cycle."""

    def step(n: int, what: str) -> None:
        if progress is not None:
            progress(f"generating {what}", n, STEPS)

    tables = reference_frames(plan)
    payees = payee_frame(plan)
    tables["payment_center"] = payment_center_rows(plan, payees)
    step(1, "history")
    chains = chain_frame(plan)
    history = history_skeleton(plan, chains)
    current = current_skeleton(plan, chains)
    step(2, "service lines")
    skeleton = pl.concat([history, current])
    fresh = fresh_lines(skeleton, plan.seed)
    lines = pl.concat([fresh, copied_lines(skeleton, fresh)]).sort("num", "line_number")
    del fresh
    step(3, "claims")
    totals = header_totals(lines)
    tables["claim_fin_core"] = finish_claims(plan, skeleton, payees, totals)
    tables["service_line"] = line_providers(lines, tables["claim_fin_core"], plan.seed).drop("num")
    del skeleton
    step(4, "summary")
    phenomena = claim_phenomena(plan, current, history, totals)
    phenomena["service_lines"] = lines.filter(pl.col("num") > plan.hist_claims).height
    del current
    step(5, "ledger")
    ledger = ledger_frame(plan)
    refunds = refund_frame(plan, ledger)
    register = prior_register(plan, history, totals, payees)
    tables["over_and_under_payment"] = ledger.select(LEDGER_COLUMNS)
    tables["refund"] = refunds.drop("unapplied", "legacy_applied")
    tables["payment_register"] = register
    tables["sequence_numbers"] = sequences(plan, ledger.height, register.height)
    phenomena.update(ledger_phenomena(plan, ledger, refunds, register))
    step(6, "done")
    return tables, phenomena, data_errors(plan, refunds)


def generate_cycle(
    engine: Engine,
    claims: int,
    seed: int,
    *,
    event_id: str = "PE-1",
    event_type: EventType = "Provider",
    errors: ErrorMode = "default",
    progress: ProgressFn | None = None,
    output_defects: bool = False,
) -> GenerationSummary:
    """Generate and write one complete cycle (event `event_id`, stage New) with `claims` claims.

    Refuses (GenerationRefusedError) a database that already holds the event or generated data.
    """
    started = time.perf_counter()
    plan = make_plan(claims, seed, event_id, event_type, errors, output_defects=output_defects)
    with unit_of_work(engine, write=False) as uow:
        refuse_existing(uow.conn, plan)
    tables, phenomena, found = build_cycle(plan, progress)
    rows = write_cycle(engine, plan, tables, progress)
    return GenerationSummary(
        payment_event_id=event_id,
        seed=seed,
        claims=claims,
        event_type=event_type,
        errors=errors,
        payment_due_date=plan.due_date,
        rows=rows,
        phenomena=phenomena,
        data_errors=found,
        seconds=round(time.perf_counter() - started, 3),
    )
