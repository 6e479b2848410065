"""Payee keys: how a claim (or refund) names its payee, and how stats show a payee without an id.

Provider events key a claim by `TaxID|NPI`, DMR events by `MemberID`; `stats_key` pseudonymises
member keys (PHI) for the stats document and findings.
"""

from __future__ import annotations

import hashlib

import polars as pl

from paymentprocess.domain.run_config import RunConfig


def present(name: str) -> pl.Expr:
    """Absent, null or blank text is missing; present text is used as given (not trimmed)."""
    return pl.col(name).is_not_null() & (pl.col(name).str.strip_chars() != "")


def key_expr(cfg: RunConfig) -> pl.Expr:
    """The payee key of a claim (or refund) row; null when an identifier is missing."""
    if cfg.event_type == "DMR":
        return pl.when(present("member_id")).then(pl.col("member_id"))
    both = present("tax_id") & present("npi")
    return pl.when(both).then(pl.concat_str(pl.col("tax_id"), pl.lit("|"), pl.col("npi")))


def stats_key(payee_key: str, event_type: str) -> str:
    """The key shown in stats for a payee without an id (member ids are PHI: pseudonymised)."""
    if event_type == "DMR":
        return "member:" + hashlib.sha256(payee_key.encode()).hexdigest()[:16]
    return payee_key
