"""`_TcpNoDelayConfig`: the uvicorn Config of `serve` (why: cli/cmd_serve.py's docstring).

A module of its own so that uvicorn is imported only when `serve` runs, never by
`paymentprocess --help` (docs/performance.md, "CLI start-up"), while the class stays importable
by name: uvicorn's Multiprocess pickles the config for its spawned workers.
"""

from __future__ import annotations

import socket

import uvicorn


class _TcpNoDelayConfig(uvicorn.Config):
    """A uvicorn Config whose pre-bound TCP listener reports IPPROTO_TCP (see cmd_serve)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto != 0:
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp
