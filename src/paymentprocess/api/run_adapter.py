"""The one door from the API to the run engine and event service, imported lazily.

`paymentprocess.service.runs` and `paymentprocess.service.events` belong to the run engine; the
API calls them only through this module, and imports them on first use, so the service starts
(and its other endpoints work) even where the run engine is absent. Then these functions raise
`RunEngineUnavailableError` (503).
"""

from __future__ import annotations

import importlib
from datetime import date
from types import ModuleType
from typing import Any, Protocol

from sqlalchemy import Engine

from paymentprocess.errors import PaymentError


class RunEngineUnavailableError(PaymentError):
    """The run engine's service module cannot be imported in this installation."""


class RunOutcome(Protocol):
    """What `service.runs.run_payment_event` returns."""

    exit_code: int
    run_id: int | None
    document: dict[str, Any]
    message: str


def _service(name: str) -> ModuleType:
    try:
        return importlib.import_module(f"paymentprocess.service.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"paymentprocess.service.{name}"):
            raise RunEngineUnavailableError(f"the {name} service is not installed") from None
        raise


def run_payment_event(
    engine: Engine, payment_event_id: str, mode: str, *, force: bool = False
) -> RunOutcome:
    """Run a Dry Run or Final Run of one event to the end (blocking)."""
    outcome: RunOutcome = _service("runs").run_payment_event(
        engine, payment_event_id, mode, force=force
    )
    return outcome


def create_event(
    engine: Engine,
    *,
    payment_event_id: str,
    event_type: str,
    payment_due_date: date,
    business_id: str | None,
    funding_source_id: str | None,
    inclusion_criteria_id: str | None,
) -> dict[str, Any]:
    """Create a payment event; the event service's document of it."""
    created: dict[str, Any] = _service("events").create_event(
        engine,
        payment_event_id=payment_event_id,
        event_type=event_type,
        payment_due_date=payment_due_date,
        business_id=business_id,
        funding_source_id=funding_source_id,
        inclusion_criteria_id=inclusion_criteria_id,
    )
    return created
