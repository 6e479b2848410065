"""The run, top to bottom: config → load → payees → compute → validate → transform → ledger →
validate_results → persist, then the stats document. Each `timer.stage(name)` calls the module
`engine/<name>.py` (`validate_results` runs `validate` again, on the computed results) and is
timed; this module alone decides what a run may write.

The stages from `payees` to the claim-level rules of `validate_results` run once per partition
of the cycle (engine.partition: sets of whole chains, read one after the other; as many as
`partitions` asks, or as few as `memory_budget` allows), the rest once on their merged results
(`_cycle_stages`).

The caller (service.runs) owns the transaction: it locks the event, calls `execute`, and commits.
A run that may not go ahead (engine.refusal) is refused right after `config` or, for a Final Run
whose claims changed since the Dry Run, once its claims are read (`load`; with several
partitions, after the last one is read, still before anything is written). A Final Run with a
Critical finding
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

from paymentprocess.domain import columns as col
from paymentprocess.domain.claim_counts import count_claims, merge_counts
from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.finding_codes import FINDING_ORDER
from paymentprocess.domain.findings import Finding, has_critical, merge_findings
from paymentprocess.domain.new_payees import first_claims, merge_first_claims
from paymentprocess.domain.run_config import Mode, RunConfig
from paymentprocess.engine import compute, ledger, payees, persist, stats, transform, validate
from paymentprocess.engine.config import load_config
from paymentprocess.engine.fingerprint import fingerprint
from paymentprocess.engine.invariant import check_invariant
from paymentprocess.engine.load import load_cycle
from paymentprocess.engine.partition import CycleSource
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
        spent = round((time.perf_counter() - start) * 1000)
        self.ms[name] = self.ms.get(name, 0) + spent  # a stage may run once per partition
        checkpoint(f"after:{name}")


def execute(
    conn: Connection,
    payment_event_id: str,
    mode: Mode,
    *,
    force: bool = False,
    validate_only: bool = False,
    approved_fingerprint: str | None = None,
    partitions: int | None = None,
    memory_budget: int | None = None,
) -> RunResult:
    """Run the stages; RunRefusedError (nothing computed or written) when the run may not go
    ahead, with `force` skipping a Final Run's stage and fingerprint checks — but never the
    check against `approved_fingerprint` (the claims fingerprint a Final Run was approved for,
    when approval is required)."""
    timer = _Timer()
    with timer.stage("config"):
        cfg = load_config(conn, payment_event_id, mode)
        refuse_if_not_allowed(cfg, force)
    source = CycleSource(conn, cfg, partitions, timer.ms, memory_budget)
    check_claims = mode == "final" and (not force or approved_fingerprint is not None)
    with timer.stage("load"):
        if source.open() is not None:  # the whole cycle: checked before anything is computed
            source.check_range()
            if check_claims:
                refuse_if_not_allowed(cfg, force, source.fingerprint(), approved_fingerprint)
    # A Dry Run that will write starts copying its claims (ClaimWSCore) now, beside the compute
    # (not when the partitions' reads still need the connection).
    copying = mode == "dry-run" and not validate_only and not source.partitioned
    with ClaimCopy(conn, cfg, start=copying) as claim_copy:
        done = [
            _claim_stages(cfg, part, source.contract_types, timer, validate_only)
            for part in source.partitions(timer.stage)
        ]
        if source.partitioned:  # the checks the whole cycle's read made, now that it is read
            source.check_range()
            if check_claims:
                refuse_if_not_allowed(cfg, force, source.fingerprint(), approved_fingerprint)
        assert source.lookups is not None
        return _cycle_stages(
            conn, cfg, source.lookups, done, source.fingerprint(), timer, claim_copy, validate_only
        )


@dataclass
class _Partition:
    """What one partition of the cycle leaves for the cycle-level stages."""

    claims: pl.DataFrame  # its claims as computed, the columns persist writes
    findings: list[Finding]  # of the claim-level rules
    counts: pl.DataFrame  # domain.claim_counts
    first: pl.DataFrame  # domain.new_payees.first_claims
    sums: pl.DataFrame | None  # engine.ledger.claim_sums (None when validating only)


def _cycle_stages(
    conn: Connection,
    cfg: RunConfig,
    data: CycleData,
    done: list[_Partition],
    claims_fingerprint: str,
    timer: _Timer,
    claim_copy: ClaimCopy,
    validate_only: bool,
) -> RunResult:
    """The stages on the whole cycle, from its partitions' results: the cycle-level rules, the
    payees' results, persist and the stats. `data` holds the lookups every partition shared."""
    mode = cfg.mode
    counts = merge_counts([p.counts for p in done])
    first = merge_first_claims([p.first for p in done])
    claims = pl.concat([p.claims for p in done]) if len(done) > 1 else done[0].claims
    with timer.stage("validate"):
        ctx = RuleContext(cfg, data, first, _NO_LINES, claim_counts=counts)
        findings = merge_findings([p.findings for p in done])
        findings += validate.run_rules(ctx, results=False, cycle_level=True)
    if validate_only:
        findings.sort(key=_finding_order)
        status = _status(findings, mode)
        doc = stats.build_document(cfg, status, counts, None, findings, timer.ms)
        return RunResult(cfg, status, doc, findings, claims, None, timer.ms)
    with timer.stage("ledger"):
        sums = ledger.merge_claim_sums([p.sums for p in done if p.sums is not None])
        cycle = ledger.cycle_payees(sums, data.ledger, data.payees)
        result = ledger.payee_results(sums, cycle, data.ledger, data.refunds, cfg)
        check_invariant(result.payees)
    with timer.stage("validate_results"):
        ctx = RuleContext(
            cfg, data, first, _NO_LINES, cycle, result.refunds, result.payees, claim_counts=counts
        )
        findings += validate.run_rules(ctx, results=True, cycle_level=True)
        findings.sort(key=_finding_order)
    status = _status(findings, mode)
    if status == "Blocked":  # every finding is reported; nothing is paid, persist never runs
        doc = stats.build_document(cfg, status, counts, None, findings, timer.ms)
        return RunResult(cfg, status, doc, findings, claims, None, timer.ms)
    with timer.stage("persist"):
        payee_frame = persist.persist(
            conn,
            cfg,
            data,
            claims,
            first,
            cycle,
            result,
            timer.ms,
            claim_copy,
            claims_fingerprint=claims_fingerprint,
        )
    if claim_copy.ms:
        timer.ms["persist.claim_copy"] = claim_copy.ms  # its own time, beside the compute
    doc = stats.build_document(cfg, status, counts, payee_frame, findings, timer.ms)
    return RunResult(cfg, status, doc, findings, claims, payee_frame, timer.ms)


# what persist writes of each claim (claim_result, claim_ws_result) and joins new payee ids on
_KEPT = (
    "claim_core_id",
    col.PAYEE_KEY,
    "payment_center_id",
    col.OUTCOME,
    col.HOLD_REASON,
    col.PAYABLE,
    col.ESTIMATE,
    col.NET,
    col.INTEREST,
)


_NO_LINES = pl.DataFrame()  # cycle-level rules read payees, sequences and counts, not lines


def _claim_stages(
    cfg: RunConfig,
    data: CycleData,
    contract_types: pl.DataFrame | None,
    timer: _Timer,
    validate_only: bool,
) -> _Partition:
    """The stages that work claim by claim, on one partition (or the whole cycle)."""
    with timer.stage("payees"):
        claims = payees.attach_payees(data.claims, data.payees, cfg, contract_types)
    with timer.stage("compute"):
        lines = compute.line_payables(data.lines)
        claims = compute.claim_payables(claims, lines, cfg)
    with timer.stage("validate"):
        findings = validate.run_rules(RuleContext(cfg, data, claims, lines), results=False)
        first = first_claims(claims)
    if validate_only:
        kept = claims.select(c for c in _KEPT if c in claims.columns)
        return _Partition(kept, findings, count_claims(claims), first, None)
    with timer.stage("transform"):
        claims = transform.add_outcomes(claims, data.history, cfg)
        claims = transform.add_chain_nets(claims)
        claims = transform.add_interest(claims, cfg)
    with timer.stage("ledger"):
        sums = ledger.claim_sums(claims)
    with timer.stage("validate_results"):
        findings += validate.run_rules(RuleContext(cfg, data, claims, lines), results=True)
    kept = claims.select(c for c in _KEPT if c in claims.columns)  # the lines and inputs go
    return _Partition(kept, findings, count_claims(claims), first, sums)


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
