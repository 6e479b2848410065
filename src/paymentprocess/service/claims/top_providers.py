"""Top providers by total net fee, read from the `provider_aggregate` running totals.

Intake keeps one row per provider NPI (claim count, total net fee) up to date in the same
transaction as the claim, so the ranking reads at most `limit` rows through the
`(total_net_fee, provider_npi)` index: its cost depends on the number of providers returned, not
on the number of claims. Ties are broken by NPI, ascending, so the order is exact and stable.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from paymentprocess.domain.money import format_cents
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.tables import provider_aggregate

DEFAULT_TOP = 10
MAX_TOP = 100


def top_providers(engine: Engine, limit: int = DEFAULT_TOP) -> list[dict[str, Any]]:
    """`[{rank, provider_npi, claim_count, total_net_fee}]`, highest total net fee first."""
    agg = provider_aggregate.c
    query = (
        select(agg.provider_npi, agg.claim_count, agg.total_net_fee)
        .order_by(agg.total_net_fee.desc(), agg.provider_npi)
        .limit(limit)
    )
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(query).all()
    return [
        {
            "rank": rank,
            "provider_npi": npi,
            "claim_count": int(count),
            "total_net_fee": format_cents(int(total)),
        }
        for rank, (npi, count, total) in enumerate(rows, start=1)
    ]
