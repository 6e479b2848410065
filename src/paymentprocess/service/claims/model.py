"""The typed claim of intake: `NewClaim` / `NewLine`, built from a RawClaim that passed the rules.

Money is integer cents. A line's `net_fee = provider_fees + member_coinsurance + member_copay −
allowed_fees` (the seeds' formula); the claim's is the sum. `content_hash` fingerprints what the
caller sent (after normalisation: `$100.00 ` and `100` hash alike) so that an identical retry can be
told from a different claim with the same reference or Idempotency-Key.

Each line keeps its own `provider_npi` (the rendering provider); the claim's `provider_npi` is its
billing provider: the `billing_provider_npi` the caller gave, else line 1's NPI.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from paymentprocess.service.claims.raw_claim import RawClaim, is_blank
from paymentprocess.service.claims.value_parsers import (
    parse_amount,
    parse_line_item_control_number,
    parse_modifiers,
    parse_npi,
    parse_patient_control_number,
    parse_patient_first_name,
    parse_patient_last_name,
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
    provider_npi: str
    # Optional, for the payment outputs (issue 13): REF*6R and SVC01's modifiers (None = not given).
    line_item_control_number: str | None = None
    modifiers: tuple[str, ...] | None = None

    def given_extras(self) -> dict[str, object]:
        """The optional output fields this line gives (for `content_hash`)."""
        return _given(
            {"line_item_control_number": self.line_item_control_number, "modifiers": self.modifiers}
        )

    @property
    def net_fee(self) -> int:
        return self.provider_fees + self.member_coinsurance + self.member_copay - self.allowed_fees


@dataclass(frozen=True)
class NewClaim:
    claim_reference: str | None
    provider_tin: str | None
    provider_npi: str  # the billing provider
    plan_group: str
    subscriber_number: str
    lines: tuple[NewLine, ...]
    # Optional, for the payment outputs (issue 13): CLP01 and NM1*QC of the 835.
    patient_control_number: str | None = None
    patient_first_name: str | None = None
    patient_last_name: str | None = None

    @property
    def net_fee(self) -> int:
        return sum(line.net_fee for line in self.lines)

    def total(self, amount: str) -> int:
        """The sum of one amount field over the lines."""
        return sum(int(getattr(line, amount)) for line in self.lines)

    def line_npis(self) -> dict[str, tuple[int, int]]:
        """Per NPI named on a line: (1, the net fee of its lines) — what the claim adds to each
        provider's `provider_aggregate` row (a claim counts once per NPI it appears on)."""
        fees: dict[str, int] = {}
        for line in self.lines:
            fees[line.provider_npi] = fees.get(line.provider_npi, 0) + line.net_fee
        return {npi: (1, fee) for npi, fee in fees.items()}

    def content_hash(self) -> str:
        """A fingerprint of the claim's content (the same claim sent twice hashes alike). A
        line's NPI enters it only when it differs from the billing NPI, so a claim of one NPI
        hashes as it did before lines had their own (stored Idempotency-Key answers still match).
        Likewise the optional output fields (patient, line item control number, modifiers) enter
        it only when given: a claim without them hashes as it did before they existed."""
        doc = {
            "claim_reference": self.claim_reference,
            "provider_tin": self.provider_tin,
            "provider_npi": self.provider_npi,
            "plan_group": self.plan_group,
            "subscriber_number": self.subscriber_number,
            **_given(
                {
                    "patient_control_number": self.patient_control_number,
                    "patient_first_name": self.patient_first_name,
                    "patient_last_name": self.patient_last_name,
                }
            ),
            "lines": [
                [
                    line.service_date.isoformat(),
                    line.submitted_procedure,
                    line.quadrant,
                    line.provider_fees,
                    line.allowed_fees,
                    line.member_coinsurance,
                    line.member_copay,
                    *([line.provider_npi] if line.provider_npi != self.provider_npi else []),
                    *([extras] if (extras := line.given_extras()) else []),
                ]
                for line in self.lines
            ],
        }
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


T = TypeVar("T")


def _given(values: dict[str, object]) -> dict[str, object]:
    """The entries of `values` that are given (not None); a tuple becomes a JSON list."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if v is not None}


_PLAIN_AMOUNT = re.compile(r"[0-9]{1,8}\.[0-9]{2}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _amount(value: object) -> int:
    """`parse_amount` of a value that passed the rules, without Decimal for the usual spelling
    (`"123.45"` is 12345 cents, exactly what parse_amount gives); any other spelling goes
    through parse_amount itself."""
    if type(value) is str and _PLAIN_AMOUNT.fullmatch(value):
        return int(value.replace(".", ""))
    return parse_amount(value)


def _service_date(value: object) -> date:
    """`parse_service_date` of a value that passed the rules (range checked there); an ISO day
    is read by `date.fromisoformat` directly."""
    if type(value) is str and _ISO_DAY.fullmatch(value):
        return date.fromisoformat(value)
    return parse_service_date(value)


def build_claim(raw: RawClaim) -> NewClaim:
    """The typed claim; `raw` must have passed `service.claims.intake_rules.validate` (else ValueError)."""
    lines = tuple(
        NewLine(
            service_date=_service_date(line["service_date"]),
            submitted_procedure=parse_procedure(line["submitted_procedure"]),
            quadrant=None if is_blank(line.get("quadrant")) else parse_quadrant(line["quadrant"]),
            provider_fees=_amount(line["provider_fees"]),
            allowed_fees=_amount(line["allowed_fees"]),
            member_coinsurance=_amount(line["member_coinsurance"]),
            member_copay=_amount(line["member_copay"]),
            provider_npi=parse_npi(line["provider_npi"]),
            line_item_control_number=_optional(
                parse_line_item_control_number, line.get("line_item_control_number")
            ),
            modifiers=_optional(parse_modifiers, line.get("modifiers")) or None,
        )
        for line in raw.lines
    )
    first = raw.lines[0]
    return NewClaim(
        claim_reference=None
        if is_blank(raw.claim_reference)
        else parse_reference(raw.claim_reference),
        provider_tin=None if is_blank(raw.provider_tin) else parse_tin(raw.provider_tin),
        provider_npi=lines[0].provider_npi
        if is_blank(raw.billing_provider_npi)
        else parse_npi(raw.billing_provider_npi),
        plan_group=parse_text(first["plan_group"]),
        subscriber_number=parse_text(first["subscriber_number"]),
        lines=lines,
        patient_control_number=_optional(parse_patient_control_number, raw.patient_control_number),
        patient_first_name=_optional(parse_patient_first_name, raw.patient_first_name),
        patient_last_name=_optional(parse_patient_last_name, raw.patient_last_name),
    )


def _optional(parser: Callable[[object], T], value: object) -> T | None:
    """`parser(value)`, or None for a blank value (blank = not given)."""
    return None if is_blank(value) else parser(value)
