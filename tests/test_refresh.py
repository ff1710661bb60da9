"""The refresh worker and the token rules, with a fake credential: no sockets, no token server."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from google.auth import credentials as ga_credentials

from vertex_openai import TokenRefreshError
from vertex_openai._transport._auth import CredentialsTokenSource
from vertex_openai._transport._refresh import RefreshTimeout, RefreshWorker, wait, wait_async

UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class FakeCredentials(ga_credentials.Credentials):
    """Hands out `token-N` living `lifetime` seconds; `gate` holds a refresh until it is set."""

    def __init__(self, lifetime: float = 3600, token: str | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # google-auth has no annotations
        self.lifetime = lifetime
        self.refreshes = 0
        self.gate = threading.Event()
        self.gate.set()
        self.mint = "token-{n}"
        self.timeouts: list[float | None] = []
        self.token = token

    def refresh(self, request: Any) -> None:
        self.refreshes += 1
        self.timeouts.append(getattr(request, "_timeout", None))
        self.gate.wait(10)
        self.token = self.mint.format(n=self.refreshes)
        now = dt.datetime.now(UTC).replace(tzinfo=None)
        self.expiry = now + dt.timedelta(seconds=self.lifetime)


def held(release: threading.Event) -> Callable[[float | None], None]:
    """A refresh that runs until `release` is set."""

    def refresh(timeout: float | None) -> None:
        release.wait(5)

    return refresh


def source_for(credentials: FakeCredentials) -> CredentialsTokenSource:
    return CredentialsTokenSource(credentials, quota_project=None)


def settle(credentials: FakeCredentials, refreshes: int) -> None:
    deadline = time.monotonic() + 5
    while credentials.refreshes < refreshes and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # let the worker finish the run it is in


# --- the worker ---
def test_one_run_for_many_starts() -> None:
    release = threading.Event()
    runs: list[float | None] = []

    def refresh(timeout: float | None) -> None:
        runs.append(timeout)
        release.wait(5)

    worker = RefreshWorker(refresh, name="test")
    futures = {worker.start(timeout=3.0) for _ in range(16)}
    assert len(futures) == 1 and worker.running
    release.set()
    wait(futures.pop(), 5)
    assert runs == [3.0] and not worker.running


def test_a_wait_ends_at_its_deadline_and_the_run_goes_on() -> None:
    release = threading.Event()
    worker = RefreshWorker(held(release), name="test")
    future = worker.start(timeout=None)
    with pytest.raises(RefreshTimeout):
        wait(future, 0.05)
    assert worker.running  # the run is not abandoned: the next caller joins it
    release.set()
    wait(future, 5)


def test_an_async_wait_has_a_deadline_and_does_not_block_the_loop() -> None:
    release = threading.Event()
    worker = RefreshWorker(held(release), name="test")

    async def main() -> int:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        ticker = asyncio.create_task(tick())
        with pytest.raises(RefreshTimeout):
            await wait_async(worker.start(timeout=None), 0.2)
        ticker.cancel()
        return ticks

    assert asyncio.run(main()) > 5
    release.set()


def test_a_failed_run_reaches_every_waiter_and_the_next_start_runs_again() -> None:
    calls: list[int] = []

    def refresh(timeout: float | None) -> None:
        calls.append(1)
        raise OSError("token endpoint down")

    worker = RefreshWorker(refresh, name="test")
    with pytest.raises(OSError, match="down"):
        wait(worker.start(timeout=None), 5)
    with pytest.raises(OSError):
        wait(worker.start(timeout=None), 5)
    assert len(calls) == 2


def test_reset_after_fork_forgets_the_run_in_flight() -> None:
    release = threading.Event()
    dropped: list[bool] = []
    worker = RefreshWorker(held(release), name="test", after_fork=lambda: dropped.append(True))
    inherited = worker.start(timeout=None)
    worker.reset_after_fork()  # what os.register_at_fork runs in a child
    assert not worker.running and dropped == [True]
    fresh = worker.start(timeout=None)
    assert fresh is not inherited
    release.set()
    wait(fresh, 5)


# --- the token rules ---
def test_a_fresh_token_is_used_without_a_refresh() -> None:
    credentials = FakeCredentials()
    source = source_for(credentials)
    with time_machine.travel(START, tick=False):
        assert source.token() == "token-1"
        assert source.token() == "token-1"
    assert credentials.refreshes == 1


def test_a_stale_token_is_used_while_one_background_refresh_runs() -> None:
    credentials = FakeCredentials(lifetime=3600)
    source = source_for(credentials)
    with time_machine.travel(START, tick=False) as clock:
        assert source.token() == "token-1"
        credentials.gate.clear()
        clock.shift(dt.timedelta(seconds=3600 - 200))  # inside google-auth's 3 min 45 s window
        assert [source.token() for _ in range(5)] == ["token-1"] * 5
        credentials.gate.set()
        settle(credentials, 2)
        assert source.token() == "token-2"
    assert credentials.refreshes == 2


def test_a_short_lived_token_is_refreshed_after_half_its_lifetime_not_on_every_request() -> None:
    credentials = FakeCredentials(lifetime=5)  # STALE for google-auth from the moment it is issued
    source = source_for(credentials)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(50):
            source.token()
        clock.shift(dt.timedelta(seconds=2.4))
        for _ in range(50):
            source.token()
        settle(credentials, 1)
        assert credentials.refreshes == 1
        clock.shift(dt.timedelta(seconds=0.2))  # past half its lifetime: one background refresh
        for _ in range(50):
            source.token()
        settle(credentials, 2)
        assert credentials.refreshes == 2


def test_an_expired_token_makes_callers_wait_for_the_refresh() -> None:
    credentials = FakeCredentials(lifetime=60)
    source = source_for(credentials)
    with time_machine.travel(START, tick=False) as clock:
        source.token()
        clock.shift(dt.timedelta(seconds=61))
        assert source.token() == "token-2"


@pytest.mark.parametrize("bad", ["has space", "crlf\r\nX-Evil: 1", ""])
def test_a_malformed_token_is_an_error_and_is_not_kept(bad: str) -> None:
    credentials = FakeCredentials()
    credentials.mint = bad
    source = source_for(credentials)
    with pytest.raises(TokenRefreshError) as caught:
        source.token()
    assert "FakeCredentials" in str(caught.value) and (not bad or bad not in str(caught.value))
    assert credentials.token is None  # not cached
    credentials.mint = "token-{n}"
    assert source.token() == "token-2"


def test_a_wait_for_a_stalled_refresh_ends_with_a_named_error() -> None:
    credentials = FakeCredentials()
    credentials.gate.clear()
    source = source_for(credentials)
    with pytest.raises(TokenRefreshError, match=r"did not answer within 0\.2 s"):
        source.token(0.2)
    credentials.gate.set()


def test_the_refresh_timeout_reaches_the_token_request() -> None:
    credentials = FakeCredentials()
    source_for(credentials).token(7.5)
    assert credentials.timeouts == [7.5]


def test_a_failed_run_whose_waiters_were_all_cancelled_leaves_no_unretrieved_exception() -> None:
    """asyncio logs "Future exception was never retrieved" when nobody reads a failed future's error."""
    release = threading.Event()

    def refresh(timeout: float | None) -> None:
        release.wait(5)
        raise OSError("token endpoint down")

    worker = RefreshWorker(refresh, name="test")
    reported: list[dict[str, Any]] = []

    async def main() -> None:
        import gc

        gc.collect()  # earlier tests' garbage (their clients' tasks) is not this test's to report
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: reported.append(context))
        waiter = asyncio.ensure_future(wait_async(worker.start(timeout=None), None))
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        release.set()
        while worker.running:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the run's outcome reaches the loop
        gc.collect()  # an unretrieved exception is reported when its future is collected

    asyncio.run(main())
    unretrieved = [c for c in reported if "never retrieved" in str(c.get("message"))]
    assert [c for c in unretrieved if isinstance(c.get("exception"), OSError)] == []  # the run's own error
