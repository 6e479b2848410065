"""What a run knows before it reads a claim: its mode, the event and its small reference data.

`engine.config.load_config` (the `config` stage) reads it from the database; every stage and every
validation rule reads it. It lives here, below both, so that rules never import the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["dry-run", "final"]


@dataclass(frozen=True)
class InterestTerms:
    rate_ppm: int
    grace_days: int


@dataclass(frozen=True)
class RunConfig:
    """What a run knows before it reads a claim."""

    payment_event_id: str
    mode: Mode
    event_type: str  # Provider | DMR
    payment_due_date: dt.date
    stage: str
    fingerprint: str | None
    business_id: str | None
    funding_source_id: str | None
    minimum_payment: int
    custom_interest_days: int | None
    benefit_plan_filter: tuple[str, ...]
    include_payees: tuple[str, ...]
    exclude_payees: tuple[str, ...]
    interest: dict[str, InterestTerms]
    benefit_plans: frozenset[str]
    service_codes: frozenset[str]
    holding_process_codes: frozenset[str]
    sequences: dict[str, int] = field(default_factory=dict)

    @property
    def payee_type(self) -> str:
        return "Member" if self.event_type == "DMR" else "Provider"

    @property
    def check_sequence(self) -> str:
        return f"CheckNumber:{self.funding_source_id}"
