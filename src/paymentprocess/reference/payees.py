"""PaymentCenterManager: who a claim's payee is, whether it exists, and its terms.

Payee keys are `TaxID|NPI` (Provider events) or `MemberID` (DMR events). Existing payees are the
PaymentCenter documents of the event's payee type, found by key; any other key is a new payee,
whose details come from the cycle's claims carrying that key (smallest ClaimCore_ID; the contract
type from the smallest one that has one, else `Contract`). Members always use contract type
`Member`. Stats never show a member id: members get a `member:<sha256 prefix>` pseudonym.
"""

from __future__ import annotations

import hashlib

from paymentprocess.domain.addresses import address_of
from paymentprocess.domain.identifiers import routing_number_valid
from paymentprocess.reference.model import Claim, CycleInput, PaymentCenter
from paymentprocess.reference.results import NewPayee


def stats_key(payee_key: str, payee_type: str) -> str:
    """The key shown in stats: TaxID|NPI, or a pseudonym for a member id (PHI)."""
    if payee_type == "Member":
        return "member:" + hashlib.sha256(payee_key.encode()).hexdigest()[:16]
    return payee_key


_MAILING = ("Line1", "City", "State", "Zip")


class PaymentCenterManager:
    """Looks up existing payees and derives new ones from the cycle's claims."""

    def __init__(self, cycle: CycleInput) -> None:
        self.payee_type = cycle.payee_type
        self.existing: dict[str, PaymentCenter] = {}
        for pc in sorted(cycle.payment_centers, key=lambda p: p.payment_center_id, reverse=True):
            if pc.payment_center_type == self.payee_type and pc.key is not None:
                self.existing[pc.key] = pc  # the smallest id wins if a key repeats
        self.by_id = {pc.payment_center_id: pc for pc in cycle.payment_centers}
        self._first_claim: dict[str, Claim] = {}
        self._first_contract: dict[str, str] = {}
        for claim in sorted(cycle.claims, key=lambda c: c.claim_core_id, reverse=True):
            key = claim.payee_key(self.payee_type)
            if key is None:
                continue
            self._first_claim[key] = claim
            if claim.contract_type is not None:
                self._first_contract[key] = claim.contract_type

    def key_of(self, claim: Claim) -> str | None:
        return claim.payee_key(self.payee_type)

    def payment_center(self, key: str) -> PaymentCenter | None:
        return self.existing.get(key)

    def payment_center_id(self, key: str) -> int | None:
        pc = self.existing.get(key)
        return None if pc is None else pc.payment_center_id

    def is_new(self, key: str) -> bool:
        return key not in self.existing

    def contract_type(self, key: str) -> str:
        """Contract type for interest: Member for members, else the payee's, else its claims'."""
        if self.payee_type == "Member":
            return "Member"
        pc = self.existing.get(key)
        if pc is not None:
            return pc.contract_type or "Contract"
        return self._first_contract.get(key, "Contract")

    def payment_method(self, key: str) -> str:
        pc = self.existing.get(key)
        return (pc.payment_method if pc is not None else None) or "CHECK"

    def mailing_ready(self, key: str) -> bool:
        """A check can be mailed: the payee exists with a name and a whole address (a new member
        payee has neither: a claim describes its provider, not the member)."""
        pc = self.existing.get(key)
        if pc is None:
            return False
        address = pc.address if isinstance(pc.address, dict) else {}
        parts = [pc.vendor_name, *(address.get(p) for p in ("Line1", "City", "State", "Zip"))]
        return all(isinstance(v, str) and v.strip() for v in parts)

    def eft_ready(self, key: str) -> bool:
        """An EFT can be sent: a routing number passing the ABA check, an account number and an
        account type C or S (a new payee is paid by check: nothing to send)."""
        pc = self.existing.get(key)
        if pc is None:
            return True
        routing = pc.bank_routing_number
        return (
            routing is not None
            and routing_number_valid(routing)
            and pc.bank_account_number is not None
            and pc.bank_account_type in ("C", "S")
        )

    def remit_ready(self, key: str) -> bool:
        """A provider payee can be named in an 835 (N1*PE: name and NPI) and, paid by check,
        mailed (a whole address); a new payee is judged by what the Final Run gives it."""
        pc = self.existing.get(key)
        if pc is None:
            new = self.new_payee(key, None)
            address = new.address or {}
            parts = [new.vendor_name, new.npi, *(address.get(p) for p in _MAILING)]
            return all(isinstance(v, str) and v.strip() for v in parts)
        named = all(isinstance(v, str) and v.strip() for v in (pc.vendor_name, pc.npi))
        return named and (self.payment_method(key) != "CHECK" or self.mailing_ready(key))

    def stats_key(self, key: str) -> str:
        return stats_key(key, self.payee_type)

    def new_payee(self, key: str, payment_center_id: int | None) -> NewPayee:
        """A new payee's details from its first claim: the claim's BillingProviderName and its
        BillingProviderAddress in parts (`domain.addresses`: an object's Line1 … Zip, or a text
        address split as the import splits it)."""
        claim = self._first_claim.get(key)
        member = self.payee_type == "Member"
        return NewPayee(
            payee_key=key,
            stats_key=self.stats_key(key),
            payment_center_id=payment_center_id,
            payment_center_type=self.payee_type,
            tax_id=None if claim is None or member else claim.tax_id,
            npi=None if claim is None or member else claim.npi,
            member_id=key if member else None,
            vendor_name=None if claim is None or member else claim.billing_provider_name,
            address=None
            if claim is None or member
            else address_of(claim.billing_provider_address).as_dict(),
            contract_type=self.contract_type(key),
            payment_method="CHECK",
        )
