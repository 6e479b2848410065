"""`/providers/top`: provider NPIs ranked by total net fee, rate limited per client.

The ranking reads the `provider_aggregate` running totals (see `service.claims.top_providers`). The limit
(`PAYMENT_TOP_RATE_LIMIT`, default 10/minute) counts per client — a valid API key, else the
client address — across every worker and instance when `PAYMENT_REDIS_URL` is set, else in
this process (`api.ratelimit_redis.shared_or_local`); over it the answer is 429 with
`Retry-After`. Every answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
`X-RateLimit-Reset`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from paymentprocess.api.deps import ClientKey, EngineDep, ReadPrincipal
from paymentprocess.api.ratelimit import RateLimiter
from paymentprocess.api.schemas import ErrorBody, TopProviders
from paymentprocess.domain.roles import Action
from paymentprocess.service.access.authorize import require
from paymentprocess.service.claims.top_providers import DEFAULT_TOP, MAX_TOP, top_providers

router = APIRouter(tags=["providers"])


def rate_limited(request: Request, response: Response, client: ClientKey) -> None:
    """Count this request against the client's window; 429 when the window is full."""
    limiter: RateLimiter = request.app.state.top_limiter
    decision = limiter.hit(client)
    if not decision.allowed:
        raise HTTPException(
            429,
            f"rate limit of {limiter.limit} requests per {int(limiter.window)} s exceeded; "
            f"retry after {decision.retry_after} s",
            headers=decision.headers(),
        )
    response.headers.update(decision.headers())


_RATE_HEADERS = {
    name: {"schema": {"type": "integer"}, "description": text}
    for name, text in (
        ("X-RateLimit-Limit", "requests allowed per window"),
        ("X-RateLimit-Remaining", "requests left in the window"),
        ("X-RateLimit-Reset", "seconds until a request leaves the window"),
    )
}


@router.get(
    "/providers/top",
    response_model=TopProviders,
    summary="Top provider NPIs by total net fee",
    responses={
        200: {"headers": _RATE_HEADERS},
        401: {"model": ErrorBody},
        403: {"model": ErrorBody},
        422: {"model": ErrorBody},
        429: {
            "model": ErrorBody,
            "headers": {
                **_RATE_HEADERS,
                "Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"},
            },
        },
    },
)
def providers_top(
    engine: EngineDep,
    _limited: Annotated[None, Depends(rate_limited)],
    principal: ReadPrincipal,
    limit: Annotated[int, Query(ge=1, le=MAX_TOP)] = DEFAULT_TOP,
) -> dict[str, Any]:
    require(principal, Action.READ)
    return {"limit": limit, "providers": top_providers(engine, limit)}
