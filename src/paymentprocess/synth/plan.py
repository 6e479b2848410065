"""How many of everything one generated cycle holds: the plan, computed before any row exists.

`make_plan(claims, seed, ...)` turns the requested number of claims into exact counts: payee
groups (payees that will overpay, payees with only carried-in underpayments, small payees under
the minimum, payees with prior overpayments and refunds, general payees, new payees), history
chains by kind, current-cycle claims by role, and the deliberate data errors by SPEC §7 code
(shares per 100,000 claims below, each at least one when its mode asks for it). Every generator
module reads its ranges from this one plan, so counts, ids and roles always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from paymentprocess.errors import PaymentError
from paymentprocess.synth.rng import Rng

ErrorMode = Literal["default", "critical", "clean"]
EventType = Literal["Provider", "DMR"]
MIN_CLAIMS = 200
MAX_CLAIMS = 10_000_000  # a sanity bound: larger sizes exhausted memory (or panicked in Polars)
PER = 100_000  # shares below are per 100,000 claims

# Warning/Info kinds carried by claims in the default mode (0.45 % of claims in all).
WARNING_SHARES = {
    "NEGATIVE_AMOUNT": 50, "NEGATIVE_PAYABLE": 100, "MISSING_PARENT_PAID": 50,
    "INVALID_VOID_LINK": 50, "INVALID_NPI": 50, "INVALID_TIN": 50,
    "UNKNOWN_SERVICE_CODE": 50, "PROCESS_EXCEPTION": 50,
}  # fmt: skip
# Critical kinds carried by claims with --with-critical-errors (0.08 % more); SEQUENCE_MISMATCH
# is one lowered sequence value.
CRITICAL_SHARES = {
    "FREQUENCY_CODE": 20, "MISSING_PAYEE_ID": 20, "DUPLICATE_CLAIM": 20, "INVALID_BENEFIT_PLAN": 20,
}  # fmt: skip
CHAIN_KINDS = (
    "void", "repl_lower", "repl_higher", "void_repl", "hist_void_repl", "bad_link", "hist_only",
)  # fmt: skip
FIRST_DUE_DATE = dt.date(2025, 1, 6)


class GenerationRefusedError(PaymentError):
    """The generator will not write: bad options or a database that already holds the cycle."""


def _share(claims: int, per_100k: int, minimum: int) -> int:
    return max(minimum, (claims * per_100k + PER // 2) // PER)


@dataclass(frozen=True)
class CyclePlan:
    """Exact counts and index ranges of one generated cycle."""

    claims: int
    seed: int
    event_id: str
    event_type: EventType
    errors: ErrorMode
    due_date: dt.date
    existing: int  # payees already in PaymentCenter (index 0..existing-1, id = index + 1)
    new: int  # payees not yet in PaymentCenter (index existing..)
    over: int  # existing payees whose only claims take money back → new OverPayment
    carry_only: int  # existing payees with open UnderPayments and no claim
    small_old: int  # existing payees with one claim under the minimum payment
    prior_over: int  # existing payees with open OverPayments (refunds point at them)
    carry_claims: int  # existing payees with open UnderPayments and claims
    small_new: int  # new payees with one claim under the minimum payment
    chains: dict[str, int]  # history chains per kind (CHAIN_KINDS order)
    outside: int  # claims outside the inclusion criteria
    defects: dict[str, int] = field(default_factory=dict)  # claim-carried error code → claims
    refunds: int = 0
    refunds_unapplied: int = 0
    sequence_mismatch: bool = False
    # rare shapes for the outputs' findings (never in the default demo data): a payer without an
    # EDI contact and a few EFT payees with a routing number that fails the ABA check
    output_defects: bool = False

    @property
    def over_void(self) -> int:  # overpaying payees given a void; the rest a lower replacement
        return (self.over + 1) // 2

    @property
    def small_old_lo(self) -> int:
        return self.over + self.carry_only

    @property
    def pool_lo(self) -> int:  # first payee of the general pool (= first prior_over payee)
        return self.small_old_lo + self.small_old

    @property
    def carry_claims_lo(self) -> int:
        return self.pool_lo + self.prior_over

    @property
    def prior_events(self) -> int:
        return 4

    def chain_start(self, kind: str) -> int:
        return sum(self.chains[k] for k in CHAIN_KINDS[: CHAIN_KINDS.index(kind)])

    @property
    def hist_chains(self) -> int:
        return sum(self.chains.values())

    @property
    def hist_claims(self) -> int:  # one original per chain + the prior voids
        return self.hist_chains + self.chains["hist_void_repl"]

    def roles(self) -> list[tuple[str, int]]:
        """Current-cycle claim roles and their counts, in skeleton order."""
        c = self.chains
        fixed = [
            ("guaranteed", self.prior_over + self.carry_claims),
            ("small", self.small_old + self.small_new),
            ("outside", self.outside),
            ("void", c["void"]), ("repl_lower", c["repl_lower"]), ("repl_higher", c["repl_higher"]),
            ("vr_void", c["void_repl"]), ("vr_repl", c["void_repl"]),
            ("hvr_repl", c["hist_void_repl"]),
            ("pair_orig", self.pair), ("pair_void", self.pair),
            *self.defects.items(),
        ]  # fmt: skip
        fresh = self.claims - sum(n for _, n in fixed)
        return [("fresh", fresh), *fixed]

    @property
    def pair(self) -> int:
        return _share(self.claims, 500, 2)


def weekday(day: dt.date) -> dt.date:
    """`day`, or the Monday after it when it falls on a weekend: a payer pays on banking days
    (the NACHA file's effective date must be one; outputs.nacha refuses a weekend)."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def make_plan(
    claims: int,
    seed: int,
    event_id: str,
    event_type: EventType,
    errors: ErrorMode,
    *,
    output_defects: bool = False,
) -> CyclePlan:
    """The plan for `claims` current-cycle claims; refuses sizes it cannot fill."""
    if claims < MIN_CLAIMS:
        raise GenerationRefusedError(f"--claims must be at least {MIN_CLAIMS} (got {claims})")
    if claims > MAX_CLAIMS:
        raise GenerationRefusedError(f"--claims must be at most {MAX_CLAIMS:,} (got {claims:,})")
    if not event_id.strip():
        raise GenerationRefusedError("--event-id must not be empty")
    defects: dict[str, int] = {}
    if errors != "clean":
        defects.update({k: _share(claims, v, 1) for k, v in WARNING_SHARES.items()})
    if errors == "critical":
        defects.update({k: _share(claims, v, 1) for k, v in CRITICAL_SHARES.items()})
    existing = max(60, claims // 25)
    prior_over = max(3, existing // 50)
    chains = {
        "void": _share(claims, 3000, 4),
        "repl_lower": _share(claims, 1600, 3),
        "repl_higher": _share(claims, 2400, 2),
        "void_repl": _share(claims, 1500, 2),
        "hist_void_repl": _share(claims, 500, 2),
        "bad_link": defects.get("INVALID_VOID_LINK", 0),
        "hist_only": max(
            prior_over + defects.get("DUPLICATE_CLAIM", 0) + 5, _share(claims, 5000, 0)
        ),
    }
    plan = CyclePlan(
        claims=claims, seed=seed, event_id=event_id, event_type=event_type, errors=errors,
        due_date=weekday(FIRST_DUE_DATE + dt.timedelta(days=Rng(seed).draw("due_date", 0, 364))),
        existing=existing, new=max(15, claims // 100),
        over=max(2, existing // 100), carry_only=max(2, existing // 100),
        small_old=max(2, claims // 1000), prior_over=prior_over,
        carry_claims=max(2, existing // 100), small_new=max(2, claims // 1000),
        chains=chains, outside=_share(claims, 1000, 2), defects=defects,
        refunds=max(1, prior_over // 2),
        refunds_unapplied=0 if errors == "clean" else max(1, prior_over // 10),
        sequence_mismatch=errors == "critical", output_defects=output_defects,
    )  # fmt: skip
    if plan.roles()[0][1] < claims // 2:
        raise GenerationRefusedError(f"--claims {claims} is too small for a complete cycle")
    return plan
