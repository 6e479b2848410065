"""Revision 0003 on a database at 0002 holding a generated cycle and intake claims (both
databases): every line gets its claim's NPI, every other row stays as it was, and the provider
aggregates (top providers) equal a GROUP BY over the lines' NPIs, also after a claim whose lines
name two providers is taken in. The downgrade refuses such a line and gives back 0002 without
one.
"""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import Engine, delete, func, inspect, select, update
from tests.db_snapshot import everything
from tests.integration.test_api_support import api_client, claim, line
from tests.migrations.test_upgrade_with_data import _copy, _intake, line_npis_of_their_claims

from paymentprocess.errors import SchemaRevisionError
from paymentprocess.storage import migrate
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for, ensure_schema
from paymentprocess.synth.cycle import generate_cycle

REVISION_0004_COLUMNS = {
    "funding_source": ("payer_id", *t.FUNDING_SOURCE_ACH),
    "payment_center": t.PAYMENT_CENTER_OUTPUT,
    "claim_fin_core": t.CLAIM_PATIENT,
    "service_line": ("line_item_control_number", "modifiers"),
    "benefit_plan": ("claim_filing_indicator",),
}


def _aggregates(engine: Engine) -> dict[str, tuple[int, int]]:
    agg = t.provider_aggregate.c
    with engine.connect() as conn:
        rows = conn.execute(select(agg.provider_npi, agg.claim_count, agg.total_net_fee)).all()
    return {npi: (int(n), int(net)) for npi, n, net in rows}


def _group_by_line_npi(engine: Engine) -> dict[str, tuple[int, int]]:
    """Per line NPI over the claims taken in by intake (`created_at` set; loaded and generated
    claims are not in the aggregate): the distinct claims and Σ(billed + coinsurance + copay −
    allowed) of the lines."""
    c, s = t.claim_fin_core.c, t.service_line.c
    net = func.sum(s.billed_amount + s.coinsurance_amount + s.copay_amount - s.allowed_amount)
    query = (
        select(s.provider_npi, func.count(func.distinct(c.claim_core_id)), net)
        .join(t.claim_fin_core, c.claim_core_id == s.claim_core_id)
        .where(c.created_at.is_not(None))
        .group_by(s.provider_npi)
    )
    with engine.connect() as conn:
        return {npi: (int(n), int(total)) for npi, n, total in conn.execute(query).all()}


def test_0002_database_upgrades_to_0003_with_aggregates_by_line_npi(
    empty_uri: str, other_empty_uri: str
) -> None:
    fresh, old = create_engine_for(other_empty_uri), create_engine_for(empty_uri)
    try:
        ensure_schema(fresh)
        generate_cycle(fresh, claims=200, seed=11, event_id="PE-1")
        _intake(other_empty_uri, fresh)
        with api_client(other_empty_uri, engine=fresh) as client:  # two more providers
            for n, npi in enumerate(("1234567893", "1999999991", "1234567893")):
                body = claim(
                    line(provider_npi=npi, member_copay=f"{n}.50"),
                    line(provider_npi=npi, provider_fees="99.99"),
                    claim_reference=f"OLD-{n}",
                )
                assert client.post("/claims", json=body).status_code == 201
        with fresh.begin() as conn:  # what 0002 could hold: one NPI per claim, no 0004/0005 data
            conn.execute(line_npis_of_their_claims())
            for table, columns in REVISION_0004_COLUMNS.items():
                conn.execute(update(t.metadata.tables[table]).values(dict.fromkeys(columns)))
            conn.execute(delete(t.payer))
            conn.execute(update(t.outbox_event).values(ordering_key=None))  # 0005's column

        migrate.upgrade(old, "0002")
        _copy(fresh, old)
        with old.connect() as conn, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*expression-based index")
            columns = {c["name"] for c in inspect(conn).get_columns("service_line")}
        assert "provider_npi" not in columns
        aggregates_before = _aggregates(old)
        assert len(aggregates_before) == 3
        # to head: 0003 fills the lines' NPIs, 0004 and 0005 only add empty columns
        assert migrate.upgrade(old) == ("0002", t.SCHEMA_REVISION)

        assert everything(old) == everything(fresh)  # lines with their claim's NPI, all else kept
        with old.connect() as conn:
            c, s = t.claim_fin_core.c, t.service_line.c
            lines = conn.execute(select(func.count()).select_from(t.service_line)).scalar_one()
            same = conn.execute(
                select(func.count())
                .select_from(
                    t.service_line.join(t.claim_fin_core, c.claim_core_id == s.claim_core_id)
                )
                .where(s.provider_npi == c.npi)
            ).scalar_one()
        assert lines > 200
        assert same == lines
        assert _aggregates(old) == aggregates_before == _group_by_line_npi(old)
        assert aggregates_before["1234567893"][0] == 2

        with api_client(empty_uri, engine=old) as client:  # lines of two providers, upgraded db
            mixed = claim(
                line(provider_npi="1234567893"),
                line(provider_npi="1888888888", member_copay="3.00"),
                line(provider_npi="1999999991"),
            )
            resp = client.post("/claims", json=mixed)
            assert resp.status_code == 201, resp.text
            assert resp.json()["provider_npi"] == "1234567893"
        after = _aggregates(old)
        assert after == _group_by_line_npi(old)
        assert after["1888888888"] == (1, 8425)  # 130.00 + 16.25 + 3.00 − 65.00
        assert after["1234567893"][0] == 3
        assert after["1999999991"][0] == 2

        with pytest.raises(SchemaRevisionError, match="another provider NPI"):
            migrate.downgrade(old, "0002")
        assert migrate.current(old).revision == t.SCHEMA_REVISION
        with old.begin() as conn:
            conn.execute(line_npis_of_their_claims())
        assert migrate.downgrade(old, "0002") == (t.SCHEMA_REVISION, "0002")
        assert migrate.upgrade(old) == ("0002", t.SCHEMA_REVISION)
        with old.connect() as conn:
            assert (
                conn.execute(
                    select(func.count())
                    .select_from(t.service_line)
                    .where(t.service_line.c.provider_npi.is_(None))
                ).scalar_one()
                == 0
            )
    finally:
        old.dispose()
        fresh.dispose()
