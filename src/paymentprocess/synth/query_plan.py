"""The plan of the query data set: billing-provider tiers, their volumes and identifiers.

At the nominal size of 3,000,000 claims the set has four tiers of billing providers by volume:
1 provider with 1,000,000 claims, 10 with 100,000, 50 with 10,000 and 500 with 1,000 (561
providers; each tier holds a third or a sixth of the claims, and the lower tiers have more
providers). Smaller sets keep the provider counts and scale every volume by claims / 3,000,000
(rounded, at least 1), larger sets keep the volumes and scale the provider counts (rounded
down); the rounding difference goes to the first provider of the top tier, so the set holds exactly the requested
number of claims. Providers get unique nine-digit TINs and valid, unique NPIs derived from the
seed, so the same seed always names the same providers.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.synth.identifiers import npi, tin
from paymentprocess.synth.plan import GenerationRefusedError
from paymentprocess.synth.rng import Rng
from paymentprocess.synth.sizes import NOMINAL_CLAIMS

# (tier name, claims per provider, providers) at the nominal size.
NOMINAL_TIERS = (("1M", 1_000_000, 1), ("100K", 100_000, 10), ("10K", 10_000, 50),
                 ("1K", 1_000, 500))  # fmt: skip
MIN_CLAIMS = 2_000
MAX_CLAIMS = 100_000_000


@dataclass(frozen=True)
class Tier:
    """One volume tier: its nominal name, claims per provider and number of providers."""

    name: str
    volume: int
    providers: int


@dataclass(frozen=True)
class QueryPlan:
    """Everything fixed before a row exists: the tiers and the seed-derived identifier offsets."""

    claims: int
    seed: int
    tiers: tuple[Tier, ...]
    top_extra: int  # claims added to (or, if negative, removed from) the top tier's first provider
    npi_offset: int
    tin_offset: int

    @property
    def providers(self) -> int:
        return sum(t.providers for t in self.tiers)


def scaled_tiers(claims: int) -> tuple[tuple[Tier, ...], int]:
    """The tiers for `claims` and the rounding difference given to the top provider."""
    if claims <= NOMINAL_CLAIMS:
        tiers = tuple(
            Tier(name, max(1, round(volume * claims / NOMINAL_CLAIMS)), count)
            for name, volume, count in NOMINAL_TIERS
        )
    else:
        tiers = tuple(
            Tier(name, volume, max(1, count * claims // NOMINAL_CLAIMS))
            for name, volume, count in NOMINAL_TIERS
        )
    extra = claims - sum(t.volume * t.providers for t in tiers)
    return tiers, extra


def make_query_plan(claims: int, seed: int) -> QueryPlan:
    """The plan of a query set of exactly `claims` claims; refuses sizes whose tiers collapse."""
    if not MIN_CLAIMS <= claims <= MAX_CLAIMS:
        raise GenerationRefusedError(
            f"the query set needs between {MIN_CLAIMS:,} and {MAX_CLAIMS:,} claims (got {claims:,})"
        )
    tiers, extra = scaled_tiers(claims)
    top = tiers[0].volume + extra
    if top < 2 * tiers[1].volume:
        raise GenerationRefusedError(f"{claims:,} claims are too few for four distinct tiers")
    rng = Rng(seed)
    return QueryPlan(
        claims=claims,
        seed=seed,
        tiers=tiers,
        top_extra=extra,
        npi_offset=rng.draw("query:npi", 0, 200_000_000),
        tin_offset=rng.draw("query:tin", 0, 1_000_000_000),
    )


def provider_frame(plan: QueryPlan) -> pl.DataFrame:
    """One row per billing provider: index, tier, volume, first claim number, TIN, NPI, name."""
    names, volumes = [], []
    for tier in plan.tiers:
        names += [tier.name] * tier.providers
        volumes += [tier.volume] * tier.providers
    volumes[0] += plan.top_extra
    frame = pl.DataFrame(
        {"tier": names, "volume": volumes}, schema={"tier": pl.String, "volume": pl.Int64}
    ).with_row_index("provider", offset=0)
    index = pl.col("provider").cast(pl.Int64)
    return frame.with_columns(
        provider=index,
        first_num=pl.col("volume").cum_sum() - pl.col("volume"),
        tax_id=tin(index, plan.tin_offset),
        npi=npi(index, plan.npi_offset),
        billing_provider_name=pl.lit("Dental Group ") + (index + 1).cast(pl.String).str.zfill(4),
    )
