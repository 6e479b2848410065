"""`export-claims`: the PaymentCenterClaims JSON of an event for QA review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from paymentprocess.cli.common import console, friendly_errors, out, state


def register(app: typer.Typer) -> None:
    @app.command("export-claims")
    @friendly_errors
    def export_claims_cmd(
        ctx: typer.Context,
        payment_event_id: Annotated[
            str, typer.Option("--payment-event-id", "-p", help="The PaymentEvent_ID.")
        ],
        mode: Annotated[
            str,
            typer.Option(
                "--mode",
                "-m",
                help="dry-run (claim-level estimates) or final (service lines; for a Final event, "
                "what its Final Run paid).",
            ),
        ] = "dry-run",
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write to this file instead of stdout."),
        ] = None,
    ) -> None:
        """Write the event's claims as the seeds' PaymentCenterClaims JSON (payee → ParentClaimCore_ID →
        PaidClaim / VoidClaim / AdjustClaim), computed by the per-claim reference implementation;
        `-m final` of an event already paid reads what its Final Run stored instead."""
        if mode not in ("dry-run", "final"):
            raise typer.BadParameter("must be dry-run or final", param_hint="--mode")
        from paymentprocess.service.qa import payment_center_claims

        docs = payment_center_claims(state(ctx).engine(), payment_event_id, mode)  # type: ignore[arg-type]
        text = json.dumps(docs, indent=2, default=str)
        if output is None:
            out.print_json(text)
        else:
            try:
                output.write_text(text + "\n", encoding="utf-8")
            except OSError as exc:  # a directory, a missing parent, no permission, ...
                raise typer.BadParameter(
                    f"cannot write {str(output)!r}: {exc.strerror}", param_hint="--output"
                ) from None
            console.print(f"wrote {len(docs)} payees to {output}")
