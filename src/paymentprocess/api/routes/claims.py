"""`/claims`: intake (JSON or CSV), lookup by id, and the keyset-paged list by provider.

Reads need READ (a viewer gets member and patient fields masked, service.access.masking); the
intake needs SUBMIT_CLAIMS. The intake route reads the raw body itself so that it can accept `application/json` and
`text/csv` and normalise field names: `api.routes.claim_intake` checks, parses and stores it
(group commit) without FastAPI dependencies; the rest is in the `service.claims` package. The
claim id goes on `request.state` for the access log.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from paymentprocess.api.deps import EngineDep, ReadPrincipal
from paymentprocess.api.openapi import CLAIM_REQUEST_BODY
from paymentprocess.api.routes.claim_intake import OPENAPI_EXTRA as INTAKE_OPENAPI
from paymentprocess.api.routes.claim_intake import create_claim_response
from paymentprocess.api.schemas import ClaimOut, ClaimPage, ErrorBody
from paymentprocess.domain.roles import Action
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.masking import mask_claim, mask_claims_page, sees_sensitive
from paymentprocess.service.claims.listing import list_claims
from paymentprocess.service.claims.listing_filter import DEFAULT_LIMIT, MAX_LIMIT, ClaimFilter
from paymentprocess.service.claims.parse import ClaimInputError
from paymentprocess.service.claims.raw_claim import Problem
from paymentprocess.service.claims.read import get_claim_document

router = APIRouter(tags=["claims"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


@router.post(
    "/claims",
    status_code=201,
    response_model=None,
    summary="Submit one claim (JSON or CSV)",
    responses={
        201: {"model": ClaimOut, "description": "the stored claim (also for a replay)"},
        **_errors(400, 401, 409, 413, 415, 422),
    },
    openapi_extra={"requestBody": CLAIM_REQUEST_BODY, **INTAKE_OPENAPI},
)
async def create_claim(request: Request) -> Response:
    """Parsed, checked and stored by `api.routes.claim_intake` (no FastAPI dependencies on this
    hot path)."""
    return await create_claim_response(request)


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimOut,
    responses=_errors(401, 403, 404, 422),
    summary="One claim by id",
)
def read_claim(
    request: Request,
    engine: EngineDep,
    principal: ReadPrincipal,
    claim_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> Response:
    request.state.claim_id = claim_id
    require(principal, Action.READ)
    document = get_claim_document(engine, claim_id)
    return _json(document if sees_sensitive(principal) else mask_claim(document))


@router.get(
    "/claims",
    response_model=ClaimPage,
    responses=_errors(400, 401, 403, 422),
    summary="Claims of one billing provider, keyset-paged",
)
def search_claims(
    engine: EngineDep,
    principal: ReadPrincipal,
    provider_tin: Annotated[str | None, Query(max_length=32)] = None,
    provider_npi: Annotated[str | None, Query(max_length=32)] = None,
    service_date_start: Annotated[date | None, Query()] = None,
    service_date_end: Annotated[date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Exactly one of `provider_tin` / `provider_npi`; the date range matches overlapping claims."""
    require(principal, Action.READ)
    try:
        flt = ClaimFilter(provider_tin, provider_npi, service_date_start, service_date_end)
    except ValueError as exc:
        name = "service_date_start" if "service_date" in str(exc) else "provider_tin"
        raise ClaimInputError([Problem(None, name, str(exc))]) from None
    page = list_claims(engine, flt, limit=limit, cursor=cursor)
    return _json(page if sees_sensitive(principal) else mask_claims_page(page))


def _json(document: dict[str, Any]) -> Response:
    """orjson bytes as the answer: the documents are JSON-ready, so FastAPI's response_model
    (kept for the OpenAPI schema) would only validate and re-encode them again."""
    return Response(orjson.dumps(document), media_type="application/json")
