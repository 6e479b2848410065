"""Group commit for claim intake: concurrent requests' claims written by one transaction.

`ClaimBatcher(engine).submit(claim, key)` is awaited by a request handler. It puts the claim on a
queue and waits for its own outcome; one writer thread per batcher (per server process) takes
every claim waiting — up to `max_claims`, after lingering `max_wait_s` for more if configured —
and stores them with `service.claims.submit_claims`: one transaction, each statement sent once
with the rows of every claim, one commit (one WAL flush) for the lot. The writer keeps its
database connection between batches (no pool checkout and ping per batch). Each request then gets exactly the answer it would have got
alone: 201 only after its claim's commit, a replay, a 409 or a 422 for its own claim only.

Batches form by themselves: while the writer is committing one batch, the requests arriving meanwhile
queue up and become the next batch. An idle server writes each claim at once (a batch of one, no
added delay); a busy one writes few, large transactions. The thread stops after `idle_s` without
work and starts again on the next claim, so an app that is built and dropped (tests) leaves
nothing behind. A cancelled request (client gone) does not cancel its claim: like a request
whose client hung up after sending, the claim is stored.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from paymentprocess.logs import get_logger
from paymentprocess.service.claims.model import NewClaim
from paymentprocess.service.claims.submit import Outcome, Pending, Submitted, submit_claims

MAX_CLAIMS = 64
IDLE_S = 5.0
log = get_logger("paymentprocess.service.claims.group_commit")


@dataclass(frozen=True)
class _Waiting:
    item: Pending
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Submitted]


def _settle(future: asyncio.Future[Submitted], outcome: Outcome) -> None:
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class ClaimBatcher:
    """Stores claims submitted from asyncio code in batches, one transaction per batch."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_claims: int = MAX_CLAIMS,
        max_wait_s: float = 0.0,
        idle_s: float = IDLE_S,
    ) -> None:
        self.engine = engine
        self.max_claims = max_claims
        self.max_wait_s = max_wait_s
        self.idle_s = idle_s
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()  # None: close()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # batches written, for tests and diagnostics
        self.largest = 0

    async def submit(self, claim: NewClaim, key: str | None = None) -> Submitted:
        """Store `claim` (with its Idempotency-Key) in the next batch; its answer or refusal."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Submitted] = loop.create_future()
        waiting = _Waiting(Pending.of(claim, key), loop, future)
        with self._lock:
            self._queue.put(waiting)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="claim-writer", daemon=True)
                self._thread.start()
        return await future

    def close(self, timeout: float = 30.0) -> None:
        """Stop the writer now rather than `idle_s` after its last batch, once the claims already
        queued are stored, and close its connection (the app's shutdown: nothing stays open on
        an engine that is disposed next). A later `submit` starts a writer again."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)

    def _get(self, timeout: float) -> _Waiting | None:
        """The next waiting claim within `timeout` seconds (0: only one already waiting); None
        when there is none, or for the wake-up `close` sends."""
        try:
            return self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None

    def _next_batch(self) -> list[_Waiting] | None:
        """Every claim waiting (at least one, blocking for it); None when idle for `idle_s` or
        woken by `close` with nothing queued."""
        while (first := self._get(self.idle_s)) is None:
            with self._lock:
                if self._queue.empty():
                    self._thread = None
                    return None
        batch = [first]
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_claims:
            item = self._get(0)
            if item is None:
                item = self._get(deadline - time.monotonic())
            if item is None:
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        conn: Connection | None = None
        try:
            while (batch := self._next_batch()) is not None:
                conn = self._write(batch, conn)
        finally:
            if conn is not None:
                conn.close()

    def _write(self, batch: list[_Waiting], conn: Connection | None) -> Connection | None:
        """Store `batch`, answer its requests; the connection to keep for the next batch."""
        try:
            if conn is None:
                conn = self.engine.connect()
            outcomes: list[Outcome] = submit_claims(self.engine, [w.item for w in batch], conn=conn)
        except Exception as exc:  # noqa: BLE001 - every waiting request must get an answer
            log.error("claim_batch_failed", error=type(exc).__name__, claims=len(batch))
            outcomes = [exc] * len(batch)
        self.batches += 1
        self.largest = max(self.largest, len(batch))
        for waiting, outcome in zip(batch, outcomes, strict=True):
            try:
                waiting.loop.call_soon_threadsafe(_settle, waiting.future, outcome)
            except RuntimeError:  # its event loop is closed: nobody is waiting any more
                continue
        if conn is not None and (conn.invalidated or conn.in_transaction()):
            conn.close()  # lost (the database restarted, …): take a new one next time
            return None
        return conn
