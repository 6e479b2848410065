"""Fuzzing the command line (both databases): random ids, modes, numbers, URIs and paths given to
every command that works on data end with exit code 0, 1 or 2 and never with a traceback.

Commands run in process through typer's CliRunner (a subprocess each would cost three seconds of
interpreter start-up); a few real subprocesses check the same of `python -m paymentprocess`.
`serve`, `bench` and `demo` are left out (a server, a benchmark and a whole demo per example);
`generate` gets small or absurd sizes only. Paths stay inside the test's directory.
`PAYMENT_FUZZ_SCALE` multiplies the number of examples.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from typer.testing import CliRunner

from paymentprocess.cli.main import _register, app
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import database as storage_database
from paymentprocess.synth.cycle import generate_cycle

SCALE = int(os.environ.get("PAYMENT_FUZZ_SCALE", "1"))
BOTH = pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)

WORDS = st.one_of(
    st.sampled_from(
        ["PE-1", "PE-0", "", " ", "-", "--", "-p", "PE-1'; DROP TABLE x;--", "\x00", "é", "0", "-1"]
    ),
    st.text(max_size=16),
)
NUMBERS = st.one_of(
    st.sampled_from(["0", "-1", "1", "200", "abc", "1e3", "", "99999999999999999999", "2.5"]),
    st.integers(-(2**70), 2**70).map(str),
)
MODES = st.sampled_from(["dry-run", "final", "DRY-RUN", "Final", "dry_run", "", "x", "--json"])


def _uris(good: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(good),
        st.just(good),
        st.sampled_from(
            [
                "",
                "sqlite://",
                "sqlite:///",
                "sqlite:////nonexistent-dir/x.db",
                "sqlite:///./sub/dir/x.db",
                "mysql://u@h/db",
                "postgresql://",
                "postgresql://postgres:S3cretPw@127.0.0.1:1/nope",
                "postgresql://postgres@127.0.0.1:5432/pp_no_such_db",
                "postgres://postgres@127.0.0.1:5432/pp_no_such_db?sslmode=bogus",
                "postgresql://a@[::1",
                "sqlite:///x.db?mode=ro&uri=true",
                "not a uri",
            ]
        ),
        st.text(max_size=20),
    )


def _paths(root: Path) -> st.SearchStrategy[str]:
    parts = st.sampled_from(["a", "..", ".", "b c", "x.json", "ClaimFinCore.json", "\u00e9", ""])
    return st.lists(parts, max_size=3).map(lambda ps: str(Path(root, "sandbox", *ps)))


def _commands(good: str, root: Path) -> st.SearchStrategy[list[str]]:
    uri = _uris(good)
    path = _paths(root)
    opt = st.one_of(st.just([]), st.tuples(uri).map(lambda u: ["--db-uri", u[0]]))
    with_uri = opt.map(lambda extra: extra)
    return st.one_of(
        st.tuples(with_uri, WORDS, MODES, st.sampled_from([[], ["--json"], ["--force"], ["--validate-only"], ["--pc-type", "dmr"], ["--pc-type", "x"], ["--workers", "0"], ["--batch-size", "-5"]])).map(
            lambda t: [*t[0], "run", "-p", t[1], "-m", t[2], *t[3]]
        ),
        st.tuples(with_uri, WORDS).map(lambda t: [*t[0], "dry-run", "-p", t[1]]),
        st.tuples(with_uri, WORDS).map(lambda t: [*t[0], "final-run", "-p", t[1], "--json"]),
        st.tuples(with_uri, WORDS).map(lambda t: [*t[0], "event", "show", t[1]]),
        with_uri.map(lambda extra: [*extra, "event", "list"]),
        st.tuples(with_uri, WORDS, WORDS, WORDS, WORDS).map(
            lambda t: [*t[0], "event", "create", "--id", t[1], "--type", t[2], "--payment-date", t[3], "--funding-source", t[4]]
        ),
        st.tuples(with_uri, path).map(lambda t: [*t[0], "load", t[1]]),
        st.tuples(with_uri, path, st.sampled_from(["json", "jsonl", "xml", ""])).map(
            lambda t: [*t[0], "export", t[1], "--format", t[2]]
        ),
        st.tuples(with_uri, WORDS, MODES, path).map(
            lambda t: [*t[0], "export-claims", "-p", t[1], "-m", t[2], "-o", t[3]]
        ),
        st.tuples(with_uri, NUMBERS).map(lambda t: [*t[0], "restore", "--backup", t[1]]),
        st.tuples(with_uri, st.sampled_from([[], ["--json"], ["--nope"]])).map(lambda t: [*t[0], "sequence", "list", *t[1]]),
        st.tuples(with_uri, st.one_of(WORDS, st.sampled_from(["PaymentCenter", "OverAndUnderPayment", "CheckNumber:FS1", "CheckNumber:", "CheckNumber:\x00"])), NUMBERS, st.sampled_from([[], ["--force"]])).map(
            lambda t: [*t[0], "sequence", "set", t[1], t[2], *t[3]]
        ),
        st.tuples(with_uri, st.sampled_from(["abc", "-3", "0", "199", "10000001", "99999999999999999999"]), NUMBERS, WORDS).map(
            lambda t: [*t[0], "generate", "--claims", t[1], "--seed", t[2], "-p", t[3]]
        ),
        st.tuples(with_uri, st.sampled_from(["--log-level", "--version", "--nope"]), WORDS).map(
            lambda t: [*t[0], t[1], t[2], "event", "list"]
        ),
    )  # fmt: skip


@pytest.fixture
def cli_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Engine]]:
    """Run in tmp_path; every engine the CLI makes is disposed after each command; logging is
    restored afterwards (the CLI points the root logger at CliRunner's captured stderr)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PAYMENT_"):
            monkeypatch.delenv(name)
    engines: list[Engine] = []
    real = storage_database.create_engine_for  # the CLI imports it when a command runs

    def tracked(uri: str, **kw: Any) -> Engine:
        engine = real(uri, **kw)
        engines.append(engine)
        return engine

    monkeypatch.setattr(storage_database, "create_engine_for", tracked)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    _register()
    try:
        yield engines
    finally:
        for engine in engines:
            engine.dispose()
        root.handlers[:] = handlers
        root.setLevel(level)


@BOTH
def test_cli_exits_0_1_or_2_without_a_traceback(
    db_uri: str, engine: Engine, tmp_path: Path, cli_sandbox: list[Engine]
) -> None:
    generate_cycle(engine, 200, 1, event_id="PE-1")
    run_payment_event(engine, "PE-1", "dry-run")
    runner = CliRunner()
    codes: dict[int, int] = {}

    @settings(
        max_examples=150 * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(args=_commands(db_uri, tmp_path))
    def check(args: list[str]) -> None:
        result = runner.invoke(app, args)
        for engine_made in cli_sandbox:
            engine_made.dispose()
        cli_sandbox.clear()
        shown = f"{args!r} → {result.exit_code}\n{result.output[-2000:]}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"uncaught {type(result.exception).__name__}: {shown}") from (
                result.exception
            )
        assert result.exit_code in (0, 1, 2), shown
        assert "Traceback" not in result.output, shown
        assert "S3cretPw" not in result.output, shown
        codes[result.exit_code] = codes.get(result.exit_code, 0) + 1

    check()
    print(f"CLI fuzz: exit codes {codes}")
    assert set(codes) == {0, 1, 2}, codes


SUBPROCESS_ARGS = (
    ["run", "-p", "\u00e9\x01", "-m", "final"],
    ["generate", "--claims", "99999999999999999999", "--seed", "1"],
    ["restore", "--backup", "99999999999999999999"],
)


@BOTH
def test_python_m_paymentprocess_never_shows_a_traceback(db_uri: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    for args in SUBPROCESS_ARGS:
        done = subprocess.run(
            [sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode in (0, 1, 2), done.stderr
        assert "Traceback" not in done.stderr + done.stdout, done.stderr
