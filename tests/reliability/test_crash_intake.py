"""Crash safety of the claims intake (both databases).

A real `paymentprocess serve` (two worker processes) takes claims from eight concurrent clients,
each request with its own Idempotency-Key; the whole process group is SIGKILLed while requests are
in flight. Then: every claim whose POST was answered 201 is stored complete — its header, all its
lines with the amounts of the answer, its outbox event and its idempotency row; no claim exists
without lines; the provider aggregate equals a GROUP BY over the stored claims. Retrying every
request that got no answer with the same key, on a restarted service, stores each claim exactly
once (a claim committed just before the crash is replayed, not duplicated).
"""

from __future__ import annotations

import random
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from tests.integration.test_api_support import api_client
from tests.reliability.harness import engine_on, wait_for_backends_gone
from tests.reliability.intake_support import (
    claim_body,
    crash,
    intake_consistency,
    serving,
)

from paymentprocess.storage import tables as t

CLIENTS = 8
TRAFFIC_SECONDS = 2.0


@pytest.mark.slow
@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_intake_killed_while_clients_post(db_uri: str, tmp_path: Path) -> None:
    sent: dict[str, dict[str, Any]] = {}  # idempotency key -> body
    answered: dict[str, dict[str, Any]] = {}  # key -> 201 body
    unanswered: list[str] = []
    other: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(worker: int, base: str) -> None:
        rng = random.Random(worker)
        with httpx.Client(base_url=base, timeout=30) as http:
            for n in range(1_000_000):
                if stop.is_set():
                    return
                key = f"crash-{worker}-{n}"
                body = claim_body(worker * 1_000_000 + n, rng)
                with lock:
                    sent[key] = body
                try:
                    resp = http.post("/claims", json=body, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    with lock:
                        unanswered.append(key)
                    return  # the server is gone
                with lock:
                    if resp.status_code == 201:
                        answered[key] = resp.json()
                    else:
                        other.append(f"{resp.status_code} {resp.text[:200]}")

    with serving(db_uri, tmp_path, workers=2) as (base, proc):
        threads = [threading.Thread(target=client, args=(w, base)) for w in range(CLIENTS)]
        for th in threads:
            th.start()
        time.sleep(TRAFFIC_SECONDS)
        crash(proc)
        stop.set()
        for th in threads:
            th.join(timeout=60)
    wait_for_backends_gone(db_uri)
    assert not other, other[:5]
    assert len(answered) >= 20, f"too little traffic before the crash: {len(answered)}"
    assert unanswered, "no request was in flight at the crash"

    with engine_on(db_uri) as engine:
        counts = intake_consistency(engine)
        with engine.connect() as conn:
            lines = {}
            for row in conn.execute(
                select(
                    t.service_line.c.claim_core_id,
                    t.service_line.c.line_number,
                    t.service_line.c.allowed_amount,
                )
            ):
                lines.setdefault(row.claim_core_id, []).append(
                    (row.line_number, row.allowed_amount)
                )
            keys = dict(
                conn.execute(select(t.idempotency_key.c.key, t.idempotency_key.c.response)).all()
            )
        for key, body in answered.items():
            claim_id = body["claim_id"]
            stored = sorted(lines.get(claim_id, []))
            expected = [
                (line["line_number"], int(Decimal(line["allowed_fees"]) * 100))
                for line in body["lines"]
            ]
            assert stored == expected, f"claim {claim_id} answered 201 is not stored whole"
            assert keys[key]["claim_id"] == claim_id
        assert counts["claims"] >= len(answered)
        assert counts["claims"] <= len(answered) + len(unanswered)

        # A restarted service: retry every unanswered request with its key.
        with api_client(db_uri, engine=engine) as retry:
            replayed = 0
            for key in unanswered:
                resp = retry.post("/claims", json=sent[key], headers={"Idempotency-Key": key})
                assert resp.status_code == 201, resp.text
                replayed += resp.headers.get("Idempotent-Replayed") == "true"
        after = intake_consistency(engine)
    assert after["claims"] == len(answered) + len(unanswered) == after["keys"]
    print(
        f"intake crash: {len(answered)} answered 201, {len(unanswered)} in flight "
        f"({replayed} of them had been committed and were replayed)"
    )
