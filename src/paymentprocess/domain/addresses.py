"""Postal addresses: the structured form {Line1, Line2, City, State, Zip} and US text addresses.

A claim's `BillingProviderAddress` comes as an object (the shape of PaymentCenter's `Address`) or
as one line of text. `parse_us_address` reads the usual US form
`"<line1>[, <line2>], <City>, <ST> <zip>"` (the state two letters, the zip 5 digits or ZIP+4; a
comma between state and zip is tolerated); any other text is kept whole as Line1, so nothing is
lost. The import (`io`) stores the parts in columns and the payee a Final Run creates takes them;
the reference implementation (`reference.payees`) uses this same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PARTS = ("Line1", "Line2", "City", "State", "Zip")
_US = re.compile(
    r"(?P<line1>[^,]+?)\s*(?:,\s*(?P<line2>[^,]+?)\s*)?,\s*(?P<city>[^,]+?)\s*,\s*"
    r"(?P<state>[A-Za-z]{2})\s*(?:,\s*|\s+)(?P<zip>\d{5}(?:-\d{4})?)"
)


@dataclass(frozen=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return dict(
            zip(PARTS, (self.line1, self.line2, self.city, self.state, self.zip), strict=True)
        )


def parse_us_address(text: str) -> Address:
    """The parts of a US one-line address; text of another form is Line1 (blank text: nothing)."""
    text = text.strip()
    if not text:
        return Address()
    match = _US.fullmatch(text)
    if match is None:
        return Address(line1=text)
    return Address(
        line1=match["line1"],
        line2=match["line2"],
        city=match["city"],
        state=match["state"].upper(),
        zip=match["zip"],
    )


def address_of(value: Any) -> Address:
    """An address given as text or as an object with Line1 … Zip (any capitalisation)."""
    if isinstance(value, str):
        return parse_us_address(value)
    if isinstance(value, dict):
        lowered = {str(k).lower(): v for k, v in value.items()}
        parts = [lowered.get(p.lower()) for p in PARTS]
        texts = [None if v is None or str(v).strip() == "" else str(v) for v in parts]
        return Address(*texts)
    return Address()
