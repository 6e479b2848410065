"""Triggers that keep the claim list's counts equal to a GROUP BY over `claim_fin_core`.

`claim_provider_count(kind, provider, claims)` holds, per TIN (`kind` "tin") and per NPI ("npi"),
the number of claims the claim list can show (`service_begin_date` not NULL);
`claim_day_count(kind, provider, service_begin_date, claims)` the same per service begin date.
The database keeps them, in the writing statement's own transaction, whoever writes: intake,
`load`, `generate`, the engine, a hand-written SQL statement.

- PostgreSQL: statement-level AFTER INSERT / DELETE / UPDATE triggers with transition tables (one
  aggregated upsert per table and statement, so a COPY of 500,000 rows costs a GROUP BY, not
  500,000 upserts), and AFTER TRUNCATE empties the counts. Rows are upserted in key order, so
  concurrent single-statement writers lock them in the same order.
- SQLite: row-level triggers (SQLite has no statement triggers); its writers are serialised anyway.

`ensure_claim_counts(conn)` (called by `ensure_schema`) creates the indexes of `claim_fin_core`
an older database lacks, and — once, when the triggers are missing — fills the counts from the
claims already stored and creates the triggers, in the caller's transaction (PostgreSQL: under a
SHARE ROW EXCLUSIVE lock, so no claim is written between the GROUP BY and the triggers).

Bulk writers (`generate`, `load`, `event create`) do not pay the triggers' cost: inside their own
transaction, `storage.bulk_counts.bulk_counts(conn)` switches the triggers off for that transaction only, and the
writer adds what it wrote with `add_claim_counts(conn, claims)` (one GROUP BY of its frame, one
aggregated upsert per table) before it commits.

- PostgreSQL: `SET LOCAL paymentprocess.bulk_counts = 'on'`, which every trigger function reads
  with `current_setting(..., true)`; a transaction-local setting, so another connection's writes
  (intake during a `load`) still fire the triggers, and a rollback or commit ends it.
- SQLite: a row in `claim_count_bulk`, inserted by the writer and deleted before it commits; the
  triggers' `WHEN NOT EXISTS (SELECT 1 FROM claim_count_bulk)` skips them while it is there.
  SQLite has one writer at a time and no other connection sees the uncommitted row; a rollback
  takes it away with the writer's claims.

Revision 0007 replaced the triggers of 0001–0006 with these (storage/migrations/ddl_0007.py is
their frozen copy).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from paymentprocess.storage.tables import claim_fin_core

TRIGGERS = (
    "claim_provider_count_insert",
    "claim_provider_count_delete",
    "claim_provider_count_update",
)

_KEYS = """
    SELECT 'tin' AS kind, tax_id AS provider, service_begin_date AS day FROM {rows}
     WHERE tax_id IS NOT NULL AND service_begin_date IS NOT NULL
    UNION ALL
    SELECT 'npi', npi, service_begin_date FROM {rows}
     WHERE npi IS NOT NULL AND service_begin_date IS NOT NULL
"""

BACKFILL = (
    "DELETE FROM claim_provider_count",
    "DELETE FROM claim_day_count",
    f"""INSERT INTO claim_provider_count (kind, provider, claims)
        SELECT kind, provider, count(*) FROM ({_KEYS.format(rows="claim_fin_core")}) k
        GROUP BY kind, provider""",
    f"""INSERT INTO claim_day_count (kind, provider, service_begin_date, claims)
        SELECT kind, provider, day, count(*) FROM ({_KEYS.format(rows="claim_fin_core")}) k
        GROUP BY kind, provider, day""",
)

_PG_UPSERTS = """
    INSERT INTO claim_provider_count (kind, provider, claims)
    SELECT kind, provider, sum(n) FROM ({changes}) d
    GROUP BY kind, provider HAVING sum(n) <> 0 ORDER BY kind, provider
    ON CONFLICT (kind, provider)
    DO UPDATE SET claims = claim_provider_count.claims + EXCLUDED.claims;
    INSERT INTO claim_day_count (kind, provider, service_begin_date, claims)
    SELECT kind, provider, day, sum(n) FROM ({changes}) d
    GROUP BY kind, provider, day HAVING sum(n) <> 0 ORDER BY kind, provider, day
    ON CONFLICT (kind, provider, service_begin_date)
    DO UPDATE SET claims = claim_day_count.claims + EXCLUDED.claims;"""


def _pg_changes(*parts: tuple[str, int]) -> str:
    return " UNION ALL ".join(
        f"SELECT kind, provider, day, {sign} AS n FROM ({_KEYS.format(rows=rows)}) {rows}_k"
        for rows, sign in parts
    )


# A bulk statement (COPY of a million claims, `event create` assigning them) hands the trigger
# millions of transition rows to group: with the default 4 MB the GROUP BY spills to disk
# (measured: assigning 1M claims took 42.5 s instead of 33.4 s; the UPDATE alone 28.8 s).
TRIGGER_WORK_MEM = "256MB"

BULK_SETTING = "paymentprocess.bulk_counts"  # PostgreSQL: 'on' inside a bulk writer's transaction
_PG_BULK = f"""
    IF current_setting('{BULK_SETTING}', true) = 'on' THEN
        RETURN NULL;  -- a bulk writer keeps the counts itself (bulk_counts, add_claim_counts)
    END IF;"""


def _pg_function(name: str, body: str, *, bulk_skips: bool = True) -> str:
    skip = _PG_BULK if bulk_skips else ""
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"SET work_mem = '{TRIGGER_WORK_MEM}' AS $fn$\n"
        f"BEGIN{skip}\n{body}\n    RETURN NULL;\nEND\n$fn$"
    )


POSTGRESQL_DDL = (
    _pg_function(
        "claim_provider_count_insert",
        _PG_UPSERTS.format(changes=_pg_changes(("new_rows", 1))),
    ),
    _pg_function(
        "claim_provider_count_delete",
        _PG_UPSERTS.format(changes=_pg_changes(("old_rows", -1))),
    ),
    _pg_function(
        "claim_provider_count_update",
        _PG_UPSERTS.format(changes=_pg_changes(("old_rows", -1), ("new_rows", 1))),
    ),
    _pg_function(
        "claim_provider_count_truncate",
        "    DELETE FROM claim_provider_count;\n    DELETE FROM claim_day_count;",
        bulk_skips=False,  # after a TRUNCATE there is nothing to count, whoever truncated
    ),
    """CREATE OR REPLACE TRIGGER claim_provider_count_insert AFTER INSERT ON claim_fin_core
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION claim_provider_count_insert()""",
    """CREATE OR REPLACE TRIGGER claim_provider_count_delete AFTER DELETE ON claim_fin_core
       REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION claim_provider_count_delete()""",
    """CREATE OR REPLACE TRIGGER claim_provider_count_update AFTER UPDATE ON claim_fin_core
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION claim_provider_count_update()""",
    """CREATE OR REPLACE TRIGGER claim_provider_count_truncate AFTER TRUNCATE ON claim_fin_core
       FOR EACH STATEMENT EXECUTE FUNCTION claim_provider_count_truncate()""",
)


def _sqlite_add(row: str, kind: str, column: str) -> str:
    when = f"WHERE {row}.{column} IS NOT NULL AND {row}.service_begin_date IS NOT NULL"
    return f"""
    INSERT INTO claim_provider_count (kind, provider, claims)
    SELECT '{kind}', {row}.{column}, 1 {when}
    ON CONFLICT (kind, provider) DO UPDATE SET claims = claims + 1;
    INSERT INTO claim_day_count (kind, provider, service_begin_date, claims)
    SELECT '{kind}', {row}.{column}, {row}.service_begin_date, 1 {when}
    ON CONFLICT (kind, provider, service_begin_date) DO UPDATE SET claims = claims + 1;"""


def _sqlite_remove(row: str, kind: str, column: str) -> str:
    return f"""
    UPDATE claim_provider_count SET claims = claims - 1
     WHERE kind = '{kind}' AND provider = {row}.{column} AND {row}.service_begin_date IS NOT NULL;
    UPDATE claim_day_count SET claims = claims - 1
     WHERE kind = '{kind}' AND provider = {row}.{column}
       AND service_begin_date = {row}.service_begin_date;"""


# SQLite: skipped while a bulk writer's flag row is in claim_count_bulk (bulk_counts).
_SQLITE_WHEN = "WHEN NOT EXISTS (SELECT 1 FROM claim_count_bulk) "

SQLITE_DDL = (
    "CREATE TRIGGER IF NOT EXISTS claim_provider_count_insert AFTER INSERT ON claim_fin_core "
    + _SQLITE_WHEN
    + "BEGIN"
    + _sqlite_add("NEW", "tin", "tax_id")
    + _sqlite_add("NEW", "npi", "npi")
    + "\nEND",
    "CREATE TRIGGER IF NOT EXISTS claim_provider_count_delete AFTER DELETE ON claim_fin_core "
    + _SQLITE_WHEN
    + "BEGIN"
    + _sqlite_remove("OLD", "tin", "tax_id")
    + _sqlite_remove("OLD", "npi", "npi")
    + "\nEND",
    "CREATE TRIGGER IF NOT EXISTS claim_provider_count_update "
    "AFTER UPDATE OF tax_id, npi, service_begin_date ON claim_fin_core "
    + _SQLITE_WHEN
    + "BEGIN"
    + _sqlite_remove("OLD", "tin", "tax_id")
    + _sqlite_remove("OLD", "npi", "npi")
    + _sqlite_add("NEW", "tin", "tax_id")
    + _sqlite_add("NEW", "npi", "npi")
    + "\nEND",
)


def _triggers_present(conn: Connection) -> bool:
    names = "(" + ", ".join(f"'{name}'" for name in TRIGGERS) + ")"
    if conn.dialect.name == "sqlite":
        sql = f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN {names}"
    else:
        sql = (
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'claim_fin_core'::regclass "
            f"AND tgname IN {names}"
        )
    return int(conn.execute(text(sql)).scalar_one()) == len(TRIGGERS)


def _index_names(conn: Connection) -> set[str]:
    """claim_fin_core's index names (SQLAlchemy's reflection skips expression indexes)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'claim_fin_core'"
    else:
        sql = (
            "SELECT indexname FROM pg_indexes "
            "WHERE tablename = 'claim_fin_core' AND schemaname = current_schema()"
        )
    return set(conn.exec_driver_sql(sql).scalars())


def ensure_claim_counts(conn: Connection) -> None:
    """Missing claim_fin_core indexes; counts filled and triggers created when they are missing."""
    have = _index_names(conn)
    for index in sorted(claim_fin_core.indexes, key=lambda i: str(i.name)):
        if index.name not in have:
            index.create(conn)
    if _triggers_present(conn):
        return
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("LOCK TABLE claim_fin_core IN SHARE ROW EXCLUSIVE MODE")
        if _triggers_present(conn):  # another process got there first
            return
    for statement in BACKFILL:
        conn.exec_driver_sql(statement)
    for ddl in SQLITE_DDL if conn.dialect.name == "sqlite" else POSTGRESQL_DDL:
        conn.exec_driver_sql(ddl)
