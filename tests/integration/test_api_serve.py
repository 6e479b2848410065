"""`paymentprocess serve`: two real workers answer over TCP with TCP_NODELAY kept, and share one
top-providers rate limit through Redis (10 per client in all, not 10 per worker)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tests.conftest import REDIS_URL
from tests.integration.test_api_support import CLAIM_1234_CSV
from tests.reliability.intake_support import serving

from paymentprocess.cli.cmd_serve import APP_FACTORY, _TcpNoDelayConfig


def test_the_pre_bound_listener_is_marked_tcp() -> None:
    config = _TcpNoDelayConfig(APP_FACTORY, factory=True, host="127.0.0.1", port=0, workers=2)
    sock = config.bind_socket()
    try:
        assert (sock.family, sock.proto) == (socket.AF_INET, socket.IPPROTO_TCP)
        assert sock.get_inheritable()
    finally:
        sock.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_with_two_workers_takes_claims(db_uri: str) -> None:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "paymentprocess",
        "--db-uri",
        db_uri,
        "--log-level",
        "WARNING",
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        command,
        env={**os.environ, "PAYMENT_API_KEYS": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=10) as client:
            created = client.post(
                "/claims", content=CLAIM_1234_CSV, headers={"Content-Type": "text/csv"}
            )
            page = client.get("/claims", params={"provider_npi": "1497775530"})
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert created.status_code == 201, created.text
    assert created.json()["net_fee"] == "116.85"
    assert page.json()["total"] == 1, page.text


def _answers(log: Path, path: str) -> list[tuple[int, int]]:
    """(worker pid, status) of every request to `path` in the server's JSON log lines."""
    found = []
    for line in log.read_text().splitlines():
        if line.startswith("{") and '"http_request"' in line:
            event = json.loads(line)
            if event["path"] == path:
                found.append((event["pid"], event["status"]))
    return found


def _top_answers(log: Path) -> list[tuple[int, int]]:
    return _answers(log, "/providers/top")


def _until_both_workers_answer(base: str, log: Path) -> None:
    """Ask `/health` on new connections until two worker pids have answered: a worker still
    starting accepts nothing, and the kernel then hands every connection to the other one."""
    deadline = time.monotonic() + 60
    with ThreadPoolExecutor(4) as pool:
        while len({pid for pid, _ in _answers(log, "/health")}) < 2:
            assert time.monotonic() < deadline, f"one worker answered: {_answers(log, '/health')}"
            list(pool.map(lambda _: httpx.get(f"{base}/health", timeout=10), range(8)))
            time.sleep(0.05)


@pytest.mark.slow
def test_two_workers_on_one_redis_allow_ten_per_minute_in_all(
    tmp_path: Path, redis_prefix: str
) -> None:
    env = {
        "PAYMENT_REDIS_URL": REDIS_URL,
        "PAYMENT_REDIS_KEY_PREFIX": redis_prefix,
        "PAYMENT_API_KEYS": "alpha",
    }
    uri = f"sqlite:///{tmp_path / 'serve.db'}"
    statuses: list[int] = []

    def ask(_: int) -> int:  # a new connection each time, so the kernel picks the worker
        return httpx.get(f"{base}/providers/top", timeout=10).status_code

    with serving(uri, tmp_path, workers=2, log_level="INFO", **env) as (base, _proc):
        (log,) = tmp_path.glob("serve-*.log")
        _until_both_workers_answer(base, log)
        with ThreadPoolExecutor(4) as pool:
            for _ in range(25):  # rounds of 4 at once until both workers have answered
                statuses += pool.map(ask, range(4))
                if len({pid for pid, _ in _top_answers(log)}) == 2 and len(statuses) >= 12:
                    break
        alpha = httpx.get(f"{base}/providers/top", headers={"X-API-Key": "alpha"}, timeout=10)
    answers = _top_answers(log)  # the server has stopped: every line is written
    by_worker = Counter(pid for pid, _ in answers)
    assert len(by_worker) == 2, f"one worker answered every request: {by_worker}"
    assert statuses.count(200) == 10, statuses
    assert statuses.count(429) == len(statuses) - 10
    assert sorted(status for _, status in answers) == sorted([*statuses, alpha.status_code])
    assert alpha.status_code == 200  # another client has a window of its own
    assert alpha.headers["X-RateLimit-Remaining"] == "9"
