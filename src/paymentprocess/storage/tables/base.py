"""What every table module shares: the one `metadata`, the schema revision, the column kinds.

- Money columns are BIGINT cents (`Money`); interest rates are BIGINT parts per million.
- `AutoId` is an auto-numbered BIGINT key (INTEGER on SQLite, to be the auto-numbered rowid).
- `extra_json()` is the `extra` JSON column of every imported collection: the fields the table
  has no column for, so that load → export gives back what was loaded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, MetaData

# The Alembic revision these tables are (storage/migrations/versions/): changing a table here
# needs a new revision there, and this constant names it (tests/migrations check both).
SCHEMA_REVISION = "0007"

# An auto-numbered BIGINT key; on SQLite it must be INTEGER to be the auto-numbered rowid.
AutoId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def Money(name: str, *, nullable: bool = True) -> Column[Any]:  # noqa: N802 - reads as a type
    """A money column: BIGINT cents."""
    return Column(name, BigInteger, nullable=nullable)


def extra_json() -> Column[Any]:
    """The `extra` JSON column: an imported document's fields the table has no column for."""
    return Column("extra", JSON, nullable=True)


def unique_where(name: str, *columns: str, where: tuple[str, str]) -> Index:
    """A partial unique index, the same on SQLite and PostgreSQL: `columns` unique among the
    rows whose column `where[0]` equals `where[1]`."""
    column, value = where
    condition = Column(column) == value
    return Index(name, *columns, unique=True, sqlite_where=condition, postgresql_where=condition)
