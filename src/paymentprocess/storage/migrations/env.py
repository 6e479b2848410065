"""Alembic's environment: online on the connection `storage.migrate` hands over, or offline (--sql).

Online, the caller's connection is already inside its transaction, so Alembic runs every
revision of the upgrade in it and the caller commits once: a crash leaves the revision the
database had before or the target, never a revision half done. Both databases do transactional
DDL here: PostgreSQL natively, SQLite because the engine issues BEGIN itself (pysqlite's own
transaction handling, which commits before DDL, is off; see storage.database). SQLite rebuilds
tables in batch mode (`render_as_batch`) when an ALTER needs it.
"""

from __future__ import annotations

from alembic import context

from paymentprocess.storage.tables import metadata

config = context.config


def _run_offline() -> None:
    context.configure(
        dialect_name=config.attributes["dialect_name"],
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        transactional_ddl=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        transactional_ddl=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
