"""One error shape for every 4xx/5xx: `{"detail": [{"line", "field", "message"}]}`.

Bad input is always a 4xx naming the field (and the service line when there is one); an
unexpected failure is a 500 with a generic message and a log line without request data. Each of
the product's own errors maps to one status here, so routes only raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from paymentprocess.errors import (
    EXAMPLES,
    AccessDeniedError,
    AuthenticationError,
    InputError,
    NotFoundError,
    PaymentError,
    RunRefusedError,
    problem_lines,
)
from paymentprocess.logs import get_logger
from paymentprocess.service.access.sessions import TooManyLoginsError
from paymentprocess.service.claims.cursor import InvalidCursorError
from paymentprocess.service.claims.parse import ClaimInputError
from paymentprocess.service.claims.submit import ClaimConflictError, IdempotencyMismatchError

log = get_logger("paymentprocess.api")


def error_body(
    message: str, *, field: str | None = None, line: int | None = None
) -> dict[str, Any]:
    return {"detail": [{"line": line, "field": field, "message": message}]}


def error_response(
    status: int, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(message, field=field), status_code=status, headers=headers)


def _validation_items(errors: Sequence[Any]) -> list[dict[str, Any]]:
    items = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        items.append({"line": None, "field": ".".join(loc) or None, "message": err.get("msg", "")})
    return items


# The product's errors: (status, field named in the body).
_STATUS: list[tuple[type[PaymentError], int, str | None]] = [
    (InvalidCursorError, 400, "cursor"),
    (NotFoundError, 404, None),
    (ClaimConflictError, 409, "claim_reference"),
    (IdempotencyMismatchError, 422, "Idempotency-Key"),
    (RunRefusedError, 409, None),
    (TooManyLoginsError, 429, None),
    (AuthenticationError, 401, None),
    (AccessDeniedError, 403, None),
]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into the one error shape."""

    @app.exception_handler(ClaimInputError)
    async def _claim_input(_r: Request, exc: ClaimInputError) -> JSONResponse:
        return JSONResponse({"detail": [p.as_json() for p in exc.problems]}, status_code=422)

    @app.exception_handler(InputError)
    async def _input(_r: Request, exc: InputError) -> JSONResponse:
        shown = exc.problems[:EXAMPLES]  # many problems: the first ones and a summary
        detail = [{"line": None, "field": p.field, "message": p.reason} for p in shown]
        body: dict[str, object] = {"detail": detail}
        if len(exc.problems) > len(shown):
            body["summary"] = problem_lines(exc.problems)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_r: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_items(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(PaymentError)
    async def _payment(_r: Request, exc: PaymentError) -> JSONResponse:
        for kind, status, field in _STATUS:
            if isinstance(exc, kind):
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return error_response(status, str(exc), field=field, headers=headers)
        return error_response(400, str(exc))

    @app.exception_handler(DataError)
    async def _data(_r: Request, _exc: DataError) -> JSONResponse:
        # A value the database cannot hold or compare (a NUL character in an id, on PostgreSQL):
        # the request's fault, so a 422; the value itself is not echoed.
        return error_response(422, "a value in the request cannot be stored or searched")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        route = getattr(request.scope.get("route"), "path", "unmatched")
        log.error("unhandled_error", path=route, error=type(exc).__name__)
        return error_response(500, "internal error; the request was not completed")
