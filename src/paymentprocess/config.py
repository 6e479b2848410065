"""Settings: environment variables (`PAYMENT_*`), an optional `.env` file, and CLI overrides.

`load_settings()` builds a validated `Settings`; nothing is read at import time. A bad value fails
at start with a message naming the variable. `redact_uri()` is the only way a database URI may
reach a log line or an error message: it never shows the password.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from paymentprocess.domain.stages import parse_stage_aliases
from paymentprocess.errors import SettingsError

DEFAULT_DB_URI = "sqlite:///paymentprocess.db"
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_RATE_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")


class Settings(BaseSettings):
    """Every setting of the product, each with its `PAYMENT_` environment variable."""

    model_config = SettingsConfigDict(
        env_prefix="PAYMENT_", env_file=".env", extra="ignore", frozen=True
    )

    db_uri: str = Field(DEFAULT_DB_URI, description="SQLAlchemy-style database URI")
    log_level: LogLevel = "INFO"
    log_dir: Path | None = None
    config_path: Path | None = None
    max_workers: int = Field(default_factory=lambda: min(os.cpu_count() or 1, 8), ge=1, le=256)
    batch_size: int = Field(1000, ge=1, le=10_000_000)
    seq_chunk_size: int = Field(5000, ge=1, le=10_000_000)
    api_keys: str = Field("", description="comma-separated API keys; empty = no key required")
    top_rate_limit: str = "10/minute"
    output_dir: Path = Field(
        Path("outputs"), description="where the HTTP service writes payment files (outputs)"
    )
    stage_aliases: str = Field(
        "", description="more legacy PaymentEvent stage names for load: Approved=DryRun,Done=Final"
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


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env`, with non-None `overrides` (CLI options) on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "PAYMENT_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']}")
        raise SettingsError("bad setting: " + "; ".join(lines)) from None


def redact_uri(uri: str) -> str:
    """The URI with any password replaced by `***` (safe for logs and messages)."""
    return re.sub(r"(?<=://)([^:/@]*):[^@]*@", r"\1:***@", uri)
