"""Fresh tokens: real google-auth service-account credentials against a local token server."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest
import time_machine
from fakes import Reply, TokenServer, VertexServer, completion, error_body
from google.auth.credentials import Credentials, TokenState
from google.oauth2 import service_account
from modes import MODES, EitherClient, Mode
from openai.types.chat import ChatCompletionMessageParam

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._transport._auth import CredentialsTokenSource

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello"}]


def ask(client: VertexOpenAI | EitherClient) -> str | None:
    if isinstance(client, EitherClient):
        return client.create(model="gemini-2.5-flash", messages=MESSAGES).choices[0].message.content
    done = client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    return done.choices[0].message.content


async def aask(client: AsyncVertexOpenAI) -> str | None:
    done = await client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    return done.choices[0].message.content


def source_of(client: VertexOpenAI | AsyncVertexOpenAI) -> CredentialsTokenSource:
    source = client.token_source
    assert isinstance(source, CredentialsTokenSource)
    return source


def creds_of(client: VertexOpenAI | AsyncVertexOpenAI) -> Credentials:
    """The scoped copy of the credentials the client refreshes."""
    credentials = source_of(client).credentials
    assert credentials is not None
    return credentials


def at(client: VertexOpenAI | AsyncVertexOpenAI, seconds_before_expiry: float) -> time_machine.travel:
    expiry = creds_of(client).expiry
    assert expiry is not None
    moment = expiry.replace(tzinfo=dt.timezone.utc) - dt.timedelta(seconds=seconds_before_expiry)
    return time_machine.travel(moment, tick=True)


def test_first_request_fetches_a_token_and_sends_it(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    assert ask(client) == "Hello!"
    assert token_server.requests == 1
    assert vertex.tokens_seen == token_server.issued
    # the service-account JWT grant went to the key's token_uri, with the cloud-platform scope inside
    assert token_server.grants[0]["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert ask(client) == "Hello!"
    assert token_server.requests == 1  # fresh token reused


def test_16_threads_cause_one_token_request(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    token_server.delay = 0.3
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    barrier = threading.Barrier(16)

    def worker(_: int) -> str | None:
        barrier.wait()
        return ask(client)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(worker, range(16)))
    assert answers == ["Hello!"] * 16
    assert token_server.requests == 1
    assert set(vertex.tokens_seen) == set(token_server.issued)


def test_16_tasks_cause_one_token_request(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    token_server.delay = 0.3
    client = AsyncVertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)

    async def main() -> list[str | None]:
        return await asyncio.gather(*(aask(client) for _ in range(16)))

    assert asyncio.run(main()) == ["Hello!"] * 16
    assert token_server.requests == 1


def test_stale_token_is_used_while_one_background_refresh_runs(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    ask(client)
    first = token_server.issued[0]
    token_server.gate = threading.Event()  # the token server now holds every grant until released
    with at(client, seconds_before_expiry=120):
        assert creds_of(client).token_state is TokenState.STALE
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: ask(client), range(8)))
        # all answered with the old token while the refresh was still held at the token server
        assert answers == ["Hello!"] * 8
        assert token_server.requests == 2 and len(token_server.issued) == 1
        assert vertex.tokens_seen[1:] == [first] * 8
        token_server.gate.set()
        deadline = time.monotonic() + 10
        while creds_of(client).token == first and time.monotonic() < deadline:
            time.sleep(0.01)
        ask(client)
    assert token_server.requests == 2
    assert vertex.tokens_seen[-1] == token_server.issued[1] != first


def test_expired_token_is_refreshed_before_sending(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    ask(client)
    vertex.revoked.add(token_server.issued[0])  # Vertex no longer takes it either
    with at(client, seconds_before_expiry=-5):
        assert creds_of(client).token_state is TokenState.INVALID
        assert ask(client) == "Hello!"
    assert token_server.requests == 2
    assert vertex.tokens_seen == token_server.issued  # the expired token was never sent again


def test_async_stale_refresh_runs_in_background(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = AsyncVertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)

    async def main() -> list[str | None]:
        await aask(client)
        token_server.gate = threading.Event()
        with at(client, seconds_before_expiry=60):
            answers = await asyncio.gather(*(aask(client) for _ in range(8)))
            # answered while the one refresh is still held at the token server
            assert token_server.requests == 2 and len(token_server.issued) == 1
            token_server.gate.set()
        return answers

    assert asyncio.run(main()) == ["Hello!"] * 8


def test_event_loop_keeps_running_during_a_refresh(
    vertex: VertexServer,
    token_server: TokenServer,
    sa_credentials: service_account.Credentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token_server.delay = 0.5
    client = AsyncVertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    refresh_threads: list[str] = []
    real_refresh: Callable[[object], None] = creds_of(client).refresh  # google-auth leaves it unannotated

    def spy(request: object) -> None:
        refresh_threads.append(threading.current_thread().name)
        real_refresh(request)

    monkeypatch.setattr(creds_of(client), "refresh", spy)

    async def main() -> tuple[int, float]:
        ticks, worst = 0, 0.0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks, worst
            while not stop.is_set():
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                worst = max(worst, time.perf_counter() - before - 0.005)
                ticks += 1

        task = asyncio.create_task(ticker())
        await aask(client)
        stop.set()
        await task
        return ticks, worst

    ticks, worst_lag = asyncio.run(main())
    assert refresh_threads == ["vertex-openai-token-refresh"]
    # Blocking the loop for the 0.5 s token request would leave the ticker with ~0 ticks and a
    # lag near 0.5 s; the benchmarks measure the real figure.
    assert ticks >= 10
    assert worst_lag < 0.25


@pytest.mark.parametrize("mode", MODES)
def test_401_forces_one_refresh_and_one_retry(
    mode: Mode, vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    with EitherClient(mode, base_url=vertex.base_url, credentials=sa_credentials, max_retries=0) as client:
        ask(client)
        vertex.revoked.add(token_server.issued[0])  # revoked server-side, still FRESH locally
        assert ask(client) == "Hello!"
    assert token_server.requests == 2
    assert vertex.tokens_seen == [token_server.issued[0], token_server.issued[0], token_server.issued[1]]


def test_second_401_raises_authentication_error(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    ask(client)
    vertex.reject_all = True  # nothing the token server gives is accepted any more
    with pytest.raises(openai.AuthenticationError) as caught:
        ask(client)
    assert len(vertex.seen) == 3  # first call, then the 401, its one retry
    assert token_server.requests == 2
    assert caught.value.status_code == 401
    assert "Request had invalid authentication credentials" in caught.value.message
    assert "(ACCESS_TOKEN_TYPE_UNSUPPORTED)" in caught.value.message  # the ErrorInfo reason, in the hint
    assert error_body(caught.value)["status"] == "UNAUTHENTICATED"


def test_concurrent_401s_share_one_refresh(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=0)
    ask(client)
    vertex.revoked.add(token_server.issued[0])
    token_server.delay = 0.2
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda _: ask(client), range(8))) == ["Hello!"] * 8
    assert token_server.requests == 2


def test_every_attempt_carries_a_valid_token(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    """openai's own retries (here after a 503) each ask the token source again."""
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=2)
    ask(client)
    vertex.reply(Reply(503, [{"error": {"code": 503, "message": "busy", "status": "UNAVAILABLE"}}]))
    with at(client, seconds_before_expiry=-1):
        vertex.revoked.add(token_server.issued[0])
        assert ask(client) == "Hello!"
    assert vertex.tokens_seen[1:] == [token_server.issued[1]] * 2


def test_copies_share_one_token_cache(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    copies = [
        client.copy(timeout=5),
        client.with_options(max_retries=1),
        client.with_options(timeout=9).copy(),
    ]
    for each in [client, *copies]:
        assert type(each) is VertexOpenAI
        assert each.token_source is client.token_source
        assert ask(each) == "Hello!"
    assert token_server.requests == 1
    assert copies[0].timeout == 5 and copies[1].max_retries == 1


def test_application_default_credentials_are_found_lazily(
    vertex: VertexServer,
    token_server: TokenServer,
    sa_info: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = tmp_path / "key.json"
    key.write_text(json.dumps(sa_info))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    client = VertexOpenAI(project="explicit-project", base_url=vertex.base_url)
    assert source_of(client).credentials is None
    assert token_server.requests == 0
    assert ask(client) == "Hello!"
    assert token_server.requests == 1
    assert "vertex-test@test-project.iam.gserviceaccount.com" in repr(client)


def test_project_comes_from_application_default_credentials(
    sa_info: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token_server: TokenServer
) -> None:
    key = tmp_path / "key.json"
    key.write_text(json.dumps(sa_info))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    client = VertexOpenAI(location="europe-west4")
    assert client.project == "test-project"
    assert str(client.base_url) == (
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/test-project/locations/europe-west4/endpoints/openapi/"
    )
    assert token_server.requests == 0  # discovering ADC reads the key file; it fetches no token


def test_quota_project_header(
    vertex: VertexServer, sa_credentials: service_account.Credentials, token_server: TokenServer
) -> None:
    plain = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    ask(plain)
    assert "x-goog-user-project" not in vertex.seen[-1].headers
    billed = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, quota_project="billing-proj")
    ask(billed)
    assert vertex.seen[-1].headers["x-goog-user-project"] == "billing-proj"
    carried = VertexOpenAI(
        base_url=vertex.base_url, credentials=sa_credentials.with_quota_project("cred-proj")
    )
    ask(carried)
    assert vertex.seen[-1].headers["x-goog-user-project"] == "cred-proj"


def test_response_before_first_token_is_not_sent_without_auth(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    token_server.fail_with = (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    from vertex_openai import TokenRefreshError

    with pytest.raises(TokenRefreshError) as caught:
        ask(client)
    assert vertex.seen == []
    assert "google.oauth2.service_account.Credentials" in str(caught.value)
    assert "invalid_grant" in str(caught.value)
    assert isinstance(caught.value, openai.OpenAIError)


def test_completion_helper_shape() -> None:
    # the fake's default reply parses as an openai ChatCompletion with Google's usage figures
    from openai.types.chat import ChatCompletion

    usage = ChatCompletion.model_validate(completion()).usage
    assert usage is not None and usage.total_tokens == 7


def test_failed_background_refresh_keeps_the_stale_token_and_says_so(
    vertex: VertexServer,
    token_server: TokenServer,
    sa_credentials: service_account.Credentials,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials)
    ask(client)
    token_server.fail_with = (400, {"error": "invalid_grant", "error_description": "Token revoked."})
    with caplog.at_level("WARNING", logger="vertex_openai"), at(client, seconds_before_expiry=100):
        assert ask(client) == "Hello!"  # answered with the still-valid token
        deadline = time.monotonic() + 10
        while source_of(client)._worker.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ask(client) == "Hello!"
    assert "Token refresh failed" in caplog.text
    assert token_server.issued[0] not in caplog.text
    assert vertex.tokens_seen[1:] == [token_server.issued[0]] * 2
