"""`paymentprocess serve`: run the claims service (FastAPI under uvicorn).

The schema is created once here, before any worker starts. Workers are separate processes that
build the app with `api.app.app_from_env`, so the global options (`--db-uri`, `--log-level`)
reach them through the `PAYMENT_*` environment. With more than one worker the
`/providers/top` rate limit is counted per worker (see docs/claims-service.md).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from paymentprocess.cli.common import friendly_errors, state


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@friendly_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Start the claims HTTP service (OpenAPI docs at /docs)."""
    import uvicorn

    st = state(ctx)
    settings = st.settings
    engine = st.engine()  # creates the schema once, before the workers
    engine.dispose()
    os.environ["PAYMENT_DB_URI"] = settings.db_uri
    os.environ["PAYMENT_LOG_LEVEL"] = settings.log_level
    uvicorn.run(
        "paymentprocess.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the app writes its own access log without PHI
        log_level=settings.log_level.lower(),
    )
