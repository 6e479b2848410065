"""PaymentEventStats on export and load: the record of every run, so a copy keeps its history.

Each exported document is the run's SPEC §8 document with two more members, `started_at` and
`finished_at` (UTC, ISO 8601), taken from the run's row. Loading stores each document as a new run
(in file order, after the runs already stored; run ids are numbered by the database), with its
`payment_event_id`, `mode` and `status` read from the document. A document without the time
members (an export of an older version) is stored with the load's time. Bad documents are named
by file and line like every other record, and nothing is written then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from paymentprocess.errors import RecordProblem
from paymentprocess.io.collections import STATS_COLLECTION
from paymentprocess.io.extjson import describe
from paymentprocess.storage.database import utcnow
from paymentprocess.storage.tables import payment_event_stats

__all__ = ["STATS_COLLECTION", "convert_runs", "run_documents", "write_runs"]
MODES = ("dry-run", "final")
STATUSES = ("Completed", "CompletedWithErrors", "Blocked", "Failed")
_TIMES = ("started_at", "finished_at")


def run_documents(conn: Connection) -> list[dict[str, Any]]:
    """Every run's document, in run order, with the run's start and finish times."""
    s = payment_event_stats
    query = select(s.c.document, s.c.started_at, s.c.finished_at).order_by(s.c.run_id)
    documents = []
    for value, started, finished in conn.execute(query):
        loaded = json.loads(value) if isinstance(value, str | bytes) else value
        document = dict(loaded) if isinstance(loaded, dict) else {"document": loaded}
        document["started_at"] = _iso(started)
        document["finished_at"] = _iso(finished)
        documents.append(document)
    return documents


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def convert_runs(
    source: str, located: Iterable[tuple[str, object]]
) -> tuple[list[dict[str, Any]], list[RecordProblem]]:
    """Rows for `payment_event_stats` from exported documents, or the problems of bad ones."""
    rows: list[dict[str, Any]] = []
    problems: list[RecordProblem] = []
    for location, doc in located:
        row, found = _convert(doc)
        problems += [RecordProblem(source, location, f, r) for f, r in found]
        if not found:
            rows.append(row)
    return rows, problems


def _convert(doc: object) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    if not isinstance(doc, dict):
        return {}, [("(record)", f"must be a JSON object, not {describe(doc)}")]
    document = {str(k): _plain(v) for k, v in doc.items() if k not in _TIMES}
    found: list[tuple[str, str]] = []
    event = document.get("payment_event_id")
    if not isinstance(event, str) or not event.strip():
        found.append(("payment_event_id", "is required (text)"))
    for name, allowed in (("mode", MODES), ("status", STATUSES)):
        if document.get(name) not in allowed:
            found.append(
                (name, f"must be one of {', '.join(allowed)}, not {describe(document.get(name))}")
            )
    times: dict[str, datetime] = {}
    for name in _TIMES:
        value = doc.get(name)
        if value is None:
            continue
        try:
            times[name] = datetime.fromisoformat(str(value)).replace(tzinfo=None)
        except ValueError:
            found.append((name, f"is not an ISO timestamp: {describe(value)}"))
    try:
        json.dumps(document, allow_nan=False)
    except (TypeError, ValueError):
        found.append(("(record)", "holds a value JSON cannot store"))
    row = {
        "payment_event_id": event,
        "mode": document.get("mode"),
        "status": document.get("status"),
        "started_at": times.get("started_at") or utcnow(),
        "finished_at": times.get("finished_at"),
        "document": document,
    }
    return row, found


def _plain(value: object) -> Any:
    """JSON numbers are read as exact decimals; a stored document holds ints and text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def write_runs(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Append the runs (their documents are small: one statement for all of them)."""
    if rows:
        conn.execute(insert(payment_event_stats), rows)
    return len(rows)
