"""Signing and 401 recovery (vertex_openai/_transport/_signing.py), on every openai.

Each promise here broke on openai 3.60, which stopped keeping `Authorization` on the request it
attaches to errors: the old 401 path read the sent token back from there and resent the dead token.
Each attempt is signed on its options, and the resend runs in httpx's Auth flow, which reads the
token from the request it sends itself, so these hold whatever openai's request loop does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import openai
import pytest
from fake_gemini import gemini_reply
from fakes import UNAUTHENTICATED_401, Reply, TokenServer, VertexServer, completion
from google.oauth2 import service_account
from modes import MODES, EitherClient, Mode
from openai.types.chat import ChatCompletionMessageParam

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._compat import http
from vertex_openai._transport._auth import StaticTokenSource
from vertex_openai._transport._signing import GoogleAuth

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello"}]
BUSY = Reply(503, [{"error": {"code": 503, "message": "busy", "status": "UNAVAILABLE"}}])
REJECTED = Reply(401, UNAUTHENTICATED_401)


def stream_text(mode: Mode, client: EitherClient) -> str:
    """A streamed chat call's text, read to the end."""
    if isinstance(client.client, VertexOpenAI):
        chunks = client.client.chat.completions.create(
            model="gemini-2.5-flash", messages=MESSAGES, stream=True
        )
        return "".join(c.choices[0].delta.content or "" for c in chunks)
    async_client = client.client

    async def read() -> str:
        create = async_client.chat.completions.create
        async with await create(model="gemini-2.5-flash", messages=MESSAGES, stream=True) as stream:
            return "".join([c.choices[0].delta.content or "" async for c in stream])

    return client.run(read())


@pytest.mark.parametrize("mode", MODES)
def test_a_401_after_a_5xx_is_resent_once_with_a_new_token(
    mode: Mode, vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    """openai retries the 503; that retry's 401 gets one refresh and one resend inside the attempt."""
    with EitherClient(mode, base_url=vertex.base_url, credentials=sa_credentials, max_retries=1) as client:
        vertex.reply(BUSY, REJECTED)
        done = client.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert done.choices[0].message.content == "Hello!"
    first, second = token_server.issued
    assert vertex.tokens_seen == [first, first, second]
    assert token_server.requests == 2


@pytest.mark.parametrize("mode", MODES)
def test_two_401s_raise_authentication_error_with_no_token_in_it(
    mode: Mode, vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    with EitherClient(mode, base_url=vertex.base_url, credentials=sa_credentials, max_retries=2) as client:
        client.create(model="gemini-2.5-flash", messages=MESSAGES)
        vertex.reject_all = True
        with pytest.raises(openai.AuthenticationError) as caught:
            client.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert len(vertex.seen) == 3  # the first call; then one attempt: its 401 and the one resend
    error = caught.value
    shown = " ".join([str(error), repr(error), error.message, json.dumps(error.body)])
    assert token_server.issued and not any(token in shown for token in token_server.issued)


@pytest.mark.parametrize("mode", MODES)
def test_a_401_on_a_streamed_call_is_resent_and_the_stream_reads_whole(
    mode: Mode, vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    vertex.responder = gemini_reply
    with EitherClient(mode, base_url=vertex.base_url, credentials=sa_credentials, max_retries=0) as client:
        first = stream_text(mode, client)
        vertex.revoked.add(token_server.issued[0])
        assert stream_text(mode, client) == first != ""
    assert vertex.tokens_seen == [token_server.issued[0], token_server.issued[0], token_server.issued[1]]


def test_the_revoked_token_is_never_sent_again(
    vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    """After a 401 the next calls carry the new token (the old one is marked rejected where it was sent)."""
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=0)
    client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    vertex.revoked.add(token_server.issued[0])
    for _ in range(3):
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert vertex.tokens_seen[1:] == [token_server.issued[0]] + [token_server.issued[1]] * 3


# --- the flow alone, over an in-memory transport (no sockets) ---
class Recorder(http.BaseTransport, http.AsyncBaseTransport):
    """A transport that streams each body as a socket would (httpx's MockTransport reads it into memory
    first, which would make every body replayable), answers the given statuses, then 200."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.seen: list[dict[str, str]] = []  # each send's headers, as sent
        self.bodies: list[bytes] = []

    def handle_request(self, request: http.Request) -> http.Response:
        assert isinstance(request.stream, http.SyncByteStream)
        return self._answer(request, b"".join(request.stream))

    async def handle_async_request(self, request: http.Request) -> http.Response:
        assert isinstance(request.stream, http.AsyncByteStream)
        return self._answer(request, b"".join([chunk async for chunk in request.stream]))

    def _answer(self, request: http.Request, body: bytes) -> http.Response:
        self.seen.append(dict(request.headers))
        self.bodies.append(body)
        return http.Response(self.statuses.pop(0) if self.statuses else 200, json={})


class Rotating(StaticTokenSource):
    """A source whose every token is new and which always hopes for a better one after a 401."""

    def __init__(self) -> None:
        super().__init__("ya29.t0", quota_project="billing-project")
        self.handed = 0
        self.rejected: list[str] = []

    def token(self, timeout: float | None = None) -> str:
        self.handed += 1
        return f"ya29.t{self.handed}"

    def reject(self, token: str) -> bool:
        self.rejected.append(token)
        return True


@pytest.fixture
def rotating() -> Iterator[Rotating]:
    yield Rotating()


def test_a_401_marks_the_sent_token_rejected_and_resends_signed_anew(rotating: Rotating) -> None:
    auth = GoogleAuth(rotating, "https://h.test/v1")
    recorder = Recorder(401)
    with http.Client(transport=recorder, auth=auth) as c:
        sent = c.post("https://h.test/v1/chat", json={"a": 1}, headers=auth.signature("ya29.t0"))
        assert sent.status_code == 200
    assert [h["authorization"] for h in recorder.seen] == ["Bearer ya29.t0", "Bearer ya29.t1"]
    assert rotating.rejected == ["ya29.t0"]  # read from the request the flow sent, not from an error
    assert {h["x-goog-user-project"] for h in recorder.seen} == {"billing-project"}
    assert recorder.bodies == [b'{"a":1}'] * 2  # the same body, sent again


def test_a_401_to_a_request_the_client_did_not_sign_is_not_resent(rotating: Rotating) -> None:
    recorder = Recorder(401)
    with http.Client(transport=recorder, auth=GoogleAuth(rotating, "https://h.test/v1")) as c:
        assert c.post("https://h.test/v1/chat", json={}).status_code == 401
    assert len(recorder.seen) == 1 and rotating.rejected == [] and rotating.handed == 0


def test_another_origin_never_gets_the_token(rotating: Rotating) -> None:
    auth = GoogleAuth(rotating, "https://h.test/v1")
    recorder = Recorder()
    with http.Client(transport=recorder, auth=auth) as c:
        c.get("https://other.test/v1/models", headers=auth.signature("ya29.t0"))
        c.get("http://h.test/v1/models", headers=auth.signature("ya29.t0"))  # another scheme (and port)
        c.get("https://h.test/v1/models", headers=auth.signature("ya29.t0"))
    assert [h.get("authorization") for h in recorder.seen] == [None, None, "Bearer ya29.t0"]
    assert [h.get("x-goog-user-project") for h in recorder.seen] == [None, None, "billing-project"]


def test_a_body_that_cannot_be_sent_again_is_not_resent(rotating: Rotating) -> None:
    auth = GoogleAuth(rotating, "https://h.test/v1")
    recorder = Recorder(401)

    def once() -> Iterator[bytes]:
        yield b"one-shot"

    with http.Client(transport=recorder, auth=auth) as c:
        sent = c.post("https://h.test/v1/upload", content=once(), headers=auth.signature("ya29.t0"))
        assert sent.status_code == 401
    assert len(recorder.seen) == 1


def test_the_async_flow_resends_alike(rotating: Rotating) -> None:
    auth = GoogleAuth(rotating, "https://h.test/v1")
    recorder = Recorder(401, 401)

    async def main() -> int:
        async with http.AsyncClient(transport=recorder, auth=auth) as c:
            sent = await c.post("https://h.test/v1/chat", json={}, headers=auth.signature("ya29.t0"))
            status: int = sent.status_code
            return status

    assert asyncio.run(main()) == 401  # the resend's 401 is final: openai raises AuthenticationError
    assert [h["authorization"] for h in recorder.seen] == ["Bearer ya29.t0", "Bearer ya29.t1"]


def test_the_flow_repr_names_the_credential_kind_not_the_token() -> None:
    auth = GoogleAuth(StaticTokenSource("ya29.secret-value", quota_project=None), "https://h.test/")
    assert "ya29.secret-value" not in repr(auth) and "static access_token" in repr(auth)


@pytest.mark.parametrize("kind", [VertexOpenAI, AsyncVertexOpenAI])
def test_clients_hand_their_flow_to_openai(kind: type[VertexOpenAI] | type[AsyncVertexOpenAI]) -> None:
    client = kind(
        base_url="https://h.test/v1/projects/p/locations/global/endpoints/openapi", access_token="t"
    )
    assert isinstance(client.custom_auth, GoogleAuth)


# --- signing on each attempt's options: the caller's headers ---
@pytest.mark.parametrize("quota_project", [None, "billing-project"])
def test_a_callers_authorization_or_quota_header_never_goes_out_beside_the_clients(
    quota_project: str | None,
) -> None:
    """Whatever the spelling, one Authorization (the client's) and one quota project header: the
    client's own when it has one, else the call's over the client's default (as openai merges)."""
    sent: list[http.Request] = []

    def answer(request: http.Request) -> http.Response:
        sent.append(request)
        return http.Response(200, json=completion())

    client = VertexOpenAI(
        base_url="https://h.test/v1/projects/p/locations/global/endpoints/openapi",
        access_token="ya29.ours",
        quota_project=quota_project,
        default_headers={"authorization": "Bearer default", "X-Goog-User-Project": "default-project"},
        http_client=http.Client(transport=http.MockTransport(answer)),
    )
    per_call = {"AUTHORIZATION": "Bearer theirs", "X-GOOG-USER-PROJECT": "call-project", "x-other": "kept"}
    given = dict(per_call)
    with client:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES, extra_headers=given)
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert given == per_call  # the caller's mapping is never changed
    assert [r.headers.get_list("authorization") for r in sent] == [["Bearer ya29.ours"]] * 2
    assert [r.headers.get_list("x-goog-user-project") for r in sent] == (
        [[quota_project]] * 2 if quota_project else [["call-project"], ["default-project"]]
    )
    assert sent[0].headers["x-other"] == "kept"


@pytest.mark.parametrize("mode", MODES)
def test_each_retry_of_a_call_carries_a_token_taken_for_it(
    mode: Mode, vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    """openai's retries start from the call's options, not the last attempt's: after a 401 and a resend
    with a new token, openai's retry (of the 503 that followed) is signed anew, not with the dead token."""
    with EitherClient(mode, base_url=vertex.base_url, credentials=sa_credentials, max_retries=1) as client:
        client.create(model="gemini-2.5-flash", messages=MESSAGES)
        first = token_server.issued[0]
        vertex.revoked.add(first)
        vertex.reply(BUSY)
        done = client.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert done.choices[0].message.content == "Hello!"
    second = token_server.issued[1]
    assert vertex.tokens_seen == [first, first, second, second]
    assert token_server.requests == 2
