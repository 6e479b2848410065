"""The SPEC §7 validations of the reference implementation, counted as in semantics.md.

Claim checks look at the cycle's claims only and count distinct claims (sample ids are their
ClaimCore_IDs, sorted as text, first 20). Run-level checks cover new payees (PAYEE_MISSING, by
stats key), sequences (SEQUENCE_MISMATCH, SEQUENCE_MISSING, by name), refunds left open
(REFUND_UNAPPLIED, by Refund_ID) and, in a Final Run, ESTIMATE_DIFFERS. A finding is listed only
when its count is positive, except FREQUENCY_COUNTS, and findings follow the §7 table's order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from paymentprocess.reference.model import AMOUNTS, VALID_FREQUENCY_CODES, Claim, CycleInput
from paymentprocess.reference.results import ClaimResult, Finding, Mode

Severity = Literal["Critical", "Warning", "Info"]
SAMPLE_SIZE = 20

# code → (severity, message), in the order of SPEC §7's table
CHECKS: dict[str, tuple[Severity, str]] = {
    "FREQUENCY_CODE": ("Critical", "frequency code not in 1, 7, 8"),
    "MISSING_PAYEE_ID": ("Critical", "payee identifier missing (TaxID/NPI or MemberID)"),
    "FREQUENCY_COUNTS": ("Info", "claims per frequency code"),
    "DUPLICATE_CLAIM": ("Critical", "duplicate ClaimCore_ID or original of an already paid chain"),
    "NEGATIVE_AMOUNT": ("Warning", "negative dollar amount on a header or line"),
    "NEGATIVE_PAYABLE": (
        "Warning",
        "line member responsibility exceeds allowed; payable floored at 0",
    ),
    "MISSING_PARENT_PAID": ("Warning", "replacement/void without a paid parent; claim held"),
    "INVALID_BENEFIT_PLAN": ("Critical", "BenefitPlan_ID unknown to the reference data"),
    "INVALID_VOID_LINK": (
        "Warning",
        "replacement whose VoidClaimCore_ID is not a void of its chain",
    ),
    "INVALID_NPI": ("Warning", "NPI not 10 digits starting 1 or 2, or bad check digit"),
    "INVALID_TIN": ("Warning", "TaxID not 9 digits"),
    "UNKNOWN_SERVICE_CODE": ("Warning", "procedure code not in ServiceCode"),
    "PROCESS_EXCEPTION": ("Info", "claim carries a process code that holds payment; claim held"),
    "PAYEE_MISSING": ("Info", "payee must be created"),
    "PAYEE_ADDRESS_MISSING": (
        "Critical",
        "member to be paid by check has no name or mailing address (Warning in a Dry Run)",
    ),
    "EFT_BANK_INVALID": (
        "Critical",
        "EFT payee's routing number fails the ABA check, or its account number or type is "
        "missing (Warning in a Dry Run)",
    ),
    "REMIT_DATA_MISSING": (
        "Warning",
        "remittance data missing: the funding source's payer, or the payee's name, NPI or "
        "check address",
    ),
    "SEQUENCE_MISMATCH": ("Critical", "SequenceNumbers value below the largest id in use"),
    "SEQUENCE_MISSING": ("Critical", "check/trace number sequence does not exist"),
    "ESTIMATE_DIFFERS": ("Info", "Final claim payable differs from the Dry Run estimate"),
    "REFUND_UNAPPLIED": ("Warning", "refund larger than the payee's open overpayments"),
}


def npi_is_valid(npi: str) -> bool:
    """10 digits starting 1 or 2 whose Luhn check over `80840` + NPI holds."""
    if not re.fullmatch(r"[12]\d{9}", npi):
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def tin_is_valid(tin: str) -> bool:
    return re.fullmatch(r"\d{9}", tin) is not None


def finding(code: str, ids: Iterable[str], mode: Mode = "final") -> Finding:
    """A finding of `code` over distinct ids; severity from CHECKS (PAYEE_ADDRESS_MISSING by mode).
    SEQUENCE_MISMATCH and SEQUENCE_MISSING are Critical in both runs: a Dry Run says the Final
    Run would block."""
    severity, message = CHECKS[code]
    if code in ("PAYEE_ADDRESS_MISSING", "EFT_BANK_INVALID") and mode == "dry-run":
        severity = "Warning"
    distinct = sorted(set(ids))
    return Finding(code, severity, len(distinct), tuple(distinct[:SAMPLE_SIZE]), message)


def _negative_amount(claim: Claim) -> bool:
    header = any(v is not None and v < 0 for v in claim.header.values())
    return header or any(line.amounts[a] < 0 for line in claim.lines for a in AMOUNTS)


def _negative_payable(claim: Claim) -> bool:
    return any(
        line.amounts["Allowed"]
        - line.amounts["Deductible"]
        - line.amounts["Coinsurance"]
        - line.amounts["Copay"]
        - line.amounts["OtherAdjustment"]
        < 0
        for line in claim.lines
    )


def claim_checks(
    cycle: CycleInput, payee_type: str, history_chains: set[str]
) -> dict[str, list[str]]:
    """Data checks of the cycle's claims: code → offending ClaimCore_IDs."""
    id_counts = Counter(c.claim_core_id for c in cycle.all_claims)
    by_id = {c.claim_core_id: c for c in cycle.all_claims}
    found: dict[str, list[str]] = {code: [] for code in CHECKS}
    for claim in cycle.claims:
        cid = claim.claim_core_id
        checks = {
            "FREQUENCY_CODE": claim.frequency_code not in VALID_FREQUENCY_CODES,
            "MISSING_PAYEE_ID": claim.payee_key(payee_type) is None,
            "DUPLICATE_CLAIM": id_counts[cid] > 1
            or (claim.frequency_code == "1" and claim.chain_id in history_chains),
            "NEGATIVE_AMOUNT": _negative_amount(claim),
            "NEGATIVE_PAYABLE": _negative_payable(claim),
            "INVALID_BENEFIT_PLAN": claim.benefit_plan_id not in cycle.benefit_plans,
            "INVALID_VOID_LINK": claim.frequency_code == "7"
            and claim.void_claim_core_id is not None
            and not _is_void_of(by_id.get(claim.void_claim_core_id), claim.chain_id),
            "INVALID_NPI": claim.npi is not None and not npi_is_valid(claim.npi),
            "INVALID_TIN": claim.tax_id is not None and not tin_is_valid(claim.tax_id),
            "UNKNOWN_SERVICE_CODE": any(
                line.procedure_code not in cycle.service_codes for line in claim.lines
            ),
            "PROCESS_EXCEPTION": any(
                code in cycle.holding_process_codes for code in claim.process_codes
            ),
        }
        for code, failed in checks.items():
            if failed:
                found[code].append(cid)
    return found


def _is_void_of(void: Claim | None, chain_id: str) -> bool:
    return void is not None and void.frequency_code == "8" and void.chain_id == chain_id


def validate(
    cycle: CycleInput,
    mode: Mode,
    claims: list[ClaimResult],
    found: dict[str, list[str]],
) -> list[Finding]:
    """All findings of the run, in §7 order; `found` holds the run-level ids already gathered."""
    found["MISSING_PARENT_PAID"] = [
        c.claim_core_id for c in claims if c.hold_reason == "missing_parent_paid"
    ]
    if mode == "final":
        found["ESTIMATE_DIFFERS"] = [
            c.claim_core_id for c in claims if c.line_payable != c.estimate
        ]
    findings = []
    for code, (severity, message) in CHECKS.items():
        if code == "FREQUENCY_COUNTS":
            findings.append(Finding(code, severity, len(cycle.claims), (), message))
            continue
        result = finding(code, found.get(code, ()), mode)
        if result.count:
            findings.append(result)
    return findings
