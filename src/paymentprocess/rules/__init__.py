"""Validation rules (SPEC §7): one concern per module; DEFAULT_RULES is the ordered registry.

Each rule declares the codes it emits (`codes`); the codes themselves, their order (the order
findings are listed in, `FINDING_ORDER`) and severities are domain.finding_codes.FindingCode.
"""

from __future__ import annotations

from paymentprocess.domain.finding_codes import FINDING_ORDER
from paymentprocess.rules.amounts import NegativeAmount, NegativePayable
from paymentprocess.rules.base import Rule, RuleContext
from paymentprocess.rules.claim_codes import DuplicateClaim, FrequencyCode, FrequencyCounts
from paymentprocess.rules.identifiers import InvalidNpiTin, MissingPayeeId
from paymentprocess.rules.links import InvalidVoidLink, MissingParentPaid
from paymentprocess.rules.outputs_data import EftBankInvalid, RemitDataMissing
from paymentprocess.rules.reference_data import (
    InvalidBenefitPlan,
    ProcessException,
    UnknownServiceCode,
)
from paymentprocess.rules.remittance import (
    RemitHeaderMismatch,
    RemitHistoryMismatch,
    RemitLineCapped,
    RemitPayeeChanged,
)
from paymentprocess.rules.run_state import (
    EstimateDiffers,
    PayeeAddressMissing,
    PayeeMissing,
    RefundUnapplied,
    SequenceMismatch,
    SequenceMissing,
)

DEFAULT_RULES: tuple[Rule, ...] = (
    FrequencyCode(),
    MissingPayeeId(),
    FrequencyCounts(),
    DuplicateClaim(),
    NegativeAmount(),
    NegativePayable(),
    MissingParentPaid(),
    InvalidBenefitPlan(),
    InvalidVoidLink(),
    InvalidNpiTin(),
    UnknownServiceCode(),
    ProcessException(),
    PayeeMissing(),
    PayeeAddressMissing(),
    EftBankInvalid(),
    RemitDataMissing(),
    RemitLineCapped(),
    RemitHeaderMismatch(),
    RemitPayeeChanged(),
    RemitHistoryMismatch(),
    SequenceMismatch(),
    SequenceMissing(),
    EstimateDiffers(),
    RefundUnapplied(),
)

__all__ = ["DEFAULT_RULES", "FINDING_ORDER", "Rule", "RuleContext"]
