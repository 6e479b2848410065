"""Readable run summaries (rich tables): totals, payees, findings."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

MAX_PAYEE_ROWS = 15


def render_run(console: Console, doc: dict[str, Any], message: str) -> None:
    """Print the summary of one run's PaymentEventStats document."""
    style = {
        "Completed": "green",
        "CompletedWithErrors": "yellow",
        "Blocked": "red",
        "Failed": "red",
    }
    status = doc.get("status", "?")
    console.print(
        f"[bold]{doc.get('mode', '')} · {doc.get('payment_event_id', '')}[/bold] "
        f"[{style.get(status, 'white')}]{status}[/] — {message}"
    )
    totals = Table(title="Totals", show_header=True)
    for name in (
        "claims_net",
        "interest",
        "carried_in",
        "offsets",
        "new_overpayment",
        "held",
        "paid",
    ):
        totals.add_column(name.replace("_", " "), justify="right")
    totals.add_row(
        *(
            doc.get("totals", {}).get(n, "")
            for n in (
                "claims_net",
                "interest",
                "carried_in",
                "offsets",
                "new_overpayment",
                "held",
                "paid",
            )
        )
    )
    console.print(totals)
    counts = doc.get("counts", {})
    payees = counts.get("payees", {})
    console.print(
        f"claims {counts.get('claims', 0)} · by code {counts.get('by_frequency_code', {})} · "
        f"outcomes {counts.get('by_outcome', {})}\n"
        f"payees {payees.get('total', 0)} (old {payees.get('old', 0)}, new {payees.get('new', 0)}) · "
        f"paid {payees.get('paid', 0)} · held {payees.get('held', 0)} · overpaid {payees.get('overpaid', 0)}"
    )
    _payee_table(console, doc.get("payees", []))
    _findings_table(console, doc.get("findings", []))
    timings = doc.get("timings_ms", {})
    if timings:
        console.print("timings (ms): " + ", ".join(f"{k} {v}" for k, v in timings.items()))


def _payee_table(console: Console, payees: list[dict[str, Any]]) -> None:
    if not payees:
        return
    top = sorted(payees, key=lambda p: -abs(float(p["claims_net"])))[:MAX_PAYEE_ROWS]
    table = Table(title=f"Payees (largest {len(top)} of {len(payees)} by claims net)")
    cols = ("claims_net", "interest", "carried_in", "offsets", "new_overpayment", "held", "net_pay")
    table.add_column("payee")
    for c in cols:
        table.add_column(c.replace("_", " "), justify="right")
    for p in top:
        who = (
            str(p["payment_center_id"])
            if p.get("payment_center_id") is not None
            else f"NEW {p.get('key', '')}"
        )
        table.add_row(who, *(p[c] for c in cols))
    console.print(table)


def _findings_table(console: Console, findings: list[dict[str, Any]]) -> None:
    if not findings:
        console.print("findings: none")
        return
    table = Table(title="Findings")
    for name in ("code", "severity", "count", "samples", "message"):
        table.add_column(name, justify="right" if name == "count" else "left")
    colour = {"Critical": "red", "Warning": "yellow", "Info": "cyan"}
    for f in findings:
        samples = ", ".join(f["sample_ids"][:3]) + (" …" if len(f["sample_ids"]) > 3 else "")
        table.add_row(
            f["code"],
            f"[{colour.get(f['severity'], 'white')}]{f['severity']}[/]",
            str(f["count"]),
            samples,
            f["message"],
        )
    console.print(table)
