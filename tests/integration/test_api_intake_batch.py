"""Group commit of intake (service.claims.group_commit) through a real server, on both databases.

Concurrent POSTs land in the same batch; each must get exactly the answer it would get alone:
new claims 201, a duplicate reference with other content 409, the identical claim again 201 with
the first claim, an Idempotency-Key retry 201 replayed, the same key with other content 422 —
and the database holds exactly the right claims, lines, aggregate (= GROUP BY) and outbox rows.
"""

from __future__ import annotations

import asyncio
import copy
import random
import threading
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from tests.integration.intake_server import served
from tests.reliability.intake_support import claim_body, intake_consistency

from paymentprocess.api.app import create_app
from paymentprocess.config import Settings
from paymentprocess.service.claims import write as store
from paymentprocess.service.claims.group_commit import ClaimBatcher
from paymentprocess.service.claims.model import NewClaim
from paymentprocess.service.claims.parse import parse_claim
from paymentprocess.service.claims.submit import IdempotencyMismatchError, Pending, submit_claims
from paymentprocess.storage import tables as t


def _post_all(url: str, plan: list[tuple[dict[str, Any], dict[str, str]]]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(plan))
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
            return list(
                await asyncio.gather(
                    *(http.post("/claims", json=body, headers=headers) for body, headers in plan)
                )
            )

    return asyncio.run(run())


class _HeldBatcher(ClaimBatcher):
    """Holds the first batch until `expected` claims wait, so they are written as one batch."""

    def __init__(self, engine: Engine, expected: int) -> None:
        super().__init__(engine, max_claims=1000)
        self.expected = expected
        self.ready = threading.Event()
        self.seen = 0
        self.sizes: list[int] = []

    async def submit(self, claim: NewClaim, key: str | None = None) -> Any:
        self.seen += 1
        if self.seen == self.expected:
            self.ready.set()
        return await super().submit(claim, key)

    def _next_batch(self) -> Any:
        self.ready.wait(30)
        batch = super()._next_batch()
        if batch is not None:
            self.sizes.append(len(batch))
        return batch


def test_one_batch_settles_each_claim_as_if_alone(db_uri: str, engine: Engine) -> None:
    rng = random.Random(5)
    bodies = [claim_body(n, rng, providers=3) for n in range(12)]
    clash = copy.deepcopy(bodies[0])  # same reference as claim 0, other content
    clash["lines"][0]["member_copay"] = "99.00"
    keyed, other = claim_body(100, rng, providers=3), claim_body(101, rng, providers=3)
    plan = [(b, {}) for b in bodies] + [
        (copy.deepcopy(bodies[1]), {}),  # the identical claim again: the first answer
        (clash, {}),  # 409
        (keyed, {"Idempotency-Key": "batch-key"}),
        (keyed, {"Idempotency-Key": "batch-key"}),  # replay
        (other, {"Idempotency-Key": "batch-key"}),  # 422
    ]
    app = create_app(Settings(db_uri=db_uri), engine=engine)
    batcher = _HeldBatcher(engine, expected=len(plan))
    app.state.claim_batcher = batcher
    with served(app) as url:
        answers = _post_all(url, plan)
    assert batcher.sizes[0] == len(plan), batcher.sizes  # one batch held every request
    # Requests reach the server in any order: whichever of two rivals came first wins.
    status = [r.status_code for r in answers]
    docs = [r.json() for r in answers]
    assert all(status[n] == 201 for n in range(1, 12)), [r.text[:200] for r in answers]
    assert sorted((status[0], status[13])) == [201, 409]  # same reference, other content
    loser = 0 if status[0] == 409 else 13
    assert docs[loser]["detail"][0]["field"] == "claim_reference"
    assert status[12] == 201  # the identical claim: the first claim's answer
    assert docs[12]["claim_id"] == docs[1]["claim_id"]
    replays = [answers[n].headers.get("Idempotent-Replayed") for n in (1, 12)]
    assert sorted(replays, key=str) == [None, "true"]
    if status[16] == 201:  # the other content took the key first
        assert (status[14], status[15]) == (422, 422)
        keyed_winner = 16
    else:
        assert (status[14], status[15], status[16]) == (201, 201, 422)
        assert docs[14] == docs[15]
        assert sorted(
            [answers[n].headers.get("Idempotent-Replayed") for n in (14, 15)], key=str
        ) == [None, "true"]
        keyed_winner = 14
    for n in (14, 15, 16):
        if status[n] == 422:
            assert docs[n]["detail"][0]["field"] == "Idempotency-Key"
    counts = intake_consistency(engine)  # aggregate = GROUP BY; one outbox row per claim
    assert counts == {"claims": 13, "outbox": 13, "keys": 1}
    winner = 13 - loser  # 0 or 13
    with engine.connect() as conn:
        stored = set(conn.execute(select(t.claim_fin_core.c.claim_core_id)).scalars())
        copay = conn.execute(
            select(func.sum(t.service_line.c.copay_amount)).where(
                t.service_line.c.claim_core_id == docs[winner]["claim_id"]
            )
        ).scalar_one()
    expected = {docs[n]["claim_id"] for n in range(1, 12)} | {docs[winner]["claim_id"]}
    assert stored == expected | {docs[keyed_winner]["claim_id"]}
    sent = plan[winner][0]["lines"]
    assert copay == sum(int(line["member_copay"].replace(".", "")) for line in sent)


def test_many_concurrent_posts_form_batches_and_store_exactly_once(
    db_uri: str, engine: Engine
) -> None:
    rng = random.Random(9)
    bodies = [claim_body(n, rng, providers=7) for n in range(60)]
    plan = [(b, {}) for b in bodies] + [(copy.deepcopy(b), {}) for b in bodies[:10]]
    app = create_app(Settings(db_uri=db_uri), engine=engine)
    with served(app) as url:
        answers = _post_all(url, plan)
    batcher: ClaimBatcher = app.state.claim_batcher
    assert [r.status_code for r in answers] == [201] * 70
    assert [r.json()["claim_id"] for r in answers[60:]] == [
        r.json()["claim_id"] for r in answers[:10]
    ]
    assert batcher.batches < 70  # some requests shared a transaction
    assert intake_consistency(engine) == {"claims": 60, "outbox": 60, "keys": 0}


def test_a_failed_batch_falls_back_to_one_claim_at_a_time(
    db_uri: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key stored by a concurrent writer after the batch looked for it fails the batch's
    transaction; it is rolled back and every claim is stored alone, with its own answer."""
    rng = random.Random(11)
    c1, c2, c3, c4 = (parse_claim(claim_body(n, rng)) for n in range(1, 5))
    assert submit_claims(engine, [Pending.of(c1, "k-1")])[0].status_code == 201  # type: ignore[union-attr]
    real, calls = store.find_idempotency, []

    def blind_first(conn: Any, keys: Any) -> Any:
        calls.append(list(keys))
        return {} if len(calls) == 1 else real(conn, keys)

    monkeypatch.setattr(store, "find_idempotency", blind_first)
    items = [Pending.of(c2), Pending.of(c4, "k-1"), Pending.of(c3, "k-3")]
    outcomes = submit_claims(engine, items)
    assert isinstance(outcomes[1], IdempotencyMismatchError)
    assert [getattr(o, "status_code", None) for o in outcomes] == [201, None, 201]
    assert calls[0] == ["k-1", "k-3"]  # the batch ran, then each claim alone
    assert intake_consistency(engine) == {"claims": 3, "outbox": 3, "keys": 2}


def test_the_claim_writer_gives_its_connection_back_when_the_app_stops(
    db_uri: str, engine: Engine
) -> None:
    """The writer keeps its connection between batches, for `idle_s` after the last; the app's
    shutdown stops it at once, so nothing stays checked out of the engine's pool."""
    app = create_app(Settings(db_uri=db_uri), engine=engine)
    batcher: ClaimBatcher = app.state.claim_batcher
    batcher.idle_s = 600.0  # it would otherwise hold the connection for ten minutes
    with TestClient(app) as client:
        answer = client.post("/claims", json=claim_body(1, random.Random(3)))
        assert answer.status_code == 201, answer.text
        assert engine.pool.checkedout() == 1  # the writer's, kept for the next batch
    assert engine.pool.checkedout() == 0
    with TestClient(app) as client:  # a later claim starts a writer again
        answer = client.post("/claims", json=claim_body(2, random.Random(4)))
        assert answer.status_code == 201, answer.text
    assert engine.pool.checkedout() == 0
    assert batcher.batches == 2
