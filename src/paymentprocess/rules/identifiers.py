"""Payee identifiers: missing keys, NPI format and check digit, TIN format."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.rules.base import RuleContext, findings_of


def npi_is_valid() -> pl.Expr:
    """10 digits starting 1 or 2 whose Luhn check over "80840" + NPI holds (prefix adds 24)."""
    npi = pl.col("npi")
    shape = npi.str.contains(r"^[12][0-9]{9}$").fill_null(False)
    digits = [npi.str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(10)]
    total = pl.lit(24, pl.Int64)
    for i, d in enumerate(digits):
        if i % 2 == 0 and i < 9:  # doubled positions of the 9-digit base
            doubled = d * 2
            total = total + pl.when(doubled > 9).then(doubled - 9).otherwise(doubled)
        else:
            total = total + d
    return shape & ((total % 10) == 0).fill_null(False)


def _distinct(claims: pl.DataFrame, name: str) -> pl.DataFrame:
    """Each identifier once: a million claims carry some 40,000 NPIs, checked 25x faster."""
    return claims.select(pl.col(name).drop_nulls().unique())


def _is_one_of(name: str, bad: pl.DataFrame) -> pl.Expr:
    return pl.col(name).is_in(bad[name].implode())


@dataclass(frozen=True)
class MissingPayeeId:
    codes: tuple[FindingCode, ...] = (FindingCode.MISSING_PAYEE_ID,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        ids = ctx.claims.filter(pl.col(col.PAYEE_KEY).is_null())["claim_core_id"]
        what = "MemberID" if ctx.cfg.event_type == "DMR" else "TaxID or NPI"
        return findings_of(
            ctx, FindingCode.MISSING_PAYEE_ID, ids, f"{what} missing; the claim is held"
        )


@dataclass(frozen=True)
class InvalidNpiTin:
    codes: tuple[FindingCode, ...] = (FindingCode.INVALID_NPI, FindingCode.INVALID_TIN)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        claims = ctx.claims
        tin_ok = pl.col("tax_id").str.contains(r"^[0-9]{9}$").fill_null(False)
        npi = claims.filter(_is_one_of("npi", _distinct(claims, "npi").filter(~npi_is_valid())))
        tin = claims.filter(_is_one_of("tax_id", _distinct(claims, "tax_id").filter(~tin_ok)))
        npi_message = "NPI is not 10 digits starting 1 or 2, or its check digit fails"
        return findings_of(
            ctx, FindingCode.INVALID_NPI, npi["claim_core_id"], npi_message
        ) + findings_of(ctx, FindingCode.INVALID_TIN, tin["claim_core_id"], "TIN is not 9 digits")
