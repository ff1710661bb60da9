"""Production faults, end to end over loopback with real google-auth credentials: forked workers,
stalled token endpoints, malformed tokens, sockets left open, ill-typed arguments."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import resource
import select
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
import pytest
import time_machine
from fakes import TokenServer, VertexServer
from google.oauth2 import service_account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai.types.chat import ChatCompletionMessageParam

from vertex_openai import AsyncVertexOpenAI, TokenRefreshError, VertexOpenAI, gemini_options

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello"}]
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


def ask(client: VertexOpenAI) -> str | None:
    return (
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES).choices[0].message.content
    )


def in_child(work: Callable[[], str]) -> tuple[int, int]:
    """Fork; the child runs `work` and writes its result (or error) to a pipe. (pid, read end)."""
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # forking a threaded process: the point here
        pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            os.close(read)
            message = work()
        except BaseException as exc:
            message = f"error {type(exc).__name__}: {exc}"
        try:
            os.write(write, message.encode())
        finally:
            os._exit(0)
    os.close(write)
    return pid, read


def child_answer(pid: int, read: int, seconds: float) -> str:
    ready, _, _ = select.select([read], [], [], seconds)
    if not ready:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        return "no answer: the child hung"
    answer = os.read(read, 4096).decode()
    os.waitpid(pid, 0)
    return answer


def timed(work: Callable[[], object]) -> Callable[[], str]:
    def run() -> str:
        started = time.monotonic()
        result = work()
        return f"{result} {time.monotonic() - started:.3f}"

    return run


def test_a_child_forked_during_the_first_token_fetch_gets_its_own(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    token_server.gate = threading.Event()
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    parent = threading.Thread(target=ask, args=(client,))
    parent.start()
    while token_server.requests < 1:  # the parent's fetch is in flight, held by the token server
        time.sleep(0.01)
    pid, read = in_child(timed(lambda: ask(client)))
    time.sleep(0.2)  # the child has asked for its own token by now
    token_server.gate.set()
    answer = child_answer(pid, read, 10)
    parent.join(10)
    text, _, elapsed = answer.rpartition(" ")
    assert text == "Hello!", answer
    assert float(elapsed) < 0.2 + 1.0  # within a second of the token server answering
    assert token_server.requests == 2  # the parent's fetch and the child's own


def test_a_child_forked_during_a_stale_refresh_starts_its_own(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    ask(client)
    expiry = client.token_source.credentials.expiry  # type: ignore[attr-defined]  # CredentialsTokenSource
    token_server.gate = threading.Event()
    with time_machine.travel(expiry.replace(tzinfo=dt.timezone.utc) - dt.timedelta(seconds=60), tick=True):
        assert ask(client) == "Hello!"  # STALE: answered at once, one background refresh in flight
        while token_server.requests < 2:
            time.sleep(0.01)

        def child() -> str:
            first = ask(client)  # still STALE here: answered with the old token, and a refresh starts
            deadline = time.monotonic() + 5
            while len(token_server.issued) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)  # (the server's list is not shared; poll the credentials instead)
                if client.token_source.credentials.token != vertex.tokens_seen[0]:  # type: ignore[attr-defined]
                    break
            return f"{first} {client.token_source.credentials.token != vertex.tokens_seen[0]}"  # type: ignore[attr-defined]

        pid, read = in_child(child)
        time.sleep(0.2)
        token_server.gate.set()
        answer = child_answer(pid, read, 10)
    assert answer == "Hello! True", answer
    assert token_server.requests == 3  # the parent's background refresh and the child's own


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stalled_token_endpoint_fails_within_the_request_timeout(
    mode: str, vertex: VertexServer, token_server: TokenServer, sa_info: dict[str, str]
) -> None:
    token_server.gate = threading.Event()  # never opened: the endpoint does not answer
    credentials = service_account.Credentials.from_service_account_info(sa_info)
    started = time.monotonic()
    with pytest.raises(TokenRefreshError) as caught:
        if mode == "sync":
            ask(VertexOpenAI(base_url=vertex.base_url, credentials=credentials, timeout=2))
        else:
            client = AsyncVertexOpenAI(base_url=vertex.base_url, credentials=credentials, timeout=2)
            asyncio.run(client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES))
    elapsed = time.monotonic() - started
    assert "127.0.0.1" in str(caught.value) and "within" in str(caught.value)
    assert elapsed < 15  # not the 30 s the server holds it, nor google-auth's 120 s
    assert vertex.seen == []


def test_a_token_request_timing_out_on_its_own_bound_says_so(
    monkeypatch: pytest.MonkeyPatch, token_server: TokenServer, sa_info: dict[str, str]
) -> None:
    """The worker's transport bound and a waiter's deadline race when they are equal (a request's
    timeout): either way the caller gets the same error. Here only the transport's bound can fire."""
    from vertex_openai._transport import _auth

    monkeypatch.setattr(_auth, "DEFAULT_REFRESH_TIMEOUT", 0.5)
    token_server.gate = threading.Event()  # never opened
    credentials = service_account.Credentials.from_service_account_info(sa_info)
    source = _auth.CredentialsTokenSource(credentials, quota_project=None)
    with pytest.raises(TokenRefreshError) as caught:
        source.token(timeout=None)  # the waiter has no deadline of its own
    assert "did not answer within 0.5 s" in str(caught.value) and "127.0.0.1" in str(caught.value)


@pytest.mark.parametrize("bad", ["ya29.with space", "ya29.crlf\r\nX-Injected: 1"])
def test_a_malformed_token_from_the_endpoint_is_not_cached(
    bad: str, vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    token_server.mint = lambda number: bad
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    with pytest.raises(TokenRefreshError) as caught:
        ask(client)
    assert "service_account" in str(caught.value) and "ya29" not in str(caught.value)
    assert vertex.seen == []
    token_server.mint = None  # the endpoint is fixed: the next request gets a good token
    assert ask(client) == "Hello!"
    assert vertex.tokens_seen == [token_server.issued[-1]]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _client_count(wanted: int) -> int:
    """`wanted`, or fewer if the open-files limit cannot hold two sockets per client (client and
    server side: the token server runs in this process)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < min(target, 4096):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(target, 4096), hard))
        soft = min(target, 4096)
    return min(wanted, (soft - 200) // 2)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts file descriptors in /proc")
def test_closing_clients_closes_their_token_connections(
    token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    count = _client_count(1000)
    http_client = openai.DefaultHttpxClient()  # one for all: building 1,000 TLS contexts is slow
    baseline = _open_fds()
    clients = [
        VertexOpenAI(project="p", credentials=sa_credentials, http_client=http_client) for _ in range(count)
    ]
    with ThreadPoolExecutor(8) as pool:  # each client has its own token source, hence its own fetch
        list(pool.map(lambda client: client.token_source.token(), clients))
    assert token_server.requests == count
    assert _open_fds() >= baseline + count  # each holds a kept-alive connection to the token endpoint
    for client in clients:
        client.close()
    assert _open_fds() <= baseline + 5

    async def async_clients() -> None:
        many = [AsyncVertexOpenAI(project="p", credentials=sa_credentials) for _ in range(50)]
        for client in many:
            await client.token_source.atoken()
        assert _open_fds() >= baseline + 50
        for client in many:
            async with client:
                pass

    asyncio.run(async_clients())
    assert _open_fds() <= baseline + 5


# --- ill-typed input: only named, documented errors ---
CONSTRUCTOR_ARGUMENTS: dict[str, st.SearchStrategy[Any]] = {
    "project": st.one_of(st.integers(), st.lists(st.text()), st.just(""), st.just("   ")),
    "location": st.one_of(st.integers(), st.lists(st.text(), min_size=1), st.just("")),
    "endpoint_id": st.one_of(st.integers(), st.floats(), st.just("")),
    "api_version": st.one_of(st.integers(), st.just("v2"), st.none()),
    "base_url": st.one_of(st.integers(), st.just("ftp://x"), st.just("")),
    "model_aliases": st.one_of(
        st.lists(st.text()), st.text(), st.dictionaries(st.integers(), st.text(), min_size=1)
    ),
    "default_gemini_options": st.one_of(st.text(), st.integers(), st.lists(st.integers())),
    "credentials": st.one_of(
        st.text(min_size=1), st.integers(min_value=1), st.dictionaries(st.text(), st.text(), min_size=1)
    ),
    "access_token": st.one_of(st.integers(), st.just(""), st.just("a b")),
    "token_provider": st.one_of(st.integers(), st.text(min_size=1)),
    "quota_project": st.one_of(st.integers(), st.just(""), st.lists(st.text())),
    "timeout": st.one_of(
        st.floats(max_value=-0.001), st.integers(max_value=-1), st.text(min_size=1), st.booleans()
    ),
    "max_retries": st.one_of(st.integers(max_value=-1), st.floats(), st.text()),
    "default_headers": st.one_of(st.text(min_size=1), st.integers(), st.lists(st.text(), min_size=1)),
    "default_query": st.one_of(st.text(min_size=1), st.integers()),
    "remember_signatures": st.one_of(st.none(), st.integers(), st.text()),
    "default_service_tier": st.one_of(st.integers(), st.just("turbo"), st.lists(st.text())),
    "partner_models": st.one_of(
        st.integers(min_value=1), st.text(min_size=1), st.lists(st.integers(), min_size=1)
    ),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ill_typed_constructor_arguments_raise_named_errors(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(CONSTRUCTOR_ARGUMENTS)))
    value = data.draw(CONSTRUCTOR_ARGUMENTS[name])
    arguments: dict[str, Any] = {"project": "p", "access_token": "ya29.ok", name: value}
    if name in ("credentials", "token_provider"):
        del arguments["access_token"]
    for kind in (VertexOpenAI, AsyncVertexOpenAI):
        with pytest.raises((TypeError, ValueError)) as caught:
            kind(**arguments)
        assert name in str(caught.value), (name, value, caught.value)


GEMINI_ARGUMENTS: dict[str, st.SearchStrategy[Any]] = {
    "thinking_config": st.one_of(
        st.integers(), st.text(), st.dictionaries(st.sampled_from(["x", "budget"]), st.integers(), min_size=1)
    ),
    "safety_settings": st.one_of(st.integers(), st.text(), st.lists(st.integers(), min_size=1)),
    "cached_content": st.one_of(st.integers(), st.text()),
    "thought_tag_marker": st.one_of(st.integers(), st.just("<think>"), st.just("")),
}


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_ill_typed_gemini_options_raise_named_errors(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(GEMINI_ARGUMENTS)))
    value = data.draw(GEMINI_ARGUMENTS[name])
    with pytest.raises((TypeError, ValueError)) as caught:
        gemini_options(**{name: value})
    assert name in str(caught.value), (name, value, caught.value)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra_body=st.one_of(st.text(min_size=1), st.integers(), st.lists(st.integers(), min_size=1)))
def test_a_non_mapping_extra_body_is_a_named_error_before_sending(
    extra_body: object, server: VertexServer
) -> None:
    client = VertexOpenAI(base_url=server.base_url, access_token="ya29.ok", max_retries=0)
    with pytest.raises(TypeError, match="extra_body"):
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES, extra_body=extra_body)
    assert server.seen == []


def test_close_twice_is_safe_and_copies_keep_the_shared_token_source(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    # a copy with its own HTTP client (with_options() otherwise shares openai's, which close() closes)
    copy = client.with_options(http_client=openai.DefaultHttpxClient())
    ask(client)
    client.close()
    client.close()
    assert copy.token_source is client.token_source
    client.token_source.credentials.token = None  # type: ignore[attr-defined]  # force a new fetch
    assert ask(copy) == "Hello!"  # the shared token source reconnects after its owner closed it
