"""Validation rules (SPEC §7): one concern per module; DEFAULT_RULES is the ordered registry."""

from __future__ import annotations

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
    SequenceMismatch(),
    SequenceMissing(),
    EstimateDiffers(),
    RefundUnapplied(),
)

# The order findings are listed in (SPEC §7's table).
FINDING_ORDER: tuple[str, ...] = (
    "FREQUENCY_CODE",
    "MISSING_PAYEE_ID",
    "FREQUENCY_COUNTS",
    "DUPLICATE_CLAIM",
    "NEGATIVE_AMOUNT",
    "NEGATIVE_PAYABLE",
    "MISSING_PARENT_PAID",
    "INVALID_BENEFIT_PLAN",
    "INVALID_VOID_LINK",
    "INVALID_NPI",
    "INVALID_TIN",
    "UNKNOWN_SERVICE_CODE",
    "PROCESS_EXCEPTION",
    "PAYEE_MISSING",
    "PAYEE_ADDRESS_MISSING",
    "EFT_BANK_INVALID",
    "REMIT_DATA_MISSING",
    "SEQUENCE_MISMATCH",
    "SEQUENCE_MISSING",
    "ESTIMATE_DIFFERS",
    "REFUND_UNAPPLIED",
)

__all__ = ["DEFAULT_RULES", "FINDING_ORDER", "Rule", "RuleContext"]
