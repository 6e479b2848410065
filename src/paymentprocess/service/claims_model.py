"""The typed claim of intake: `NewClaim` / `NewLine`, built from a RawClaim that passed the rules.

Money is integer cents. A line's `net_fee = provider_fees + member_coinsurance + member_copay −
allowed_fees` (the seeds' formula); the claim's is the sum. `content_hash` fingerprints what the
caller sent (after normalisation: `$100.00 ` and `100` hash alike) so that an identical retry can be
told from a different claim with the same reference or Idempotency-Key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from paymentprocess.rules.intake_base import RawClaim, is_blank
from paymentprocess.rules.intake_values import (
    parse_amount,
    parse_npi,
    parse_procedure,
    parse_quadrant,
    parse_reference,
    parse_service_date,
    parse_text,
    parse_tin,
)


@dataclass(frozen=True)
class NewLine:
    service_date: date
    submitted_procedure: str
    quadrant: str | None
    provider_fees: int
    allowed_fees: int
    member_coinsurance: int
    member_copay: int

    @property
    def net_fee(self) -> int:
        return self.provider_fees + self.member_coinsurance + self.member_copay - self.allowed_fees


@dataclass(frozen=True)
class NewClaim:
    claim_reference: str | None
    provider_tin: str | None
    provider_npi: str
    plan_group: str
    subscriber_number: str
    lines: tuple[NewLine, ...]

    @property
    def net_fee(self) -> int:
        return sum(line.net_fee for line in self.lines)

    def total(self, amount: str) -> int:
        """The sum of one amount field over the lines."""
        return sum(int(getattr(line, amount)) for line in self.lines)

    def content_hash(self) -> str:
        """A fingerprint of the claim's content (the same claim sent twice hashes alike)."""
        doc = {
            "claim_reference": self.claim_reference,
            "provider_tin": self.provider_tin,
            "provider_npi": self.provider_npi,
            "plan_group": self.plan_group,
            "subscriber_number": self.subscriber_number,
            "lines": [
                [
                    line.service_date.isoformat(),
                    line.submitted_procedure,
                    line.quadrant,
                    line.provider_fees,
                    line.allowed_fees,
                    line.member_coinsurance,
                    line.member_copay,
                ]
                for line in self.lines
            ],
        }
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def build_claim(raw: RawClaim) -> NewClaim:
    """The typed claim; `raw` must have passed `rules.intake_rules.validate` (else ValueError)."""
    first = raw.lines[0]
    lines = tuple(
        NewLine(
            service_date=parse_service_date(line["service_date"]),
            submitted_procedure=parse_procedure(line["submitted_procedure"]),
            quadrant=None if is_blank(line.get("quadrant")) else parse_quadrant(line["quadrant"]),
            provider_fees=parse_amount(line["provider_fees"]),
            allowed_fees=parse_amount(line["allowed_fees"]),
            member_coinsurance=parse_amount(line["member_coinsurance"]),
            member_copay=parse_amount(line["member_copay"]),
        )
        for line in raw.lines
    )
    return NewClaim(
        claim_reference=None
        if is_blank(raw.claim_reference)
        else parse_reference(raw.claim_reference),
        provider_tin=None if is_blank(raw.provider_tin) else parse_tin(raw.provider_tin),
        provider_npi=parse_npi(first["provider_npi"]),
        plan_group=parse_text(first["plan_group"]),
        subscriber_number=parse_text(first["subscriber_number"]),
        lines=lines,
    )
