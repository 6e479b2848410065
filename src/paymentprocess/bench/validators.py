"""The independent validators of the payment files — pyx12 (X12 structure, through its Python
API: its CLI always exits 0), oxedi (835 balancing) and achkit (NACHA records, totals, hash,
routing check digits). They are development dependencies: the tests run them on every golden
file, `bench outputs` times them on a sample. `available()` says which are installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import logging
from typing import Any

NAMES = ("pyx12", "oxedi", "achkit")


def available() -> dict[str, bool]:
    return {name: importlib.util.find_spec(name) is not None for name in NAMES}


def pyx12_errors(data: bytes) -> list[str]:
    """pyx12's error messages for one interchange (empty: it passes)."""
    params: Any = importlib.import_module("pyx12.params")
    document: Any = importlib.import_module("pyx12.x12n_document")
    errors: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage())

    handler = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    try:
        ok = document.x12n_document(
            params.params(), io.StringIO(data.decode("ascii")), fd_997=None, fd_html=None
        )
    finally:
        logger.removeHandler(handler)
    if not ok and not errors:
        errors.append("pyx12 returned False")
    return errors


def oxedi_problems(data: bytes) -> list[str]:
    """oxedi's diagnostics for one 835 (empty: it passes)."""
    oxedi: Any = importlib.import_module("oxedi")
    return [f"{d.kind}: {d.rule}" for d in oxedi.parse(data).diagnostics]


def achkit_errors(data: bytes) -> list[str]:
    """achkit's errors for one NACHA file (empty: it passes)."""
    achkit: Any = importlib.import_module("achkit")
    result = achkit.validate(data.decode("ascii"))
    return [str(e) for e in result.get("errors", [])] if not result.get("ok") else []
