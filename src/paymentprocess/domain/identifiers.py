"""Payee identifiers (TaxID, NPI) written the same way on every path: load, intake, query, runs.

Old systems store a TIN as `36-2514789` or `36 2514789` and an NPI as `1234-567-893`; the payee
key `TaxID|NPI` must not depend on that spelling, or an existing payee is taken for a new one.
`normalize_identifier` drops the separators (white space, `-`, `.`, `/`) and nothing else: any
letter or other character stays, so the runs' INVALID_TIN / INVALID_NPI findings still flag a
value that is not digits. The import (`io`), the claims service (`service.claims.value_parsers`,
`service.claims.listing_filter`) and the reference implementation all call this one function.
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


_ROUTING = re.compile(r"\d{9}", re.ASCII)
_ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def routing_number_valid(routing: str) -> bool:
    """An ABA routing transit number: 9 ASCII digits whose 3-7-1 weighted sum is a multiple of
    10 (`111000025` valid, `111000026` not). The same test as python-stdnum's `us.rtn`."""
    if not _ROUTING.fullmatch(routing):
        return False
    total = sum(int(d) * w for d, w in zip(routing, _ROUTING_WEIGHTS, strict=True))
    return total % 10 == 0
