"""How many partitions a run's cycle needs to fit its memory budget (docs/scaling.md).

Measured on the 1M-claim generated cycle (PostgreSQL, 3.1 lines a claim): a run read whole peaks
at ~2.4 GB, about PEAK_BYTES_PER_CLAIM; split, each partition keeps ~KEPT_BYTES_PER_CLAIM of its
claims (what `persist` writes) until the end, and its inputs and lines only while it computes.
"""

from __future__ import annotations

import math
import os
import re

PEAK_BYTES_PER_CLAIM = 2_400
KEPT_BYTES_PER_CLAIM = 150
MAX_PARTITIONS = 4096

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*$", re.IGNORECASE)
_UNIT = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes of '4GB', '512MB', '64KB', '1.5G' or a plain number of bytes (ValueError else)."""
    found = _SIZE.match(text)
    if found is None:
        raise ValueError(f"must be a size such as 4GB, 512MB or 64KB, not {text!r}")
    size = int(float(found.group(1)) * _UNIT[found.group(2).upper()])
    if size <= 0:
        raise ValueError(f"must be more than 0 bytes, not {text!r}")
    return size


def machine_default() -> int:
    """Half the machine's physical memory (the default budget)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def partitions_for(claims: int, budget: int) -> int:
    """The fewest partitions whose largest (cycle / N at PEAK_BYTES_PER_CLAIM) fits beside the
    kept rows of the whole cycle; MAX_PARTITIONS when even that does not fit."""
    need = claims * PEAK_BYTES_PER_CLAIM
    if need <= budget:
        return 1
    room = budget - claims * KEPT_BYTES_PER_CLAIM
    if room <= 0:
        return min(MAX_PARTITIONS, max(1, claims))
    return min(MAX_PARTITIONS, max(1, claims), math.ceil(need / room))
