"""Store intake claims once: `submit_claim` (one) and `submit_claims` (a group commit).

`submit_claim` stores a parsed claim (`service.claims.parse`) in one unit of work — claim,
lines, provider aggregate, outbox event and the Idempotency-Key answer — and settles races with
the database's unique constraints instead of check-then-insert: a claim whose reference is taken
is skipped by the insert (or its transaction fails on a key), then the winner is looked up by
Idempotency-Key or `claim_reference` and its answer replayed (identical content) or the claim
refused (different content). `submit_claims` does the same for many claims in one transaction
(the group commit of `service.claims.group_commit`), each claim keeping its own outcome.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from paymentprocess.domain.money import format_cents
from paymentprocess.errors import PaymentError
from paymentprocess.service.claims import write as store
from paymentprocess.service.claims.document import stored_content
from paymentprocess.service.claims.ids import new_claim_id
from paymentprocess.service.claims.model import NewClaim
from paymentprocess.service.claims.read import load_claim
from paymentprocess.storage.database import unit_of_work, utcnow

CREATED = 201
_ATTEMPTS = 3


class ClaimConflictError(PaymentError):
    """Another claim with this claim_reference exists and its content differs."""


class IdempotencyMismatchError(PaymentError):
    """The Idempotency-Key was used before with a different claim."""


@dataclass(frozen=True)
class Submitted:
    """The answer to a submission: HTTP status, the claim document, and whether it was replayed."""

    status_code: int
    body: dict[str, Any]
    replayed: bool

    @property
    def claim_id(self) -> str:
        return str(self.body["claim_id"])


@dataclass(frozen=True)
class Pending:
    """One claim to store: the claim, its Idempotency-Key (if any) and its content hash."""

    claim: NewClaim
    key: str | None
    request_hash: str

    @classmethod
    def of(cls, claim: NewClaim, key: str | None = None) -> Pending:
        return cls(claim, key, claim.content_hash())


Outcome = Submitted | Exception


def submit_claim(
    engine: Engine, claim: NewClaim, *, idempotency_key: str | None = None
) -> Submitted:
    """Store `claim` once; a retry (same key or same reference, same content) gets the first answer."""
    outcome = submit_claims(engine, [Pending.of(claim, idempotency_key)])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def submit_claims(
    engine: Engine, items: Sequence[Pending], *, conn: Connection | None = None
) -> list[Outcome]:
    """Store many claims in one transaction (group commit), each with its own outcome.

    The outcome of each item is what `submit_claim` alone would give it, as if the items had
    come one after another: a `Submitted` answer, or the exception refusing it
    (`ClaimConflictError`, `IdempotencyMismatchError`, a database error). One transaction writes
    every claim that needs nothing else settled: its key is new and its reference free. Claims
    that are not plain inserts — a key already stored (replayed or refused without writing), a
    reference taken (skipped by the insert), a key sent twice in the batch (the later ones) —
    are settled after the commit, one by one, against what is then stored. If the batch's
    transaction fails as a whole (a concurrent writer took one of its keys, a deadlock, a
    database error), it is rolled back and every item is stored alone, so one claim never fails
    the others. `conn` (not in a transaction) is used for the batch's transaction when given —
    the batch writer keeps one open instead of taking one from the pool for every batch.
    """
    outcomes: list[Outcome | None] = [None] * len(items)
    first: list[int] = []
    later: list[int] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.key is not None and item.key in seen:
            later.append(index)
        else:
            first.append(index)
            if item.key is not None:
                seen.add(item.key)
    try:
        stored, settled = _write(engine, [items[i] for i in first], conn)
    except DBAPIError:
        return [_submit_alone(engine, item) for item in items]
    for position, index in enumerate(first):
        outcome = stored.get(position, settled.get(position))
        if outcome is None:
            later.append(index)  # its reference (or, rarely, its generated id) was taken
        else:
            outcomes[index] = outcome
    for index in sorted(later):
        outcomes[index] = _submit_alone(engine, items[index])
    return [o if o is not None else PaymentError("not stored") for o in outcomes]


@contextlib.contextmanager
def _transaction(engine: Engine, conn: Connection | None) -> Iterator[Connection]:
    """A writing transaction on `conn` (or on a connection from the pool), committed on success."""
    if conn is None:
        with unit_of_work(engine) as uow:
            yield uow.conn
            uow.commit()
        return
    conn = conn.execution_options(write=True)
    with conn.begin():
        yield conn


def _write(
    engine: Engine, items: Sequence[Pending], conn: Connection | None = None
) -> tuple[dict[int, Submitted], dict[int, Outcome]]:
    """One transaction: (answers of the claims written, outcomes settled by a stored key), by
    position in `items`. Positions in neither were skipped by the insert (reference taken)."""
    stored: dict[int, Submitted] = {}
    settled: dict[int, Outcome] = {}
    if not items:
        return stored, settled
    now = utcnow()
    with _transaction(engine, conn) as tx:
        known = store.find_idempotency(tx, [it.key for it in items if it.key is not None])
        fresh: dict[str, int] = {}
        for position, item in enumerate(items):
            row = known.get(item.key) if item.key is not None else None
            if row is None:
                fresh[new_claim_id()] = position
            else:
                settled[position] = _replay_row(row, item.request_hash)
        documents = store.insert_claims(
            tx,
            [(cid, items[p].claim) for cid, p in fresh.items()],
            received=now.date(),
            created_at=now,
        )
        store.insert_outbox(
            tx,
            [
                {
                    "claim_id": cid,
                    "provider_npi": items[fresh[cid]].claim.provider_npi,
                    "net_fee": format_cents(items[fresh[cid]].claim.net_fee),
                    "idempotency_key": items[fresh[cid]].key,
                }
                for cid in documents
            ],
            created_at=now,
        )
        store.insert_idempotency(
            tx,
            [
                (key, items[fresh[cid]].request_hash, CREATED, body)
                for cid, body in documents.items()
                if (key := items[fresh[cid]].key) is not None
            ],
            created_at=now,
        )
    for cid, body in documents.items():
        stored[fresh[cid]] = Submitted(CREATED, body, replayed=False)
    return stored, settled


def _submit_alone(engine: Engine, item: Pending) -> Outcome:
    """The outcome of one claim stored in its own transaction, after looking for a first answer."""
    try:
        for _ in range(_ATTEMPTS):
            if item.key is not None:
                replay = _replay_by_key(engine, item.key, item.request_hash)
                if replay is not None:
                    return replay
            try:
                stored, settled = _write(engine, [item])
            except IntegrityError:
                stored, settled = {}, {}  # a concurrent writer stored this key first
            if 0 in stored or 0 in settled:
                return stored.get(0) or settled[0]
            replay = _after_conflict(engine, item.claim, item.key, item.request_hash)
            if replay is not None:
                return replay
            # Neither the key nor the reference exists: the generated id collided; try again.
        return PaymentError("the claim could not be stored; please retry")
    except Exception as exc:  # noqa: BLE001 - handed to the caller as this claim's outcome
        return exc


def _after_conflict(
    engine: Engine, claim: NewClaim, key: str | None, request_hash: str
) -> Submitted | None:
    if key is not None:
        replay = _replay_by_key(engine, key, request_hash)
        if replay is not None:
            return replay
    if claim.claim_reference is None:
        return None
    with unit_of_work(engine, write=False) as uow:
        claim_id = store.find_claim_id_by_reference(uow.conn, claim.claim_reference)
        document = None if claim_id is None else load_claim(uow.conn, claim_id)
    if document is None:
        return None
    if stored_content(document).content_hash() != request_hash:
        raise ClaimConflictError(
            f"claim_reference {claim.claim_reference!r} belongs to claim {document['claim_id']} "
            "whose content differs"
        )
    return Submitted(CREATED, document, replayed=True)


def _replay_by_key(engine: Engine, key: str, request_hash: str) -> Submitted | None:
    with unit_of_work(engine, write=False) as uow:
        row = store.find_idempotency(uow.conn, [key]).get(key)
    if row is None:
        return None
    outcome = _replay_row(row, request_hash)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _replay_row(row: Mapping[Any, Any], request_hash: str) -> Outcome:
    """The first answer stored under a key, or the refusal of a different claim under it."""
    if row["request_hash"] != request_hash:
        return IdempotencyMismatchError(
            "this Idempotency-Key was already used with a different claim; use a new key"
        )
    return Submitted(int(row["status_code"]), dict(row["response"]), replayed=True)
