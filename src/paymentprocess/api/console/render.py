"""The console's template environment and `page()`, which renders a template with what every
page needs (the principal, the CSRF token, the role's capabilities)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from paymentprocess.api.console.session import Viewer
from paymentprocess.domain.money import format_cents
from paymentprocess.domain.roles import Action


def _money(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else format_cents(int(value))


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("paymentprocess.api.console", "templates"),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["when"] = _when
    env.globals["Action"] = Action
    return env


def page(
    request: Request, viewer: Viewer, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            viewer=viewer,
            can=viewer.principal.can,
            csrf=viewer.csrf,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    viewer.set_cookies(response)
    return response
