"""`/claims`: intake (JSON or CSV), lookup by id, and the keyset-paged list by provider.

The intake route reads the raw body itself so that it can accept `application/json` and
`text/csv` and normalise field names; everything else is in `service.claims`. Database work runs
in the thread pool. The claim id goes on `request.state` for the access log.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.deps import ApiKeyRequired, EngineDep
from paymentprocess.api.openapi import CLAIM_REQUEST_BODY
from paymentprocess.api.schemas import ClaimOut, ClaimPage, ErrorBody
from paymentprocess.rules.intake_base import Problem
from paymentprocess.service.claims import ClaimInputError, get_claim, parse_claim, submit_claim
from paymentprocess.service.claims_model import NewClaim
from paymentprocess.service.claims_query import DEFAULT_LIMIT, MAX_LIMIT, ClaimFilter, list_claims

router = APIRouter(tags=["claims"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def parse_body(content_type: str, body: bytes) -> NewClaim:
    """The validated claim in `body`; 415 for another media type, 400 for unreadable bytes."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8 text") from None
    if media == "text/csv":
        return parse_claim(csv_text=text)
    if media == "application/json" or media.endswith("+json"):
        try:
            document = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise HTTPException(400, f"the body is not valid JSON: {exc}") from None
        return parse_claim(document)
    raise HTTPException(415, "send the claim as application/json or text/csv")


@router.post(
    "/claims",
    status_code=201,
    dependencies=[ApiKeyRequired],
    response_model=None,
    summary="Submit one claim (JSON or CSV)",
    responses={
        201: {"model": ClaimOut, "description": "the stored claim (also for a replay)"},
        **_errors(400, 401, 409, 413, 415, 422),
    },
    openapi_extra={"requestBody": CLAIM_REQUEST_BODY},
)
async def create_claim(
    request: Request,
    engine: EngineDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="a retry with the same key gets the first answer",
        ),
    ] = None,
) -> JSONResponse:
    claim = parse_body(request.headers.get("content-type", ""), await request.body())
    result = await run_in_threadpool(submit_claim, engine, claim, idempotency_key=idempotency_key)
    request.state.claim_id = result.claim_id
    headers = {"Location": f"/claims/{result.claim_id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimOut,
    responses=_errors(404, 422),
    summary="One claim by id",
)
def read_claim(
    request: Request,
    engine: EngineDep,
    claim_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> JSONResponse:
    request.state.claim_id = claim_id
    return JSONResponse(get_claim(engine, claim_id))


@router.get(
    "/claims",
    response_model=ClaimPage,
    responses=_errors(400, 422),
    summary="Claims of one billing provider, keyset-paged",
)
def search_claims(
    engine: EngineDep,
    provider_tin: Annotated[str | None, Query(max_length=32)] = None,
    provider_npi: Annotated[str | None, Query(max_length=32)] = None,
    service_date_start: Annotated[date | None, Query()] = None,
    service_date_end: Annotated[date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> JSONResponse:
    """Exactly one of `provider_tin` / `provider_npi`; the date range matches overlapping claims."""
    try:
        flt = ClaimFilter(provider_tin, provider_npi, service_date_start, service_date_end)
    except ValueError as exc:
        name = "service_date_start" if "service_date" in str(exc) else "provider_tin"
        raise ClaimInputError([Problem(None, name, str(exc))]) from None
    return JSONResponse(list_claims(engine, flt, limit=limit, cursor=cursor))
