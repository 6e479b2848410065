"""What every command shares: settings from the global options, the console, clear errors.

Start-up (docs/performance.md, "CLI start-up"): this module and every command module import only
typer, rich, the standard library and light domain modules at the top, so `paymentprocess --help`
never loads SQLAlchemy, Polars, pyarrow or FastAPI (tests/unit/test_cli_startup.py). Settings,
logging, the engine and the access checks are imported here, inside the methods that need them,
the first time a command asks for them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

import typer
from rich.console import Console

from paymentprocess.errors import PaymentError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.exc import DataError

    from paymentprocess.config import Settings
    from paymentprocess.domain.roles import Action
    from paymentprocess.service.access.principal import Principal

console = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Global options given before the command, resolved into settings once."""

    def __init__(self) -> None:
        self.overrides: dict[str, Any] = {}
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from paymentprocess.config import load_settings
            from paymentprocess.logs import configure_logging

            self._settings = load_settings(**self.overrides)
            configure_logging(self._settings.log_level, self._settings.log_dir)
            for sentence in self._settings.unused():
                warn(sentence)
        return self._settings

    def engine(self) -> Engine:
        """An engine on the configured database, with the schema created on first use; its
        bulk writes go in batches of PAYMENT_BATCH_SIZE rows (storage.frames_write.write_frame)."""
        from paymentprocess.service.access.options import with_access_options
        from paymentprocess.storage.database import create_engine_for, ensure_schema
        from paymentprocess.storage.frames_write import BATCH_ROWS_OPTION

        settings = self.settings
        engine = create_engine_for(settings.db_uri).execution_options(
            **{BATCH_ROWS_OPTION: settings.batch_size}
        )
        ensure_schema(engine)
        return with_access_options(engine, settings)

    def principal(self, engine: Engine, action: Action | None = None) -> Principal:
        """Who runs this command: LOCAL on a database without users, else the user of --key /
        PAYMENT_API_KEY (AuthenticationError without a valid key). With `action`, the user must
        also be allowed it (AccessDeniedError)."""
        from paymentprocess.service.access.authorize import require
        from paymentprocess.service.access.users import authenticate

        secret = self.settings.api_key
        principal = authenticate(engine, secret.get_secret_value() if secret else None)
        if action is not None:
            require(principal, action)
        return principal


def warn(sentence: str) -> None:
    """A warning for the person at the terminal, on stderr (stdout holds only the result)."""
    console.print(f"warning: {sentence}", highlight=False, markup=False, soft_wrap=True)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def friendly_errors(func: F) -> F:
    """Turn the product's own errors into a red message and exit code 1 (no traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PaymentError as exc:
            console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from None
        except Exception as exc:
            if not _is_data_error(exc):
                raise
            # e.g. a NUL character in an id, which PostgreSQL cannot hold
            reason = str(exc.orig or exc).strip().splitlines()[0]
            console.print(
                f"[red]error:[/red] a value cannot be stored or searched: {reason}",
                markup=True,
                highlight=False,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _is_data_error(exc: BaseException) -> TypeGuard[DataError]:
    """Whether `exc` is SQLAlchemy's DataError. Only a command that touched the database can
    raise one, and that command loaded sqlalchemy.exc already: this never imports SQLAlchemy."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    return sa_exc is not None and isinstance(exc, sa_exc.DataError)
