"""Intake load test: N concurrent clients POST claims to a running claims service for T seconds.

`run_intake_load` drives `POST /claims` with an httpx async client (one connection per client),
bounded both in time and in request count, and returns throughput (claims stored per second) and
latency percentiles. Claims are varied (provider NPIs spread over `providers`, 1–4 lines) so that
the provider-aggregate upsert is not one hot row. Only loopback targets are accepted: this is a
local measurement, never traffic to another machine. `paymentprocess bench intake` can reuse it;
`python -m paymentprocess.bench.intake --url http://127.0.0.1:8000` runs it directly.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

MAX_DURATION_S = 600.0
MAX_REQUESTS = 5_000_000


@dataclass
class IntakeResult:
    concurrency: int
    duration_s: float
    requests: int
    created: int
    statuses: dict[str, int] = field(default_factory=dict)
    claims_per_s: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    p95_ms: float = 0.0


def require_loopback(base_url: str) -> None:
    """Refuse any target that is not this machine (127.0.0.0/8, ::1 or localhost)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"the intake benchmark only targets loopback addresses, not {host!r}")


def make_claim(number: int, rng: random.Random, providers: int) -> dict[str, Any]:
    """A valid, varied claim body."""
    npi = f"1{rng.randrange(providers):09d}"
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = []
    for _ in range(rng.randint(1, 4)):
        allowed = rng.randint(1000, 50000)
        lines.append(
            {
                "service_date": day,
                "submitted_procedure": f"D{rng.randint(0, 9999):04d}",
                "plan_group": "GRP-1000",
                "subscriber_number": f"{number:010d}",
                "provider_npi": npi,
                "provider_fees": f"{(allowed + rng.randint(0, 9999)) / 100:.2f}",
                "allowed_fees": f"{allowed / 100:.2f}",
                "member_coinsurance": f"{rng.randint(0, allowed // 5) / 100:.2f}",
                "member_copay": f"{rng.choice((0, 1000, 2500)) / 100:.2f}",
            }
        )
    return {"claim_reference": f"bench-{number}-{rng.getrandbits(48):x}", "lines": lines}


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    index = min(len(sorted_ms) - 1, max(0, round(q * len(sorted_ms)) - 1))
    return round(sorted_ms[index], 2)


async def run_intake_load(
    base_url: str,
    *,
    concurrency: int = 16,
    duration_s: float = 60.0,
    max_requests: int = 1_000_000,
    providers: int = 500,
    api_key: str | None = None,
    seed: int = 0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> IntakeResult:
    """POST claims from `concurrency` clients until `duration_s` or `max_requests` is reached.

    `transport` lets a test drive an in-process app (httpx.ASGITransport) instead of a server.
    """
    require_loopback(base_url)
    duration_s = min(duration_s, MAX_DURATION_S)
    max_requests = min(max_requests, MAX_REQUESTS)
    headers = {"X-API-Key": api_key} if api_key else {}
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    started = time.perf_counter()
    deadline = started + duration_s

    async def client_loop(client: httpx.AsyncClient, worker: int) -> None:
        nonlocal sent
        rng = random.Random(seed * 1000 + worker)  # noqa: S311 - synthetic load, not secrets
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            body = make_claim(sent, rng, providers)
            t0 = time.perf_counter()
            try:
                resp = await client.post("/claims", json=body, headers=headers)
                statuses[str(resp.status_code)] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                continue
            latencies.append((time.perf_counter() - t0) * 1000)

    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=30.0, transport=transport
    ) as client:
        await asyncio.gather(*(client_loop(client, w) for w in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    created = statuses.get("201", 0)
    return IntakeResult(
        concurrency=concurrency,
        duration_s=round(elapsed, 2),
        requests=sum(statuses.values()),
        created=created,
        statuses=dict(statuses),
        claims_per_s=round(created / elapsed, 1),
        p50_ms=_percentile(latencies, 0.50),
        p90_ms=_percentile(latencies, 0.90),
        p99_ms=_percentile(latencies, 0.99),
        max_ms=round(latencies[-1], 2) if latencies else 0.0,
        p95_ms=_percentile(latencies, 0.95),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=500, help="distinct provider NPIs")
    parser.add_argument("--api-key", default=None)
    args = parser.parse_args(argv)
    result = asyncio.run(
        run_intake_load(
            args.url,
            concurrency=args.concurrency,
            duration_s=args.duration,
            max_requests=args.max_requests,
            providers=args.providers,
            api_key=args.api_key,
        )
    )
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
