"""Revision 0005 (the outbox relayed, the consumer's tables): an unsent 0004 outbox row survives
the upgrade and is leased like a new one; down to 0004 gives back 0004's schema with the outbox
rows; a downgrade that would lose what a consumer applied is refused (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text
from tests.migrations.test_schema_revisions import _differences, _engine, _signature

from paymentprocess.errors import SchemaRevisionError
from paymentprocess.storage import migrate
from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.outbox import lease_batch
from paymentprocess.storage.tables import SCHEMA_REVISION, metadata

OLD_ROW = "INSERT INTO outbox_event (created_at, topic, payload) VALUES (:at, 'claim.created', :p)"


def test_upgrade_keeps_unsent_rows_and_downgrade_gives_back_0004(
    empty_uri: str, other_empty_uri: str
) -> None:
    engine, baseline = _engine(empty_uri), _engine(other_empty_uri)
    try:
        migrate.upgrade(engine, "0004")
        with engine.begin() as conn:
            conn.execute(text(OLD_ROW), {"at": utcnow(), "p": '{"claim_id": "C1"}'})
        assert migrate.upgrade(engine) == ("0004", SCHEMA_REVISION)
        assert _differences(engine, metadata) == []
        with unit_of_work(engine) as uow:
            rows = lease_batch(uow.conn, "relay-1", 10, 30)
            uow.commit()
        assert [(r.topic, r.payload, r.ordering_key) for r in rows] == [
            ("claim.created", {"claim_id": "C1"}, None)
        ]
        assert migrate.downgrade(engine, "0004") == (SCHEMA_REVISION, "0004")
        migrate.upgrade(baseline, "0004")
        assert _signature(engine, columns_in_order=False) == _signature(
            baseline, columns_in_order=False
        )
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM outbox_event")).scalar_one() == 1
        assert migrate.upgrade(engine) == ("0004", SCHEMA_REVISION)
    finally:
        engine.dispose()
        baseline.dispose()


def test_downgrade_that_would_lose_consumer_rows_is_refused(empty_uri: str) -> None:
    engine = _engine(empty_uri)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(metadata.tables["consumer_message"]).values(
                    consumer="payments",
                    message_id="1",
                    event_type="claim.created",
                    received_at=utcnow(),
                )
            )
        with pytest.raises(SchemaRevisionError, match="consumer_message hold rows"):
            migrate.downgrade(engine, "0004")
        assert migrate.current(engine).revision == SCHEMA_REVISION
        assert _differences(engine, metadata) == []
    finally:
        engine.dispose()
