"""The review console at `/console` (issue 14): server-rendered Jinja2 pages with htmx.

`install_console(app)` mounts it: the routers of `auth_routes` (login, logout), `pages` (events,
one event, findings, payees, a payee, job progress, run reports) and `actions` (POST forms: Dry
Run, request, approve, reject, Final Run), and the package's static files (`static/`: the CSS and
the vendored htmx) at `/console/static`. `session` says who is asking (a session cookie, or the
LOCAL principal on a database with no users) and checks CSRF tokens; `render` holds the template
environment. Every page and action asks the service layer (`Principal.can`, `authorize.require`)
before it reads or changes anything; the read models are `service.review`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from paymentprocess.api.console import actions, auth_routes, pages
from paymentprocess.api.console.session import CONSOLE, install_console_errors

STATIC = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    settings = app.state.settings
    secret = settings.console_secret
    app.state.console_secret = secret.encode() if secret else secrets.token_bytes(32)
    for module in (auth_routes, pages, actions):
        app.include_router(module.router)
    app.mount(f"{CONSOLE}/static", StaticFiles(directory=STATIC), name="console-static")
    install_console_errors(app)
