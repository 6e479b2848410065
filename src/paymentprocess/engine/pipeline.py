"""The run, top to bottom: config → load → payees → compute → validate → transform → ledger →
validate_results → persist, then the stats document. Each `timer.stage(name)` calls the module
`engine/<name>.py` (`validate_results` runs `validate` again, on the computed results) and is
timed; this module alone decides what a run may write.

The caller (service.runs) owns the transaction: it locks the event, calls `execute`, and commits.
A run that may not go ahead (engine.refusal) is refused right after `config` or, for a Final Run
whose claims changed since the Dry Run, right after `load`. A Final Run with a Critical finding
(on its input or on its results) still runs every stage through `ledger` and `validate_results`
so that every finding is reported, then stops before `persist`: it is Blocked, pays nothing, and
the caller records only its stats.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Connection

from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.finding_codes import FINDING_ORDER
from paymentprocess.domain.findings import Finding, has_critical
from paymentprocess.domain.run_config import Mode, RunConfig
from paymentprocess.engine import compute, ledger, payees, persist, stats, transform, validate
from paymentprocess.engine.bounds import check_money_range
from paymentprocess.engine.config import load_config
from paymentprocess.engine.fingerprint import fingerprint
from paymentprocess.engine.invariant import check_invariant
from paymentprocess.engine.load import load_cycle
from paymentprocess.engine.persist_dry import ClaimCopy
from paymentprocess.engine.refusal import refuse_if_not_allowed
from paymentprocess.faults import checkpoint
from paymentprocess.rules.base import RuleContext


@dataclass
class RunResult:
    cfg: RunConfig
    status: str
    document: dict[str, Any]
    findings: list[Finding]
    claims: pl.DataFrame | None = None
    payees: pl.DataFrame | None = None
    timings_ms: dict[str, int] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.ms: dict[str, int] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        checkpoint(f"before:{name}")
        start = time.perf_counter()
        yield
        self.ms[name] = round((time.perf_counter() - start) * 1000)
        checkpoint(f"after:{name}")


def execute(
    conn: Connection,
    payment_event_id: str,
    mode: Mode,
    *,
    force: bool = False,
    validate_only: bool = False,
    approved_fingerprint: str | None = None,
) -> RunResult:
    """Run the stages; RunRefusedError (nothing computed or written) when the run may not go
    ahead, with `force` skipping a Final Run's stage and fingerprint checks — but never the
    check against `approved_fingerprint` (the claims fingerprint a Final Run was approved for,
    when approval is required)."""
    timer = _Timer()
    with timer.stage("config"):
        cfg = load_config(conn, payment_event_id, mode)
        refuse_if_not_allowed(cfg, force)
    with timer.stage("load"):
        data = load_cycle(conn, cfg, timer.ms)
        check_money_range(data, cfg)
        if mode == "final" and (not force or approved_fingerprint is not None):
            refuse_if_not_allowed(cfg, force, fingerprint(data), approved_fingerprint)
    # A Dry Run that will write starts copying its claims (ClaimWSCore) now, beside the compute.
    copying = mode == "dry-run" and not validate_only
    with ClaimCopy(conn, cfg, start=copying) as claim_copy:
        return _compute_and_persist(conn, cfg, data, mode, timer, claim_copy, validate_only)


def _compute_and_persist(
    conn: Connection,
    cfg: RunConfig,
    data: CycleData,
    mode: Mode,
    timer: _Timer,
    claim_copy: ClaimCopy,
    validate_only: bool,
) -> RunResult:
    with timer.stage("payees"):
        claims = payees.attach_payees(data.claims, data.payees, cfg)
    with timer.stage("compute"):
        lines = compute.line_payables(data.lines)
        claims = compute.claim_payables(claims, lines, cfg)
    with timer.stage("validate"):
        ctx = RuleContext(cfg, data, claims, lines)
        findings = validate.run_rules(ctx, results=False)
    if validate_only:
        status = _status(findings, mode)
        doc = stats.build_document(cfg, status, claims, None, findings, timer.ms)
        return RunResult(cfg, status, doc, findings, claims, None, timer.ms)
    with timer.stage("transform"):
        claims = transform.add_outcomes(claims, data.history, cfg)
        claims = transform.add_chain_nets(claims)
        claims = transform.add_interest(claims, cfg)
    with timer.stage("ledger"):
        cycle = ledger.cycle_payees(claims, data.ledger, data.payees)
        result = ledger.payee_results(claims, cycle, data.ledger, data.refunds, cfg)
        check_invariant(result.payees)
    with timer.stage("validate_results"):
        ctx = RuleContext(cfg, data, claims, lines, cycle, result.refunds, result.payees)
        findings = sorted(findings + validate.run_rules(ctx, results=True), key=_finding_order)
    status = _status(findings, mode)
    if status == "Blocked":  # every finding is reported; nothing is paid, persist never runs
        doc = stats.build_document(cfg, status, claims, None, findings, timer.ms)
        return RunResult(cfg, status, doc, findings, claims, None, timer.ms)
    with timer.stage("persist"):
        payee_frame = persist.persist(conn, cfg, data, claims, cycle, result, timer.ms, claim_copy)
    if claim_copy.ms:
        timer.ms["persist.claim_copy"] = claim_copy.ms  # its own time, beside the compute
    doc = stats.build_document(cfg, status, claims, payee_frame, findings, timer.ms)
    return RunResult(cfg, status, doc, findings, claims, payee_frame, timer.ms)


def _status(findings: list[Finding], mode: Mode) -> str:
    if has_critical(findings):
        return "Blocked" if mode == "final" else "CompletedWithErrors"
    return "Completed"


def _finding_order(f: Finding) -> tuple[int, str]:
    known = f.code in FINDING_ORDER
    return (FINDING_ORDER.index(f.code) if known else len(FINDING_ORDER), f.code)


__all__ = ["CycleData", "RunResult", "execute"]


def claims_fingerprint(conn: Connection, payment_event_id: str) -> str:
    """The fingerprint of the event's claims as they are now (what a Final Run would compare
    with the Dry Run's); reads the cycle like a run's `load` stage."""
    cfg = load_config(conn, payment_event_id, "final")
    return fingerprint(load_cycle(conn, cfg))
