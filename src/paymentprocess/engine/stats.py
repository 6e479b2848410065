"""Stage `stats`: the PaymentEventStats document of SPEC §8 (amounts as "1234.56" strings)."""

from __future__ import annotations

from typing import Any

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain import payee_result
from paymentprocess.domain.claim_counts import by_frequency
from paymentprocess.domain.claim_counts import by_outcome as by_outcome_counts
from paymentprocess.domain.findings import Finding
from paymentprocess.domain.payee_keys import stats_key
from paymentprocess.domain.run_config import RunConfig


def build_document(
    cfg: RunConfig,
    status: str,
    claim_counts: pl.DataFrame | None,
    payees: pl.DataFrame | None,
    findings: list[Finding],
    timings_ms: dict[str, int],
) -> dict[str, Any]:
    """The stats document; `claim_counts` (domain.claim_counts) and `payees` may be None when the
    run stopped before computing."""
    payees = (
        payees
        if payees is not None
        else pl.DataFrame(
            schema={
                col.PAYEE_KEY: pl.String,
                "payment_center_id": pl.Int64,
                "is_new": pl.Boolean,
                **payee_result.SCHEMA,
            }
        )
    )
    totals = {
        total: payee_result.document_value(f, int(payees[f.name].sum()))
        for f, total in payee_result.TOTALS
    }
    return {
        "payment_event_id": cfg.payment_event_id,
        "mode": cfg.mode,
        "status": status,
        "totals": totals,
        "counts": _counts(claim_counts, payees),
        "payees": _payee_docs(payees, cfg),
        "findings": [f.to_document() for f in findings],
        "timings_ms": timings_ms,
    }


def _counts(counts: pl.DataFrame | None, payees: pl.DataFrame) -> dict[str, Any]:
    by_code: dict[str, int] = {}
    by_outcome = {col.PAID: 0, col.HELD: 0, col.EXCLUDED: 0}
    total = 0
    if counts is not None and counts.height:
        total = int(counts["len"].sum())
        for code, n in by_frequency(counts).sort("frequency_code").iter_rows():
            by_code["" if code is None else str(code)] = int(n)
        for outcome, n in by_outcome_counts(counts).iter_rows():
            by_outcome[str(outcome)] = int(n)
    return {
        "claims": total,
        "by_frequency_code": by_code,
        "by_outcome": by_outcome,
        "payees": {
            "total": payees.height,
            "old": int((~payees["is_new"]).sum()),
            "new": int(payees["is_new"].sum()),
            "paid": int((payees["net_pay"] > 0).sum()),
            "held": int((payees["held"] > 0).sum()),
            "overpaid": int((payees["new_overpayment"] > 0).sum()),
        },
    }


def _payee_docs(payees: pl.DataFrame, cfg: RunConfig) -> list[dict[str, Any]]:
    docs = []
    ordered = payees.sort("payment_center_id", col.PAYEE_KEY, nulls_last=True)
    for row in ordered.select(
        col.PAYEE_KEY, "payment_center_id", *payee_result.STATS_NAMES
    ).iter_rows(named=True):
        doc: dict[str, Any] = {"payment_center_id": row["payment_center_id"]}
        if row["payment_center_id"] is None:
            doc["key"] = stats_key(row[col.PAYEE_KEY], cfg.event_type)
        doc.update(
            {f.name: payee_result.document_value(f, row[f.name]) for f in payee_result.IN_STATS}
        )
        docs.append(doc)
    return docs
