"""`client.responses` end to end: the bridge through the real client, against the local Vertex-like
server, with real google-auth service-account tokens from the local token server."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pytest
from fake_gemini import GREETING, SIGNATURE, gemini_reply
from fakes import Reply, VertexServer
from google.oauth2 import service_account
from openai.types.responses import Response, ResponseCompletedEvent, ResponseFunctionToolCall
from pydantic import BaseModel
from recordings import load

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._resources._responses import (
    AsyncResponses,
    InMemoryConversationStore,
    Responses,
    UnknownResponseError,
    UnsupportedParameterError,
)

TOOLS: list[Any] = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Current temperature in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
]


class Weather(BaseModel):
    city: str
    celsius: float


def gemini3(body: Any) -> Reply:
    """Gemini 3 on Vertex: a tool call sent back without its thought signature gets Vertex's 400."""
    for block, message in enumerate(body.get("messages") or [], start=1):
        for call in message.get("tool_calls") or []:
            signature = ((call.get("extra_content") or {}).get("google") or {}).get("thought_signature")
            if signature != SIGNATURE:
                name = call["function"]["name"]
                text = (
                    f"Unable to submit request because function call `{name}` in the {block}. content block "
                    "is missing a `thought_signature`."
                )
                return Reply(400, [{"error": {"code": 400, "message": text, "status": "INVALID_ARGUMENT"}}])
    return gemini_reply(body)


@pytest.fixture
def server(vertex: VertexServer) -> VertexServer:
    vertex.responder = gemini3
    return vertex


def make_client(server: VertexServer, credentials: service_account.Credentials) -> VertexOpenAI:
    return VertexOpenAI(credentials=credentials, base_url=server.base_url, max_retries=0)


def make_async_client(server: VertexServer, credentials: service_account.Credentials) -> AsyncVertexOpenAI:
    return AsyncVertexOpenAI(credentials=credentials, base_url=server.base_url, max_retries=0)


def responses(client: VertexOpenAI) -> Responses:
    assert isinstance(client.responses, Responses)  # the client's own `responses` is the bridge
    return client.responses


def async_responses(client: AsyncVertexOpenAI) -> AsyncResponses:
    assert isinstance(client.responses, AsyncResponses)
    return client.responses


def function_calls(response: Response) -> list[ResponseFunctionToolCall]:
    return [item for item in response.output if isinstance(item, ResponseFunctionToolCall)]


def chat_bodies(server: VertexServer) -> list[dict[str, Any]]:
    return [s.json for s in server.seen if s.path.endswith("/chat/completions")]


@pytest.fixture
def client(server: VertexServer, sa_credentials: service_account.Credentials) -> Iterator[VertexOpenAI]:
    with make_client(server, sa_credentials) as c:
        yield c


def test_text(client: VertexOpenAI, server: VertexServer) -> None:
    response = responses(client).create(model="gemini-2.5-flash", input="Hello?", instructions="Be kind.")
    assert response.output_text == GREETING
    assert response.model == "gemini-2.5-flash" and response.status == "completed"
    assert response.instructions == "Be kind."
    (sent,) = server.seen
    assert sent.path.endswith("/endpoints/openapi/chat/completions")
    assert sent.headers["authorization"].startswith("Bearer ya29.local-token-")
    assert sent.json["model"] == "google/gemini-2.5-flash"
    assert sent.json["messages"] == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "Hello?"},
    ]
    assert response.usage is not None and response.usage.total_tokens == 40


def test_tool_loop_over_two_turns_sends_the_signature_back(
    server: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    """The loop openai's docs (and openai-agents) write: output items back as input, then the results.
    The second turn runs on a fresh client, so only the items themselves can carry the signature."""
    history: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
    with make_client(server, sa_credentials) as first_client:
        first = responses(first_client).create(
            model="gemini-3-pro-preview", input=history, tools=TOOLS, store=False
        )
    calls = function_calls(first)
    assert len(calls) == 1 and calls[0].call_id and json.loads(calls[0].arguments) == {"city": "Paris"}
    history += [item.model_dump(exclude_none=True) for item in first.output]
    history.append({"type": "function_call_output", "call_id": calls[0].call_id, "output": "18°C"})
    with make_client(server, sa_credentials) as second_client:
        second = responses(second_client).create(
            model="gemini-3-pro-preview", input=history, tools=TOOLS, store=False
        )
    assert second.output_text == "The tools said: 18°C."
    sent = chat_bodies(server)[-1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert sent[1]["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": SIGNATURE}}
    # the call id carries its signature; the wire gets its short form (`call_<24 hex>`, 29 characters)
    assert sent[1]["tool_calls"][0]["id"] == calls[0].call_id[:29] == sent[2]["tool_call_id"]


def test_without_the_carrier_vertex_400_reaches_the_caller(
    client: VertexOpenAI, server: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    """The control for the test above: with no signature anywhere (ids that do not carry it, no
    placeholders, no shared memory), Vertex's 400 comes back as itself."""

    def plain() -> VertexOpenAI:
        return make_client(server, sa_credentials).copy(signature_ids=False, placeholder_signatures=False)

    with plain() as first_client:
        first = responses(first_client).create(
            model="gemini-3-pro-preview", input="Weather?", tools=TOOLS, store=False
        )
    call = function_calls(first)[0]
    history: list[Any] = [
        {"role": "user", "content": "Weather?"},
        call,
        {"type": "function_call_output", "call_id": call.call_id, "output": "1"},
    ]
    with (
        plain() as fresh,
        pytest.raises(openai.BadRequestError, match="missing a `thought_signature`") as caught,
    ):
        responses(fresh).create(model="gemini-3-pro-preview", input=history, tools=TOOLS, store=False)
    assert caught.value.status_code == 400


def test_previous_response_id_with_store(client: VertexOpenAI, server: VertexServer) -> None:
    bridge = responses(client)
    first = bridge.create(
        model="gemini-3-pro-preview", input="Weather in Paris?", tools=TOOLS, instructions="A"
    )
    call = function_calls(first)[0]
    second = bridge.create(
        model="gemini-3-pro-preview",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "18°C"}],
        tools=TOOLS,
        instructions="B",
    )
    assert second.output_text == "The tools said: 18°C."
    assert second.previous_response_id == first.id
    sent = chat_bodies(server)[-1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool"]
    assert sent[0]["content"] == "B"  # like OpenAI: instructions do not carry over
    assert sent[2]["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": SIGNATURE}}
    # retrieve and delete work on the store, which the client's copies share
    assert bridge.retrieve(first.id) == first
    assert client.copy(timeout=30).responses.retrieve(second.id) == second
    bridge.delete(first.id)
    with pytest.raises(UnknownResponseError, match="response_id"):
        bridge.retrieve(first.id)
    with pytest.raises(UnknownResponseError):
        bridge.delete(first.id)


def test_previous_response_id_after_store_false_is_refused(
    client: VertexOpenAI, server: VertexServer
) -> None:
    bridge = responses(client)
    first = bridge.create(model="gemini-2.5-flash", input="Hi", store=False)
    sent = len(server.seen)
    with pytest.raises(UnknownResponseError, match=f"previous_response_id='{first.id}'.*store=True"):
        bridge.create(model="gemini-2.5-flash", input="Again", previous_response_id=first.id)
    assert len(server.seen) == sent  # nothing was sent
    with pytest.raises(UnknownResponseError):
        bridge.retrieve(first.id)


def test_a_custom_store_is_used_and_shared(client: VertexOpenAI) -> None:
    store = InMemoryConversationStore(max_responses=1)
    bridge = responses(client)
    bridge.store = store
    first = bridge.create(model="gemini-2.5-flash", input="One")
    assert store.get(first.id) is not None
    assert client.copy().responses.store is store
    second = bridge.create(model="gemini-2.5-flash", input="Two")
    assert store.get(first.id) is None and store.get(second.id) is not None  # the bound evicts


def test_json_schema_format_and_parse(client: VertexOpenAI, server: VertexServer) -> None:
    schema = Weather.model_json_schema()
    response = responses(client).create(
        model="gemini-2.5-flash",
        input="Weather?",
        text={"format": {"type": "json_schema", "name": "weather", "schema": schema, "strict": True}},
    )
    assert chat_bodies(server)[-1]["response_format"]["json_schema"]["name"] == "weather"
    assert Weather.model_validate_json(response.output_text) == Weather(city="Paris", celsius=1.5)
    parsed = responses(client).parse(model="gemini-2.5-flash", input="Weather?", text_format=Weather)
    assert parsed.output_parsed == Weather(city="Paris", celsius=1.5)
    sent_format = chat_bodies(server)[-1]["response_format"]
    assert sent_format["type"] == "json_schema" and sent_format["json_schema"]["name"] == "Weather"
    assert sent_format["json_schema"]["strict"] is True


def test_stream_helper_final_response_and_text(client: VertexOpenAI, server: VertexServer) -> None:
    with responses(client).stream(model="gemini-2.5-flash", input="Hello?") as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == GREETING == final.output_text
    assert len(deltas) > 1
    assert chat_bodies(server)[-1]["stream"] is True
    assert responses(client).retrieve(final.id).output_text == GREETING  # a stream is stored too


def test_stream_with_text_format(client: VertexOpenAI) -> None:
    with responses(client).stream(model="gemini-2.5-flash", input="Weather?", text_format=Weather) as stream:
        final = stream.get_final_response()
    assert final.output_parsed == Weather(city="Paris", celsius=1.5)


def test_create_stream_of_a_recorded_tool_call(client: VertexOpenAI, server: VertexServer) -> None:
    recorded = load("gemini-compat-stream-tool-call.json")["interactions"][0]["response"]
    server.reply(Reply(200, text=recorded["sse"], content_type="text/event-stream"))
    stream = responses(client).create(model="gemini-2.0-flash", input="Return a list of fruit", stream=True)
    events = list(stream)
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert isinstance(events[-1], ResponseCompletedEvent)
    (call,) = function_calls(events[-1].response)
    assert call.call_id and json.loads(call.arguments) == {"value": ["apple", "banana", "orange"]}


def test_streamed_tool_turn_then_second_turn(client: VertexOpenAI, server: VertexServer) -> None:
    bridge = responses(client)
    with bridge.stream(
        model="gemini-3-pro-preview", input="Weather in Paris?", tools=TOOLS, store=False
    ) as stream:
        first = stream.get_final_response()
    call = function_calls(first)[0]
    history: list[Any] = [{"role": "user", "content": "Weather in Paris?"}, *first.output]
    history.append({"type": "function_call_output", "call_id": call.call_id, "output": "18°C"})
    second = client.copy().responses.create(
        model="gemini-3-pro-preview", input=history, tools=TOOLS, store=False
    )
    assert second.output_text == "The tools said: 18°C."
    sent = chat_bodies(server)[-1]["messages"][1]
    assert sent["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": SIGNATURE}}


def test_vertex_errors_keep_their_class_and_message(client: VertexOpenAI, server: VertexServer) -> None:
    recorded = load("vertex-token-refresh-and-400.json")["interactions"][-1]["response"]
    server.reply(Reply(400, recorded["json"]))
    with pytest.raises(openai.BadRequestError, match="exceeds the maximum number of tokens") as caught:
        responses(client).create(model="gemini-2.5-flash", input="A very long prompt")
    assert caught.value.status_code == 400


def test_refused_parameters_send_nothing(client: VertexOpenAI, server: VertexServer) -> None:
    with pytest.raises(UnsupportedParameterError, match="background"):
        responses(client).create(model="gemini-2.5-flash", input="x", background=True)
    with pytest.raises(UnsupportedParameterError, match="file_search"):
        responses(client).create(
            model="gemini-2.5-flash", input="x", tools=[{"type": "file_search", "vector_store_ids": ["vs_1"]}]
        )
    assert server.seen == []


def test_models_vertex_serves_on_responses_pass_through(client: VertexOpenAI, server: VertexServer) -> None:
    body = {
        "id": "resp_grok",
        "object": "response",
        "created_at": 1763800000,
        "model": "xai/grok-4",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Hi from Grok.", "annotations": []}],
            }
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    }
    server.reply(Reply(200, body))
    response = responses(client).create(model="xai/grok-4", input="Hi", store=False)
    assert response.output_text == "Hi from Grok."
    (sent,) = server.seen
    assert sent.path.endswith("/endpoints/openapi/responses")
    assert sent.json["input"] == "Hi" and sent.json["store"] is False


# -- async ---------------------------------------------------------------------------------------


def test_async_create_stream_and_tool_loop(
    server: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    async def main() -> None:
        async with make_async_client(server, sa_credentials) as client:
            bridge = async_responses(client)
            text = await bridge.create(model="gemini-2.5-flash", input="Hello?")
            assert text.output_text == GREETING
            async with bridge.stream(model="gemini-2.5-flash", input="Hello?") as stream:
                deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
                final = await stream.get_final_response()
            assert "".join(deltas) == final.output_text == GREETING
            first = await bridge.create(model="gemini-3-pro-preview", input="Weather in Paris?", tools=TOOLS)
            call = function_calls(first)[0]
            second = await bridge.create(
                model="gemini-3-pro-preview",
                previous_response_id=first.id,
                input=[{"type": "function_call_output", "call_id": call.call_id, "output": "18°C"}],
                tools=TOOLS,
            )
            assert second.output_text == "The tools said: 18°C."
            assert (await bridge.retrieve(first.id)).id == first.id
            await bridge.delete(first.id)
            parsed = await bridge.parse(model="gemini-2.5-flash", input="Weather?", text_format=Weather)
            assert parsed.output_parsed == Weather(city="Paris", celsius=1.5)

    asyncio.run(main())


# -- Azure's chat quickstart, as written, with only the constructor changed ------------------------


async def chat_handler(openai_client: AsyncVertexOpenAI, request_messages: list[Any]) -> AsyncIterator[str]:
    """The body of Azure's Quart/FastAPI chat quickstart handler (its `response_stream()`), as written:
    NDJSON lines of deltas for a message history, with `responses.stream(..., store=False)`."""
    all_messages = [{"role": "system", "content": "You are a helpful assistant."}, *request_messages]
    async with openai_client.responses.stream(
        model="gemini-2.5-flash", input=all_messages, store=False
    ) as stream:
        async for event in stream:
            if event.type == "response.output_text.delta":
                yield (
                    json.dumps({"delta": {"content": event.delta, "role": "assistant"}}, ensure_ascii=False)
                    + "\n"
                )


def test_azure_quickstart_streaming_handler(
    server: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    request_messages = [
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Say hello again."},
    ]

    async def main() -> list[str]:
        # the only line that differs from the Azure app: the client's constructor
        async with make_async_client(server, sa_credentials) as openai_client:
            return [line async for line in chat_handler(openai_client, request_messages)]

    lines = asyncio.run(main())
    assert len(lines) > 1 and all(line.endswith("\n") for line in lines)
    assert "".join(json.loads(line)["delta"]["content"] for line in lines) == GREETING
    sent = chat_bodies(server)[-1]
    assert sent["messages"] == [
        {"role": "system", "content": "You are a helpful assistant."},
        *request_messages,
    ]
    assert sent["stream"] is True


def test_with_raw_and_streaming_response(client: VertexOpenAI, server: VertexServer) -> None:
    """openai-agents streams through `with_streaming_response.create`; both views give the result."""
    bridge = responses(client)
    raw = bridge.with_raw_response.create(model="gemini-2.5-flash", input="Hello?")
    assert raw.parse().output_text == GREETING
    with bridge.with_streaming_response.create(
        model="gemini-2.5-flash", input="Hello?", stream=True
    ) as streamed:
        events = list(streamed.parse())
        assert streamed.headers["content-type"].startswith("text/event-stream")
    assert events[-1].type == "response.completed"
    assert all("x-stainless-raw-response" not in s.headers for s in server.seen)


def test_async_streaming_response_view(
    server: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    async def main() -> list[str]:
        async with make_async_client(server, sa_credentials) as client:
            raw = await async_responses(client).with_raw_response.create(
                model="gemini-2.5-flash", input="Hello?"
            )
            parsing: object = raw.parse()  # awaitable at run time (openai's async raw responses)
            parsed = await parsing if inspect.isawaitable(parsing) else parsing
            assert isinstance(parsed, Response) and parsed.output_text == GREETING
            view = async_responses(client).with_streaming_response
            async with view.create(model="gemini-2.5-flash", input="Hello?", stream=True) as streamed:
                stream = await streamed.parse()
                return [event.type async for event in stream]

    kinds = asyncio.run(main())
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
