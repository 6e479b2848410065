"""`create_app(settings)`: the claims service as a FastAPI application, built on demand.

Nothing happens at import time. `create_app` makes (or takes) the engine, the top-providers rate
limiter (shared through Redis when `PAYMENT_REDIS_URL` is set, else per process) and the routers; the schema is created by `paymentprocess serve` before workers start (or
by the caller). `app_from_env` is the factory uvicorn's workers call: it reads settings from the
`PAYMENT_*` environment that `serve` prepared.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from paymentprocess import __version__
from paymentprocess.api.console import install_console
from paymentprocess.api.docs_pages import install_docs
from paymentprocess.api.error_handlers import install_error_handlers
from paymentprocess.api.middleware import MAX_BODY_BYTES, AccessLogMiddleware, BodyLimitMiddleware
from paymentprocess.api.openapi import install_openapi
from paymentprocess.api.ratelimit_redis import shared_or_local
from paymentprocess.api.routes import (
    approvals,
    claims,
    health,
    outputs,
    payment_events,
    providers,
)
from paymentprocess.config import Settings, load_settings
from paymentprocess.logs import configure_logging
from paymentprocess.service.access.options import with_access_options
from paymentprocess.service.claims.group_commit import ClaimBatcher
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage.database import create_engine_for

DESCRIPTION = """
Claim intake and query for paymentprocess (SPEC §9).

* `POST /claims` takes one claim as JSON or as the CSV of claim_1234.csv and answers the stored
  claim with its net fee (`provider_fees + member_coinsurance + member_copay − allowed_fees`).
  Send `Idempotency-Key` to make retries safe.
* `GET /claims` lists one provider's claims in keyset pages with an exact total.
* `GET /providers/top` ranks provider NPIs by total net fee (rate limited).
* Keys go in `X-API-Key` or `Authorization: Bearer`. A database with users (`paymentprocess
  users add`): every endpoint but /health needs a user's key and checks its role (401 / 403);
  Final Runs need an approval (`/payment-events/{id}/final-run-request`, `.../approval`).
  Without users: write endpoints need one of `PAYMENT_API_KEYS` when that is set.

Amounts are decimal strings with two places; errors are `{"detail": [{line, field, message}]}`.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    # the claim writer keeps its connection between batches: give it back at shutdown
    await asyncio.to_thread(app.state.claim_batcher.close)


def create_app(
    settings: Settings, *, engine: Engine | None = None, max_body_bytes: int = MAX_BODY_BYTES
) -> FastAPI:
    """The application over `engine` (default: a new engine on `settings.db_uri`)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="paymentprocess claims service",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by api.docs_pages, from the package instead of a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = with_access_options(
        engine if engine is not None else create_engine_for(settings.db_uri), settings
    )
    limit, window = settings.top_rate
    app.state.top_limiter = shared_or_local(
        limit,
        window,
        redis_url=settings.redis_url,
        prefix=settings.redis_key_prefix,
        name="top-providers",
    )
    app.state.run_payment_event = functools.partial(  # the settings' partitions and budget
        run_payment_event,
        partitions=settings.partitions,
        memory_budget=settings.memory_budget_bytes,
    )
    app.state.claim_batcher = ClaimBatcher(app.state.engine)
    for module in (claims, providers, payment_events, approvals, outputs, health):
        app.include_router(module.router)
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    install_console(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(AccessLogMiddleware)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers: settings from the environment, logging configured."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_dir)
    return create_app(settings)
