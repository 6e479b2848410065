"""Stage `persist`: what a run writes, all inside the caller's transaction (the table of contents).

Dry Run (`persist_dry`): waits for its ClaimWSCore copy, then replaces the event's working sets
(ClaimWSResult, PaymentCenterWS, PaymentEventWS and its payee results, OverAndUnderPayment_STG)
and sets stage `DryRun` with the claims' fingerprint; it writes no production table. Final Run
(`persist_final`): backup, new payees, claim results, ledger records and applications, payment
register, sequences, stage `Final` — insert-only except the few sequence rows and the event row.
Each step is timed as `persist.<step>` and ends at the fault checkpoint `<dry|final>:after-<step>`
(`persist_steps`); the event's working and staging rows are written by `persist_working`.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection

from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.run_config import RunConfig
from paymentprocess.engine.ledger import LedgerResult
from paymentprocess.engine.persist_dry import ClaimCopy, persist_dry_run
from paymentprocess.engine.persist_final import persist_final
from paymentprocess.engine.persist_steps import Steps


def persist(
    conn: Connection,
    cfg: RunConfig,
    data: CycleData,
    claims: pl.DataFrame,
    first: pl.DataFrame,
    cycle: pl.DataFrame,
    result: LedgerResult,
    timings: dict[str, int],
    claim_copy: ClaimCopy | None = None,
    *,
    claims_fingerprint: str,
) -> pl.DataFrame:
    """Write the run's results; returns the payee frame with final ids (stats are written by the
    caller). `first` is each payee key's smallest claim (domain.new_payees.first_claims), which
    new payees are made from. A Dry Run's ClaimWSCore copy may already be under way
    (`claim_copy`). `claims_fingerprint`: the loaded claims' (a Dry Run records it)."""
    if cfg.mode == "final":
        return persist_final(conn, cfg, data, claims, first, cycle, result, Steps(timings, "final"))
    steps = Steps(timings, "dry")
    (claim_copy or ClaimCopy(conn, cfg, start=False)).wait(conn, cfg)
    steps.done("claim_copy_wait")
    persist_dry_run(conn, cfg, data, claims, first, cycle, result, steps, claims_fingerprint)
    return result.payees


__all__ = ["ClaimCopy", "persist"]
