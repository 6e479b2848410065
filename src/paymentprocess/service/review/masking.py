"""What a principal without READ_SENSITIVE sees: no member identity, no bank number.

A bank account number becomes its last four digits behind bullets ("••••6789" — even those only
for READ_SENSITIVE; a viewer sees "••••"); a member's id and name become "(hidden)". Payees are
named in URLs by `payee_ref` (their PaymentCenter_ID, or a hash of the key for a payee the Final
Run will create), never by a member id.
"""

from __future__ import annotations

import hashlib

HIDDEN = "(hidden)"


def bank_number(value: str | None, *, sensitive: bool) -> str:
    if not value:
        return ""
    return f"••••{value[-4:]}" if sensitive else "••••"


def member(value: str | None, *, sensitive: bool) -> str:
    if not value:
        return ""
    return value if sensitive else HIDDEN


def new_payee_ref(payee_key: str) -> str:
    """The URL name of a payee without a PaymentCenter_ID: a hash, never the key (PHI on DMR)."""
    return "new-" + hashlib.sha256(payee_key.encode()).hexdigest()[:16]


def payee_ref(payment_center_id: int | None, payee_key: str) -> str:
    return str(payment_center_id) if payment_center_id is not None else new_payee_ref(payee_key)
