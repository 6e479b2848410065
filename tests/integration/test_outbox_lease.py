"""The outbox's leases (both databases, no broker): relays leasing at the same moment get
disjoint rows that together are all of them; a leased row is not leased again until its lease
runs out; a row given back is leased at once; a confirmed row is marked sent whoever holds it
now; one subject's rows are leased one at a time, in order."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine

from paymentprocess.storage.database import unit_of_work, utcnow
from paymentprocess.storage.outbox import add_events, backlog, lease_batch, mark_published, release


def _add(engine: Engine, events: list[tuple[str, dict[str, object], str | None]]) -> None:
    with unit_of_work(engine) as uow:
        add_events(uow.conn, events, created_at=utcnow())
        uow.commit()


def _lease(engine: Engine, owner: str, limit: int, lease: float = 30) -> list[int]:
    with unit_of_work(engine) as uow:
        rows = lease_batch(uow.conn, owner, limit, lease)
        uow.commit()
    return [r.outbox_id for r in rows]


def test_relays_leasing_together_get_disjoint_rows(engine: Engine) -> None:
    _add(engine, [("claim.created", {"n": n}, f"C{n}") for n in range(400)])
    got: dict[str, list[int]] = {}
    start = threading.Barrier(4)

    def relay(name: str) -> None:
        start.wait()
        mine: list[int] = []
        while batch := _lease(engine, name, 25):
            mine += batch
        got[name] = mine

    threads = [threading.Thread(target=relay, args=(f"r{i}",)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    everything = [i for ids in got.values() for i in ids]
    assert sorted(everything) == sorted(set(everything))  # no row leased twice
    assert len(everything) == 400
    with engine.connect() as conn:
        assert backlog(conn).unsent == 400  # leased is not sent


def test_leases_expire_release_and_mark(engine: Engine) -> None:
    _add(engine, [("claim.created", {"n": n}, f"C{n}") for n in range(3)])
    first = _lease(engine, "a", 10, lease=0.5)
    assert len(first) == 3
    assert _lease(engine, "b", 10) == []  # held by a
    time.sleep(0.7)
    taken = _lease(engine, "b", 10)  # a's lease ran out: b takes the rows over
    assert taken == first
    with unit_of_work(engine) as uow:
        release(uow.conn, taken[:1], "a")  # a no longer holds them: nothing given back
        release(uow.conn, taken[:1], "b")
        mark_published(uow.conn, taken[1:2])  # confirmed to a (late): sent all the same
        uow.commit()
    assert _lease(engine, "c", 10) == taken[:1]
    with engine.connect() as conn:
        assert backlog(conn).unsent == 2


def test_one_subject_is_leased_in_order_one_row_at_a_time(engine: Engine) -> None:
    _add(engine, [("e", {"n": n}, "K") for n in range(3)] + [("e", {"n": 9}, None)] * 2)
    batches = []
    while batch := _lease(engine, "r", 10):
        batches.append(batch)
        with unit_of_work(engine) as uow:
            mark_published(uow.conn, batch)
            uow.commit()
    assert batches == [[1, 4, 5], [2], [3]]  # rows without a key have no order to keep
