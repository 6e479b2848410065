"""The finding codes of SPEC §7, written down once: code, severity and what it means.

`FindingCode` is the one list. Its order is the order findings are listed in (§7's table);
each rule class declares the codes it emits (`codes`, rules/), the registry `DEFAULT_RULES`
declares every code exactly once (tests/unit/test_finding_codes.py), `engine.validate` refuses a
finding of a code its rule did not declare, and the reference implementation takes its codes,
severities and summaries from here too. A member is a `str` ("INVALID_NPI"), so findings and
documents hold plain text. A new code: one line here plus its rule.

Severity is the Final Run's; `dry_run` is the Dry Run's where it differs (a Dry Run reports as a
Warning what would block the Final Run).
"""

from __future__ import annotations

from enum import StrEnum, auto

from paymentprocess.domain.findings import Severity
from paymentprocess.domain.run_config import Mode


class FindingCode(StrEnum):
    severity: Severity
    summary: str
    dry_run: Severity

    def __new__(
        cls, value: str, severity: Severity, summary: str, dry_run: Severity | None = None
    ) -> FindingCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.summary = summary
        member.dry_run = dry_run or severity
        return member

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[str]) -> str:
        return name  # the code is the member's name

    def severity_in(self, mode: Mode) -> Severity:
        """The severity of this code's findings in a run of `mode`."""
        return self.dry_run if mode == "dry-run" else self.severity

    FREQUENCY_CODE = auto(), "Critical", "frequency code not in 1, 7, 8"
    MISSING_PAYEE_ID = auto(), "Critical", "payee identifier missing (TaxID/NPI or MemberID)"
    FREQUENCY_COUNTS = auto(), "Info", "claims per frequency code"
    DUPLICATE_CLAIM = (
        auto(),
        "Critical",
        "duplicate ClaimCore_ID or original of an already paid chain",
    )
    NEGATIVE_AMOUNT = auto(), "Warning", "negative dollar amount on a header or line"
    NEGATIVE_PAYABLE = (
        auto(),
        "Warning",
        "line member responsibility exceeds allowed; payable floored at 0",
    )
    MISSING_PARENT_PAID = auto(), "Warning", "replacement/void without a paid parent; claim held"
    INVALID_BENEFIT_PLAN = auto(), "Critical", "BenefitPlan_ID unknown to the reference data"
    INVALID_VOID_LINK = (
        auto(),
        "Warning",
        "replacement whose VoidClaimCore_ID is not a void of its chain",
    )
    INVALID_NPI = auto(), "Warning", "NPI not 10 digits starting 1 or 2, or bad check digit"
    INVALID_TIN = auto(), "Warning", "TaxID not 9 digits"
    UNKNOWN_SERVICE_CODE = auto(), "Warning", "procedure code not in ServiceCode"
    PROCESS_EXCEPTION = (
        auto(),
        "Info",
        "claim carries a process code that holds payment; claim held",
    )
    PAYEE_MISSING = auto(), "Info", "payee must be created"
    PAYEE_ADDRESS_MISSING = (
        auto(),
        "Critical",
        "member to be paid by check has no name or mailing address (Warning in a Dry Run)",
        "Warning",
    )
    EFT_BANK_INVALID = (
        auto(),
        "Critical",
        "EFT payee's routing number fails the ABA check, or its account number or type is "
        "missing (Warning in a Dry Run)",
        "Warning",
    )
    REMIT_DATA_MISSING = (
        auto(),
        "Warning",
        "remittance data missing: the funding source's payer, or the payee's name, NPI or "
        "check address",
    )
    REMIT_LINE_CAPPED = (
        auto(),
        "Info",
        "paid line's member amounts exceed its allowed amount; its 835 CAS amounts are capped",
    )
    REMIT_HEADER_MISMATCH = (
        auto(),
        "Warning",
        "paid claim's header BilledAmount differs from the sum of its lines' (835 CLP03 = lines)",
    )
    REMIT_PAYEE_CHANGED = (
        auto(),
        "Warning",
        "paid replacement/void whose chain's previous paid claim went to another payee; the "
        "reversal goes in this claim's payee's 835",
    )
    REMIT_HISTORY_MISMATCH = (
        auto(),
        "Warning",
        "paid replacement/void whose chain's previously paid claim (history) paid other than "
        "its own lines; its 835 reversal is claim-level only",
    )
    SEQUENCE_MISMATCH = (
        auto(),
        "Critical",  # in both runs: a Dry Run says the Final Run would block
        "SequenceNumbers value below the largest id in use",
    )
    SEQUENCE_MISSING = auto(), "Critical", "check/trace number sequence does not exist"
    ESTIMATE_DIFFERS = auto(), "Info", "Final claim payable differs from the Dry Run estimate"
    REFUND_UNAPPLIED = auto(), "Warning", "refund larger than the payee's open overpayments"


FINDING_ORDER: tuple[FindingCode, ...] = tuple(FindingCode)
