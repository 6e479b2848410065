"""Readable run summaries: totals, payees, findings — the result, printed on stdout.

Everything fits the console's width (80 columns, 60 too) without cutting an amount: the totals are
a list of name and amount (key/value, one per line); the payees are a table of amounts that, when
too wide for the console, is split into several tables of fewer columns, each repeating the row
label (`amount_tables`), every amount column at least as wide as its widest amount. Amounts are
printed as the stats document holds them (exact decimal text), never re-formatted.

The payee amounts and the totals are the stats document's (domain/payee_result.py: its fields
in the payee rows, their totals under their total names, Σ net_pay as `paid`), headed by each
field's label.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from paymentprocess.domain import payee_result
from paymentprocess.domain.money import parse_cents

MAX_PAYEE_ROWS = 15
PAYEE_AMOUNTS = payee_result.STATS_NAMES
TOTALS = payee_result.TOTAL_NAMES
LABEL_WIDTH = 12  # the row label column, wrapped inside this width when longer


def amount_tables(
    console: Console,
    title: str,
    label: str,
    headers: tuple[str, ...],
    rows: list[tuple[str, list[str]]],
) -> None:
    """Print `rows` (label, amounts) under `headers` as tables that fit `console.width`: as many
    amount columns per table as fit, each amount whole on one line (a header may wrap at spaces)."""
    widths = [max(max(map(len, h.split()), default=0), 1) for h in headers]
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
            table.add_column(headers[i], justify="right", no_wrap=True, min_width=widths[i])
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
    _totals(console, doc.get("totals", {}))
    counts = doc.get("counts", {})
    payees = counts.get("payees", {})
    console.print(
        f"claims {counts.get('claims', 0)} · by frequency code "
        f"{_pairs(counts.get('by_frequency_code', {}))} · outcomes "
        f"{_pairs(counts.get('by_outcome', {}))}\n"
        f"payees {payees.get('total', 0)} (old {payees.get('old', 0)}, new {payees.get('new', 0)}) · "
        f"paid {payees.get('paid', 0)} · held {payees.get('held', 0)} · overpaid {payees.get('overpaid', 0)}",
        highlight=False,
        markup=False,
    )
    _payee_table(console, doc.get("payees", []))
    _findings_table(console, doc.get("findings", []))
    timings = {k: v for k, v in doc.get("timings_ms", {}).items() if "." not in k}
    if timings:  # the stages; their steps are in the document (--json)
        console.print(
            "timings (ms): " + ", ".join(f"{k} {v}" for k, v in timings.items()), highlight=False
        )


def _pairs(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def _totals(console: Console, totals: dict[str, Any]) -> None:
    """One line per total: its name, then its amount right-aligned under the others."""
    names = [payee_result.label(n) for n in TOTALS]
    amounts = [str(totals.get(n, "")) for n in TOTALS]
    name_width, amount_width = max(map(len, names)), max(map(len, amounts))
    console.print("[bold]Totals[/bold]", highlight=False)
    for name, amount in zip(names, amounts, strict=True):
        console.print(
            f"  {name:<{name_width}}  {amount:>{amount_width}}",
            highlight=False,
            markup=False,
            soft_wrap=True,  # a line is never folded: an amount stays whole even at 20 columns
        )


def _by_claims_net(payee: dict[str, Any]) -> tuple[int, int]:
    """Largest |claims net| first (exact cents, domain.money), then by PaymentCenter_ID."""
    return -abs(parse_cents(payee["claims_net"])), payee.get("payment_center_id") or 0


def _payee_table(console: Console, payees: list[dict[str, Any]]) -> None:
    if not payees:
        return
    top = sorted(payees, key=_by_claims_net)[:MAX_PAYEE_ROWS]
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
    headers = tuple(f.label for f in payee_result.IN_STATS)
    amount_tables(console, title, "payee", headers, rows)


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
    table.add_column("message", ratio=1, overflow="fold")
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
