"""`report`: the run report of one run of an event, as a self-contained HTML file or a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from paymentprocess.cli.common import console, friendly_errors, state


def register(app: typer.Typer) -> None:
    @app.command("report")
    @friendly_errors
    def report_cmd(
        ctx: typer.Context,
        payment_event_id: Annotated[
            str, typer.Option("--payment-event-id", "-p", help="The PaymentEvent_ID.")
        ],
        out_file: Annotated[
            Path,
            typer.Option("--out", "-o", help="The file to write: .html or .pdf (by its suffix)."),
        ],
        run_id: Annotated[
            int | None, typer.Option("--run", help="The run id (default: the event's latest run).")
        ] = None,
    ) -> None:
        """Write the run report (totals, counts, findings, charts, approval trail, the SPEC §5
        invariant check, the claims fingerprint) of a run: one HTML file with everything inline,
        or a PDF of the same numbers."""
        suffix = out_file.suffix.lower()
        if suffix not in (".html", ".pdf"):
            raise typer.BadParameter("must end in .html or .pdf", param_hint="--out")
        from paymentprocess.service.review.report import build_report, render_html, render_pdf

        report = build_report(state(ctx).engine(), payment_event_id, run_id)
        try:
            if suffix == ".html":
                out_file.write_text(render_html(report), encoding="utf-8")
            else:
                out_file.write_bytes(render_pdf(report))
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot write {str(out_file)!r}: {exc.strerror}", param_hint="--out"
            ) from None
        console.print(
            f"wrote the report of run {report.run['run_id']} ({report.run['mode']}, "
            f"{report.run['status']}) of {payment_event_id} to {out_file}"
        )
