"""Start-up of the program (issue 16): `--help`, `--version` and every command's `--help` load no
heavy library. The real entry point runs in a fresh interpreter under `python -X importtime`, whose
report names every module imported; none of HEAVY may be among them. Speed itself is measured in
docs/performance.md ("CLI start-up (issue 16)"), never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from paymentprocess.cli import main as cli_main

HEAVY = ("sqlalchemy", "polars", "pyarrow", "fastapi", "psycopg", "adbc_driver_manager")


def _every_command() -> list[list[str]]:
    """Every command and group of the program, as its words (`["event", "create"]`)."""
    cli_main._register()
    found: list[list[str]] = []

    def walk(group: Any, words: list[str]) -> None:
        for name, command in sorted(group.commands.items()):
            found.append([*words, name])
            if hasattr(command, "commands"):  # a group (typer.core.TyperGroup)
                walk(command, [*words, name])

    root = typer.main.get_command(cli_main.app)
    assert hasattr(root, "commands")
    walk(root, [])
    return found


# Every command's --help in one interpreter (one process, not forty): the modules it loaded after.
EVERY_HELP = """
import json, sys
from paymentprocess.cli.main import _register, app
_register()
for words in json.loads(sys.argv[1]):
    try:
        app([*words, "--help"], prog_name="paymentprocess")
    except SystemExit as exc:
        assert exc.code == 0, (words, exc.code)
print(json.dumps(sorted(sys.modules)))
"""


def _imported(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime <args>`; its result and the top-level names it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    env["COLUMNS"] = "100"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the report's header line
                names.add(name.split(".")[0])
    return done, names


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check below can fail: a module that needs the database shows SQLAlchemy in the report."""
    done, names = _imported("-c", "import paymentprocess.storage.database", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"sqlalchemy", "polars"} <= names
    assert "paymentprocess" in names


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], "Usage: python -m paymentprocess [OPTIONS] COMMAND [ARGS]..."),
        (["-h"], "Usage: python -m paymentprocess [OPTIONS] COMMAND [ARGS]..."),
        (["--version"], "paymentprocess 0.1.0"),
        (["run", "--help"], "Usage: python -m paymentprocess run [OPTIONS]"),
    ],
)
def test_help_and_version_import_nothing_heavy(
    args: list[str], expected: str, tmp_path: Path
) -> None:
    done, names = _imported("-m", "paymentprocess", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout
    assert sorted(names & set(HEAVY)) == []
    assert not (tmp_path / "paymentprocess.db").exists()  # no database was opened either


def test_every_command_help_imports_nothing_heavy(tmp_path: Path) -> None:
    commands = _every_command()
    assert ["run"] in commands
    assert ["event", "create"] in commands
    assert ["generate", "query-set"] in commands
    done, names = _imported("-c", EVERY_HELP, json.dumps(commands), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    for words in commands:
        assert f"Usage: paymentprocess {' '.join(words)} [OPTIONS]" in done.stdout
    loaded = {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}
    assert sorted((names | loaded) & set(HEAVY)) == []
