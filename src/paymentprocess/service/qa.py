"""QA views: the seeds' PaymentCenterClaims document of an event, from the reference implementation.

The documents are read back in the import format (so exactly what `export` would write), then the
per-claim reference implementation groups them by payee and chain. For review, not for paying.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from paymentprocess.engine.config import Mode
from paymentprocess.io.collections import IMPORTABLE
from paymentprocess.io.export import export_documents
from paymentprocess.reference.cycle import compute_cycle
from paymentprocess.reference.export import to_payment_center_claims_json
from paymentprocess.storage.database import unit_of_work


def payment_center_claims(
    engine: Engine, payment_event_id: str, mode: Mode
) -> list[dict[str, Any]]:
    """PaymentCenterClaims (payee → chains → PaidClaim / VoidClaim / AdjustClaim) for one event."""
    with unit_of_work(engine, write=False) as uow:
        documents = {c.name: export_documents(uow.conn, c.name) for c in IMPORTABLE}
    return to_payment_center_claims_json(compute_cycle(documents, payment_event_id, mode))
