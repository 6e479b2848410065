"""Who is asking the console, and the CSRF check of every form.

A database with no users: everyone is the LOCAL principal (the zero-setup demo), and the CSRF
token is a random value in the `pp_csrf` cookie (double submit). Once users exist: the
`pp_session` cookie names a server-side session (service.access.sessions), which gives the
principal and the session's CSRF token, and every page but the login page redirects to it
without one. Cookies are HttpOnly, SameSite=Strict and Secure (unless
PAYMENT_CONSOLE_INSECURE_COOKIES, for http://localhost). A POST must carry the token in the
form field `csrf_token` or the `X-CSRF-Token` header (htmx requests); it is compared in constant
time, and a missing or wrong token is a 403 that changes nothing.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paymentprocess.domain.roles import Action
from paymentprocess.errors import AccessDeniedError
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import LOCAL, Principal
from paymentprocess.service.access.sessions import session_principal
from paymentprocess.service.access.users import users_exist

SESSION_COOKIE = "pp_session"
CSRF_COOKIE = "pp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CONSOLE = "/console"  # where the console is mounted
LOGIN_PATH = f"{CONSOLE}/login"


class ConsoleError(Exception):
    """A console request that cannot be served: rendered as an HTML page with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoginRequiredError(Exception):
    """No valid session while users exist: go to the login page."""


@dataclass
class Viewer:
    principal: Principal
    csrf: str
    logged_in: bool
    secure: bool
    new_csrf_cookie: bool = False

    @property
    def sensitive(self) -> bool:
        return self.principal.can(Action.READ_SENSITIVE)

    def set_cookies(self, response: Response) -> None:
        if self.new_csrf_cookie:
            set_cookie(response, CSRF_COOKIE, self.csrf, secure=self.secure)


def set_cookie(response: Response, name: str, value: str, *, secure: bool) -> None:
    response.set_cookie(
        name, value, httponly=True, secure=secure, samesite="strict", path="/console"
    )


def cookies_secure(request: Request) -> bool:
    return not request.app.state.settings.console_insecure_cookies


def current_viewer(request: Request) -> Viewer:
    engine = request.app.state.engine
    secure = cookies_secure(request)
    if not users_exist(engine):
        token = request.cookies.get(CSRF_COOKIE)
        if token:
            return Viewer(LOCAL, token, logged_in=False, secure=secure)
        return Viewer(LOCAL, secrets.token_urlsafe(32), False, secure, new_csrf_cookie=True)
    found = session_principal(engine, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise LoginRequiredError
    principal, csrf = found
    return Viewer(principal, csrf, logged_in=True, secure=secure)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


async def checked_viewer(request: Request, viewer: ViewerDep) -> Viewer:
    """The viewer of a POST whose CSRF token matches (403 otherwise)."""
    form = await request.form()
    given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), viewer.csrf.encode()):
        raise ConsoleError(403, "The form's CSRF token is missing or wrong; nothing was changed.")
    return viewer


PostViewerDep = Annotated[Viewer, Depends(checked_viewer)]


def allowed(viewer: Viewer, action: Action) -> None:
    """The service layer's check; a refusal is a 403 page."""
    try:
        require(viewer.principal, action)
    except AccessDeniedError as exc:
        raise ConsoleError(403, str(exc)) from None


def install_console_errors(app: FastAPI) -> None:
    from paymentprocess.api.console.render import environment

    @app.exception_handler(ConsoleError)
    async def _console_error(request: Request, exc: ConsoleError) -> Response:
        html = (
            environment()
            .get_template("error.html.j2")
            .render(request=request, viewer=None, status=exc.status, message=exc.message)
        )
        return HTMLResponse(html, status_code=exc.status)

    @app.exception_handler(LoginRequiredError)
    async def _login(request: Request, exc: LoginRequiredError) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": LOGIN_PATH})
        return RedirectResponse(LOGIN_PATH, status_code=303)
