"""The access settings a service reads from its engine: `PAYMENT_REQUIRE_APPROVAL` and
`PAYMENT_SESSION_HOURS`.

The CLI (`State.engine`) and the API (`create_app`) put them on their engine as the execution
option `ACCESS_OPTION` (`with_access_options`), so a service sees the settings its caller was
started with; an engine without the option reads them from the environment (`load_settings`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from paymentprocess.config import Settings, load_settings

ACCESS_OPTION = "payment_access"


def with_access_options(engine: Engine, settings: Settings) -> Engine:
    """`engine` carrying the access settings of `settings`."""
    values = {
        "require_approval": settings.require_approval,
        "session_hours": settings.session_hours,
    }
    return engine.execution_options(**{ACCESS_OPTION: values})


def access_setting(engine: Engine, name: str) -> Any:
    """The setting `name` ("require_approval" or "session_hours") for work on `engine`."""
    values = engine.get_execution_options().get(ACCESS_OPTION)
    if isinstance(values, dict) and name in values:
        return values[name]
    return getattr(load_settings(), name)
