"""Long-running commands (`relay`, `consume`) under asyncio: SIGTERM and SIGINT set a stop event,
so the work in flight finishes (a batch confirmed and marked, a message committed and
acknowledged) before the process exits 0."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_until_signalled(work: Callable[[asyncio.Event], Coroutine[Any, Any, T]]) -> T:
    async def main() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await work(stop)

    return asyncio.run(main())
