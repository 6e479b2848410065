"""What a generation produced: rows per table, phenomena counts and deliberate data errors.

`GenerationSummary` is what `generate_cycle` returns and what the CLI prints. `phenomena` counts
what the cycle contains (voids, replacements paying less, late claims, new payees, prior
over/underpayments, refunds, ...), measured on the generated frames rather than copied from the
plan; `data_errors` counts the deliberate SPEC §7 errors by finding code (claims carrying them,
refunds for REFUND_UNAPPLIED, 1 for a lowered sequence).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from paymentprocess.synth.current import REPLACEMENTS
from paymentprocess.synth.plan import CyclePlan


@dataclass(frozen=True)
class GenerationSummary:
    """The result of one generation (machine-readable: `as_dict()`)."""

    payment_event_id: str
    seed: int
    claims: int
    event_type: str
    errors: str
    payment_due_date: dt.date
    rows: dict[str, int]
    phenomena: dict[str, int]
    data_errors: dict[str, int]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["payment_due_date"] = self.payment_due_date.isoformat()
        return out


def _count(frame: pl.DataFrame, condition: pl.Expr) -> int:
    return int(frame.select(condition.sum()).item())


def claim_phenomena(
    plan: CyclePlan, current: pl.DataFrame, history: pl.DataFrame, totals: pl.DataFrame
) -> dict[str, int]:
    """Counts over the current-cycle skeleton (`current`) and the paid history."""
    role, freq = pl.col("role"), pl.col("frequency_code")
    payable = totals.select("num", "payable")
    replaced = (
        current.filter(role.is_in(list(REPLACEMENTS)))
        .join(payable, on="num")
        .join(history.select(src_claim="claim_core_id", src_num="num"), on="src_claim")
        .join(payable.rename({"num": "src_num", "payable": "paid"}), on="src_num")
    )
    pc_payees = pl.col("payee") < plan.existing
    new_claims = current.filter(~pc_payees & ~role.is_in(["INVALID_NPI", "INVALID_TIN"]))
    return {
        "claims": current.height,
        "originals": _count(current, freq == "1"),
        "voids": _count(current, freq == "8"),
        "replacements": _count(current, freq == "7"),
        "voids_of_paid_claims": _count(current, role.is_in(["void", "vr_void"])),
        "replacements_of_paid_claims": _count(current, role.is_in(list(REPLACEMENTS))),
        "replacements_paying_less": _count(replaced, pl.col("payable") < pl.col("paid")),
        "replacements_linked_to_void": _count(current, role.is_in(["vr_repl", "hvr_repl"])),
        "replacements_after_prior_void": _count(current, role == "hvr_repl"),
        "same_cycle_original_void_pairs": _count(current, role == "pair_void"),
        "late_claims": _count(current, pl.col("late")),
        "claims_outside_inclusion": _count(current, role == "outside"),
        "claims_of_new_payees": new_claims.height,
        "new_payees": new_claims.select(pl.col("payee").n_unique()).item(),
        "existing_payees": plan.existing,
        "payees_under_minimum": plan.small_old + plan.small_new,
        "payees_taking_money_back": plan.over,
        "header_totals_null": _count(current, pl.col("header_null")),
        "header_totals_differ": _count(current, pl.col("header_diff")),
        "informational_process_codes": _count(
            current, pl.col("process_codes").str.contains("P200").fill_null(False)
        ),
        "prior_events": plan.prior_events,
        "paid_history_claims": history.height,
    }


def ledger_phenomena(
    plan: CyclePlan, ledger: pl.DataFrame, refunds: pl.DataFrame, register: pl.DataFrame
) -> dict[str, int]:
    open_ = pl.col("opening_remaining_amount") > 0
    partial = open_ & (pl.col("opening_remaining_amount") < pl.col("total_amount"))
    over, under = pl.col("type") == "OverPayment", pl.col("type") == "UnderPayment"
    return {
        "prior_overpayments_open": _count(ledger, over & open_),
        "prior_overpayments_partially_applied": _count(ledger, over & partial),
        "prior_underpayments_open": _count(ledger, under & open_),
        "prior_underpayments_partially_applied": _count(ledger, under & partial),
        "ledger_records_closed": _count(ledger, ~open_),
        "payees_with_only_carried_in_underpayments": plan.carry_only,
        "refunds": refunds.height,
        "refunds_applied_by_the_legacy_system": _count(refunds, pl.col("legacy_applied")),
        "prior_payments": register.height,
    }


def data_errors(plan: CyclePlan, refunds: pl.DataFrame) -> dict[str, int]:
    """Deliberate errors by SPEC §7 code (only those generated)."""
    found = dict(plan.defects)
    unapplied = _count(refunds, pl.col("unapplied"))
    if unapplied:
        found["REFUND_UNAPPLIED"] = unapplied
    if plan.sequence_mismatch:
        found["SEQUENCE_MISMATCH"] = 1
    return dict(sorted(found.items()))
