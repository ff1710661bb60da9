"""Streams that work: openai's accumulator over Vertex-shaped streams gives correct final messages."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fakes import STATIC_TOKEN, Reply, VertexServer, chat_stream
from modes import MODES, Mode
from openai.lib.streaming.chat import ChatCompletionStreamEvent
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam, ChatCompletionToolParam
from openai.types.shared_params import FunctionDefinition
from recordings import VERTEX_BASE, cassette_from_recording, replay

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI

TOKEN = STATIC_TOKEN  # the one the `server` fixture (conftest.py) accepts
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]
FUNCTION: FunctionDefinition = {
    "name": "return_list_of_str",
    "parameters": {
        "type": "object",
        "properties": {"value": {"type": "array", "items": {"type": "string"}}},
    },
}
TOOLS: list[ChatCompletionToolParam] = [{"type": "function", "function": FUNCTION}]

# openai 1.x/2.x's async stream() accepts only strict function tools
STRICT_TOOLS: list[ChatCompletionToolParam] = [{"type": "function", "function": {**FUNCTION, "strict": True}}]
TOOLS_FOR: dict[Mode, list[ChatCompletionToolParam]] = {"sync": TOOLS, "async": STRICT_TOOLS}


def recorded(name: str, tmp_path: Path) -> str:
    return str(cassette_from_recording(name, tmp_path, urls={0: f"{VERTEX_BASE}/chat/completions"}))


def vertex_client() -> VertexOpenAI:
    return VertexOpenAI(project="test-project", access_token=TOKEN, max_retries=0)


def recorded_stream(
    mode: Mode, cassette: str, tools: list[ChatCompletionToolParam] | None = None
) -> tuple[ChatCompletion, list[str]]:
    """chat.completions.stream() over a replayed recording: the final completion and the text deltas."""
    options: dict[str, Any] = {"tools": tools} if tools else {}
    if mode == "sync":
        with (
            replay.use_cassette(cassette),
            chat_stream(vertex_client())(model="gemini-2.0-flash", messages=MESSAGES, **options) as stream,
        ):
            deltas = [e.delta for e in stream if e.type == "content.delta"]
            return stream.get_final_completion(), deltas

    async def main() -> tuple[ChatCompletion, list[str]]:
        client = AsyncVertexOpenAI(project="test-project", access_token=TOKEN, max_retries=0)
        with replay.use_cassette(cassette):
            async with chat_stream(client)(model="gemini-2.0-flash", messages=MESSAGES, **options) as stream:
                deltas = [e.delta async for e in stream if e.type == "content.delta"]
                return await stream.get_final_completion(), deltas

    return asyncio.run(main())


@pytest.mark.parametrize("mode", MODES)
def test_recorded_text_stream(mode: Mode, tmp_path: Path) -> None:
    final, deltas = recorded_stream(mode, recorded("gemini-compat-stream-text.json", tmp_path))
    message = final.choices[0].message
    assert message.role == "assistant"  # not "assistantassistant"
    assert message.content == "Hello there! How can I help you today?\n" == "".join(deltas)
    assert final.usage is not None
    assert (final.usage.prompt_tokens, final.usage.completion_tokens, final.usage.total_tokens) == (3, 11, 14)


@pytest.mark.parametrize("mode", MODES)
def test_recorded_tool_call_stream(mode: Mode, tmp_path: Path) -> None:
    cassette = recorded("gemini-compat-stream-tool-call.json", tmp_path)
    final, _ = recorded_stream(mode, cassette, TOOLS_FOR[mode])
    calls = final.choices[0].message.tool_calls
    assert calls is not None and len(calls) == 1
    assert calls[0].type == "function"
    assert calls[0].function.name == "return_list_of_str"
    assert json.loads(calls[0].function.arguments) == {"value": ["apple", "banana", "orange"]}
    assert re.fullmatch(r"call_[0-9a-f]{24}", calls[0].id)  # Vertex sent "": the client gave it one
    assert final.choices[0].finish_reason == "stop"  # as Vertex sent it; the tool call is what counts


def test_recorded_stream_with_create(tmp_path: Path) -> None:
    with replay.use_cassette(recorded("gemini-compat-stream-tool-call.json", tmp_path)):
        chunks = list(
            vertex_client().chat.completions.create(
                model="gemini-2.0-flash",
                messages=MESSAGES,
                tools=TOOLS,
                stream=True,
            )
        )
    calls = chunks[0].choices[0].delta.tool_calls
    assert calls
    call = calls[0]
    assert call.index == 0 and call.function is not None and call.function.name == "return_list_of_str"


# --- Vertex-shaped streams written from the documented behaviour (vertex-facts.md section 7) ---
def sse(*deltas: dict[str, Any], finish: str = "stop") -> str:
    events = []
    for number, delta in enumerate(deltas):
        last = number == len(deltas) - 1
        chunk = {
            "choices": [{"delta": delta, "index": 0, **({"finish_reason": finish} if last else {})}],
            "created": 1,
            "model": "google/gemini-3-pro-preview",
            "object": "chat.completion.chunk",
            "usage": {"completion_tokens": number + 1, "prompt_tokens": 9, "total_tokens": number + 10},
        }
        events.append(f"data: {json.dumps(chunk)}\n\n")
    return "".join(events) + "data: [DONE]\n\n"


def call(name: str, arguments: str, *, call_id: str = "", signature: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "function": {"arguments": arguments, "name": name},
        "id": call_id,
        "type": "function",
    }
    if signature:
        out["extra_content"] = {"google": {"thought_signature": signature}}
    return out


def final_message(server: VertexServer, stream_text: str) -> Any:
    server.reply(Reply(200, text=stream_text, content_type="text/event-stream"))
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN)
    with chat_stream(client)(model="gemini-3-pro-preview", messages=MESSAGES) as stream:
        completion = stream.get_final_completion()
    return completion


def test_parallel_calls_in_separate_chunks_stay_separate(server: VertexServer) -> None:
    completion = final_message(
        server,
        sse(
            {"role": "assistant", "tool_calls": [call("weather", '{"city":"Paris"}', signature="SIG-1")]},
            {"role": "assistant", "tool_calls": [call("weather", '{"city":"London"}')]},
        ),
    )
    calls = completion.choices[0].message.tool_calls
    assert [json.loads(c.function.arguments)["city"] for c in calls] == ["Paris", "London"]
    assert [c.function.name for c in calls] == ["weather", "weather"]
    assert calls[0].model_extra["extra_content"] == {"google": {"thought_signature": "SIG-1"}}
    assert "extra_content" not in (calls[1].model_extra or {})
    assert completion.usage.completion_tokens == 2  # the last chunk's usage


def test_arguments_split_over_deltas_with_repeated_id_and_name(server: VertexServer) -> None:
    completion = final_message(
        server,
        sse(
            {
                "role": "assistant",
                "tool_calls": [call("search", '{"query": "vert', call_id="c-1", signature="S")],
            },
            {"role": "assistant", "tool_calls": [call("search", 'ex ai"}', call_id="c-1", signature="S")]},
            {"role": "assistant", "tool_calls": [call("lookup", "{}", call_id="c-2")]},
        ),
    )
    message = completion.choices[0].message
    assert message.role == "assistant"
    first, second = message.tool_calls
    assert (first.id, first.function.name, json.loads(first.function.arguments)) == (
        "c-1",
        "search",
        {"query": "vertex ai"},
    )
    assert first.model_extra["extra_content"]["google"]["thought_signature"] == "S"  # not "SS"
    assert (second.id, second.function.name) == ("c-2", "lookup")


def test_message_signature_in_a_delta_of_its_own(server: VertexServer) -> None:
    completion = final_message(
        server,
        sse(
            {"role": "assistant", "content": "It is "},
            {"role": "assistant", "content": "sunny."},
            {
                "role": "assistant",
                "content": "",
                "extra_content": {"google": {"thought_signature": "TEXT-SIG"}},
            },
        ),
    )
    message = completion.choices[0].message
    assert message.content == "It is sunny."
    assert message.model_extra["extra_content"] == {"google": {"thought_signature": "TEXT-SIG"}}


def repaired_events(*chunks: dict[str, Any]) -> list[Any]:
    """The events openai's stream code receives from the client's decoder for these chunks."""
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    decoder = vertex_client()._make_sse_decoder()
    return list(decoder.iter_bytes(iter([body.encode()])))


def test_repaired_event_data_parses_to_the_repaired_chunk() -> None:
    head = {"created": 1, "model": "m", "object": "chat.completion.chunk"}
    first, second, done = repaired_events(
        {**head, "choices": [{"delta": {"role": "assistant", "content": "a"}, "index": 0}]},
        {**head, "choices": [{"delta": {"role": "assistant", "content": "b"}, "index": 0}]},
    )
    assert (
        json.loads(second.data)
        == second.json()
        == {**head, "choices": [{"delta": {"content": "b"}, "index": 0}]}
    )
    assert json.loads(first.data)["choices"][0]["delta"] == {"role": "assistant", "content": "a"}
    assert (second.event, second.id, second.retry) == (None, None, None)
    assert done.data == "[DONE]"


# --- what frameworks read: ids, *.done events, usage counted once (issue 10) ---
HEAD = {"created": 1, "model": "google/gemini-3-pro-preview", "object": "chat.completion.chunk"}


def chunk(delta: dict[str, Any], *, finish: str | None = None, usage: int | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"delta": delta, "index": 0}
    if finish is not None:
        choice["finish_reason"] = finish
    out: dict[str, Any] = {**HEAD, "choices": [choice]}
    if usage is not None:
        out["usage"] = {"completion_tokens": usage, "prompt_tokens": 4, "total_tokens": usage + 4}
    return out


def serve(server: VertexServer, *chunks: dict[str, Any]) -> VertexOpenAI:
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    server.reply(Reply(200, text=body, content_type="text/event-stream"))
    return VertexOpenAI(base_url=server.base_url, access_token=TOKEN)


WHOLE_CALL_AND_FINISH = chunk(
    {"role": "assistant", "tool_calls": [call("return_list_of_str", '{"value":["a"]}', signature="S")]},
    finish="stop",
    usage=11,
)


def stream_events(mode: Mode, server: VertexServer) -> list[ChatCompletionStreamEvent[None]]:
    """Every event of chat.completions.stream() over the server's next reply, sync or async."""
    if mode == "sync":
        client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN)
        with chat_stream(client)(
            model="gemini-3-pro-preview", messages=MESSAGES, tools=TOOLS_FOR[mode]
        ) as stream:
            return list(stream)

    async def main() -> list[ChatCompletionStreamEvent[None]]:
        client = AsyncVertexOpenAI(base_url=server.base_url, access_token=TOKEN)
        async with chat_stream(client)(
            model="gemini-3-pro-preview", messages=MESSAGES, tools=TOOLS_FOR[mode]
        ) as stream:
            return [e async for e in stream]

    return asyncio.run(main())


@pytest.mark.parametrize("mode", MODES)
def test_tool_call_and_finish_in_one_chunk_fire_arguments_done(mode: Mode, server: VertexServer) -> None:
    serve(server, WHOLE_CALL_AND_FINISH)
    events = stream_events(mode, server)
    done = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert [(e.name, e.arguments, e.index) for e in done] == [("return_list_of_str", '{"value":["a"]}', 0)]
    chunks = [e.chunk for e in events if e.type == "chunk"]
    assert [c.choices[0].finish_reason for c in chunks] == [None, "stop"]
    assert [c.usage.completion_tokens if c.usage else None for c in chunks] == [None, 11]
    types = [e.type for e in events]
    assert types.count("tool_calls.function.arguments.done") == 1
    assert types.index("tool_calls.function.arguments.done") > types.index(
        "tool_calls.function.arguments.delta"
    )


def test_minted_ids_are_stable_and_unique(server: VertexServer) -> None:
    client = serve(
        server,
        chunk({"role": "assistant", "tool_calls": [call("search", '{"q": "ver', signature="S")]}, usage=1),
        chunk({"role": "assistant", "tool_calls": [call("search", 'tex"}')]}, usage=2),
        chunk({"role": "assistant", "tool_calls": [call("search", '{"q": "ai"}')]}, finish="stop", usage=3),
    )
    chunks = list(client.chat.completions.create(model="g", messages=MESSAGES, stream=True))
    ids = [(tc.index, tc.id) for c in chunks for ch in c.choices for tc in ch.delta.tool_calls or []]
    first, second = ids[0][1], ids[2][1]
    assert ids == [(0, first), (0, None), (1, second)]  # given on a call's first delta only, as OpenAI does
    assert first != second and re.fullmatch(r"call_[0-9a-f]{24}", second or "")
    assert re.fullmatch(r"call_[0-9a-f]{24}_ts1[A-Za-z0-9_-]+", first or "")  # signed: carries it (_sigid)
    again = serve(
        server, chunk({"role": "assistant", "tool_calls": [call("search", "{}")]}, finish="stop")
    ).chat.completions.create(model="g", messages=MESSAGES, stream=True)
    assert first not in {tc.id for c in again for ch in c.choices for tc in ch.delta.tool_calls or []}


def test_usage_is_delivered_once_on_a_last_chunk(server: VertexServer) -> None:
    client = serve(
        server,
        chunk({"role": "assistant", "content": "It is "}, usage=1),
        chunk({"role": "assistant", "content": "sunny."}, usage=3),
        chunk({"role": "assistant", "content": ""}, finish="stop", usage=7),
    )
    chunks = list(client.chat.completions.create(model="g", messages=MESSAGES, stream=True))
    usages = [c.usage for c in chunks if c.usage is not None]
    assert (
        len(usages) == 1 and chunks[-1].usage is usages[0] and chunks[-1].choices[0].finish_reason == "stop"
    )
    assert (usages[0].prompt_tokens, usages[0].completion_tokens, usages[0].total_tokens) == (4, 7, 11)
    assert sum(u.completion_tokens for u in usages) == 7  # a framework adding chunk usages up
    # every chunk has a choice: the common `chunk.choices[0].delta.content` loop written for OpenAI works
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "It is sunny."


def test_stream_helper_reports_the_final_usage(server: VertexServer) -> None:
    client = serve(
        server,
        chunk({"role": "assistant", "content": "Hi"}, usage=2),
        chunk({"role": "assistant", "content": "!"}, finish="stop", usage=5),
        {**HEAD, "choices": [], "usage": {"completion_tokens": 6, "prompt_tokens": 4, "total_tokens": 10}},
    )
    with chat_stream(client)(model="g", messages=MESSAGES) as stream:
        usages = [e.chunk.usage for e in stream if e.type == "chunk" and e.chunk.usage]
        final = stream.get_final_completion()
    assert [u.total_tokens for u in usages] == [10]  # a usage-only chunk from upstream: merged into the last
    assert final.usage is not None and final.usage.total_tokens == 10
    assert final.choices[0].message.content == "Hi!" and final.choices[0].finish_reason == "stop"


def test_a_stream_that_never_finishes_ends_with_a_usage_chunk(server: VertexServer) -> None:
    client = serve(server, chunk({"role": "assistant", "content": "Hi"}, usage=2))
    chunks = list(client.chat.completions.create(model="g", messages=MESSAGES, stream=True))
    assert [c.choices[0].delta.content for c in chunks[:-1]] == ["Hi"]
    assert (
        chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 2
    )


def test_stream_without_usage_gets_no_usage_chunk(server: VertexServer) -> None:
    client = serve(server, chunk({"role": "assistant", "content": "Hi"}, finish="stop"))
    chunks = list(client.chat.completions.create(model="g", messages=MESSAGES, stream=True))
    assert [c.choices[0].delta.content for c in chunks] == ["Hi"]
