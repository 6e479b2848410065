"""The state of ledger records and refunds on load: what is left of them, and what made it so.

An exported `OverAndUnderPayment` record carries its current `RemainingAmount` and, under
`Applications`, every application this system made of it (which cycle, how much, as offset, refund
or carry-in). A `Refund` carries `Status` (`Open`/`Applied`) and `AppliedAmount`: what has been
applied of it so far, here or by the legacy system. Loading keeps both facts apart:

- `AppliedThisCycle` is derived, never stored: what the last cycle that applied the record took
  from it (its applications of that event), or, for a record no cycle here has applied,
  `TotalAmount − RemainingAmount` (what the legacy system had applied, as in the seeds' example);
- a ledger record's stored opening amount is `RemainingAmount + Σ Applications` (so the
  applications, loaded as rows, bring it back down to the same `RemainingAmount`); without
  `RemainingAmount` it is `TotalAmount`;
- a refund's stored opening applied amount is `AppliedAmount − Σ` the loaded applications that
  name it (`io.load` subtracts those, since they come in another collection). Without
  `AppliedAmount`: `Amount − RemainingAmount` when that is given, else all of it for `Status:
  Applied`, else nothing (`Open`). A legacy refund with none of the three is taken as open and
  the load reports how many such refunds it took that way.
"""

from __future__ import annotations

from collections.abc import Sequence

from paymentprocess.domain.money import format_cents
from paymentprocess.errors import RecordProblem
from paymentprocess.io.records import Converted
from paymentprocess.io.spec import Row

Problems = list[tuple[str, str]]
NO_STATE = "\x00refund_state_missing"  # marks a refund loaded without any state (a warning)


def ledger_opening(row: Row, applications: list[Row]) -> Problems:
    """`opening_remaining_amount` from the current `RemainingAmount` and the applications."""
    row.pop("applied_this_cycle", None)  # derived from the applications on export
    total = row.get("total_amount")
    applied = sum(int(a.get("amount") or 0) for a in applications)
    remaining = row.get("opening_remaining_amount")
    if total is None:
        return []
    problems: Problems = []
    for i, application in enumerate(applications):
        if application.get("kind") == "refund" and not application.get("refund_id"):
            problems.append((f"Applications[{i}].Refund_ID", "is required for Kind refund"))
    opening = total if remaining is None else remaining + applied
    if remaining is not None and remaining < 0:
        problems.append(("RemainingAmount", "must not be negative"))
    elif opening > total:
        reason = (
            f"plus its Applications ({format_cents(opening)}) is more than "
            f"TotalAmount ({format_cents(total)})"
        )
        problems.append(("RemainingAmount", reason))
    row["opening_remaining_amount"] = opening
    return problems


def refund_applied(row: Row) -> Problems:
    """`opening_applied_amount` (before this load's applications) from the refund's state."""
    amount = row.get("amount")
    if amount is None:
        return []
    status = row.pop("refund_status", None)
    remaining = row.pop("refund_remaining", None)
    applied = row.get("opening_applied_amount")
    problems: Problems = []
    if applied is None and remaining is not None:
        applied = amount - remaining
        if remaining < 0 or remaining > max(amount, 0):
            problems.append(("RemainingAmount", "must be between 0 and Amount"))
    elif applied is not None and remaining is not None and applied != amount - remaining:
        problems.append(
            ("RemainingAmount", "disagrees with AppliedAmount (Amount − AppliedAmount)")
        )
    if applied is None:
        if status is None:
            row[NO_STATE] = True
        applied = max(amount, 0) if status == "Applied" else 0
    elif applied < 0 or applied > max(amount, 0):
        problems.append(("AppliedAmount", "must be between 0 and Amount"))
    fully = applied >= amount
    if status == "Applied" and not fully:
        problems.append(("Status", "is Applied but AppliedAmount is less than Amount"))
    elif status == "Open" and fully and amount > 0:
        problems.append(("Status", "is Open but AppliedAmount covers the whole Amount"))
    row["opening_applied_amount"] = applied
    return problems


def settle_refunds(converted: Sequence[Converted]) -> tuple[list[RecordProblem], list[str]]:
    """Subtract the loaded applications of each refund from its `AppliedAmount`.

    Returns problems (an application naming a refund that is not in this load; an AppliedAmount
    below what the applications took) and notes for the user (refunds loaded without any state).
    """
    by_name = {batch.collection.name: batch for batch in converted}
    ledger, refunds = by_name.get("OverAndUnderPayment"), by_name.get("Refund")
    taken: dict[str, int] = {}
    where: dict[str, object] = {}
    for line in ledger.child_rows if ledger is not None else ():
        refund_id = line.get("refund_id")
        if refund_id is not None:
            taken[refund_id] = taken.get(refund_id, 0) + int(line.get("amount") or 0)
            where.setdefault(refund_id, line.get("over_and_under_payment_id"))
    problems: list[RecordProblem] = []
    loaded = {row["refund_id"]: row for row in refunds.rows} if refunds is not None else {}
    for refund_id, amount in taken.items():
        row = loaded.get(refund_id)
        if row is None:
            assert ledger is not None
            locations = ledger.key_locations.get(("over_and_under_payment_id",), {})
            reason = f"names refund {refund_id!r}, which must be loaded with it (Refund.json)"
            location = locations.get((where[refund_id],), "-")
            problems.append(RecordProblem(ledger.source, location, "Applications", reason))
            continue
        opening = int(row["opening_applied_amount"]) - amount
        if opening < 0:
            assert refunds is not None
            locations = refunds.key_locations.get(("refund_id",), {})
            reason = (
                f"is {format_cents(row['opening_applied_amount'])}, less than its applications "
                f"in OverAndUnderPayment ({format_cents(amount)})"
            )
            problems.append(
                RecordProblem(
                    refunds.source, locations.get((refund_id,), "-"), "AppliedAmount", reason
                )
            )
            continue
        row["opening_applied_amount"] = opening
    stateless = [row["refund_id"] for row in loaded.values() if row.pop(NO_STATE, False)]
    notes = []
    if stateless:
        shown = ", ".join(sorted(stateless)[:10]) + (" ..." if len(stateless) > 10 else "")
        notes.append(
            f"{len(stateless)} refund(s) had no Status, AppliedAmount or RemainingAmount and were "
            f"taken as open (not yet applied): {shown}. If the old system applied them, load them "
            'again with "Status": "Applied" or their "AppliedAmount".'
        )
    return problems, notes
