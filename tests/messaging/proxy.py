"""A small TCP proxy for the tests: forwards 127.0.0.1:<port> to the broker, and cuts each of the
first `cuts` connections (both sides closed, no goodbye) once `after_bytes` bytes went from the
client to the broker — in the middle of a batch of publishes. Later connections pass untouched."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class CuttingProxy:
    def __init__(self, upstream: tuple[str, int], *, cuts: int, after_bytes: int) -> None:
        self.upstream, self.after_bytes = upstream, after_bytes
        self.cuts_left = cuts
        self.cuts_done = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            broker = socket.create_connection(self.upstream)
            with self._lock:
                cut = self.cuts_left > 0
                self.cuts_left -= 1 if cut else 0
                self._open += [client, broker]
            limit = self.after_bytes if cut else None
            threading.Thread(target=self._pump, args=(client, broker, limit), daemon=True).start()
            threading.Thread(target=self._pump, args=(broker, client, None), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while data := src.recv(65536):
                if limit is not None and sent + len(data) >= limit:
                    dst.sendall(data[: max(0, limit - sent)])  # part of a frame, then nothing
                    with self._lock:
                        self.cuts_done += 1
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self._server.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.close()


@contextlib.contextmanager
def cutting_proxy(
    upstream: tuple[str, int], *, cuts: int, after_bytes: int
) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(upstream, cuts=cuts, after_bytes=after_bytes)
    try:
        yield proxy
    finally:
        proxy.close()
