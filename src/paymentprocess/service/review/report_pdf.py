"""The run report as a PDF (fpdf2, pure Python): the same numbers as the HTML report — run,
totals, counts, invariant check, findings, approval and audit trail — as tables (charts are in
the HTML only). Text goes through `_latin1` because the PDF's core font (Helvetica) has no
glyphs beyond Latin-1; amounts are the stats document's own strings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.fonts import FontFace

from paymentprocess.domain.money import format_cents

if TYPE_CHECKING:
    from paymentprocess.service.review.report import Report

_REPLACE = {"—": "-", "–": "-", "−": "-", "→": "->", "…": "...", "•": "*", "·": "-"}
HEAD = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


def _latin1(value: object) -> str:
    text = "" if value is None else str(value)
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)


def _table(
    pdf: FPDF, header: tuple[str, ...], rows: Sequence[tuple[object, ...]], widths: tuple[int, ...]
) -> None:
    with pdf.table(
        col_widths=widths, headings_style=HEAD, line_height=5, text_align="LEFT"
    ) as table:
        table.row([_latin1(h) for h in header])
        for row in rows:
            table.row([_latin1(v) for v in row])


def pdf_bytes(r: Report) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Run report {r.event['payment_event_id']} run {r.run['run_id']}"))
    pdf.set_creator(f"paymentprocess {r.version}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    title = f"Run report: payment event {r.event['payment_event_id']}, run {r.run['run_id']}"
    pdf.multi_cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    _table(
        pdf,
        ("Field", "Value"),
        [
            ("Mode", r.run["mode"]),
            ("Status", r.run["status"]),
            ("Event type", r.event["payment_event_type"]),
            ("Payment due date", r.event["payment_due_date"]),
            ("Event stage now", r.event["stage"]),
            ("Started", f"{r.run['started_at']} {r.run.get('started_by') or ''}"),
            ("Finished", r.run["finished_at"]),
            ("Claims fingerprint", r.fingerprint or "none"),
            ("Generated", f"{r.generated_at} UTC, paymentprocess {r.version}"),
        ],
        (40, 140),
    )
    _heading(pdf, "Totals")
    _table(pdf, ("Total", "Amount"), [(name, amount) for _k, name, amount in r.totals], (90, 90))
    _heading(pdf, "Counts")
    _table(pdf, ("Count", "Number"), [(name, n) for _k, name, n in r.counts], (90, 90))
    _heading(pdf, "Invariant check (SPEC §5)")
    verdict = "holds" if r.invariant.holds else "DOES NOT HOLD"
    sums = f"{format_cents(r.invariant.left_cents)} = {format_cents(r.invariant.right_cents)}"
    if not r.invariant.holds:
        sums = f"payees {', '.join(r.invariant.failing)}"
    text = (
        "claims net + interest + carried in = net pay + held + offsets - new overpayment: "
        f"{verdict} for {r.invariant.payees} payees ({sums})"
    )
    pdf.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Findings")
    rows = [
        (g.severity, f["code"], f["count"], f["message"]) for g in r.findings for f in g.findings
    ]
    if rows:
        _table(pdf, ("Severity", "Code", "Count", "Message"), rows, (20, 45, 15, 100))
    else:
        pdf.cell(0, 5, "No findings.", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Approval")
    if r.approval is not None:
        a = r.approval
        _table(
            pdf,
            ("Field", "Value"),
            [
                ("Status", a.status),
                ("Requested", f"{a.requested_at} by {a.requested_by} (Dry Run {a.dry_run_id})"),
                ("Fingerprint approved", a.fingerprint or ""),
                ("Decided", f"{a.decided_at or ''} {a.decided_by or ''}"),
                ("Reason", a.reason or ""),
            ],
            (40, 140),
        )
    else:
        pdf.cell(
            0, 5, "No Final Run has been requested for this event.", new_x="LMARGIN", new_y="NEXT"
        )
    if r.trail:
        _heading(pdf, "Audit trail")
        _table(
            pdf,
            ("When (UTC)", "User", "Action", "Detail"),
            [
                (
                    e.at,
                    e.user or "local",
                    e.action,
                    "; ".join(f"{k}: {v}" for k, v in e.detail.items()),
                )
                for e in r.trail
            ],
            (40, 25, 25, 90),
        )
    return bytes(pdf.output())
