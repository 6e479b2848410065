"""`paymentprocess serve`: run the claims service (FastAPI under uvicorn).

The schema is created once here, before any worker starts. Workers are separate processes that
build the app with `api.app.app_from_env`, so the global options (`--db-uri`, `--log-level`)
reach them through the `PAYMENT_*` environment. With more than one worker the
`/providers/top` rate limit is one limit for all of them only when `PAYMENT_REDIS_URL` is set,
else it is counted per worker (see docs/claims-service.md).

With `--workers` > 1 uvicorn binds the listening socket itself and leaves its protocol at 0;
accepted connections inherit it and asyncio then never sets TCP_NODELAY, so every keep-alive
response larger than a segment waits ~40 ms for a delayed ACK (uvicorn issue #3149, measured
here: 13 ms vs 60 ms per page). `_TcpNoDelayConfig` hands the workers a listener marked TCP.

Workers use uvicorn's C parts, httptools and uvloop (dependencies of `uvicorn[standard]`): they
halve the CPU uvicorn spends per request compared with h11 on the asyncio loop.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from paymentprocess.cli.common import friendly_errors, state

if TYPE_CHECKING:
    import uvicorn

APP_FACTORY = "paymentprocess.api.app:app_from_env"


def _tcp_no_delay_config() -> type[uvicorn.Config]:
    """`_TcpNoDelayConfig` (cli/serve_config.py), imported on first use: uvicorn is loaded only by
    `serve` itself, not by `paymentprocess --help` (docs/performance.md, "CLI start-up")."""
    from paymentprocess.cli.serve_config import _TcpNoDelayConfig

    return _TcpNoDelayConfig


def __getattr__(name: str) -> Any:
    if name == "_TcpNoDelayConfig":
        return _tcp_no_delay_config()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@friendly_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Worker processes (default PAYMENT_MAX_WORKERS, 1)."),
    ] = None,
) -> None:
    """Start the claims HTTP service (OpenAPI docs at /docs)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    st = state(ctx)
    settings = st.settings
    workers = workers if workers is not None else settings.max_workers
    engine = st.engine()  # creates the schema once, before the workers
    engine.dispose()
    os.environ["PAYMENT_DB_URI"] = settings.db_uri
    os.environ["PAYMENT_LOG_LEVEL"] = settings.log_level
    config = _tcp_no_delay_config()(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the app writes its own access log without PHI
        http="httptools",  # C HTTP parser and event loop: less CPU per request than h11/asyncio
        loop="uvloop",
        log_level=settings.log_level.lower(),
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
