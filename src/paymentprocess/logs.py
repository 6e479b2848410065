"""Structured logging (structlog): JSON lines to a file in PAYMENT_LOG_DIR, concise text to stderr.

Protected health information never goes into a log: events log ids of payment events, payees
(numeric ids), counts, amounts and timings only. `scrub` masks anything that looks like a
password in a URI as a last line of defence. Every event carries `pid`, the process that wrote
it, so the lines of `serve --workers N` tell which worker answered.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import structlog

from paymentprocess.config import redact_uri


def _scrub(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if isinstance(value, str) and "://" in value:
            event_dict[key] = redact_uri(value)
    return event_dict


def _add_pid(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event_dict.setdefault("pid", os.getpid())
    return event_dict


def configure_logging(level: str = "INFO", log_dir: Path | None = None) -> None:
    """Route structlog through stdlib logging: stderr always, a JSON file when `log_dir` is set."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_dir / "paymentprocess.log", encoding="utf-8"))
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_dir is not None or not sys.stderr.isatty()
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        processor=renderer,
        foreign_pre_chain=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
        ],
    )
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_pid,
            _scrub,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
