"""Serve the FastAPI + SQLModel baseline app (`bench.baseline_sqlmodel`) under uvicorn.

Kept apart from the app's module so that running it as `__main__` never defines the SQLModel
tables twice. It creates the baseline tables, then starts `--workers` uvicorn workers on a
listening socket marked IPPROTO_TCP (so every worker sets TCP_NODELAY on its connections, as
`paymentprocess serve` does), with httptools and uvloop as the product: `python -m paymentprocess.bench.baseline_server --db-uri URI`.
"""

from __future__ import annotations

import argparse
import os
import socket

import uvicorn
from sqlmodel import SQLModel
from uvicorn.supervisors import Multiprocess

from paymentprocess.bench.baseline_sqlmodel import DB_ENV, make_engine

APP_FACTORY = "paymentprocess.bench.baseline_sqlmodel:app_from_env"


def _tcp_socket(host: str, port: int) -> socket.socket:
    """A listening socket marked IPPROTO_TCP, so that every worker sets TCP_NODELAY."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the FastAPI + SQLModel baseline intake app")
    parser.add_argument("--db-uri", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    engine = make_engine(args.db_uri)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    os.environ[DB_ENV] = args.db_uri
    config = uvicorn.Config(
        APP_FACTORY, factory=True, host=args.host,
        port=args.port, workers=args.workers, access_log=False, log_level="warning",
        http="httptools", loop="uvloop",  # served like the product (fair comparison)
    )  # fmt: skip
    sock = _tcp_socket(args.host, args.port)
    if args.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
