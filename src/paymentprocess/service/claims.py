"""Claim intake and lookup, shared by the HTTP API and the command line.

`parse_claim` turns a JSON document or CSV text into a validated `NewClaim` (or raises
`ClaimInputError` listing every problem). `submit_claim` stores it in one unit of work — claim,
lines, provider aggregate, outbox event and the Idempotency-Key answer — and settles races with
the database's unique constraints instead of check-then-insert: on a unique violation it rolls
back, then looks up the winner by Idempotency-Key or `claim_reference` and either replays its
answer (identical content) or refuses (different content).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from paymentprocess.domain.money import format_cents
from paymentprocess.errors import NotFoundError, PaymentError
from paymentprocess.rules.intake_base import Problem
from paymentprocess.rules.intake_fields import claim_from_csv, claim_from_json
from paymentprocess.rules.intake_rules import validate
from paymentprocess.service import claims_store as store
from paymentprocess.service.claims_document import stored_content
from paymentprocess.service.claims_ids import new_claim_id
from paymentprocess.service.claims_model import NewClaim, build_claim
from paymentprocess.storage.database import unit_of_work, utcnow

CREATED = 201
_ATTEMPTS = 3


@dataclass
class ClaimInputError(PaymentError):
    """The claim is refused; `problems` name each line and field."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(
            f"line {p.line}: {p.field}: {p.message}" if p.line else f"{p.field}: {p.message}"
            for p in self.problems
        )


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


def parse_claim(document: object = None, *, csv_text: str | None = None) -> NewClaim:
    """A validated claim from a parsed JSON document or from CSV text."""
    raw, problems = claim_from_csv(csv_text) if csv_text is not None else claim_from_json(document)
    # Report every problem once: a broken line (or lines list) is not also missing each field.
    taken = {(p.line, p.field) for p in problems}
    broken = {p.line for p in problems if p.field is None or p.field == "lines"}
    problems += [
        p for p in validate(raw) if (p.line, p.field) not in taken and p.line not in broken
    ]
    if problems:
        raise ClaimInputError(problems)
    return build_claim(raw)


def submit_claim(
    engine: Engine, claim: NewClaim, *, idempotency_key: str | None = None
) -> Submitted:
    """Store `claim` once; a retry (same key or same reference, same content) gets the first answer."""
    request_hash = claim.content_hash()
    if idempotency_key is not None:
        replay = _replay_by_key(engine, idempotency_key, request_hash)
        if replay is not None:
            return replay
    for _ in range(_ATTEMPTS):
        try:
            return _insert(engine, claim, idempotency_key, request_hash)
        except IntegrityError:
            replay = _after_conflict(engine, claim, idempotency_key, request_hash)
            if replay is not None:
                return replay
            # Neither the key nor the reference exists: the generated id collided; try again.
    raise PaymentError("the claim could not be stored; please retry")


def _insert(engine: Engine, claim: NewClaim, key: str | None, request_hash: str) -> Submitted:
    claim_id, now = new_claim_id(), utcnow()
    with unit_of_work(engine) as uow:
        body = store.insert_claim(
            uow.conn, claim_id, claim, received=datetime.now(UTC).date(), created_at=now
        )
        store.insert_outbox(
            uow.conn,
            {
                "claim_id": claim_id,
                "provider_npi": claim.provider_npi,
                "net_fee": format_cents(claim.net_fee),
                "idempotency_key": key,
            },
            created_at=now,
        )
        if key is not None:
            store.insert_idempotency(uow.conn, key, request_hash, CREATED, body, created_at=now)
        uow.commit()
    return Submitted(CREATED, body, replayed=False)


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
        document = None if claim_id is None else store.load_claim(uow.conn, claim_id)
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
        row = store.find_idempotency(uow.conn, key)
    if row is None:
        return None
    if row["request_hash"] != request_hash:
        raise IdempotencyMismatchError(
            "this Idempotency-Key was already used with a different claim; use a new key"
        )
    return Submitted(int(row["status_code"]), dict(row["response"]), replayed=True)


def get_claim(engine: Engine, claim_id: str) -> dict[str, Any]:
    """The stored claim document; NotFoundError if there is none."""
    with unit_of_work(engine, write=False) as uow:
        document = store.load_claim(uow.conn, claim_id)
    if document is None:
        raise NotFoundError(f"no claim with id {claim_id!r}")
    return document
