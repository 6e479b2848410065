"""Opaque keyset cursors for the claim list: base64url JSON of a version, a direction and a key.

A cursor names the position `(service_begin_date, claim_id)` of the first or last claim of the
page it came from and the direction to go from there. It carries a checksum over its content and
the query's filter, so a cursor that was edited, truncated, made for another filter or another
version is refused with `InvalidCursorError` rather than silently giving a wrong page. It is
opaque, not secret: it holds no PHI, only a date and a claim id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Literal

from paymentprocess.errors import PaymentError

CURSOR_VERSION = 1
MAX_CURSOR_LENGTH = 512
Direction = Literal["next", "prev"]


class InvalidCursorError(PaymentError):
    """The cursor is not one this service made for this query."""


@dataclass(frozen=True)
class Cursor:
    direction: Direction
    begin: date
    claim_id: str


def _checksum(payload: dict[str, object], scope: str) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":")) + "|" + scope
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(cursor: Cursor, scope: str) -> str:
    """The opaque text of `cursor`, valid only for the query whose fingerprint is `scope`."""
    payload: dict[str, object] = {
        "v": CURSOR_VERSION,
        "d": cursor.direction,
        "k": [cursor.begin.isoformat(), cursor.claim_id],
    }
    payload["c"] = _checksum(payload, scope)
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, scope: str) -> Cursor:
    """The cursor in `text`; InvalidCursorError for anything this service did not make."""
    if not text or len(text) > MAX_CURSOR_LENGTH:
        raise InvalidCursorError("the cursor is empty or too long")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursorError("the cursor is not one this service made") from None
    if not isinstance(payload, dict) or payload.get("v") != CURSOR_VERSION:
        raise InvalidCursorError("the cursor is from an unknown version")
    checksum = payload.pop("c", None)
    if checksum != _checksum(payload, scope):
        raise InvalidCursorError("the cursor was altered or belongs to another query")
    try:
        direction, (begin, claim_id) = payload["d"], payload["k"]
        if direction not in ("next", "prev") or not isinstance(claim_id, str):
            raise ValueError(direction)
        return Cursor(direction, date.fromisoformat(begin), claim_id)
    except (KeyError, TypeError, ValueError):
        raise InvalidCursorError("the cursor is not one this service made") from None
