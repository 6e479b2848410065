"""Readable run summaries (rich tables): totals, payees, findings.

Every table fits the console's width (80 columns included) without cutting an amount: amounts
never wrap or shrink, and a table of amounts too wide for the console is split into several
tables of fewer columns, each repeating the row label (`amount_tables`).
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

MAX_PAYEE_ROWS = 15
TOTALS = ("claims_net", "interest", "carried_in", "offsets", "new_overpayment", "held", "paid")
PAYEE_AMOUNTS = (
    "claims_net",
    "interest",
    "carried_in",
    "offsets",
    "new_overpayment",
    "held",
    "net_pay",
)
LABEL_WIDTH = 12  # the row label column, wrapped inside this width when longer


def _header(name: str) -> str:
    return name.replace("_", " ")


def amount_tables(
    console: Console,
    title: str,
    label: str,
    headers: tuple[str, ...],
    rows: list[tuple[str, list[str]]],
) -> None:
    """Print `rows` (label, amounts) as tables that fit `console.width`: as many amount columns
    per table as fit, each amount whole on one line."""
    widths = [
        max(len(_header(h)) if " " not in _header(h) else max(map(len, _header(h).split())), 1)
        for h in headers
    ]
    for _label, amounts in rows:
        widths = [max(w, len(a)) for w, a in zip(widths, amounts, strict=True)]
    label_width = min(LABEL_WIDTH, max([len(label), *(len(r[0]) for r in rows)]))
    room = max(console.width - label_width - 4, 1)  # table edges and the label's padding
    chunks: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        if chunks[-1] and used + w + 3 > room:
            chunks.append([])
            used = 0
        chunks[-1].append(i)
        used += w + 3
    for n, chunk in enumerate(chunks, start=1):
        suffix = f" ({n}/{len(chunks)})" if len(chunks) > 1 else ""
        console.print(f"[bold]{title}{suffix}[/bold]", highlight=False)
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column(label, overflow="fold", min_width=label_width, max_width=label_width)
        for i in chunk:
            table.add_column(
                _header(headers[i]), justify="right", no_wrap=True, min_width=widths[i]
            )
        for row_label, amounts in rows:
            table.add_row(row_label, *(amounts[i] for i in chunk))
        console.print(table)


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
        f"[{style.get(status, 'white')}]{status}[/] — {message}",
        highlight=False,
    )
    totals = doc.get("totals", {})
    amount_tables(console, "Totals", "", TOTALS, [("", [str(totals.get(n, "")) for n in TOTALS])])
    counts = doc.get("counts", {})
    payees = counts.get("payees", {})
    console.print(
        f"claims {counts.get('claims', 0)} · by code {counts.get('by_frequency_code', {})} · "
        f"outcomes {counts.get('by_outcome', {})}\n"
        f"payees {payees.get('total', 0)} (old {payees.get('old', 0)}, new {payees.get('new', 0)}) · "
        f"paid {payees.get('paid', 0)} · held {payees.get('held', 0)} · overpaid {payees.get('overpaid', 0)}",
        highlight=False,
    )
    _payee_table(console, doc.get("payees", []))
    _findings_table(console, doc.get("findings", []))
    timings = {k: v for k, v in doc.get("timings_ms", {}).items() if "." not in k}
    if timings:  # the stages; their steps are in the document (--json)
        console.print(
            "timings (ms): " + ", ".join(f"{k} {v}" for k, v in timings.items()), highlight=False
        )


def _payee_table(console: Console, payees: list[dict[str, Any]]) -> None:
    if not payees:
        return
    top = sorted(payees, key=lambda p: -abs(float(p["claims_net"])))[:MAX_PAYEE_ROWS]
    rows = [
        (
            str(p["payment_center_id"])
            if p.get("payment_center_id") is not None
            else f"NEW {p.get('key', '')}",
            [str(p[c]) for c in PAYEE_AMOUNTS],
        )
        for p in top
    ]
    title = f"Payees ({len(top)} of {len(payees)}, largest claims net first)"
    amount_tables(console, title, "payee", PAYEE_AMOUNTS, rows)


def _findings_table(console: Console, findings: list[dict[str, Any]]) -> None:
    if not findings:
        console.print("findings: none")
        return
    console.print("[bold]Findings[/bold]")
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("code", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("samples", overflow="fold", max_width=18)
    table.add_column("message", ratio=1)
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
