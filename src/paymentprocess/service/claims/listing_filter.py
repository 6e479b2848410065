"""What the claim list is asked for: the filter, the bounds read for a date range, the values.

`ClaimFilter` is exactly one provider (TIN or NPI, as stored: without separators) and an optional
service-date range. For a range, `span_bounds` reads the provider's longest service span `M`
(every claim overlapping the range begins on or after `start - M`) and whether any claim ends
before it begins; `shape` names which statements of `listing_sql` apply and `parameters` gives
their bound values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from paymentprocess.domain.identifiers import normalize_identifier
from paymentprocess.service.claims.cursor import Cursor
from paymentprocess.service.claims.listing_sql import span_bounds_statement

DEFAULT_LIMIT = 50  # claims per page, unless asked
MAX_LIMIT = 500


@dataclass(frozen=True)
class ClaimFilter:
    """Exactly one of provider_tin / provider_npi, and an optional service-date range."""

    provider_tin: str | None = None
    provider_npi: str | None = None
    service_date_start: date | None = None
    service_date_end: date | None = None

    def __post_init__(self) -> None:
        if (self.provider_tin is None) == (self.provider_npi is None):
            raise ValueError("give exactly one of provider_tin and provider_npi")
        start, end = self.service_date_start, self.service_date_end
        if start is not None and end is not None and start > end:
            raise ValueError("service_date_start must not be after service_date_end")

    def fingerprint(self) -> str:
        parts = (
            self.provider_tin,
            self.provider_npi,
            self.service_date_start,
            self.service_date_end,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]

    @property
    def kind(self) -> str:
        return "tin" if self.provider_tin is not None else "npi"

    @property
    def provider(self) -> str:
        """The TIN or NPI as stored: without separators (`domain.identifiers`), `36-2514789`
        finds the claims of `362514789`."""
        value = self.provider_tin if self.provider_tin is not None else self.provider_npi
        assert value is not None
        return normalize_identifier(value)


@dataclass(frozen=True)
class Bounds:
    """What a date range's statements need to know of the provider's service spans."""

    low: date | None  # start - M: no overlapping claim begins earlier (None without a start)
    negative: bool  # some claim of the provider ends before it begins (imported data)


Shape = tuple[str, bool, bool, bool]


def shape(flt: ClaimFilter, bounds: Bounds) -> Shape:
    """What the statements depend on besides bound values: TIN or NPI, which range bounds, and
    whether claims with negative spans need subtracting (only with a start)."""
    has_start = flt.service_date_start is not None
    return flt.kind, has_start, flt.service_date_end is not None, has_start and bounds.negative


def span_bounds(conn: Connection, flt: ClaimFilter) -> Bounds:
    """The earliest begin date a claim overlapping the range can have, and whether negative spans
    exist (one statement; nothing to read without a start).

    A claim spans `span = COALESCE(end, begin) - begin` days and overlaps iff `begin + span >=
    start`; with `M >= span` for all of the provider's claims, every match has `begin >= start -
    M`. A negative M counts as 0: a weaker, still valid bound.
    """
    start = flt.service_date_start
    if start is None:
        return Bounds(None, False)
    longest, shortest = conn.execute(
        span_bounds_statement(flt.kind), {"provider": flt.provider}
    ).one()
    days = max(int(longest or 0), 0)
    low = date.min if days >= (start - date.min).days else start - timedelta(days=days)
    return Bounds(low, shortest is not None and shortest < 0)


def parameters(
    flt: ClaimFilter, bounds: Bounds, position: Cursor | None = None, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """The bound values of the statements for `flt` (and a page of `limit` after `position`)."""
    values: dict[str, Any] = {"provider": flt.provider, "n": limit + 1}
    if flt.service_date_start is not None:
        values["start"], values["low"] = flt.service_date_start, bounds.low
    if flt.service_date_end is not None:
        values["end"] = flt.service_date_end
    if position is not None:
        values["k_begin"], values["k_id"] = position.begin, position.claim_id
    return values
