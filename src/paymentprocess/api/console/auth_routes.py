"""`/console/login` and `/console/logout`.

The login form has its own CSRF token (the `pp_csrf` cookie, double submit), because there is no
session yet. A successful login ends any session the browser presented (no session fixation),
starts a new one (service.access.sessions.start_session: rate-limited and audited there) and
sets `pp_session`. Logout ends the session server-side and clears the cookie.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.console.render import environment
from paymentprocess.api.console.session import (
    CONSOLE,
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    ConsoleError,
    PostViewerDep,
    cookies_secure,
    set_cookie,
)
from paymentprocess.errors import PaymentError
from paymentprocess.service.access.sessions import (
    TooManyLoginsError,
    end_session,
    start_session,
)
from paymentprocess.service.access.users import users_exist

router = APIRouter(prefix=CONSOLE, include_in_schema=False)


def _login_page(request: Request, status: int = 200, message: str | None = None) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    html = (
        environment()
        .get_template("login.html.j2")
        .render(
            request=request,
            viewer=None,
            csrf=token,
            message=message,
            users=users_exist(request.app.state.engine),
        )
    )
    response = HTMLResponse(html, status_code=status)
    set_cookie(response, CSRF_COOKIE, token, secure=cookies_secure(request))
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    given, expected = str(form.get(CSRF_FIELD, "")), request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ConsoleError(403, "The form's CSRF token is missing or wrong; nothing was changed.")
    engine = request.app.state.engine
    await run_in_threadpool(end_session, engine, request.cookies.get(SESSION_COOKIE))
    client = request.client.host if request.client is not None else "unknown"
    try:
        token, _csrf, _principal = await run_in_threadpool(
            start_session, engine, str(form.get("name", "")), str(form.get("key", "")), client
        )
    except TooManyLoginsError as exc:
        return _login_page(request, 429, str(exc))
    except PaymentError as exc:  # unknown user, wrong key, disabled
        return _login_page(request, 401, str(exc) or "unknown user or wrong key")
    response = RedirectResponse("/console", status_code=303)
    set_cookie(response, SESSION_COOKIE, token, secure=cookies_secure(request))
    response.delete_cookie(CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
def logout(request: Request, viewer: PostViewerDep) -> Response:
    end_session(request.app.state.engine, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response
