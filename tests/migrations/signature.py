"""A database's whole schema as comparable text: tables, columns, keys, indexes (expressions and
partial ones too), views, triggers and (PostgreSQL) functions — everything Alembic's
compare_metadata does not see. Two databases with equal signatures have the same schema."""

from __future__ import annotations

import re

from sqlalchemy import Connection

_SPACE = re.compile(r"\s+")


def _norm(sql: str | None) -> str:
    return _SPACE.sub(" ", sql or "").replace("( ", "(").replace(" )", ")").strip()


def _sqlite(conn: Connection, *, columns_in_order: bool) -> dict[str, list[str]]:
    rows = conn.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'alembic_version'"
    ).all()
    out: dict[str, list[str]] = {"table": [], "index": [], "view": [], "trigger": []}
    for kind, name, _table, sql in rows:
        if kind == "table" and not columns_in_order:
            cols = conn.exec_driver_sql(f'PRAGMA table_xinfo("{name}")').all()
            out["table"].extend(
                f"{name}.{c[1]} {c[2]} notnull={c[3]} default={c[4]} pk={c[5]}" for c in cols
            )
        else:
            out[kind].append(f"{name}: {_norm(sql)}")
    return {k: sorted(v) for k, v in out.items()}


def _postgresql(conn: Connection) -> dict[str, list[str]]:
    def rows(sql: str) -> list[str]:
        return sorted(" | ".join(str(v) for v in row) for row in conn.exec_driver_sql(sql))

    schema = "table_schema = current_schema() AND table_name <> 'alembic_version'"
    return {
        "column": rows(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            f"FROM information_schema.columns WHERE {schema}"
        ),
        "constraint": rows(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace "
            "AND conrelid::regclass::text <> 'alembic_version'"
        ),
        "index": rows(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'"
        ),
        "view": rows(
            "SELECT viewname, pg_get_viewdef(viewname::regclass) FROM pg_views "
            "WHERE schemaname = current_schema()"
        ),
        "trigger": rows(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
        ),
        "function": rows(
            "SELECT proname, pg_get_functiondef(oid) FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace"
        ),
    }


def signature(conn: Connection, *, columns_in_order: bool = True) -> dict[str, list[str]]:
    """The schema of `conn`'s database. SQLite: the stored CREATE statements (`columns_in_order`)
    or, for tables, their columns by name (a column added later by ALTER comes last in the text)."""
    if conn.dialect.name == "sqlite":
        return _sqlite(conn, columns_in_order=columns_in_order)
    return _postgresql(conn)
