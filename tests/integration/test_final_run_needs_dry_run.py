"""A Final Run needs this database's own Dry Run (its claims fingerprint), unless --force
(issue 10 item 7; both databases). An event loaded at stage DryRun used to be paid at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from tests.db_snapshot import everything
from tests.golden import builders as b

from paymentprocess.io.load import load_documents
from paymentprocess.service.runs import run_payment_event


def _imported_at_dry_run() -> dict[str, list[dict[str, Any]]]:
    docs = b.cycle()
    docs["PaymentEvent"][0]["Stage"] = "DryRun"  # a Dry Run of the old system, not of this one
    docs["PaymentCenter"] = [b.payee(7)]
    docs["ClaimFinCore"] = [b.claim("C1", b.line("120.00"))]
    return docs


def test_event_loaded_at_stage_dry_run_is_refused_until_a_dry_run_here(engine: Engine) -> None:
    load_documents(engine, _imported_at_dry_run())
    before = everything(engine)
    refused = run_payment_event(engine, "PE-1", "final")
    assert refused.exit_code == 1
    assert "no Dry Run of it was done on this database" in refused.message
    assert "run a Dry Run first (or --force)" in refused.message
    assert refused.run_id is None
    assert everything(engine) == before  # no stats row, nothing paid
    checked = run_payment_event(engine, "PE-1", "final", validate_only=True)
    assert checked.exit_code == 1  # --validate-only of a Final Run is refused the same way
    assert run_payment_event(engine, "PE-1", "dry-run").exit_code == 0
    paid = run_payment_event(engine, "PE-1", "final")
    assert paid.exit_code == 0, paid.message
    assert paid.document["totals"]["paid"] == "120.00"


def test_force_pays_an_event_without_a_dry_run(engine: Engine) -> None:
    load_documents(engine, _imported_at_dry_run())
    forced = run_payment_event(engine, "PE-1", "final", force=True)
    assert forced.exit_code == 0, forced.message
    assert forced.document["totals"]["paid"] == "120.00"


def test_changed_claims_are_still_refused_after_the_dry_run(engine: Engine) -> None:
    load_documents(engine, _imported_at_dry_run())
    assert run_payment_event(engine, "PE-1", "dry-run").exit_code == 0
    load_documents(engine, {"ClaimFinCore": [b.claim("LATE", b.line("9.00"))]})
    refused = run_payment_event(engine, "PE-1", "final")
    assert refused.exit_code == 1
    assert "changed since the last Dry Run: run a Dry Run again (or --force)" in refused.message
