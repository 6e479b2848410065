"""A real `paymentprocess serve` subprocess for the reliability tests, and what intake must leave.

`serving(uri, tmp_path, workers=…)` starts the service on a free loopback port in its own process
group (so SIGKILL reaches every worker at once, like a crashed machine) and yields its base URL;
`program=` runs another installation's console script instead of this interpreter's module.
`intake_consistency(engine)` checks what every intake transaction must leave behind, whatever
happened: each claim has its lines, its outbox event and (when a key was sent) its idempotency
row; no claim is without lines; the provider aggregate equals a GROUP BY over the stored lines.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select
from tests.reliability.harness import child_env, cli_command

from paymentprocess.storage import tables as t


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    uri: str,
    tmp_path: Path,
    *,
    workers: int = 1,
    log_level: str = "WARNING",
    program: Sequence[str] | None = None,
    **env: str,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`paymentprocess serve` on 127.0.0.1:<free port>; yields (base URL, process)."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    command = cli_command(uri, "--log-level", log_level, "serve", program=program)
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [
                *command,
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=tmp_path,
            env=child_env(PAYMENT_LOG_LEVEL=log_level, **env),
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start\n" + log.read_text()
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def crash(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the server and every worker at once."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def claim_body(number: int, rng: random.Random, *, providers: int = 40) -> dict[str, Any]:
    """A valid claim with 1–4 lines; amounts in cents chosen by `rng`."""
    npi = f"1{rng.randrange(providers):09d}"
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = []
    for _ in range(rng.randint(1, 4)):
        allowed = rng.randint(1000, 50000)
        fees = allowed + rng.randint(0, 9999)
        coins = rng.randint(0, allowed // 5)
        lines.append(
            {
                "service_date": day,
                "submitted_procedure": f"D{rng.randint(0, 9999):04d}",
                "plan_group": "GRP-1000",
                "subscriber_number": f"{number:010d}",
                "provider_npi": npi,
                "provider_fees": _money(fees),
                "allowed_fees": _money(allowed),
                "member_coinsurance": _money(coins),
                "member_copay": _money(rng.choice((0, 1000, 2500))),
            }
        )
    return {"claim_reference": f"rel-{number}-{rng.getrandbits(40):x}", "lines": lines}


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def intake_consistency(engine: Engine) -> dict[str, int]:
    """Assert the all-or-nothing shape of every stored intake claim; returns the row counts."""
    c, sl, agg, box, idem = (
        t.claim_fin_core,
        t.service_line,
        t.provider_aggregate,
        t.outbox_event,
        t.idempotency_key,
    )
    with engine.connect() as conn:
        claims = {
            r.claim_core_id: r
            for r in conn.execute(
                select(
                    c.c.claim_core_id,
                    c.c.npi,
                    c.c.billed_amount,
                    c.c.allowed_amount,
                    c.c.coinsurance_amount,
                    c.c.copay_amount,
                )
            )
        }
        lines = conn.execute(
            select(
                sl.c.claim_core_id,
                func.count().label("n"),
                func.sum(
                    sl.c.billed_amount
                    + sl.c.coinsurance_amount
                    + sl.c.copay_amount
                    - sl.c.allowed_amount
                ).label("net"),
                func.sum(sl.c.billed_amount).label("billed"),
                func.sum(sl.c.allowed_amount).label("allowed"),
            ).group_by(sl.c.claim_core_id)
        ).all()
        per_claim = {r.claim_core_id: r for r in lines}
        outbox = [r.payload for r in conn.execute(select(box.c.payload))]
        aggregate = {
            r.provider_npi: (int(r.claim_count), int(r.total_net_fee))
            for r in conn.execute(select(agg))
        }
        keys = conn.execute(select(idem.c.key, idem.c.response)).all()
    assert set(per_claim) == set(claims), "a claim without lines, or lines without a claim"
    expected_agg: dict[str, tuple[int, int]] = {}
    for claim_id, row in claims.items():
        lined = per_claim[claim_id]
        assert (row.billed_amount, row.allowed_amount) == (lined.billed, lined.allowed), claim_id
        count, total = expected_agg.get(row.npi, (0, 0))
        expected_agg[row.npi] = (count + 1, total + int(lined.net))
    assert aggregate == expected_agg, "provider_aggregate differs from a GROUP BY over the claims"
    outbox_ids = [p["claim_id"] for p in outbox]
    assert sorted(outbox_ids) == sorted(claims), "every claim has exactly one outbox event"
    for _key, response in keys:
        assert response["claim_id"] in claims, "an idempotency row points at no claim"
    return {"claims": len(claims), "outbox": len(outbox), "keys": len(keys)}
