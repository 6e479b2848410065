"""ASGI middleware: a request-body size limit (413) and structured access logs without PHI.

The body limit refuses a declared `Content-Length` over the limit at once and stops a chunked body
as soon as it passes the limit. The access log writes one structlog event per request: method,
the route's path *template* (`/claims/{claim_id}`, never the raw path or query string, which may
carry identifiers), status, duration and the claim or job id a route put on `request.state`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paymentprocess.logs import get_logger

MAX_BODY_BYTES = 1024 * 1024
log = get_logger("paymentprocess.api.access")


class BodyLimitMiddleware:
    """413 for a request body larger than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(
                        413, f"the request body is larger than {self.max_bytes} bytes"
                    )
            return message

        await self.app(scope, limited_receive, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "detail": [
                {
                    "line": None,
                    "field": None,
                    "message": f"the request body is larger than {limit} bytes",
                }
            ]
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class AccessLogMiddleware:
    """One `http_request` log event per request, with nothing from the body or query string."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            state: dict[str, Any] = scope.get("state") or {}
            log.info(
                "http_request",
                method=scope.get("method"),
                path=getattr(scope.get("route"), "path", "unmatched"),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                claim_id=state.get("claim_id"),
                job_id=state.get("job_id"),
            )
