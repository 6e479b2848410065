"""The four charts of a run, from its stats document (and the previous cycle's, when known)."""

from __future__ import annotations

from typing import Any

from paymentprocess.domain.money import parse_cents
from paymentprocess.domain.payee_result import TOTAL_NAMES, label
from paymentprocess.service.review.charts import (
    Chart,
    compare_chart,
    findings_chart,
    money_flow_chart,
    net_pay_chart,
)
from paymentprocess.service.review.compare import totals_cents
from paymentprocess.service.review.findings import by_code


def run_charts(
    document: dict[str, Any] | None,
    event_id: str,
    previous: tuple[str, dict[str, Any]] | None = None,
) -> list[Chart]:
    if not document:
        return []
    net_pays = [parse_cents(p["net_pay"]) for p in document.get("payees", [])]
    charts = [
        net_pay_chart(net_pays),
        findings_chart(by_code(document)),
        money_flow_chart(totals_cents(document)),
    ]
    if previous is not None:
        before, after = totals_cents(previous[1]), totals_cents(document)
        charts.append(
            compare_chart(
                [label(n) for n in TOTAL_NAMES],
                [after.get(n, 0) for n in TOTAL_NAMES],
                [before.get(n, 0) for n in TOTAL_NAMES],
                event_id,
                previous[0],
            )
        )
    return charts
