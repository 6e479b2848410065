"""How far the relays are behind: the unsent outbox rows and the age of the oldest (GET /health,
the relay's progress lines, the relay benchmark)."""

from __future__ import annotations

from sqlalchemy import Engine

from paymentprocess.storage.outbox import Backlog, backlog


def outbox_backlog(engine: Engine) -> Backlog:
    with engine.connect() as raw:
        conn = raw.execution_options(write=False)
        return backlog(conn)
