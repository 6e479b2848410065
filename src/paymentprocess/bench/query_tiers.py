"""Which providers `bench query` measures, and the statistics it reports.

`discover_tiers(engine)` picks one billing provider per volume tier from `provider_aggregate`: the
largest provider of each of the top four orders of magnitude of claim count (named 1M, 100K,
10K, 1K from the top, whatever the set's scale), with a TIN looked up from its claims (NPI when
it has none). `SCENARIOS` are the two filters measured (all dates, and calendar 2015, which
overlaps about 4 % of the query set's claims); `stats_ms` gives min / avg / p95 / max.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from paymentprocess.errors import SettingsError
from paymentprocess.service.claims.listing_filter import ClaimFilter
from paymentprocess.storage.tables import claim_fin_core, provider_aggregate

TIER_NAMES = ("1M", "100K", "10K", "1K")
RANGE = (date(2015, 1, 1), date(2015, 12, 31))
SCENARIOS: tuple[tuple[str, tuple[date, date] | None], ...] = (
    ("all dates", None),
    (f"{RANGE[0]}..{RANGE[1]}", RANGE),
)


@dataclass(frozen=True)
class TierProvider:
    tier: str
    tax_id: str | None
    npi: str
    claims: int


def stats_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, math.ceil(0.95 * len(ordered)) - 1))]
    return {
        "min": round(ordered[0], 2),
        "avg": round(statistics.fmean(ordered), 2),
        "p95": round(p95, 2),
        "max": round(ordered[-1], 2),
    }


def discover_tiers(engine: Engine) -> list[TierProvider]:
    """The largest provider of each of the top four orders of magnitude of claim count."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(provider_aggregate.c.provider_npi, provider_aggregate.c.claim_count).order_by(
                provider_aggregate.c.claim_count.desc(), provider_aggregate.c.provider_npi
            )
        ).all()
        picked: dict[int, tuple[str, int]] = {}
        for npi, count in rows:
            if count > 0:
                picked.setdefault(round(math.log10(count)), (npi, int(count)))
        out = []
        for rank, (npi, count) in enumerate(list(picked.values())[: len(TIER_NAMES)]):
            tin = conn.execute(
                select(claim_fin_core.c.tax_id)
                .where(claim_fin_core.c.npi == npi, claim_fin_core.c.tax_id.is_not(None))
                .limit(1)
            ).scalar_one_or_none()
            out.append(TierProvider(TIER_NAMES[rank], tin, npi, count))
    if not out:
        raise SettingsError("no providers in this database: run `generate query-set` first")
    return out


def tier_filter(p: TierProvider, window: tuple[date, date] | None) -> ClaimFilter:
    start, end = window if window else (None, None)
    if p.tax_id is not None:
        return ClaimFilter(provider_tin=p.tax_id, service_date_start=start, service_date_end=end)
    return ClaimFilter(provider_npi=p.npi, service_date_start=start, service_date_end=end)
