"""Partitions of a cycle: sets of whole chains, so each claim's arithmetic sees its chain.

A claim's outcome, chain net and interest depend only on its chain (`ChainID` = its
ParentClaimCore_ID, or its own id for an original) and its payee's attributes; a payee's result
depends only on the sums of its claims (`engine.ledger.claim_sums`), which add up across
partitions. So a cycle is read and computed partition by partition — the chains whose id falls
in it (`engine.load.partition_of`, an expression the database evaluates) — and every
partition's claim results, findings, counts, fingerprint and money extent merge into exactly what
the whole cycle gives (tests/integration/test_partitions.py). Numbers that must be global (new
payee ids, ledger ids, check numbers) are assigned after the merge, by `persist`, as for an
unsplit cycle. docs/scaling.md says why chains and not payees, and what is measured.

Read once for all partitions: the event's payees, open ledger records, open refunds, the links
named by replacements (lookups by payee or claim id), the largest ids in use, and new provider
payees' contract types (`engine.load.load_contract_types`: they set every claim's interest rate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace

import polars as pl
from sqlalchemy import Connection

from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.memory_budget import machine_default, partitions_for
from paymentprocess.domain.run_config import RunConfig
from paymentprocess.engine.bounds import Extent, add_extents, check_extent, money_extent
from paymentprocess.engine.fingerprint import Fold, folds, from_folds
from paymentprocess.engine.load import (
    LARGE_CYCLE_CLAIMS,
    cycle_size,
    load_contract_types,
    load_cycle,
    load_lookups,
    load_partition,
)
from paymentprocess.faults import checkpoint
from paymentprocess.logs import get_logger
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_side_by_side import side_reader

log = get_logger(__name__)

# A partition's predicate makes PostgreSQL estimate its claims at a few thousand rows (measured:
# 1,830 for 127,049), so it probes the lines' index once per claim, and would rescan claim_result
# per claim for the paid test once that table is large; hash joins read the 1M-claim cycle's 8
# partitions in 52.6 s instead of 61.0 s (load average 10). docs/scaling.md.
HASH_JOINS = {"enable_nestloop": "off"}

Stage = Callable[[str], AbstractContextManager[None]]


class CycleSource:
    """The cycle, whole (one partition) or partition by partition, read as of one snapshot.

    `open()` runs in the `load` stage: one partition reads the whole cycle (as it always did);
    several read the shared lookups and fix the snapshot every partition is read at.
    `partitions(stage)` yields each partition's data, its read timed as stage `load`. Once they
    are all read, `fingerprint()` and `check_range()` are the whole cycle's.
    """

    def __init__(
        self,
        conn: Connection,
        cfg: RunConfig,
        count: int | None,
        timings: dict[str, int],
        budget: int | None = None,
    ):
        """`count` partitions, or (None) as few as fit `budget` bytes (default: half the
        machine's memory; domain.memory_budget)."""
        self.conn, self.cfg, self.timings = conn, cfg, timings
        self._claims: int | None = None  # the event's claims, counted once when needed
        if count is None:
            claims = self._claims = cycle_size(conn, cfg)
            count = partitions_for(claims, budget if budget is not None else machine_default())
            if count > 1:
                log.info("partitions_chosen", partitions=count, claims=claims, budget=budget)
        self.count = max(1, count)
        self.lookups: CycleData | None = None
        self.contract_types: pl.DataFrame | None = None
        self._folds: list[tuple[Fold, Fold]] = []
        self._extents: list[Extent] = []
        self._whole: CycleData | None = None

    @property
    def partitioned(self) -> bool:
        return self.count > 1

    def open(self) -> CycleData | None:
        """Read what comes first; the whole cycle when it is one partition (else None)."""
        if not self.partitioned:
            self._whole = load_cycle(self.conn, self.cfg, self.timings)
            self.lookups = self._whole
            self._note(self._whole, lookups=True)
            return self._whole
        self._reader = side_reader(self.conn, HASH_JOINS)
        self.lookups = load_lookups(self.conn, self.cfg, self._reader, self.timings)
        self._extents.append(_lookup_extent(self.lookups))
        if self.cfg.event_type != "DMR":
            self.contract_types = load_contract_types(self.conn, self.cfg)
        if self._claims is None:
            self._claims = cycle_size(self.conn, self.cfg)
        per_partition = self._claims // self.count
        self._large = not is_sqlite(self.conn) or per_partition >= LARGE_CYCLE_CLAIMS
        return None

    def partitions(self, stage: Stage) -> Iterator[CycleData]:
        if self._whole is not None:
            yield self._whole
            # computed: the cycle's frames can go; persist reads only the lookups
            self.lookups, self._whole = _lookups_only(self._whole), None
            return
        assert self.lookups is not None, "open() first"
        for k in range(self.count):
            with stage("load"):
                part = load_partition(
                    self.conn,
                    self.cfg,
                    self.lookups,
                    (k, self.count),
                    self._reader,
                    self.timings,
                    large=self._large,
                )
                self._note(part, lookups=False)
            checkpoint(f"partition:{k}")  # a kill point between the partitions (crash tests)
            log.debug(
                "partition_read",
                partition=k,
                partitions=self.count,
                claims=part.claims.height,
                lines=part.lines.height,
            )
            yield part

    def _note(self, data: CycleData, *, lookups: bool) -> None:
        self._folds.append(folds(data))
        self._extents.append(money_extent(data, lookups=lookups))

    def fingerprint(self) -> str:
        return from_folds(self._folds)

    def check_range(self) -> None:
        check_extent(add_extents(self._extents), self.cfg)


def _lookups_only(data: CycleData) -> CycleData:
    return replace(
        data,
        claims=data.claims.clear(),
        lines=data.lines.clear(),
        history=data.history.clear(),
        history_claims=data.history_claims.clear(),
    )


def _lookup_extent(lookups: CycleData) -> Extent:
    total, _ = money_extent(lookups)  # its claim frames are empty: the ledger and refunds
    return total, None
