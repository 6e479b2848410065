"""`compute_cycle`: one payment cycle, computed the plain way, claim by claim (the oracle).

Reads the Appendix A documents, processes every cycle claim (service lines → claim → chain),
groups the results into the seeds' PaymentCenterClaims, settles every cycle payee (§5), numbers
new payees, records and payments (Final Run), validates (§7), and checks the §5 invariant. A Final
Run with a Critical finding is `Blocked`: its claims are reported, but it produces no payees,
ledger actions or payments. Nothing here touches a database.
"""

from __future__ import annotations

from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.reference.assembly import Assembled, assemble
from paymentprocess.reference.claims import ClaimProcessor
from paymentprocess.reference.ledger import open_refunds, settle_payee
from paymentprocess.reference.loading import Documents, load_cycle_input
from paymentprocess.reference.model import CycleInput
from paymentprocess.reference.numbering import sequence_mismatches
from paymentprocess.reference.payees import PaymentCenterManager
from paymentprocess.reference.payment_center_claims import ClaimTransformer
from paymentprocess.reference.results import Mode, ReferenceResult, Totals
from paymentprocess.reference.stats import check_invariant, counts_of, status_of, totals_of
from paymentprocess.reference.validation import claim_checks, remit_checks, validate


def compute_cycle(documents: Documents, payment_event_id: str, mode: Mode) -> ReferenceResult:
    """The whole result of a Dry Run (`"dry-run"`) or Final Run (`"final"`) of one event."""
    cycle = load_cycle_input(documents, payment_event_id)
    manager = PaymentCenterManager(cycle)
    processor = ClaimProcessor(cycle, manager, mode)
    claims = processor.process()
    entries = ClaimTransformer(cycle, manager).to_payment_center_claims(claims)
    in_cycle = [e for e in entries if e.in_cycle]
    cycle_keys = {str(e.payee_key) for e in in_cycle}
    refunds, orphans = open_refunds(cycle, manager, cycle_keys)
    settled = [
        (e, settle_payee(e, refunds.get(str(e.payee_key), []), cycle.minimum_payment))
        for e in in_cycle
    ]
    unapplied = orphans + [r for rs in refunds.values() for r in rs if r.left > 0]

    found = claim_checks(cycle, manager.payee_type, set(processor.history))
    found[FindingCode.PAYEE_MISSING] = [
        manager.stats_key(k) for k in cycle_keys if manager.is_new(k)
    ]
    found[FindingCode.SEQUENCE_MISMATCH] = sequence_mismatches(cycle)
    found[FindingCode.SEQUENCE_MISSING] = (
        [] if cycle.check_sequence in cycle.sequences else [cycle.check_sequence]
    )
    if manager.payee_type == "Member":
        found[FindingCode.PAYEE_ADDRESS_MISSING] = [
            str(manager.payment_center_id(key))
            if not manager.is_new(key)
            else manager.stats_key(key)
            for key in (str(e.payee_key) for e, s in settled if s.net_pay > 0)
            if manager.payment_method(key) == "CHECK" and not manager.mailing_ready(key)
        ]
    found.update(
        _outputs_data(cycle, manager, [str(e.payee_key) for e, s in settled if s.net_pay > 0])
    )
    found.update(remit_checks(cycle, manager.payee_type, claims, processor.history))
    found[FindingCode.REFUND_UNAPPLIED] = [r.refund.refund_id for r in unapplied]
    findings = validate(cycle, mode, claims, found)
    status = status_of(mode, findings)

    assembled = Assembled() if status == "Blocked" else assemble(cycle, mode, manager, settled)
    totals = totals_of(assembled.payees) if status != "Blocked" else Totals()
    check_invariant(assembled.payees, totals)
    return ReferenceResult(
        payment_event_id=payment_event_id,
        mode=mode,
        status=status,
        claims=claims,
        payees=assembled.payees,
        applications=assembled.applications,
        new_records=assembled.new_records,
        payments=assembled.payments,
        new_payees=assembled.new_payees,
        findings=findings,
        totals=totals,
        counts=counts_of(claims, assembled.payees),
        sequences_after=assembled.sequences_after,
        payment_center_claims=entries,
    )


def _outputs_data(
    cycle: CycleInput, manager: PaymentCenterManager, paid: list[str]
) -> dict[str, list[str]]:
    """EFT_BANK_INVALID and REMIT_DATA_MISSING over the payees paid this cycle (net_pay > 0):
    their payee ids, or stats keys for payees the Final Run creates."""

    def shown(key: str) -> str:
        pc_id = manager.payment_center_id(key)
        return str(pc_id) if pc_id is not None else manager.stats_key(key)

    eft = [
        shown(k) for k in paid if manager.payment_method(k) == "EFT" and not manager.eft_ready(k)
    ]
    remit: list[str] = []
    if manager.payee_type == "Provider":
        remit = [shown(k) for k in paid if not cycle.payer_ready or not manager.remit_ready(k)]
    return {FindingCode.EFT_BANK_INVALID: eft, FindingCode.REMIT_DATA_MISSING: remit}
