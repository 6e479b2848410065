"""The maker-checker flow through the real program (typer's CliRunner over every command, both
databases): users add → Dry Run with the operator's key → Final Run refused → request → the
same operator cannot approve → approve with the approver's key → the Final Run completes; a
database without users needs no key."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, text
from tests.golden import builders as b
from typer.testing import CliRunner

import paymentprocess.cli as cli_pkg
from paymentprocess.cli import main as cli_main
from paymentprocess.io.load import load_documents
from paymentprocess.service.access import users


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    for info in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"paymentprocess.cli.{info.name}").register(app)
    return app


APP = _app()


def _docs() -> dict[str, list[dict[str, Any]]]:
    d = b.cycle(minimum="5.00")
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [b.claim("C1", b.line("120.00"))]
    return d


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**10)
    monkeypatch.delenv("PAYMENT_API_KEY", raising=False)
    monkeypatch.delenv("PAYMENT_REQUIRE_APPROVAL", raising=False)


def test_users_then_dry_run_request_approve_and_final(db_uri: str, engine: Engine) -> None:
    load_documents(engine, _docs())
    runner = CliRunner()

    def cli(*args: str, key: str | None = None, env: dict[str, str] | None = None) -> Any:
        given = ["--key", key] if key else []
        return runner.invoke(APP, ["--db-uri", db_uri, *given, *args], env=env)

    refused_first = cli("users", "add", "oli", "--role", "operator")
    assert refused_first.exit_code == 1
    assert "first user of a database must be an admin" in refused_first.output
    added = cli("users", "add", "ada", "--role", "admin")
    assert added.exit_code == 0, added.output
    admin = added.stdout.strip()
    assert admin.startswith("pp_")
    assert len(admin.splitlines()) == 1
    no_key = cli("users", "add", "oli", "--role", "operator")
    assert no_key.exit_code == 1
    assert "--key or PAYMENT_API_KEY" in no_key.output
    operator = cli("users", "add", "oli", "--role", "operator", key=admin).stdout.strip()
    approver = cli("users", "add", "april", "--role", "approver", key=admin).stdout.strip()
    listed = cli("users", "list")
    assert listed.exit_code == 0
    assert "oli" in listed.stdout
    assert "april" in listed.stdout
    assert operator not in listed.stdout
    assert operator.split("_", 2)[2] not in listed.output

    keyless = cli("run", "-m", "dry-run", "-p", "PE-1")
    assert keyless.exit_code == 1
    assert "--key or PAYMENT_API_KEY" in keyless.output
    by_approver = cli("run", "-m", "dry-run", "-p", "PE-1", key=approver)
    assert by_approver.exit_code == 1
    assert "may not dry_run" in by_approver.output
    dry = cli("run", "-m", "dry-run", "-p", "PE-1", key=operator)
    assert dry.exit_code == 0, dry.output
    final = cli("run", "-m", "final", "-p", "PE-1", "--force", key=operator)
    assert final.exit_code == 1
    assert "needs an approval" in final.output
    assert "event request-final PE-1" in final.output
    requested = cli("event", "request-final", "PE-1", key=operator)
    assert requested.exit_code == 0
    assert "requested" in requested.stdout
    own = cli("event", "approve", "PE-1", key=operator)
    assert own.exit_code == 1
    assert "may not approve" in own.output
    approved = cli("event", "approve", "PE-1", env={"PAYMENT_API_KEY": approver})
    assert approved.exit_code == 0, approved.output
    assert "approved" in approved.stdout
    assert "april" in approved.stdout
    paid = cli("run", "-m", "final", "-p", "PE-1", key=operator)
    assert paid.exit_code == 0, paid.output
    shown = cli("event", "approval", "PE-1")
    assert "consumed" in shown.stdout
    assert max(map(len, shown.stdout.splitlines())) <= 80
    with engine.connect() as conn:
        stage = conn.execute(text("SELECT stage FROM payment_event")).scalar()
        runs = conn.execute(text("SELECT mode, started_by FROM payment_event_stats")).all()
    assert stage == "Final"
    assert sorted(map(tuple, runs)) == [("dry-run", "oli"), ("final", "oli")]
    rotated = cli("users", "rotate-key", "oli", key=operator)
    assert rotated.exit_code == 0
    assert rotated.stdout.strip() != operator
    stale = cli("event", "request-final", "PE-1", key=operator)
    assert stale.exit_code == 1
    assert "not valid" in stale.output
    disabled = cli("users", "disable", "april", key=admin)
    assert disabled.exit_code == 0
    assert "disabled user april" in disabled.stdout


def test_without_users_nothing_needs_a_key(db_uri: str, engine: Engine) -> None:
    load_documents(engine, _docs())
    runner = CliRunner()
    for mode in ("dry-run", "final"):
        done = runner.invoke(APP, ["--db-uri", db_uri, "run", "-m", mode, "-p", "PE-1"])
        assert done.exit_code == 0, done.output
    shown = runner.invoke(APP, ["--db-uri", db_uri, "event", "approval", "PE-1"])
    assert "no Final Run requested" in shown.stdout


def test_require_approval_false_turns_maker_checker_off(db_uri: str, engine: Engine) -> None:
    load_documents(engine, _docs())
    runner = CliRunner()
    admin = runner.invoke(APP, ["--db-uri", db_uri, "users", "add", "a", "--role", "admin"])
    key = runner.invoke(
        APP, ["--db-uri", db_uri, "--key", admin.stdout.strip(), "users", "add", "o", "--role",
              "operator"],
    ).stdout.strip()  # fmt: skip
    env = {"PAYMENT_REQUIRE_APPROVAL": "false", "PAYMENT_API_KEY": key}
    for mode in ("dry-run", "final"):
        done = runner.invoke(APP, ["--db-uri", db_uri, "run", "-m", mode, "-p", "PE-1"], env=env)
        assert done.exit_code == 0, done.output
