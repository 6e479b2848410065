"""Revision 0004 (payment outputs' data): down to 0003 gives back 0003's schema with its rows,
and a downgrade that would lose payer data is refused (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text
from tests.migrations.test_schema_revisions import _differences, _engine, _signature

from paymentprocess.errors import SchemaRevisionError
from paymentprocess.storage import migrate
from paymentprocess.storage.tables import SCHEMA_REVISION, metadata


def test_downgrade_to_0002_keeps_rows_and_gives_back_its_schema(
    empty_uri: str, other_empty_uri: str
) -> None:
    engine, baseline = _engine(empty_uri), _engine(other_empty_uri)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(metadata.tables["funding_source"]).values(
                    funding_source_id="FS-1", name="Ops", minimum_payment=2500
                )
            )
        assert migrate.downgrade(engine, "0003") == (SCHEMA_REVISION, "0003")
        migrate.upgrade(baseline, "0003")
        assert _signature(engine, columns_in_order=False) == _signature(
            baseline, columns_in_order=False
        )
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT funding_source_id, minimum_payment FROM funding_source")
            )
            assert rows.all() == [("FS-1", 2500)]
        assert migrate.upgrade(engine) == ("0003", SCHEMA_REVISION)
        assert _differences(engine, metadata) == []
    finally:
        engine.dispose()
        baseline.dispose()


@pytest.mark.parametrize(
    ("table", "values", "what"),
    [
        ("payer", {"payer_id": "P1", "legal_name": "Plan"}, "payer hold rows"),
        (
            "benefit_plan",
            {"benefit_plan_id": "BP", "claim_filing_indicator": "12"},
            "benefit_plan hold claim_filing_indicator",
        ),
    ],
)
def test_downgrade_that_would_lose_outputs_data_is_refused(
    empty_uri: str, table: str, values: dict[str, str], what: str
) -> None:
    engine = _engine(empty_uri)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(insert(metadata.tables[table]).values(**values))
        with pytest.raises(SchemaRevisionError, match=what):
            migrate.downgrade(engine, "0003")
        assert migrate.current(engine).revision == SCHEMA_REVISION
        assert _differences(engine, metadata) == []
    finally:
        engine.dispose()
