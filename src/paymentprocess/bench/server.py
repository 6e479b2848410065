"""A real HTTP server for a benchmark: a subprocess on a free loopback port, stopped afterwards.

`running_server(argv)` starts `argv` (with `{port}` replaced by a free port on 127.0.0.1) in its
own process group, waits until `GET /health` answers 200, yields its base URL and process id
and stops the
server (SIGTERM to its process group, SIGKILL if it has not exited after 15 s). Its output goes
to a log file in a private temporary directory, shown in the error if it never came up.
`product_server_argv` serves the product (`python -m paymentprocess … serve`); the baseline app
has its own (`bench.baseline_sqlmodel`). Loopback only: nothing listens on another interface.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from paymentprocess.errors import SettingsError

HOST = "127.0.0.1"
START_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def product_server_argv(db_uri: str, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "paymentprocess", "--db-uri", db_uri, "--log-level", "WARNING",
        "serve", "--host", HOST, "--port", "{port}", "--workers", str(workers),
    ]  # fmt: skip


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    raise SettingsError(f"the benchmark server did not start ({proc.poll()=}):\n{tail}")


@dataclass(frozen=True)
class RunningServer:
    url: str
    pid: int  # the server's main process (its workers are its children)


@contextmanager
def running_server(argv: list[str], env: dict[str, str] | None = None) -> Iterator[RunningServer]:
    port = free_port()
    command = [a.replace("{port}", str(port)) for a in argv]
    directory = tempfile.mkdtemp(prefix="pp-bench-server-")
    log = Path(directory) / "server.log"
    environment = {**os.environ, **(env or {})}
    url = f"http://{HOST}:{port}"
    try:
        with log.open("wb") as out:
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, stdout=out, stderr=subprocess.STDOUT, env=environment,
                start_new_session=True,
            )  # fmt: skip
        try:
            _wait_healthy(proc, url, log)
            yield RunningServer(url, proc.pid)
        finally:
            _stop(proc)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
