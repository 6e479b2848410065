"""Helpers for the claims-service tests: an app on the test database, sample claims, row counts.

Every API test takes the `db_uri` fixture (SQLite and PostgreSQL) and builds its client here, so
each test gets its own app, engine and rate limiter.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from paymentprocess.api.app import create_app
from paymentprocess.config import Settings
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for

# Byte for byte the shared sample /work/shared/data/claim_1234.csv (checked when it is present).
CLAIM_1234_CSV = (
    'service date,"submitted procedure",quadrant,"Plan/Group #",Subscriber#,"Provider NPI",'
    '"provider fees","Allowed fees","member coinsurance","member copay"\n'
    "3/28/18 0:00,D0180,,GRP-1000,3730189502,1497775530,$100.00 ,$100.00 ,$0.00 ,$0.00 \n"
    "3/28/18 0:00,D0210,,GRP-1000,3730189502,1497775530,$108.00 ,$108.00 ,$0.00 ,$0.00 \n"
    "3/28/18 0:00,D4346,,GRP-1000,3730189502,1497775530,$130.00 ,$65.00 ,$16.25 ,$0.00 \n"
    "3/28/18 0:00,D4211,UR,GRP-1000,3730189502,1497775530,$178.00 ,$178.00 ,$35.60 ,$0.00 "
)
SHARED_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "claim_1234.csv"

INTAKE_TABLES = (
    t.claim_fin_core,
    t.service_line,
    t.provider_aggregate,
    t.outbox_event,
    t.idempotency_key,
)

GOOD_LINE: dict[str, Any] = {
    "service_date": "2018-03-28",
    "submitted_procedure": "D4346",
    "quadrant": None,
    "plan_group": "GRP-1000",
    "subscriber_number": "3730189502",
    "provider_npi": "1497775530",
    "provider_fees": "130.00",
    "allowed_fees": "65.00",
    "member_coinsurance": "16.25",
    "member_copay": "0.00",
}


def line(**changes: Any) -> dict[str, Any]:
    """A valid service line with `changes` applied (a value of ... removes the field)."""
    result = copy.deepcopy(GOOD_LINE)
    for name, value in changes.items():
        if value is ...:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def claim(*lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A JSON claim body; one good line unless lines are given."""
    return {**fields, "lines": list(lines) or [line()]}


@contextmanager
def api_client(
    db_uri: str, *, engine: Engine | None = None, **settings: Any
) -> Iterator[TestClient]:
    """A TestClient over a fresh app on `db_uri` (settings overrides as keyword arguments)."""
    own = engine is None
    engine = create_engine_for(db_uri) if engine is None else engine
    app = create_app(Settings(db_uri=db_uri, **settings), engine=engine)
    try:
        with TestClient(app) as client:
            yield client
    finally:
        if own:
            engine.dispose()


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table intake writes."""
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in INTAKE_TABLES
        }
