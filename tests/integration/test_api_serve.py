"""`paymentprocess serve`: two real workers answer over TCP with TCP_NODELAY kept."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from tests.integration.test_api_support import CLAIM_1234_CSV

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
