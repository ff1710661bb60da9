"""Drop-in: everything an openai.OpenAI user does keeps working, and the wire carries Vertex's shape."""

from __future__ import annotations

import asyncio
import json

import openai
import pydantic
import pytest
from fakes import STATIC_TOKEN, Reply, VertexServer, completion
from helpers_api import chat_helpers
from openai.types.chat import ChatCompletionMessageParam

from vertex_openai import AsyncVertexOpenAI, TokenRefreshError, VertexOpenAI

TOKEN = STATIC_TOKEN  # the one the `server` fixture (conftest.py) accepts
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello"}]


@pytest.fixture
def client(server: VertexServer) -> VertexOpenAI:
    return VertexOpenAI(base_url=server.base_url, access_token=TOKEN, max_retries=0)


def test_is_a_real_openai_client(client: VertexOpenAI) -> None:
    assert isinstance(client, openai.OpenAI)
    assert isinstance(AsyncVertexOpenAI(project="p1", access_token=TOKEN), openai.AsyncOpenAI)


def test_request_on_the_wire(client: VertexOpenAI, server: VertexServer) -> None:
    done = client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert done.choices[0].message.content == "Hello!"
    seen = server.seen[0]
    assert seen.path == "/v1/projects/test-project/locations/global/endpoints/openapi/chat/completions"
    assert seen.json["model"] == "google/gemini-2.5-flash"
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"


def test_no_openai_identity_headers_whatever_the_environment(
    server: VertexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ORG_ID", "org-123")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_456")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-never-sent")
    client = VertexOpenAI(
        base_url=server.base_url,
        access_token=TOKEN,
        default_headers={"OpenAI-Project": "x", "openai-organization": "y"},
    )
    client.chat.completions.create(model="google/gemini-2.5-flash", messages=MESSAGES)
    headers = server.seen[0].headers
    assert "openai-organization" not in headers and "openai-project" not in headers
    assert "sk-live-never-sent" not in json.dumps(headers)
    assert client.project == "test-project"


def test_aliases_map_azure_deployment_names(server: VertexServer) -> None:
    client = VertexOpenAI(
        base_url=server.base_url, access_token=TOKEN, model_aliases={"gpt4o-prod": "google/gemini-2.5-pro"}
    )
    client.chat.completions.create(model="gpt4o-prod", messages=MESSAGES)
    assert server.seen[0].json["model"] == "google/gemini-2.5-pro"


def test_endpoint_id_routes_keep_the_model_name(server: VertexServer) -> None:
    base = f"{server.root}/v1/projects/test-project/locations/us-central1/endpoints/1234"
    client = VertexOpenAI(base_url=base, access_token=TOKEN)
    client.chat.completions.create(model="gemini-tuned", messages=MESSAGES)
    assert server.seen[0].json["model"] == "gemini-tuned"
    assert server.seen[0].path.endswith("/endpoints/1234/chat/completions")


def test_raw_and_streaming_responses(client: VertexOpenAI, server: VertexServer) -> None:
    raw = client.chat.completions.with_raw_response.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert raw.http_request.url.path.endswith("/chat/completions")
    assert raw.parse().choices[0].message.content == "Hello!"
    with client.chat.completions.with_streaming_response.create(
        model="gemini-2.5-flash",
        messages=MESSAGES,
    ) as response:
        assert json.loads(response.read())["model"] == "google/gemini-2.5-flash"
    raw_client = client.with_raw_response.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert raw_client.status_code == 200
    assert len(server.seen) == 3


def test_stream_true(client: VertexOpenAI, server: VertexServer) -> None:
    sse = (
        "".join(
            f"data: {json.dumps(chunk)}\n\n"
            for chunk in [
                {
                    "choices": [{"delta": {"content": "Hel", "role": "assistant"}, "index": 0}],
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": "m",
                },
                {
                    "choices": [
                        {"delta": {"content": "lo", "role": "assistant"}, "index": 0, "finish_reason": "stop"}
                    ],
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": "m",
                },
            ]
        )
        + "data: [DONE]\n\n"
    )
    server.reply(Reply(200, text=sse, content_type="text/event-stream"))
    stream = client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream) == "Hello"


class Answer(pydantic.BaseModel):
    greeting: str


def test_structured_output_parse(client: VertexOpenAI, server: VertexServer) -> None:
    server.reply(
        Reply(200, completion(json.dumps({"greeting": "hi"}))), Reply(200, completion('{"greeting": "yo"}'))
    )
    parsed = chat_helpers(client).parse(model="gemini-2.5-flash", messages=MESSAGES, response_format=Answer)
    assert parsed.choices[0].message.parsed == Answer(greeting="hi")
    assert server.seen[0].json["response_format"]["type"] == "json_schema"
    beta_chat = getattr(getattr(client.beta, "chat", None), "completions", None)
    if beta_chat is not None:  # openai 1.x keeps the beta path; openai 2+ moved parse to chat.completions
        assert beta_chat.parse(model="gemini-2.5-flash", messages=MESSAGES, response_format=Answer).choices[
            0
        ].message.parsed == Answer(greeting="yo")


def test_context_manager_and_close(server: VertexServer) -> None:
    with VertexOpenAI(base_url=server.base_url, access_token=TOKEN) as client:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert client.is_closed()


def test_copy_keeps_the_class_and_options(client: VertexOpenAI, server: VertexServer) -> None:
    copy = client.copy(default_headers={"x-team": "ml"}, model_aliases={"fast": "google/gemini-2.5-flash"})
    assert type(copy) is VertexOpenAI and copy.base_url == client.base_url
    copy.chat.completions.create(model="fast", messages=MESSAGES)
    assert (
        server.seen[0].headers["x-team"] == "ml" and server.seen[0].json["model"] == "google/gemini-2.5-flash"
    )
    assert type(client.with_options(timeout=3)) is VertexOpenAI


def test_static_token_gets_no_retry_on_401(server: VertexServer) -> None:
    client = VertexOpenAI(base_url=server.base_url, access_token="ya29.expired-token")
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert len(server.seen) == 1


def test_token_provider_is_called_for_every_attempt(server: VertexServer) -> None:
    handed: list[str] = []

    def provider() -> str:
        handed.append(f"ya29.provided-{len(handed)}")
        server.accept.add(handed[-1])
        return handed[-1]

    server.reply(Reply(500, {"error": {"code": 500, "message": "oops", "status": "INTERNAL"}}))
    client = VertexOpenAI(base_url=server.base_url, token_provider=provider, max_retries=1)
    client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert server.tokens_seen == handed == ["ya29.provided-0", "ya29.provided-1"]


def test_token_provider_401_is_retried_once(server: VertexServer) -> None:
    tokens = iter(["ya29.rejected-token", TOKEN])
    client = VertexOpenAI(base_url=server.base_url, token_provider=lambda: next(tokens), max_retries=0)
    client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert server.tokens_seen == ["ya29.rejected-token", TOKEN]


def test_async_client_takes_an_async_token_provider(server: VertexServer) -> None:
    async def provider() -> str:
        await asyncio.sleep(0)
        return TOKEN

    async def main() -> str | None:
        async with AsyncVertexOpenAI(base_url=server.base_url, token_provider=provider) as client:
            done = await client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
            copy = client.with_options(timeout=4)
            assert type(copy) is AsyncVertexOpenAI and copy.token_source is client.token_source
            return done.choices[0].message.content

    assert asyncio.run(main()) == "Hello!"
    assert server.tokens_seen == [TOKEN]


def test_sync_client_refuses_an_async_token_provider(server: VertexServer) -> None:
    async def provider() -> str:
        return TOKEN

    # wrong on purpose: what an untyped caller can pass, refused at the first request
    client = VertexOpenAI(base_url=server.base_url, token_provider=provider)  # type: ignore[arg-type]
    with pytest.raises(TokenRefreshError, match="AsyncVertexOpenAI"):
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert server.seen == []


@pytest.mark.parametrize("bad", ["", "two words", None, 42])
def test_token_provider_must_return_a_token(server: VertexServer, bad: object) -> None:
    # wrong on purpose: a provider returning what no token is, refused before anything is sent
    client = VertexOpenAI(base_url=server.base_url, token_provider=lambda: bad)  # type: ignore[arg-type,return-value]
    with pytest.raises(TokenRefreshError, match="token_provider"):
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert server.seen == []
