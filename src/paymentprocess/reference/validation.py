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

from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.reference.model import (
    AMOUNTS,
    MEMBER_SHARE,
    VALID_FREQUENCY_CODES,
    Claim,
    CycleInput,
)
from paymentprocess.reference.results import ClaimResult, Finding, Mode

SAMPLE_SIZE = 20


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


def finding(code: FindingCode, ids: Iterable[str], mode: Mode = "final") -> Finding:
    """A finding of `code` over distinct ids, with the code's severity in `mode` and its summary
    (domain.finding_codes: PAYEE_ADDRESS_MISSING and EFT_BANK_INVALID are Warnings in a Dry Run;
    SEQUENCE_MISMATCH and SEQUENCE_MISSING are Critical in both runs)."""
    distinct = sorted(set(ids))
    return Finding(
        code, code.severity_in(mode), len(distinct), tuple(distinct[:SAMPLE_SIZE]), code.summary
    )


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
    found: dict[str, list[str]] = {code: [] for code in FindingCode}
    for claim in cycle.claims:
        cid = claim.claim_core_id
        checks = {
            FindingCode.FREQUENCY_CODE: claim.frequency_code not in VALID_FREQUENCY_CODES,
            FindingCode.MISSING_PAYEE_ID: claim.payee_key(payee_type) is None,
            FindingCode.DUPLICATE_CLAIM: id_counts[cid] > 1
            or (claim.frequency_code == "1" and claim.chain_id in history_chains),
            FindingCode.NEGATIVE_AMOUNT: _negative_amount(claim),
            FindingCode.NEGATIVE_PAYABLE: _negative_payable(claim),
            FindingCode.INVALID_BENEFIT_PLAN: claim.benefit_plan_id not in cycle.benefit_plans,
            FindingCode.INVALID_VOID_LINK: claim.frequency_code == "7"
            and claim.void_claim_core_id is not None
            and not _is_void_of(by_id.get(claim.void_claim_core_id), claim.chain_id),
            FindingCode.INVALID_NPI: claim.npi is not None and not npi_is_valid(claim.npi),
            FindingCode.INVALID_TIN: claim.tax_id is not None and not tin_is_valid(claim.tax_id),
            FindingCode.UNKNOWN_SERVICE_CODE: any(
                line.procedure_code not in cycle.service_codes for line in claim.lines
            ),
            FindingCode.PROCESS_EXCEPTION: any(
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
    found[FindingCode.MISSING_PARENT_PAID] = [
        c.claim_core_id for c in claims if c.hold_reason == "missing_parent_paid"
    ]
    if mode == "final":
        found[FindingCode.ESTIMATE_DIFFERS] = [
            c.claim_core_id for c in claims if c.line_payable != c.estimate
        ]
    findings = []
    for code in FindingCode:  # SPEC §7's order
        if code == FindingCode.FREQUENCY_COUNTS:
            severity = code.severity_in(mode)
            findings.append(Finding(code, severity, len(cycle.claims), (), code.summary))
            continue
        result = finding(code, found.get(code, ()), mode)
        if result.count:
            findings.append(result)
    return findings


def remit_checks(
    cycle: CycleInput, payee_type: str, claims: list[ClaimResult], history: dict[str, int]
) -> dict[str, list[str]]:
    """The REMIT_ findings over the cycle's paid claims of a Provider event (a Member event sends
    no 835): code → ClaimCore_IDs. `history`: chain id → what its paid history paid."""
    found: dict[str, list[str]] = {
        FindingCode.REMIT_LINE_CAPPED: [],
        FindingCode.REMIT_HEADER_MISMATCH: [],
        FindingCode.REMIT_PAYEE_CHANGED: [],
        FindingCode.REMIT_HISTORY_MISMATCH: [],
    }
    if payee_type != "Provider":
        return found
    by_id = {c.claim_core_id: c for c in cycle.claims}
    paid = [r for r in claims if r.outcome == "paid"]
    for result in paid:
        claim = by_id[result.claim_core_id]
        if claim.frequency_code not in ("1", "7") or not claim.lines:
            continue
        if _negative_payable(claim):
            found[FindingCode.REMIT_LINE_CAPPED].append(claim.claim_core_id)
        header = claim.header.get("Billed")
        lines_billed = sum(line.amounts["Billed"] for line in claim.lines)
        if header is not None and header != lines_billed:
            found[FindingCode.REMIT_HEADER_MISMATCH].append(claim.claim_core_id)
    paid.sort(key=lambda r: (r.chain_id, by_id[r.claim_core_id].received_date, r.claim_core_id))
    previous: dict[str, ClaimResult] = {}
    for result in paid:
        before = previous.get(result.chain_id)
        previous[result.chain_id] = result
        if result.frequency_code not in ("7", "8"):
            continue
        if before is not None:  # the chain's previous paid claim of this event
            before_frequency, before_key = before.frequency_code, before.payee_key
        else:  # else the chain's latest claim paid outside the cycle
            latest = _latest_paid(cycle, result.chain_id)
            if latest is None:
                continue
            before_frequency, before_key = latest.frequency_code, latest.payee_key(payee_type)
            if latest.frequency_code not in (None, "8") and _lines_pay(latest) != history.get(
                result.chain_id, 0
            ):
                found[FindingCode.REMIT_HISTORY_MISMATCH].append(result.claim_core_id)
        changed = before_key is not None and before_key != result.payee_key
        if before_frequency not in (None, "8") and changed:
            found[FindingCode.REMIT_PAYEE_CHANGED].append(result.claim_core_id)
    return found


def _latest_paid(cycle: CycleInput, chain_id: str) -> Claim | None:
    """The chain's latest Paid claim (ReceivedDate, ClaimCore_ID), or None."""
    paid = [c for c in cycle.all_claims if c.chain_id == chain_id and c.status == "Paid"]
    return max(paid, key=lambda c: (c.received_date, c.claim_core_id), default=None)


def _lines_pay(claim: Claim) -> int:
    """What a claim's own lines pay: Σ max(0, allowed − member amounts)."""
    return sum(
        max(0, line.amounts["Allowed"] - sum(line.amounts[a] for a in MEMBER_SHARE))
        for line in claim.lines
    )
