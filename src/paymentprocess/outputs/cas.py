"""CAS mapping of our amounts (OUTPUTS.md §3.3–§3.4) and the money plan of each CLP loop.

Line level (loop 2110):

| our amount              | CAS                                   |
| ----------------------- | ------------------------------------- |
| billed − allowed > 0    | CO 45                                 |
| billed − allowed < 0    | CO 94, negative amount                |
| deductible              | PR 1                                  |
| coinsurance             | PR 2                                  |
| copay                   | PR 3                                  |
| other_adjustment        | `X12Settings.other_adjustment_cas`    |

Zero amounts are omitted; one CAS per group with up to six reason/amount pairs; groups in order
CO, PR, OA, PI, then reason code. NEGATIVE_PAYABLE lines (member amounts above allowed, payable
floored at 0) are capped: other, then copay, coinsurance, deductible are reduced until
billed − ΣCAS = payable (`capped` is reported so the caller can raise `REMIT_LINE_CAPPED`).

A paid claim without lines gets claim-level CAS from its header amounts with the same cap and
`CO 16` for any remainder. A reversal is its original rendered with every amount negated and the
same codes; when the history says E effectively paid something else than its lines
(`effective_before`), the reversal is claim-level only (CO 45 balancing rest, PR capped).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paymentprocess.outputs.remit_model import ClaimItem, RemitModelError, ServiceLine, X12Settings

GROUP_ORDER: dict[str, int] = {"CO": 0, "PR": 1, "OA": 2, "PI": 3}
MAX_PAIRS = 6
# The reason codes this renderer emits by itself (V-12 reference list; others come from settings).
OWN_CARCS: frozenset[str] = frozenset({"1", "2", "3", "16", "45", "94"})


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS reason/amount pair of a group, in cents (positive decreases the payment)."""

    group: str
    reason: str
    amount: int


@dataclass(frozen=True, slots=True)
class LinePlan:
    """The money of one SVC loop as rendered (already negated for reversals)."""

    line: ServiceLine
    billed: int  # SVC02
    paid: int  # SVC03
    allowed: int  # AMT*B6
    adjustments: tuple[Adjustment, ...]
    capped: bool


@dataclass(frozen=True, slots=True)
class ItemPlan:
    """The money of one CLP loop as rendered."""

    item: ClaimItem
    status: str  # CLP02: "1" or "22"
    charge: int  # CLP03
    paid: int  # CLP04
    patient_responsibility: int  # CLP05 (= Σ PR amounts, claim + lines)
    claim_adjustments: tuple[Adjustment, ...]
    lines: tuple[LinePlan, ...]
    capped: bool
    history_mismatch: bool  # reversal rendered claim-level only (REMIT_HISTORY_MISMATCH)


def _reason_key(reason: str) -> tuple[int, int, str]:
    return (0, int(reason), "") if reason.isdigit() else (1, 0, reason)


def sort_key(adj: Adjustment) -> tuple[int, tuple[int, int, str]]:
    """CAS order: group CO, PR, OA, PI, then reason code (numeric codes numerically)."""
    return (GROUP_ORDER.get(adj.group, len(GROUP_ORDER)), _reason_key(adj.reason))


def normalized(adjustments: Iterable[Adjustment]) -> tuple[Adjustment, ...]:
    """Same group+reason merged, zero amounts dropped, sorted in CAS order."""
    sums: dict[tuple[str, str], int] = {}
    for adj in adjustments:
        key = (adj.group, adj.reason)
        sums[key] = sums.get(key, 0) + adj.amount
    merged = [Adjustment(g, r, a) for (g, r), a in sums.items() if a != 0]
    return tuple(sorted(merged, key=sort_key))


def cas_groups(adjustments: Sequence[Adjustment]) -> list[tuple[str, list[tuple[str, int]]]]:
    """CAS segments: (group, up to six (reason, amount) pairs), in CAS order."""
    out: list[tuple[str, list[tuple[str, int]]]] = []
    for adj in normalized(adjustments):
        if out and out[-1][0] == adj.group and len(out[-1][1]) < MAX_PAIRS:
            out[-1][1].append((adj.reason, adj.amount))
        else:
            out.append((adj.group, [(adj.reason, adj.amount)]))
    return out


def _member_adjustments(
    deductible: int,
    coinsurance: int,
    copay: int,
    other: int,
    excess: int,
    settings: X12Settings,
    where: str,
) -> tuple[list[Adjustment], bool]:
    """PR 1/2/3 + configured other, reduced by `excess` (other, copay, coinsurance, deductible)."""
    amounts = {"other": other, "copay": copay, "coinsurance": coinsurance, "deductible": deductible}
    capped = False
    for name in ("other", "copay", "coinsurance", "deductible"):
        if excess <= 0:
            break
        cut = min(max(amounts[name], 0), excess)
        if cut:
            amounts[name] -= cut
            excess -= cut
            capped = True
    adjs = [
        Adjustment("PR", "1", amounts["deductible"]),
        Adjustment("PR", "2", amounts["coinsurance"]),
        Adjustment("PR", "3", amounts["copay"]),
    ]
    if amounts["other"]:
        group_reason = settings.other_group_reason
        if group_reason is None:
            raise RemitModelError(
                f"{where}: other_adjustment is {amounts['other']} cents but no "
                "other_adjustment_cas (GROUP:CARC) is configured"
            )
        adjs.append(Adjustment(group_reason[0], group_reason[1], amounts["other"]))
    return adjs, capped


def _contractual(billed: int, allowed: int) -> Adjustment:
    diff = billed - allowed
    return Adjustment("CO", "45" if diff >= 0 else "94", diff)


def line_adjustments(
    line: ServiceLine, settings: X12Settings, *, where: str = "line"
) -> tuple[tuple[Adjustment, ...], bool]:
    """The CAS pairs of one line so that billed − ΣCAS = payable, and whether it was capped."""
    raw = line.allowed - line.deductible - line.coinsurance - line.copay - line.other_adjustment
    excess = line.payable - raw  # > 0 for NEGATIVE_PAYABLE lines (payable floored at 0)
    adjs, capped = _member_adjustments(
        line.deductible,
        line.coinsurance,
        line.copay,
        line.other_adjustment,
        excess,
        settings,
        where,
    )
    result = normalized([_contractual(line.billed, line.allowed), *adjs])
    if line.billed - sum(a.amount for a in result) != line.payable:
        raise RemitModelError(
            f"{where}: billed {line.billed} − adjustments ≠ payable {line.payable} "
            "(payable must be max(0, allowed − deductible − coinsurance − copay − other))"
        )
    return result, capped


def claim_level_adjustments(
    item: ClaimItem, settings: X12Settings
) -> tuple[tuple[Adjustment, ...], bool]:
    """Claim-level CAS of a paid claim without lines: header amounts, cap, CO 16 remainder."""
    raw = item.allowed - item.deductible - item.coinsurance - item.copay - item.other_adjustment
    excess = item.payable - raw
    adjs, capped = _member_adjustments(
        item.deductible,
        item.coinsurance,
        item.copay,
        item.other_adjustment,
        excess,
        settings,
        f"claim {item.claim_id}",
    )
    base = [_contractual(item.billed, item.allowed), *adjs]
    remainder = item.billed - sum(a.amount for a in base) - item.payable
    return normalized([*base, Adjustment("CO", "16", remainder)]), capped


def negated(adjustments: Iterable[Adjustment]) -> tuple[Adjustment, ...]:
    """Reversal: the same codes, every amount negated."""
    return tuple(Adjustment(a.group, a.reason, -a.amount) for a in adjustments)


def _pr_total(adjustments: Iterable[Adjustment]) -> int:
    return sum(a.amount for a in adjustments if a.group == "PR")


def _history_reversal(item: ClaimItem, effective_before: int) -> ItemPlan:
    """Claim-level-only reversal when E's lines do not add up to what it effectively paid."""
    if item.lines:
        billed = sum(line.billed for line in item.lines)
        ded = sum(line.deductible for line in item.lines)
        coins = sum(line.coinsurance for line in item.lines)
        copay = sum(line.copay for line in item.lines)
    else:
        billed, ded, coins, copay = item.billed, item.deductible, item.coinsurance, item.copay
    room = max(billed - effective_before, 0)
    amounts = {"deductible": ded, "coinsurance": coins, "copay": copay}
    excess = ded + coins + copay - room
    for name in ("copay", "coinsurance", "deductible"):
        if excess <= 0:
            break
        cut = min(max(amounts[name], 0), excess)
        amounts[name] -= cut
        excess -= cut
    pr = [
        Adjustment("PR", "1", amounts["deductible"]),
        Adjustment("PR", "2", amounts["coinsurance"]),
        Adjustment("PR", "3", amounts["copay"]),
    ]
    rest = billed - effective_before - sum(a.amount for a in pr)
    adjs = negated(normalized([Adjustment("CO", "45" if rest >= 0 else "94", rest), *pr]))
    return ItemPlan(
        item=item,
        status="22",
        charge=-billed,
        paid=-effective_before,
        patient_responsibility=_pr_total(adjs),
        claim_adjustments=adjs,
        lines=(),
        capped=False,
        history_mismatch=True,
    )


def plan_item(item: ClaimItem, settings: X12Settings) -> ItemPlan:
    """The rendered money of one claim item (claim or reversal) with its CAS, balanced."""
    sign = -1 if item.kind == "reversal" else 1
    lines: list[LinePlan] = []
    capped_any = False
    for number, line in enumerate(item.lines, start=1):
        adjs, capped = line_adjustments(
            line, settings, where=f"claim {item.claim_id} line {number}"
        )
        capped_any = capped_any or capped
        lines.append(
            LinePlan(
                line=line,
                billed=sign * line.billed,
                paid=sign * line.payable,
                allowed=sign * line.allowed,
                adjustments=negated(adjs) if sign < 0 else adjs,
                capped=capped,
            )
        )
    claim_adjs: tuple[Adjustment, ...] = ()
    if lines:
        charge = sum(lp.billed for lp in lines)
        paid = sum(lp.paid for lp in lines)
    else:
        adjs, capped = claim_level_adjustments(item, settings)
        capped_any = capped_any or capped
        claim_adjs = negated(adjs) if sign < 0 else adjs
        charge = sign * item.billed
        paid = sign * item.payable
    if (
        item.kind == "reversal"
        and item.effective_before is not None
        and -paid != item.effective_before
    ):
        return _history_reversal(item, item.effective_before)
    pr = _pr_total(claim_adjs) + sum(_pr_total(lp.adjustments) for lp in lines)
    return ItemPlan(
        item=item,
        status="22" if item.kind == "reversal" else "1",
        charge=charge,
        paid=paid,
        patient_responsibility=pr,
        claim_adjustments=claim_adjs,
        lines=tuple(lines),
        capped=capped_any,
        history_mismatch=False,
    )
