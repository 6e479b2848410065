"""Settings: CLI options, environment variables (`PAYMENT_*`), a `.env` file, a TOML file.

`load_settings()` builds a validated `Settings`; nothing is read at import time. Precedence, highest
first: option > environment > `.env` > the TOML file named by `--config-path` /
`PAYMENT_CONFIG_PATH` > default. The TOML file holds the same keys as the environment variables
(`PAYMENT_DB_URI` or `db_uri`, any case), flat, e.g. `batch_size = 5000`. A bad value fails at start
with a message naming the variable (and, for the file, the file and its key); an unknown key in the
file is refused the same way. Empty variables (`PAYMENT_LOG_DIR=` in .env.template) count as unset.

`redact_uri()` is the only way a database URI may reach a log line or an error message: it never
shows the password.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from paymentprocess.domain.memory_budget import machine_default, parse_size
from paymentprocess.domain.stages import parse_stage_aliases
from paymentprocess.errors import SettingsError

DEFAULT_DB_URI = "sqlite:///paymentprocess.db"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
ENV_PREFIX = "PAYMENT_"
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_RATE_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")


class Settings(BaseSettings):
    """Every setting of the product, each with its `PAYMENT_` environment variable."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        extra="ignore",
        frozen=True,
        env_ignore_empty=True,
    )

    db_uri: str = Field(DEFAULT_DB_URI, description="SQLAlchemy-style database URI")
    log_level: LogLevel = "INFO"
    log_dir: Path | None = None
    config_path: Path | None = Field(
        None, description="TOML file with more settings (lowest precedence above the defaults)"
    )
    max_workers: int = Field(
        1, ge=1, le=64, description="worker processes of `serve` (its --workers default)"
    )
    batch_size: int = Field(
        1000, ge=1, le=10_000_000, description="rows per bulk write call of a run or a load"
    )
    partitions: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="read and compute a run's cycle in this many partitions of whole chains, "
        "one after the other: the same results, less memory; unset = as few as the memory "
        "budget allows",
    )
    memory_budget: str | None = Field(
        None,
        description="memory a run may use (e.g. 4GB, 512MB): sets the number of partitions "
        "when PAYMENT_PARTITIONS is unset; unset = half the machine's memory",
    )
    seq_chunk_size: int | None = Field(
        None, ge=1, description="not used: a run takes exactly the sequence numbers it needs"
    )
    api_keys: str = Field(
        "",
        description="comma-separated API keys; empty = no key required (a database without "
        "users only: once users exist, keys are theirs, see `paymentprocess users`)",
    )
    api_key: SecretStr | None = Field(
        None, description="your user's key for the CLI commands that change state (--key)"
    )
    require_approval: bool | None = Field(
        None,
        description="a Final Run needs an approval (maker-checker); unset = on when the "
        "database has users, off without users",
    )
    session_hours: float = Field(
        8.0, gt=0, le=24 * 30, description="how long a console login lasts, in hours"
    )
    top_rate_limit: str = "10/minute"
    redis_url: str | None = Field(
        None,
        description="Redis for limits shared by every worker and instance (redis://host:6379/0);"
        " unset = each process counts alone",
    )
    redis_key_prefix: str = Field(
        "paymentprocess:", description="prefix of every Redis key the service writes"
    )
    other_adjustment_cas: str | None = Field(
        None,
        description="GROUP:CARC the 835 gives other adjustments (e.g. OA:23); no default",
    )
    output_dir: Path = Field(
        Path("outputs"), description="where the HTTP service writes payment files (outputs)"
    )
    console_insecure_cookies: bool = Field(
        False,
        description="console: send the session cookie without Secure, for http://localhost only",
    )
    console_secret: str | None = Field(
        None,
        description="console: secret sealing page cursors (set it when several workers serve);"
        " unset = a random secret per process",
    )
    stage_aliases: str = Field(
        "", description="more legacy PaymentEvent stage names for load: Approved=DryRun,Done=Final"
    )
    broker_url: str = Field(
        DEFAULT_BROKER_URL, description="AMQP URI of the RabbitMQ broker the outbox is relayed to"
    )
    broker_exchange: str = Field(
        "paymentprocess.events", min_length=1, description="topic exchange of the events"
    )
    relay_batch_size: int = Field(
        500, ge=1, le=10_000, description="outbox rows a relay leases and publishes at once"
    )
    relay_lease_seconds: float = Field(
        30.0, gt=0, le=3600, description="how long a relay holds rows before another takes them"
    )
    relay_poll_seconds: float = Field(
        0.5, gt=0, le=60, description="a relay's pause when the outbox is empty"
    )
    consumer_max_attempts: int = Field(
        5, ge=1, le=20, description="deliveries of a message before it goes to the dead letters"
    )
    consumer_retry_seconds: float = Field(
        1.0, gt=0, le=3600, description="first retry delay of a consumer (then 2x, 4x, ...)"
    )

    @field_validator("db_uri")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(
            ("sqlite://", "postgresql://", "postgresql+psycopg://", "postgres://")
        ):
            raise ValueError(
                f"must start with sqlite:/// or postgresql:// (got {redact_uri(value)!r})"
            )
        if value.startswith("postgres://"):
            value = "postgresql://" + value[len("postgres://") :]
        from sqlalchemy.engine import make_url  # only when settings are loaded (CLI start-up)
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except (ArgumentError, ValueError):  # e.g. an unclosed [IPv6 address or a bad port
            raise ValueError(f"is not a valid database URI: {redact_uri(value)!r}") from None
        if value.startswith("sqlite") and value.split("://", 1)[1].lstrip("/").split("?")[0] in (
            "",
            ":memory:",
        ):
            raise ValueError("must name a database file, e.g. sqlite:///paymentprocess.db")
        return value

    @field_validator("broker_url")
    @classmethod
    def _amqp(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError(f"must start with amqp:// or amqps:// (got {redact_uri(value)!r})")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("top_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        if not _RATE_LIMIT.match(value):
            raise ValueError("must look like 10/minute (per second, minute, hour or day)")
        return value.strip()

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"must start with redis://, rediss:// or unix:// (got {redact_uri(value)!r})"
            )
        return value

    @field_validator("redis_key_prefix")
    @classmethod
    def _redis_key_prefix(cls, value: str) -> str:
        if not value or any(ch.isspace() for ch in value):
            raise ValueError("must be a non-empty prefix without spaces, e.g. paymentprocess:")
        return value

    @field_validator("memory_budget")
    @classmethod
    def _memory_budget(cls, value: str | None) -> str | None:
        if value is not None:
            parse_size(value)  # ValueError says what a size looks like
        return value

    @property
    def memory_budget_bytes(self) -> int:
        """PAYMENT_MEMORY_BUDGET in bytes (half the machine's memory when unset)."""
        return machine_default() if self.memory_budget is None else parse_size(self.memory_budget)

    @field_validator("stage_aliases")
    @classmethod
    def _stage_aliases(cls, value: str) -> str:
        parse_stage_aliases(value)  # ValueError names the bad entry
        return value.strip()

    @property
    def stage_alias_table(self) -> dict[str, str]:
        """PAYMENT_STAGE_ALIASES as {legacy name: stage} (added to the built-in table on load)."""
        return parse_stage_aliases(self.stage_aliases)

    @property
    def api_key_list(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]

    @property
    def top_rate(self) -> tuple[int, int]:
        """(requests, window seconds) of the top-providers rate limit."""
        match = _RATE_LIMIT.match(self.top_rate_limit)
        assert match is not None  # validated above
        window = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[match.group(2)]
        return int(match.group(1)), window

    @property
    def is_postgres(self) -> bool:
        return self.db_uri.startswith("postgresql")

    def unused(self) -> list[str]:
        """Settings that were given but mean nothing in this design: one sentence each, for a
        warning on stderr (they are accepted so that an old `.env` does not stop the program)."""
        if "seq_chunk_size" in self.model_fields_set:
            return [
                "PAYMENT_SEQ_CHUNK_SIZE is not used: a run takes exactly the sequence numbers it "
                "needs in its own transaction (no chunks, no gaps in check numbers)"
            ]
        return []


class _ConfigPath(BaseSettings):
    """Only PAYMENT_CONFIG_PATH, from the environment and `.env`: where the TOML file is."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", env_ignore_empty=True
    )
    config_path: Path | None = None


def _file_settings(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The TOML file's settings by field name, and each one's key as written in the file;
    SettingsError naming the file and the key if the file or a key is bad."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(
            f"{path}: cannot read the configuration file: {exc.strerror or exc}"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not a valid TOML file: {exc}") from None
    known = [name for name in Settings.model_fields if name != "config_path"]
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    for key, value in raw.items():
        name = key.lower().removeprefix(ENV_PREFIX.lower())
        if name not in known:
            hint = (
                "the file cannot name another file"
                if name == "config_path"
                else "known keys: " + ", ".join(known)
            )
            raise SettingsError(f"{path}: key {key!r}: unknown setting ({hint})")
        if name in values:
            raise SettingsError(f"{path}: key {key!r}: given twice (also as {where[name]!r})")
        if isinstance(value, dict | list):
            raise SettingsError(f"{path}: key {key!r}: must be a single value, not a table or list")
        values[name] = value
        where[name] = key
    return values, where


def _source_of(name: str, given: dict[str, Any], file_values: dict[str, Any]) -> str | None:
    """Which source supplied field `name` when it is not the option or an environment variable:
    `.env` or the TOML file (None: the option, the environment or the default)."""
    variable = (ENV_PREFIX + name).lower()
    if name in given or any(k.lower() == variable for k in os.environ):
        return None
    if Path(".env").is_file() and any(
        k.lower() == variable and v not in (None, "") for k, v in dotenv_values(".env").items()
    ):
        return ".env"
    return "file" if name in file_values else None


def load_settings(**overrides: Any) -> Settings:
    """Settings with non-None `overrides` (CLI options) on top of the environment, `.env`, the
    TOML file of `config_path` and the defaults (in that order)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    located = {"config_path": given["config_path"]} if "config_path" in given else {}
    try:
        path = _ConfigPath(**located).config_path
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise SettingsError(f"bad setting: PAYMENT_CONFIG_PATH: {reason}") from None
    file_values, file_keys = _file_settings(path) if path is not None else ({}, {})

    class _WithFile(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            file_source = InitSettingsSource(settings_cls, init_kwargs=file_values)
            return init_settings, env_settings, dotenv_settings, file_source

    try:
        return _WithFile(**given)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = "_".join(str(p) for p in err["loc"])
            name = ENV_PREFIX + field.upper()
            source = _source_of(field, given, file_values)
            if source == "file":
                lines.append(f"{path}: key {file_keys[field]!r}: {err['msg']}")
            elif source == ".env":
                lines.append(f"{name} (in .env): {err['msg']}")
            else:
                lines.append(f"{name}: {err['msg']}")
        raise SettingsError("bad setting: " + "; ".join(lines)) from None


def redact_uri(uri: str) -> str:
    """The URI with any password replaced by `***` (safe for logs and messages)."""
    return re.sub(r"(?<=://)([^:/@]*):[^@]*@", r"\1:***@", uri)
