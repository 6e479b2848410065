"""What a viewer sees: member identities and bank numbers masked (READ without READ_SENSITIVE).

`mask_claim` masks a claim document's member and patient fields (`MEMBER_FIELDS`);
`mask_stats` the payee keys of a stats document (a DMR payee's key is its member id). Masked
values are `MASK`, whatever their length, so nothing of them can be read back.
"""

from __future__ import annotations

from typing import Any

from paymentprocess.domain.roles import Action
from paymentprocess.service.access.principal import Principal

MASK = "***"
MEMBER_FIELDS = (
    "subscriber_number",
    "member_id",
    "patient_control_number",
    "patient_first_name",
    "patient_last_name",
    "patient_birth_date",
    "patient_address",
)
BANK_FIELDS = ("account_number", "routing_number", "bank_account", "dfi_account_number")


def sees_sensitive(principal: Principal) -> bool:
    return principal.can(Action.READ_SENSITIVE)


def mask_claim(document: dict[str, Any]) -> dict[str, Any]:
    """The claim document with its member and patient fields masked."""
    return {k: (MASK if k in MEMBER_FIELDS and v is not None else v) for k, v in document.items()}


def mask_claims_page(page: dict[str, Any]) -> dict[str, Any]:
    return {**page, "claims": [mask_claim(c) for c in page.get("claims", [])]}


def mask_stats(document: dict[str, Any]) -> dict[str, Any]:
    """A stats document with its payees' keys and any bank fields masked."""
    payees = [
        {
            k: (MASK if (k == "key" or k in BANK_FIELDS) and v is not None else v)
            for k, v in payee.items()
        }
        for payee in document.get("payees", [])
    ]
    return {**document, "payees": payees} if "payees" in document else document
