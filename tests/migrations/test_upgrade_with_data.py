"""A 0.1.0 database holding a paid cycle and intake claims upgrades in place (both databases).

The rows are made by today's code on a fresh database, restricted to what 0.1.0 could hold (the
new columns at their defaults, no backup_event rows), and copied through SQL into a database
that is exactly 0.1.0's (schema_version 1, no alembic_version); a few claims get the NULL or
blank ParentClaimCore_ID that 0.1.0 stored. After `upgrade` every table equals the fresh
database row for row (parents normalised, new columns at their defaults), and the second event's
Dry Run and Final Run give the same rows in both.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

from sqlalchemy import Engine, Update, delete, insert, inspect, null, select, text, update
from tests.db_snapshot import everything, snapshot
from tests.integration.test_api_support import api_client, claim, line
from tests.migrations.test_schema_revisions import legacy_0_1_0

from paymentprocess.service.events import create_event
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import migrate
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for, ensure_schema
from paymentprocess.synth.cycle import generate_cycle

COUNTS = {"claim_provider_count", "claim_day_count"}  # kept by the triggers of claim_fin_core
NEW_COLUMNS_DEFAULTS: dict[str, dict[str, Any]] = {
    "payment_center": {"address_line2": None},
    "backup_payment_center": {"address_line2": None},
    "refund": {"opening_applied_amount": 0},
    **{
        name: {
            f"billing_provider_address_{p}": None
            for p in ("line1", "line2", "city", "state", "zip")
        }
        for name in ("claim_fin_core", "claim_ws_core")
    },
}
# revision 0004's columns (the payment outputs' data): 0.1.0 had none of them
for _name, _columns in {
    "funding_source": ("payer_id", *t.FUNDING_SOURCE_ACH),
    "payment_center": t.PAYMENT_CENTER_OUTPUT,
    "backup_payment_center": t.PAYMENT_CENTER_OUTPUT,
    "claim_fin_core": t.CLAIM_PATIENT,
    "claim_ws_core": t.CLAIM_PATIENT,
    "service_line": ("line_item_control_number", "modifiers"),
    "benefit_plan": ("claim_filing_indicator",),
}.items():
    NEW_COLUMNS_DEFAULTS.setdefault(_name, {}).update(dict.fromkeys(_columns, null()))
# revision 0005's columns (the outbox relayed): 0.1.0's outbox rows had none of them
NEW_COLUMNS_DEFAULTS["outbox_event"] = dict.fromkeys(
    ("ordering_key", "claimed_by", "lease_until"), null()
)
RESULTS = (
    t.claim_result,
    t.payment_register,
    t.payment_center,
    t.over_and_under_payment,
    t.over_and_under_payment_application,
    t.sequence_numbers,
    t.claim_ws_result,
    t.payment_event_ws_payee,
)


def line_npis_of_their_claims() -> Update:
    """Every service line's NPI set to its claim's (what revision 0003 fills in)."""
    sl, c = t.service_line, t.claim_fin_core
    claim_npi = select(c.c.npi).where(c.c.claim_core_id == sl.c.claim_core_id).scalar_subquery()
    return update(sl).values(provider_npi=claim_npi)


def _without_audit(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "audit_log"}


def _as_0_1_0_could_hold(engine: Engine) -> None:
    with engine.begin() as conn:
        for name, values in NEW_COLUMNS_DEFAULTS.items():
            conn.execute(update(t.metadata.tables[name]).values(**values))
        conn.execute(delete(t.backup_event))
        conn.execute(line_npis_of_their_claims())  # one NPI per claim, as revision 0003 fills
        conn.execute(delete(t.payer))
        for table in (t.claim_fin_core, t.claim_ws_core):  # what load stores today
            conn.execute(
                update(table)
                .where(table.c.parent_claim_core_id.is_(None))
                .values(parent_claim_core_id=table.c.claim_core_id)
            )


def _copy(source: Engine, target: Engine) -> None:
    """Every row of `source` into the 0.1.0 tables of `target`, in the columns 0.1.0 has."""
    with target.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index")
        inspector = inspect(conn)
        columns = {
            n: [c["name"] for c in inspector.get_columns(n)] for n in inspector.get_table_names()
        }
    with source.connect() as src, target.begin() as dst:
        for table in t.metadata.sorted_tables:
            if table.name in COUNTS or table.name not in columns:
                continue
            names = columns[table.name]
            rows = [dict(r._mapping) for r in src.execute(select(*(table.c[n] for n in names)))]
            if rows:
                dst.execute(insert(table), rows)
        if target.dialect.name == "postgresql":  # ids were copied: move the sequences past them
            serials = dst.exec_driver_sql(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_default LIKE 'nextval%%'"
            ).all()
            for name, column in serials:
                dst.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
                    f"coalesce(max({column}), 0) + 1, false) FROM {name}"
                )


def _as_0_1_0_stored_parents(engine: Engine) -> dict[str, str]:
    """NULL and blank parents on a few original claims (0.1.0 kept them as given)."""
    c = t.claim_fin_core
    with engine.begin() as conn:
        ids = (
            conn.execute(
                select(c.c.claim_core_id)
                .where(c.c.parent_claim_core_id == c.c.claim_core_id)
                .order_by(c.c.claim_core_id)
                .limit(4)
            )
            .scalars()
            .all()
        )
        given = dict(zip(ids, [None, "", "  ", "\t"], strict=True))
        for claim_id, parent in given.items():
            conn.execute(
                update(c).where(c.c.claim_core_id == claim_id).values(parent_claim_core_id=parent)
            )
    return {claim_id: claim_id for claim_id in given}


def _dry_and_final(engine: Engine, event_id: str) -> None:
    dry = run_payment_event(engine, event_id, "dry-run")
    assert dry.exit_code == 0, dry.document["findings"]
    # 0.1.0 held no account types: the Dry Run warns EFT_BANK_INVALID for every EFT payee paid,
    # and the payment team sets them before the Final Run
    pc = t.payment_center
    with engine.begin() as conn:
        conn.execute(
            update(pc)
            .where(pc.c.payment_method == "EFT", pc.c.bank_account_type.is_(None))
            .values(bank_account_type="C")
        )
    final = run_payment_event(engine, event_id, "final")
    assert final.exit_code == 0, final.message
    assert final.document["status"] == "Completed"


def _intake(uri: str, engine: Engine) -> None:
    """Three claims through the HTTP intake, of a benefit plan the generated cycle has."""
    with engine.connect() as conn:
        plan = conn.execute(select(t.benefit_plan.c.benefit_plan_id).limit(1)).scalar_one()
    with api_client(uri, engine=engine) as client:
        for n in range(3):
            body = claim(
                line(subscriber_number=f"37301895{n:02d}", plan_group=plan),
                provider_tin="111111111",
                claim_reference=f"INTAKE-{n}",
            )
            resp = client.post("/claims", json=body)
            assert resp.status_code == 201, resp.text


def test_a_0_1_0_database_with_a_paid_cycle_upgrades_in_place(
    empty_uri: str, other_empty_uri: str
) -> None:
    fresh, old = create_engine_for(other_empty_uri), create_engine_for(empty_uri)
    try:
        ensure_schema(fresh)
        generate_cycle(fresh, claims=300, seed=7, event_id="PE-1")
        _as_0_1_0_could_hold(fresh)
        _dry_and_final(fresh, "PE-1")
        _intake(other_empty_uri, fresh)
        with fresh.connect() as conn:
            funding = conn.execute(
                select(t.payment_event.c.funding_source_id).where(
                    t.payment_event.c.payment_event_id == "PE-1"
                )
            ).scalar_one()
        created = create_event(
            fresh,
            payment_event_id="PE-2",
            event_type="Provider",
            payment_due_date=dt.date(2025, 6, 30),
            business_id=None,
            funding_source_id=funding,
            inclusion_criteria_id=None,
        )
        assert created["claims_assigned"] >= 3
        _as_0_1_0_could_hold(fresh)

        legacy_0_1_0(old)
        _copy(fresh, old)
        normalised = _as_0_1_0_stored_parents(old)
        assert migrate.upgrade(old) == ("0001", t.SCHEMA_REVISION)

        # The fresh database's audit rows (append-only) have no place in 0.1.0; 0006 starts empty.
        assert everything(old).pop("audit_log") == []
        assert _without_audit(everything(old)) == _without_audit(everything(fresh))
        with old.connect() as conn:
            c = t.claim_fin_core
            parents = dict(
                conn.execute(
                    select(c.c.claim_core_id, c.c.parent_claim_core_id).where(
                        c.c.claim_core_id.in_(normalised)
                    )
                ).all()
            )
            assert parents == normalised
            assert (
                conn.execute(
                    text("SELECT count(*) FROM refund WHERE opening_applied_amount <> 0")
                ).scalar_one()
                == 0
            )
            assert (
                conn.execute(
                    select(t.claim_fin_core.c.claim_reference).where(
                        t.claim_fin_core.c.claim_reference.is_not(None)
                    )
                )
                .scalars()
                .all()
            )

        _dry_and_final(old, "PE-2")
        _dry_and_final(fresh, "PE-2")
        assert snapshot(old, RESULTS) == snapshot(fresh, RESULTS)
        with old.connect() as conn:
            paid = conn.execute(
                select(t.claim_result).where(
                    t.claim_result.c.payment_event_id == "PE-2", t.claim_result.c.outcome == "paid"
                )
            ).all()
        assert paid
    finally:
        old.dispose()
        fresh.dispose()
