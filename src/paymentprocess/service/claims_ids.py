"""Server-generated claim ids: time-ordered, unique without coordination (ULID layout).

An id is 26 Crockford base-32 characters: 48 bits of Unix milliseconds then 80 random bits, so
ids sort by creation time (to the millisecond) and two servers never need to agree on a counter.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 26


def new_claim_id(now_ms: int | None = None) -> str:
    """A new time-ordered claim id such as `01HV5Z3K8Q9W2M4N6P7R8S9T0V`."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = ((millis & (2**48 - 1)) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(ID_LENGTH):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
