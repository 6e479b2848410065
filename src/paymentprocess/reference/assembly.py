"""Turn settled payees into results: ids for new payees and records, payments and their numbers.

A Final Run gives new payees `PaymentCenter` ids in payee-key order, then walks the payees in
`PaymentCenter_ID` order giving each new ledger record an `OverAndUnderPayment` id and each payment
(net_pay > 0) a number from `CheckNumber:<FundingSource_ID>`. A Dry Run does the same walk without
ids (new payees follow existing ones, by key) so it lists what the Final Run would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paymentprocess.reference.ledger import Settlement
from paymentprocess.reference.model import CycleInput
from paymentprocess.reference.numbering import OVER_AND_UNDER_PAYMENT, PAYMENT_CENTER, Sequences
from paymentprocess.reference.payees import PaymentCenterManager
from paymentprocess.reference.payment_center_claims import PaymentCenterClaims
from paymentprocess.reference.results import (
    LedgerApplication,
    Mode,
    NewLedgerRecord,
    NewPayee,
    PayeeResult,
    Payment,
)


@dataclass
class Assembled:
    """Payee-level results of a run, in PaymentCenter_ID order."""

    payees: list[PayeeResult] = field(default_factory=list)
    applications: list[LedgerApplication] = field(default_factory=list)
    new_records: list[NewLedgerRecord] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    new_payees: list[NewPayee] = field(default_factory=list)
    sequences_after: dict[str, int] = field(default_factory=dict)


def _payee_result(
    entry: PaymentCenterClaims, s: Settlement, pc_id: int | None, manager: PaymentCenterManager
) -> PayeeResult:
    key = str(entry.payee_key)
    return PayeeResult(
        payee_key=key,
        stats_key=manager.stats_key(key),
        payment_center_id=pc_id,
        is_new=entry.payment_center is None,
        **s.amounts(),
    )


def assemble(
    cycle: CycleInput,
    mode: Mode,
    manager: PaymentCenterManager,
    settled: list[tuple[PaymentCenterClaims, Settlement]],
) -> Assembled:
    """Number and list everything the settled payees produce."""
    final = mode == "final"
    seq = Sequences(cycle)
    ids: dict[str, int | None] = {}
    out = Assembled()
    for entry, _ in sorted(settled, key=lambda es: str(es[0].payee_key)):
        key = str(entry.payee_key)
        if entry.payment_center is not None:
            ids[key] = entry.payment_center.payment_center_id
        else:
            ids[key] = seq.next(PAYMENT_CENTER) if final else None
            entry.new_payee = manager.new_payee(key, ids[key])
            out.new_payees.append(entry.new_payee)

    def order(es: tuple[PaymentCenterClaims, Settlement]) -> tuple[bool, int, str]:
        pc_id = ids[str(es[0].payee_key)]
        return (pc_id is None, pc_id or 0, str(es[0].payee_key))

    for entry, s in sorted(settled, key=order):
        key, pc_id = str(entry.payee_key), ids[str(entry.payee_key)]
        entry.result = _payee_result(entry, s, pc_id, manager)
        out.payees.append(entry.result)
        out.applications.extend(s.applications)
        if s.new_record is not None:
            kind, amount, chain = s.new_record
            record_id = seq.next(OVER_AND_UNDER_PAYMENT) if final else None
            out.new_records.append(
                NewLedgerRecord(key, pc_id, kind, amount, chain, record_id, cycle.payment_due_date)
            )
        if s.net_pay > 0:
            number = str(seq.next(cycle.check_sequence)) if final else None
            out.payments.append(
                Payment(
                    payment_id=f"{cycle.payment_event_id}:{pc_id}" if final else None,
                    payee_key=key,
                    payment_center_id=pc_id,
                    amount=s.net_pay,
                    method=manager.payment_method(key),
                    check_number=number,
                    payment_date=cycle.payment_due_date,
                )
            )
    out.new_payees.sort(key=lambda p: p.payee_key)
    if final:
        out.sequences_after = dict(seq.values)
    return out
