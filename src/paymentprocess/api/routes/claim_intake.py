"""The hot path of `POST /claims`: read, check and parse the request once, await the group commit.

The route (`api.routes.claims.create_claim`) takes only the `Request`: FastAPI solves no
dependencies for it, because each synchronous dependency (engine, settings, API key, the
`Idempotency-Key` header model) costs a hop to the thread pool and its own validation — measured
at about half of the server's CPU per claim. What those dependencies did is done here, in order,
with the same answers:

1. Who (`check_submitter`): on a database with users, the user of the key (`X-API-Key`, else
   `Authorization: Bearer`) must be allowed SUBMIT_CLAIMS → 401 / 403, from in-process caches
   (no scrypt per request); without users, when `PAYMENT_API_KEYS` is set, one of those keys,
   compared with every configured key by `hmac.compare_digest` (`deps.key_is_valid`) → 401.
2. `Idempotency-Key`: 1–255 visible ASCII characters → 422 naming `Idempotency-Key`.
3. The body (`parse_body`): media type → 415, UTF-8 and JSON → 400, the intake rules → 422.
4. The claim goes to the app's `ClaimBatcher` (group commit) and its answer is written with
   orjson.

The OpenAPI document still shows the header and the security requirement (`OPENAPI_EXTRA`).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import orjson
from fastapi import HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.deps import key_is_valid, presented_key_in, principal_of
from paymentprocess.config import Settings
from paymentprocess.domain.roles import Action
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.users import cached_principal, known_users_exist, users_exist
from paymentprocess.service.claims.group_commit import ClaimBatcher
from paymentprocess.service.claims.model import NewClaim
from paymentprocess.service.claims.parse import ClaimInputError, parse_claim
from paymentprocess.service.claims.raw_claim import Problem

IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_PATTERN = r"^[\x21-\x7e]+$"
_KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,255}")
_KEY_DESCRIPTION = "a retry with the same key gets the first answer"

OPENAPI_EXTRA: dict[str, Any] = {
    "security": [{"APIKeyHeader": []}, {"HTTPBearer": []}],
    "parameters": [
        {
            "name": IDEMPOTENCY_HEADER,
            "in": "header",
            "required": False,
            "description": _KEY_DESCRIPTION,
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 255,
                "pattern": _KEY_PATTERN,
                "description": _KEY_DESCRIPTION,
                "title": IDEMPOTENCY_HEADER,
            },
        }
    ],
}


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def load_json(body: bytes) -> object:
    """The JSON document in `body` (UTF-8, BOM allowed); numbers with a fraction are Decimals.

    orjson reads the usual body (amounts as strings or integers) in a few microseconds. A body it
    refuses (a lone surrogate escape, an integer beyond 64 bits, …) or that holds a JSON number
    with a fraction or exponent goes through the standard library instead, with
    `parse_float=Decimal` so that `12.345` is judged exactly, never as a binary float — so every
    body is judged as before and only the common case is faster. 400 when neither can read it.
    """
    try:
        document = orjson.loads(body.removeprefix(b"\xef\xbb\xbf"))
        if not _has_float(document):
            return document
    except (orjson.JSONDecodeError, RecursionError):  # refused, or nested too deep to walk
        pass
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8 text") from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise HTTPException(400, f"the body is not valid JSON: {exc}") from None


def parse_body(content_type: str, body: bytes) -> NewClaim:
    """The validated claim in `body`; 415 for another media type, 400 for unreadable bytes."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return parse_claim(load_json(body))
    if media == "text/csv":
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HTTPException(400, "the body is not UTF-8 text") from None
        return parse_claim(csv_text=text)
    raise HTTPException(415, "send the claim as application/json or text/csv")


def check_api_key(request: Request) -> None:
    """401 unless no keys are configured or the request presents a valid one (a database
    without users: PAYMENT_API_KEYS, as before)."""
    settings: Settings = request.app.state.settings
    if settings.api_key_list and not key_is_valid(settings, presented_key_in(request.headers)):
        raise HTTPException(
            status_code=401,
            detail="a valid API key is required in X-API-Key or Authorization: Bearer",
            headers={"WWW-Authenticate": "Bearer"},
        )


async def check_submitter(request: Request) -> None:
    """The request's user may SUBMIT_CLAIMS (a database with users), else `check_api_key`.

    Both caches of `service.access.users` keep this off the database and scrypt: whether users
    exist is known for a second (CACHE_SECONDS once they do), a verified key for 30 s. Only a
    miss goes to the thread pool (a query, or one scrypt of a new key)."""
    engine = request.app.state.engine
    exists = known_users_exist(engine)
    if exists is None:
        exists = await run_in_threadpool(users_exist, engine)
    if not exists:
        check_api_key(request)
        return
    key = presented_key_in(request.headers)
    principal = cached_principal(engine, key)
    if principal is None:
        settings: Settings = request.app.state.settings
        principal = await run_in_threadpool(principal_of, engine, settings, key, write=True)
    require(principal, Action.SUBMIT_CLAIMS)


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key, None when absent; 422 when it is not 1–255 visible ASCII."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None or _KEY_SHAPE.fullmatch(key):
        return key
    raise ClaimInputError(
        [Problem(None, IDEMPOTENCY_HEADER, "must be 1 to 255 visible ASCII characters")]
    )


async def create_claim_response(request: Request) -> Response:
    """201 with the stored claim (or the first answer of a retry); errors are raised."""
    await check_submitter(request)
    key = idempotency_key(request)
    claim = parse_body(request.headers.get("content-type", ""), await request.body())
    batcher: ClaimBatcher = request.app.state.claim_batcher
    result = await batcher.submit(claim, key)
    request.state.claim_id = result.claim_id
    headers = {"Location": f"/claims/{result.claim_id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        orjson.dumps(result.body),
        status_code=result.status_code,
        headers=headers,
        media_type="application/json",
    )
