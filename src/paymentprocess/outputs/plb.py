"""PLB (provider-level adjustment) ordering and splitting (OUTPUTS.md §3.5).

Order: the §3.5 rows — 1 `L6` interest, 2 `E3` release (negative), 3 `72` refund, 4 `FB` brought
in (positive), 5 `WO`, 6 `FB` forwarded (negative), 7 `E3` hold (positive), then any other code —
ties by reference, then amount. At most six pairs per PLB segment; more segments as needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from paymentprocess.outputs.remit_model import PlbEntry

MAX_PAIRS = 6
# PLB03-1 codes this product emits (V-12 reference list for PLB).
KNOWN_CODES: frozenset[str] = frozenset({"L6", "E3", "72", "FB", "WO", "CS"})


def row_of(entry: PlbEntry) -> int:
    """The §3.5 row of an entry (code and sign decide it)."""
    if entry.code == "L6":
        return 1
    if entry.code == "E3":
        return 2 if entry.amount_cents < 0 else 7
    if entry.code == "72":
        return 3
    if entry.code == "FB":
        return 4 if entry.amount_cents > 0 else 6
    if entry.code == "WO":
        return 5
    return 8


def ordered(entries: Iterable[PlbEntry]) -> list[PlbEntry]:
    """Entries in §3.5 order (rows, then reference, then amount): independent of input order."""
    return sorted(
        entries,
        key=lambda e: (row_of(e), e.code, e.reference or "", e.amount_cents),
    )


def chunks(entries: Sequence[PlbEntry]) -> list[list[PlbEntry]]:
    """Groups of at most six entries, one per PLB segment."""
    return [list(entries[i : i + MAX_PAIRS]) for i in range(0, len(entries), MAX_PAIRS)]


def fiscal_period_end(payment_date: date) -> date:
    """PLB02: 31 December of BPR16's year (provider fiscal year unknown)."""
    return date(payment_date.year, 12, 31)


def total(entries: Iterable[PlbEntry]) -> int:
    """Σ PLB amounts (positive decreases the payment): BPR02 = ΣCLP04 − total."""
    return sum(e.amount_cents for e in entries)
