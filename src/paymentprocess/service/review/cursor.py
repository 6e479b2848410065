"""Sealed keyset cursors for the console's payee pages.

A payee page's position is `(sort value, payee_key)`, and a payee key is a member id on DMR
events (PHI) — which must never reach a URL. So the cursor is sealed: the JSON position is
encrypted with a keystream of HMAC-SHA256 blocks (key, nonce, counter) and authenticated with an
HMAC tag (encrypt-then-MAC), under the console's secret (`PAYMENT_CONSOLE_SECRET`, or one
random secret per process). A cursor that was edited, made for another query or under another
secret is refused with `InvalidCursorError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

from paymentprocess.errors import PaymentError

MAX_CURSOR_LENGTH = 1024
_NONCE = 12
_TAG = 16


class InvalidCursorError(PaymentError):
    """The cursor is not one this console made for this query."""


def _keystream(secret: bytes, nonce: bytes, size: int) -> bytes:
    blocks = []
    for counter in range((size + 31) // 32):
        msg = b"ks" + nonce + counter.to_bytes(4, "big")
        blocks.append(hmac.new(secret, msg, hashlib.sha256).digest())
    return b"".join(blocks)[:size]


def _tag(secret: bytes, scope: str, body: bytes) -> bytes:
    return hmac.new(secret, b"tag" + scope.encode() + b"|" + body, hashlib.sha256).digest()[:_TAG]


def seal(position: list[Any], scope: str, secret: bytes) -> str:
    """The opaque text of `position`, valid only for the query `scope`."""
    plain = json.dumps(position, separators=(",", ":")).encode()
    nonce = secrets.token_bytes(_NONCE)
    body = nonce + bytes(
        a ^ b for a, b in zip(plain, _keystream(secret, nonce, len(plain)), strict=True)
    )
    return base64.urlsafe_b64encode(body + _tag(secret, scope, body)).decode().rstrip("=")


def unseal(text: str, scope: str, secret: bytes) -> list[Any]:
    """The position sealed in `text`; InvalidCursorError for anything else."""
    if not text or len(text) > MAX_CURSOR_LENGTH:
        raise InvalidCursorError("the cursor is empty or too long")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursorError("the cursor is not one this console made") from None
    body, tag = raw[:-_TAG], raw[-_TAG:]
    if len(body) <= _NONCE or not hmac.compare_digest(tag, _tag(secret, scope, body)):
        raise InvalidCursorError("the cursor is not one this console made for this query")
    nonce, cipher = body[:_NONCE], body[_NONCE:]
    plain = bytes(
        a ^ b for a, b in zip(cipher, _keystream(secret, nonce, len(cipher)), strict=True)
    )
    position = json.loads(plain)
    if not isinstance(position, list):
        raise InvalidCursorError("the cursor is not one this console made")
    return position
