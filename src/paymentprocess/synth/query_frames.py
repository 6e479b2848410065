"""Frames of the query data set: claims, their 1–3 service lines and the provider aggregates.

Vectorized with Polars, no per-claim Python: each provider's claim numbers are one `int_ranges`
exploded; every random value is a counter-based draw keyed by the claim (or line) number, so the
same seed gives the same rows. Claims are ordinary intake-shaped ClaimFinCore rows: original
(frequency `1`, its own parent), `Unpaid`, no payment event, plan/group and subscriber set,
service dates from 2001 to 2025 (begin ≤ end; about a quarter of the multi-line claims span 1–14
days, so periods overlap), header totals = line sums. Lines carry billed $20.00–$2,000.00 with
cents, allowed 55–100 % of billed, coinsurance on 30 % and a copay on 25 % of lines; deductible and
other adjustment are 0, so a line's net fee (billed + coinsurance + copay − allowed) is never
negative. Rows come out in service-begin-date order, as a database filled over the years would
hold them (providers interleaved), with ids `Q` + nine digits numbered in that order (like
intake's time-ordered ULIDs), and `provider_aggregate` is computed from the same lines.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from paymentprocess.storage.tables import CLAIM_MONEY
from paymentprocess.synth.identifiers import numbered
from paymentprocess.synth.lines import QUADRANTS
from paymentprocess.synth.query_plan import QueryPlan, provider_frame
from paymentprocess.synth.reference import SERVICE_CODES
from paymentprocess.synth.rng import Draw, Rng

FIRST_DAY = dt.date(2001, 1, 1)
DATE_SPAN_DAYS = (dt.date(2025, 12, 31) - FIRST_DAY).days + 1
LINE_WEIGHTS = (50, 30, 20)  # 1, 2 or 3 lines
PLAN_GROUPS = 100  # GRP-1000 … GRP-1099
COPAYS = (1000, 1500, 2500)
_MEMBER_MULT = 7_777_777_777
CLAIM_STREAMS = ("q_a", "q_b", "q_c")
LINE_STREAMS = ("q_la", "q_lb", "q_lc")


def build_query_frames(plan: QueryPlan) -> dict[str, pl.DataFrame]:
    """`claim_fin_core`, `service_line` and `provider_aggregate` frames of the plan."""
    providers = provider_frame(plan)
    skeleton = _claim_skeleton(plan, providers)
    lines = _lines(plan, skeleton)
    totals = lines.group_by("num").agg(pl.col(m).sum() for m in CLAIM_MONEY)
    claims = _claims(plan, skeleton, providers, totals)
    net = (
        pl.col("billed_amount") + pl.col("coinsurance_amount") + pl.col("copay_amount")
        - pl.col("allowed_amount")
    )  # fmt: skip
    aggregate = (
        claims.group_by("npi")
        .agg(claim_count=pl.len().cast(pl.Int64), total_net_fee=net.sum())
        .rename({"npi": "provider_npi"})
        .sort("provider_npi")
    )
    # Every line names its claim's NPI here: the query set's tiers are billing providers, picked
    # by their aggregate claim count (bench.query_tiers), which lines of other NPIs would blur.
    lines = lines.join(
        claims.select("claim_core_id", provider_npi="npi"), on="claim_core_id", how="left"
    )
    return {
        "claim_fin_core": claims,
        "service_line": lines.drop("num"),
        "provider_aggregate": aggregate,
    }


def _claim_skeleton(plan: QueryPlan, providers: pl.DataFrame) -> pl.DataFrame:
    """Claim number, provider, line count and service period, sorted by (begin date, id)."""
    rng = Rng(plan.seed)
    frame = (
        providers.select(
            "provider",
            num=pl.int_ranges(pl.col("first_num"), pl.col("first_num") + pl.col("volume")),
        )
        .explode("num")
        .with_columns(pl.col("num").cast(pl.Int64))
    )
    frame = rng.add_streams(frame, "num", CLAIM_STREAMS)
    a, b = Draw("q_a"), Draw("q_b")
    n_lines = a.weighted(2, LINE_WEIGHTS) + 1
    span = pl.when((n_lines > 1) & a.chance(3, 1, 4)).then(b.between(0, 1, 14)).otherwise(0)
    begin = pl.lit(FIRST_DAY) + pl.duration(days=a.below(0, DATE_SPAN_DAYS, 32))
    frame = frame.with_columns(n_lines=n_lines, span=span, service_begin_date=begin)
    frame = frame.with_columns(
        service_end_date=pl.col("service_begin_date") + pl.duration(days=pl.col("span"))
    ).sort("service_begin_date", "q_b")
    # Ids follow the arrival order, as intake's time-ordered ULIDs do (appends to the key index).
    return frame.with_columns(claim_core_id=numbered("Q", pl.int_range(1, pl.len() + 1)))


def _lines(plan: QueryPlan, skeleton: pl.DataFrame) -> pl.DataFrame:
    """1–3 lines per claim: line 1 on the begin date, the last on the end date."""
    rng = Rng(plan.seed)
    lines = (
        skeleton.select(
            "num", "claim_core_id", "n_lines", "span", "service_begin_date",
            line_number=pl.int_ranges(1, pl.col("n_lines") + 1, dtype=pl.Int64),
        )
        .explode("line_number")
        .with_columns(key=pl.col("num") * 4 + pl.col("line_number"))
    )  # fmt: skip
    lines = rng.add_streams(lines, "key", LINE_STREAMS)
    a, b, c = Draw("q_la"), Draw("q_lb"), Draw("q_lc")
    last = pl.col("line_number") == pl.col("n_lines")
    offset = pl.when(pl.col("line_number") == 1).then(0).when(last).then(pl.col("span"))
    lines = lines.with_columns(
        service_date=pl.col("service_begin_date")
        + pl.duration(days=offset.otherwise(pl.col("span") // 2)),
        billed_amount=a.between(0, 2000, 200_000, 32),
    ).with_columns(allowed_amount=pl.col("billed_amount") * a.between(2, 550, 1000) // 1000)
    allowed = pl.col("allowed_amount")
    lines = lines.with_columns(
        coinsurance_amount=pl.when(a.chance(3, 30, 100))
        .then(allowed * b.between(0, 100, 200) // 1000)
        .otherwise(0)
    )
    copay = b.below(2, len(COPAYS)).replace_strict(dict(enumerate(COPAYS)), return_dtype=pl.Int64)
    rest = allowed - pl.col("coinsurance_amount")
    codes = dict(enumerate(SERVICE_CODES))
    quadrant = pl.when(c.chance(1, 3, 10)).then(c.below(2, len(QUADRANTS)))
    return lines.with_columns(
        copay_amount=pl.when(b.chance(1, 25, 100)).then(pl.min_horizontal(copay, rest)).otherwise(0),
        deductible_amount=pl.lit(0, dtype=pl.Int64),
        other_adjustment_amount=pl.lit(0, dtype=pl.Int64),
        procedure_code=c.below(0, len(codes)).replace_strict(codes, return_dtype=pl.String),
        quadrant=quadrant.replace_strict(dict(enumerate(QUADRANTS)), return_dtype=pl.String),
        units=pl.lit(1, dtype=pl.Int64),
    ).select(
        "num", "claim_core_id", "line_number", "procedure_code", "quadrant", "units",
        "service_date", *CLAIM_MONEY,
    )  # fmt: skip


def _claims(
    plan: QueryPlan, skeleton: pl.DataFrame, providers: pl.DataFrame, totals: pl.DataFrame
) -> pl.DataFrame:
    """Intake-shaped ClaimFinCore rows with the provider's TIN/NPI and the line totals."""
    c = Draw("q_c")
    members = max(1_000, plan.claims // 4)
    member = (c.below(0, members, 32) * _MEMBER_MULT + plan.tin_offset) % 10_000_000_000
    received = pl.col("service_end_date") + pl.duration(days=c.between(2, 1, 30))
    claims = skeleton.join(
        providers.select("provider", "tax_id", "npi", "billing_provider_name"),
        on="provider",
        how="left",
    ).join(totals, on="num", how="left")
    return claims.with_columns(
        parent_claim_core_id=pl.col("claim_core_id"),
        frequency_code=pl.lit("1"),
        payment_event_id=pl.lit(None, dtype=pl.String),
        status=pl.lit("Unpaid"),
        member_id=member.cast(pl.String).str.zfill(10),
        benefit_plan_id=pl.lit("GRP-") + (c.below(3, PLAN_GROUPS) + 1000).cast(pl.String),
        received_date=received,
        created_at=received.cast(pl.Datetime("us")) + pl.duration(seconds=pl.col("num") % 86_400),
    ).select(
        "claim_core_id", "parent_claim_core_id", "frequency_code", "payment_event_id", "status",
        "tax_id", "npi", "member_id", "billing_provider_name", "benefit_plan_id", "received_date",
        "service_begin_date", "service_end_date", *CLAIM_MONEY, "created_at",
    )  # fmt: skip
