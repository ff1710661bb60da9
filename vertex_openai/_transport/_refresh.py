"""A single-flight refresh worker: at most one refresh runs at a time, on a thread of its own.

The worker knows nothing of tokens: it runs the function it was given, lets any number of callers
wait for the run in flight (each with its own deadline, sync or async), and starts clean in a
forked child, where the parent's thread does not exist. The token rules live in `_auth`.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

__all__ = ["RefreshTimeout", "RefreshWorker", "wait", "wait_async"]


class RefreshTimeout(Exception):
    """A wait for a refresh passed its deadline (the refresh itself may still finish later)."""


class RefreshWorker:
    """Runs `refresh(timeout)` on a worker thread; one run in flight at a time."""

    def __init__(
        self,
        refresh: Callable[[float | None], None],
        *,
        name: str,
        after_fork: Callable[[], None] | None = None,
    ) -> None:
        self._refresh = refresh
        self._name = name
        self._after_fork = after_fork
        self._lock = threading.Lock()
        self._running: Future[None] | None = None
        _alive.add(self)

    @property
    def running(self) -> bool:
        """True while a run is in flight."""
        return self._running is not None

    def start(self, *, timeout: float | None) -> Future[None]:
        """The run in flight, started if there is none. `timeout` bounds a new run's own I/O."""
        with self._lock:
            if self._running is None:
                future: Future[None] = Future()
                future.set_running_or_notify_cancel()  # a cancelled waiter must not cancel the others
                self._running = future
                threading.Thread(
                    target=self._run, args=(future, timeout), name=self._name, daemon=True
                ).start()
            return self._running

    def _run(self, future: Future[None], timeout: float | None) -> None:
        try:
            self._refresh(timeout)
        except BaseException as exc:
            self._finish(future)
            future.set_exception(exc)
        else:
            self._finish(future)
            future.set_result(None)

    def _finish(self, future: Future[None]) -> None:
        with self._lock:
            if self._running is future:
                self._running = None

    def reset_after_fork(self) -> None:
        """In a forked child: forget the parent's run (its thread is not here), its lock, and whatever
        the owner drops in `after_fork` (e.g. pooled sockets shared with the parent)."""
        self._lock = threading.Lock()
        self._running = None
        if self._after_fork is not None:
            self._after_fork()


def wait(future: Future[None], timeout: float | None) -> None:
    """Wait for a run; `RefreshTimeout` after `timeout` seconds (None: no limit)."""
    try:
        future.result(timeout)
    except FutureTimeout:
        raise RefreshTimeout from None


async def wait_async(future: Future[None], timeout: float | None) -> None:
    """Wait for a run without blocking the event loop (asyncio, or any loop anyio supports)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # another async library (trio): wait on a worker thread instead
        import anyio.to_thread

        await anyio.to_thread.run_sync(wait, future, timeout)
        return
    run = asyncio.wrap_future(future)
    # When every waiter is cancelled or times out and the run then fails, nobody awaits `run`:
    # retrieve its outcome here, or asyncio logs "Future exception was never retrieved".
    run.add_done_callback(_retrieve)
    try:
        await asyncio.wait_for(asyncio.shield(run), timeout)
    except asyncio.TimeoutError:
        raise RefreshTimeout from None


def _retrieve(run: asyncio.Future[None]) -> None:
    if not run.cancelled():
        run.exception()


# Every live worker, so that a forked child can make each one start clean.
_alive: weakref.WeakSet[RefreshWorker] = weakref.WeakSet()


def _reset_all_after_fork() -> None:
    for worker in list(_alive):
        worker.reset_after_fork()


if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(after_in_child=_reset_all_after_fork)
