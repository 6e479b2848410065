"""An upgrade killed midway leaves the old revision or the new one, never a schema in between.

The whole upgrade (stamping a 0.1.0 database 0001, then every revision to the target) is one
transaction. PostgreSQL rolls back transactional DDL of a dead connection. SQLite: the engine
issues BEGIN itself, so ALTER/CREATE/DROP and the alembic_version row are in that transaction
too; a process killed before COMMIT leaves only uncommitted pages in the WAL, which the next
connection ignores (the database file still holds the last committed state), and a COMMIT that
returned is durable in the WAL. The test SIGKILLs a real `db upgrade` at points inside it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.migrations.signature import signature
from tests.migrations.test_schema_revisions import FIXTURES, legacy_0_1_0

from paymentprocess.storage import migrate
from paymentprocess.storage.database import create_engine_for
from paymentprocess.storage.tables import SCHEMA_REVISION


def _db_upgrade(uri: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PAYMENT_FAULT_AT"}
    if fault is not None:
        env["PAYMENT_FAULT_AT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--db-uri", uri, "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )


@pytest.mark.parametrize("point", ["migrate:0002", "migrate:0003", "migrate:commit"])
def test_an_upgrade_killed_before_its_commit_leaves_0_1_0(empty_uri: str, point: str) -> None:
    engine = create_engine_for(empty_uri)
    try:
        legacy_0_1_0(engine)
        killed = _db_upgrade(empty_uri, f"kill:{point}")
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        state = migrate.current(engine)
        assert (state.revision, state.legacy) == ("0001", True)
        expected = json.loads((FIXTURES / f"{engine.dialect.name}.json").read_text())
        with engine.connect() as conn:
            assert signature(conn) == expected
        done = _db_upgrade(empty_uri)
        assert done.returncode == 0, done.stderr
        assert f"from revision 0001 to {SCHEMA_REVISION}" in done.stdout
    finally:
        engine.dispose()


def test_an_upgrade_killed_after_its_commit_is_done(empty_uri: str) -> None:
    engine = create_engine_for(empty_uri)
    try:
        legacy_0_1_0(engine)
        killed = _db_upgrade(empty_uri, "kill:migrate:committed")
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert migrate.current(engine).revision == SCHEMA_REVISION
        again = _db_upgrade(empty_uri)
        assert again.returncode == 0, again.stderr
        assert "nothing to do" in again.stdout
    finally:
        engine.dispose()
