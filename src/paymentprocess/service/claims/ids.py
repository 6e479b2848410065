"""Server-generated claim ids: time-ordered, unique without coordination (ULID layout).

An id is 26 Crockford base-32 characters: 48 bits of Unix milliseconds then 80 random bits, so
ids sort by creation time and two servers never need to agree on a counter. Within one process
ids are strictly increasing: a second id in the same millisecond adds one to the random part.
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 26
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = 0


def _encode(value: int) -> str:
    chars = []
    for _ in range(ID_LENGTH):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_claim_id(now_ms: int | None = None) -> str:
    """A new time-ordered claim id such as `01HV5Z3K8Q9W2M4N6P7R8S9T0V`."""
    global _last  # noqa: PLW0603 - the process-wide monotonic state of the generator
    millis = (int(time.time() * 1000) if now_ms is None else now_ms) & (2**48 - 1)
    value = (millis << _RANDOM_BITS) | secrets.randbits(_RANDOM_BITS)
    with _lock:
        if value <= _last:
            value = _last + 1
        _last = value
    return _encode(value)
