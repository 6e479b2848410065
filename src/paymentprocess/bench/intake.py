"""Intake load test: N concurrent clients POST claims to a running claims service for T seconds.

`run_intake_load` drives `POST /claims` from `concurrency` closed-loop clients, each on its own
keep-alive HTTP/1.1 connection, bounded both in time and in request count, and returns throughput
(claims stored per second), latency percentiles and the CPU the load generator itself used.

The client is deliberately lean so that it is not what the benchmark measures: plain asyncio
streams, request bytes prepared before the clock starts (a pool of varied claim bodies; each
request only splices a unique `claim_reference` number and its Content-Length into prepared
bytes), and only the status line and `Content-Length` of an answer are parsed (the body is read
and dropped; a chunked answer is read too). Every server under test gets the same client, so
ratios between servers are fair. Claims are varied (provider NPIs spread over `providers`, 1–4
lines) so that the provider-aggregate upsert is not one hot row. Only loopback targets are
accepted: this is a local measurement, never traffic to another machine.
`python -m paymentprocess.bench.intake --url http://127.0.0.1:8000` runs it directly.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import socket
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

MAX_DURATION_S = 600.0
MAX_REQUESTS = 5_000_000
POOL_SIZE = 2048  # distinct claim bodies per load; references make every request unique
REFERENCE_MARK = "@@REF@@"
READ_TIMEOUT_S = 30.0


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
    client_cpu_s: float = 0.0  # CPU of the load generator during the load (process time)


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
    """A valid, varied claim body; about one in seven names a second (rendering) provider on
    its lines after the first, as real claims do (issue 11)."""
    npi = f"1{rng.randrange(providers):09d}"
    rendering = f"1{rng.randrange(providers):09d}" if rng.random() < 0.15 else npi
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = []
    for k in range(rng.randint(1, 4)):
        allowed = rng.randint(1000, 50000)
        lines.append(
            {
                "service_date": day,
                "submitted_procedure": f"D{rng.randint(0, 9999):04d}",
                "plan_group": "GRP-1000",
                "subscriber_number": f"{number:010d}",
                "provider_npi": npi if k == 0 else rendering,
                "provider_fees": f"{(allowed + rng.randint(0, 9999)) / 100:.2f}",
                "allowed_fees": f"{allowed / 100:.2f}",
                "member_coinsurance": f"{rng.randint(0, allowed // 5) / 100:.2f}",
                "member_copay": f"{rng.choice((0, 1000, 2500)) / 100:.2f}",
            }
        )
    return {"claim_reference": f"bench-{number}-{rng.getrandbits(48):x}", "lines": lines}


class RequestPool:
    """Prepared `POST /claims` requests: a pool of bodies, each made unique by a counter.

    `request(n)` is the bytes of the n-th request: the head up to `Content-Length: `, the length,
    the rest of the head and the body with `n` spliced into its claim reference.
    """

    def __init__(self, host: str, seed: int, providers: int, api_key: str | None) -> None:
        rng = random.Random(seed)  # noqa: S311 - synthetic load, not secrets
        extra = f"X-API-Key: {api_key}\r\n" if api_key else ""
        self.head = (
            f"POST /claims HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"{extra}Content-Length: "
        ).encode()
        self.bodies: list[tuple[bytes, bytes, int]] = []
        for k in range(POOL_SIZE):
            claim = make_claim(k, rng, providers)
            claim["claim_reference"] = f"bench-{seed}-{REFERENCE_MARK}-{rng.getrandbits(32):x}"
            before, after = json.dumps(claim, separators=(",", ":")).split(REFERENCE_MARK)
            self.bodies.append((before.encode(), after.encode(), len(before) + len(after)))

    def request(self, number: int) -> bytes:
        before, after, size = self.bodies[number % POOL_SIZE]
        digits = str(number).encode()
        length = str(size + len(digits)).encode()
        return b"".join((self.head, length, b"\r\n\r\n", before, digits, after))


class Connection:
    """One keep-alive HTTP/1.1 connection that reads only what it must of each answer."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, request: bytes) -> int:
        """Send `request`, read the whole answer, return its status code."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(request)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
        status = int(head[9:12])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            await self._drain_chunks()
        elif length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    async def _drain_chunks(self) -> None:
        assert self.reader is not None
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return


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
) -> IntakeResult:
    """POST claims from `concurrency` clients until `duration_s` or `max_requests` is reached."""
    require_loopback(base_url)
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    duration_s = min(duration_s, MAX_DURATION_S)
    max_requests = min(max_requests, MAX_REQUESTS)
    pool = RequestPool(f"{host}:{port}", seed, providers, api_key)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    sent = 0
    connections = [Connection(host, port) for _ in range(concurrency)]
    for conn in connections:  # connected before the clock starts
        await conn.open()
    cpu_before = time.process_time()
    started = time.perf_counter()
    deadline = started + duration_s

    async def client_loop(conn: Connection) -> None:
        nonlocal sent
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            request = pool.request(sent)
            t0 = time.perf_counter()
            try:
                status = await conn.exchange(request)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                statuses[type(exc).__name__] += 1
                conn.close()
                continue
            statuses[str(status)] += 1
            latencies.append((time.perf_counter() - t0) * 1000)

    try:
        await asyncio.gather(*(client_loop(conn) for conn in connections))
    finally:
        for conn in connections:
            conn.close()
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_before
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
        client_cpu_s=round(client_cpu, 3),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=500, help="distinct provider NPIs")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = asyncio.run(
        run_intake_load(
            args.url,
            concurrency=args.concurrency,
            duration_s=args.duration,
            max_requests=args.max_requests,
            providers=args.providers,
            api_key=args.api_key,
            seed=args.seed,
        )
    )
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
