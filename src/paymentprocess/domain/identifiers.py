"""Payee identifiers (TaxID, NPI) written the same way on every path: load, intake, query, runs.

Old systems store a TIN as `36-2514789` or `36 2514789` and an NPI as `1234-567-893`; the payee
key `TaxID|NPI` must not depend on that spelling, or an existing payee is taken for a new one.
`normalize_identifier` drops the separators (white space, `-`, `.`, `/`) and nothing else: any
letter or other character stays, so the runs' INVALID_TIN / INVALID_NPI findings still flag a
value that is not digits. The import (`io`), the claims service (`rules.intake_values`,
`service.claims_query`) and the reference implementation all call this one function.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-./]+")


def normalize_identifier(text: str) -> str:
    """`text` without separators: `36-2514789` → `362514789`, `36 25X4789` → `3625X4789`."""
    return _SEPARATORS.sub("", text)


def normalize_payee_key(key: str) -> str:
    """A payee key as written in inclusion criteria: `TaxID|NPI` normalised on both sides.

    A key without `|` is a member id (or a PaymentCenter_ID) and is kept as it is.
    """
    if "|" not in key:
        return key
    tax_id, npi = key.split("|", 1)
    return f"{normalize_identifier(tax_id)}|{normalize_identifier(npi)}"


def aba_routing_valid(routing: str) -> bool:
    """True when `routing` is exactly nine ASCII digits passing the ABA 3-7-1 check digit.

    Σ digit × weight (3, 7, 1 repeated) must be a multiple of 10; `011000015` passes,
    `011000016` does not. No separators are accepted: a routing number is stored as digits.
    """
    if len(routing) != 9 or not routing.isascii() or not routing.isdigit():
        return False
    d = [int(c) for c in routing]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0
