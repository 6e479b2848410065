"""Service lines and header totals, vectorized: 1–6 lines per claim, exploded in one step.

Fresh lines draw billed amounts, allowed ≤ billed, and member responsibility (deductible,
coinsurance, copay, other adjustment) that never exceeds allowed; claims under the minimum get one
tiny line. Line-level data errors go on line 1 of their claims (a negative other adjustment, a
deductible above allowed, an unknown procedure code). Copied lines (voids, replacements) rescale
the source claim's lines by factor/1000 with integer floor division, which keeps every
amount ≥ 0, allowed ≤ billed and responsibility ≤ allowed. Header totals are the line sums.
Each line names a provider NPI: its claim's, or one time in eight after line 1 a rendering
provider of its own (`line_providers`, once the claims have their NPIs).
Every line has a line item control number (`<ClaimCore_ID>-<LineNumber>`, copies keep their
source's); one in twenty fresh lines carries a procedure modifier.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.storage.tables import CLAIM_MONEY
from paymentprocess.synth.identifiers import npi
from paymentprocess.synth.reference import SERVICE_CODES, UNKNOWN_SERVICE_CODE
from paymentprocess.synth.rng import Draw, Rng

LINE_WEIGHTS = (20, 20, 20, 15, 15, 10)  # 1..6 lines: mean 3.15
QUADRANTS = ("UR", "UL", "LR", "LL")
COPAYS = (1000, 1500, 2500)
MODIFIERS = ("59", "76", "GN", "KX")
STREAMS = ("line_a", "line_b", "line_c", "line_d", "line_e")  # 16-bit fields, see rng.Draw


def line_payable() -> pl.Expr:
    """SPEC §4: allowed − deductible − coinsurance − copay − other adjustment, floored at 0."""
    raw = (
        pl.col("allowed_amount") - pl.col("deductible_amount") - pl.col("coinsurance_amount")
        - pl.col("copay_amount") - pl.col("other_adjustment_amount")
    )  # fmt: skip
    return pl.max_horizontal(raw, pl.lit(0))


def fresh_lines(claims: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Lines of claims without `src_claim`: `claims` has claim_core_id, num, role, service dates."""
    rng = Rng(seed)
    small = pl.col("role") == "small"
    count = (
        pl.when(small).then(1).otherwise(rng.weighted("n_lines", pl.col("num"), LINE_WEIGHTS) + 1)
    )
    lines = (
        claims.filter(pl.col("src_claim").is_null())
        .select("claim_core_id", "num", "role", "service_begin_date", "service_end_date",
                line_number=pl.int_ranges(1, count + 1, dtype=pl.Int64))
        .explode("line_number")
        .with_columns(key=pl.col("num") * 8 + pl.col("line_number"))
    )  # fmt: skip
    lines = rng.add_streams(lines, "key", STREAMS)
    a, b, c, d, e = (Draw(s) for s in STREAMS)
    lines = lines.with_columns(
        billed_amount=pl.when(small)
        .then(a.between(2, 60, 450))
        .otherwise(a.between(0, 2000, 80000, 32))
    ).with_columns(allowed_amount=pl.col("billed_amount") * a.between(3, 550, 1000) // 1000)
    normal, allowed = ~small, pl.col("allowed_amount")
    lines = lines.with_columns(
        deductible_amount=pl.when(normal & b.chance(0, 12, 100))
        .then(allowed * b.between(1, 0, 500) // 1000)
        .otherwise(0)
    )
    rest = allowed - pl.col("deductible_amount")
    lines = lines.with_columns(
        coinsurance_amount=pl.when(normal & b.chance(2, 30, 100))
        .then(rest * b.between(3, 100, 200) // 1000)
        .otherwise(0)
    )
    rest = rest - pl.col("coinsurance_amount")
    copay = c.below(1, len(COPAYS)).replace_strict(dict(enumerate(COPAYS)), return_dtype=pl.Int64)
    lines = lines.with_columns(
        copay_amount=pl.when(normal & c.chance(0, 25, 100))
        .then(pl.min_horizontal(copay, rest))
        .otherwise(0)
    )
    rest = rest - pl.col("copay_amount")
    lines = lines.with_columns(
        other_adjustment_amount=pl.when(normal & c.chance(2, 5, 100))
        .then(rest * c.between(3, 0, 100) // 1000)
        .otherwise(0)
    )
    return _describe(_apply_line_errors(lines, e), d, e).drop(*STREAMS, "key")


def _describe(lines: pl.DataFrame, d: Draw, e: Draw) -> pl.DataFrame:
    span = (pl.col("service_end_date") - pl.col("service_begin_date")).dt.total_days()
    step = pl.min_horizontal(pl.col("line_number") - 1, span)
    codes = dict(enumerate((*SERVICE_CODES, UNKNOWN_SERVICE_CODE)))
    unknown = (pl.col("line_number") == 1) & (pl.col("role") == "UNKNOWN_SERVICE_CODE")
    code = pl.when(unknown).then(len(SERVICE_CODES)).otherwise(d.below(0, len(SERVICE_CODES)))
    quadrant = pl.when(d.chance(1, 3, 10)).then(d.below(2, len(QUADRANTS)))
    modifier = e.bits(3)  # one in twenty lines carries a modifier
    modifiers = pl.when(modifier < (1 << 16) // 20).then(
        pl.concat_str(
            pl.lit('["'),
            (modifier % len(MODIFIERS)).replace_strict(
                dict(enumerate(MODIFIERS)), return_dtype=pl.String
            ),
            pl.lit('"]'),
        )
    )
    return lines.with_columns(
        line_item_control_number=pl.concat_str(
            "claim_core_id", pl.lit("-"), pl.col("line_number").cast(pl.String)
        ),
        modifiers=modifiers,
        procedure_code=code.replace_strict(codes, return_dtype=pl.String),
        quadrant=quadrant.replace_strict(dict(enumerate(QUADRANTS)), return_dtype=pl.String),
        units=pl.when(d.chance(3, 4, 5)).then(1).otherwise(e.between(0, 2, 4)),
        service_date=pl.col("service_begin_date") + pl.duration(days=step),
    ).drop("role", "service_begin_date", "service_end_date")


def _apply_line_errors(lines: pl.DataFrame, e: Draw) -> pl.DataFrame:
    """NEGATIVE_AMOUNT and NEGATIVE_PAYABLE on line 1 (UNKNOWN_SERVICE_CODE: see _describe)."""
    first = pl.col("line_number") == 1
    role = pl.col("role")
    return lines.with_columns(
        other_adjustment_amount=pl.when(first & (role == "NEGATIVE_AMOUNT"))
        .then(-e.between(1, 100, 2500))
        .otherwise("other_adjustment_amount"),
        deductible_amount=pl.when(first & (role == "NEGATIVE_PAYABLE"))
        .then(pl.col("allowed_amount") + e.between(2, 100, 5000))
        .otherwise("deductible_amount"),
    )


def copied_lines(claims: pl.DataFrame, source: pl.DataFrame) -> pl.DataFrame:
    """Lines of claims with `src_claim`: the source claim's lines × factor / 1000 (floored)."""
    copies = claims.filter(pl.col("src_claim").is_not_null()).select(
        "claim_core_id", "num", "src_claim", "factor"
    )
    scaled = [pl.col(m) * pl.col("factor") // 1000 for m in CLAIM_MONEY]
    return (
        copies.join(
            source.drop("num").rename({"claim_core_id": "src_claim"}), on="src_claim", how="inner"
        )
        .with_columns(scaled)
        .drop("src_claim", "factor")
        .select(source.columns)
    )


def header_totals(lines: pl.DataFrame) -> pl.DataFrame:
    """Per claim number: the sum of each money column over its lines, and the Final Run payable."""
    return lines.group_by("num").agg(
        *(pl.col(m).sum() for m in CLAIM_MONEY), payable=line_payable().sum()
    )


RENDERING_NPIS = 40  # the pool of rendering providers a line may name instead of its claim's
RENDERING_NPI_OFFSET = 777_000_001


def line_providers(lines: pl.DataFrame, claims: pl.DataFrame, seed: int) -> pl.DataFrame:
    """`lines` with `provider_npi`: the claim's NPI, except that a line after the first names a
    rendering provider of its own one time in eight (issue 11: real claims list one per line);
    `claims` has claim_core_id and npi. A claim without an NPI leaves its lines without one."""
    rng = Rng(seed)
    key = pl.col("num") * 8 + pl.col("line_number")
    own = (pl.col("line_number") > 1) & rng.chance("line_npi", key, 1, 8)
    # The pool's NPIs once, then picked per line (the Luhn digit over millions of lines cost more
    # than the rest of the step; the values are the same).
    pool = pl.select(npi(pl.int_range(RENDERING_NPIS, dtype=pl.Int64), RENDERING_NPI_OFFSET))
    rendering = pl.lit(pool.to_series()).gather(rng.below("line_npi_pick", key, RENDERING_NPIS))
    return (
        lines.join(claims.select("claim_core_id", claim_npi="npi"), on="claim_core_id", how="left")
        .with_columns(
            provider_npi=pl.when(own & pl.col("claim_npi").is_not_null())
            .then(rendering)
            .otherwise(pl.col("claim_npi"))
        )
        .drop("claim_npi")
    )
