"""Thought signatures survive the round trip: the next request carries what the last answer gave."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from fakes import STATIC_TOKEN, Reply, VertexServer
from helpers_api import chat_helpers
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam
from recordings import CASSETTES, VERTEX_BASE, cassette_from_recording, keeping, load, replay

from vertex_openai import SKIP_THOUGHT_SIGNATURE, AsyncVertexOpenAI, VertexOpenAI, add_placeholder_signatures

TOKEN = STATIC_TOKEN  # the one the `server` fixture (conftest.py) accepts
WEATHER = {"Paris": "18°C", "London": "12°C"}
TOOLS: list[ChatCompletionToolParam] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current temperature in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def bodies(sent: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in sent if r.body]


def run_tool_loop(client: VertexOpenAI) -> str | None:
    """The loop a user writes: pass the assistant message back as it came, answer each call."""
    # the assistant messages go back as the SDK returned them (models, not TypedDicts)
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris and London?"}]
    while True:
        response = client.chat.completions.create(
            model="gemini-3-pro-preview", messages=messages, tools=TOOLS
        )
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content
        messages.append(message)
        for call in message.tool_calls:
            assert call.type == "function"
            city = json.loads(call.function.arguments)["city"]
            messages.append({"role": "tool", "tool_call_id": call.id, "content": WEATHER[city]})


def test_gemini3_tool_loop_sends_the_signature_back() -> None:
    client = VertexOpenAI(project="test-project", access_token=TOKEN, max_retries=0)
    sent: list[Any] = []
    with replay.use_cassette(
        str(CASSETTES / "gemini3-tool-loop.json"), before_record_request=keeping(sent)
    ) as cassette:
        answer = run_tool_loop(client)
    assert cassette.all_played
    assert answer == "It is 18°C in Paris and 12°C in London."
    second = bodies(sent)[-1]
    assistant = second["messages"][1]
    first_call, second_call = assistant["tool_calls"]
    first_response = json.loads(cassette.responses[0]["body"]["string"])
    expected = first_response["choices"][0]["message"]["tool_calls"][0]["extra_content"]
    assert first_call["extra_content"] == expected  # the signature, exactly as received
    assert "extra_content" not in second_call  # only the first call of a parallel step had one
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "tool", "tool"]


def test_recorded_message_signature_round_trip(tmp_path: Path) -> None:
    """The 2025 shape (signature on the message), recorded, passed back through the client."""
    url = f"{VERTEX_BASE}/chat/completions"
    path = cassette_from_recording(
        "gemini-compat-tool-call-thought-signature.json", tmp_path, urls={0: url, 1: url}
    )
    recording = load("gemini-compat-tool-call-thought-signature.json")
    recorded_extra = recording["interactions"][0]["response"]["json"]["choices"][0]["message"][
        "extra_content"
    ]
    client = VertexOpenAI(project="test-project", access_token=TOKEN, max_retries=0)
    sent: list[Any] = []
    messages: list[Any] = [{"role": "user", "content": "What is the current time?"}]  # models go back too
    with replay.use_cassette(str(path), before_record_request=keeping(sent)):
        first = client.chat.completions.create(model="gemini-2.5-pro-preview-05-06", messages=messages)
        message = first.choices[0].message
        assert message.tool_calls
        messages += [message, {"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": "Noon"}]
        final = client.chat.completions.create(model="gemini-2.5-pro-preview-05-06", messages=messages)
    assert final.choices[0].message.content == "The current time is Noon."
    assert first.usage is not None
    assert first.usage.total_tokens == 109  # thinking tokens counted, as recorded
    assert bodies(sent)[-1]["messages"][1]["extra_content"] == recorded_extra


STREAMED_CALL = (
    "".join(
        f"data: {json.dumps(chunk)}\n\n"
        for chunk in [
            {
                "choices": [
                    {
                        "delta": {
                            "role": "assistant",
                            "tool_calls": [
                                {
                                    "extra_content": {"google": {"thought_signature": "STREAM-SIG"}},
                                    "function": {"arguments": '{"city":"Paris"}', "name": "get_weather"},
                                    "id": "",
                                    "type": "function",
                                }
                            ],
                        },
                        "index": 0,
                        "finish_reason": "stop",
                    }
                ],
                "created": 1,
                "model": "google/gemini-3-pro-preview",
                "object": "chat.completion.chunk",
            }
        ]
    )
    + "data: [DONE]\n\n"
)


def test_streamed_message_passed_back_keeps_its_signature(server: VertexServer) -> None:
    server.reply(Reply(200, text=STREAMED_CALL, content_type="text/event-stream"))
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN)
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
    with chat_helpers(client).stream(model="gemini-3-pro-preview", messages=messages, tools=TOOLS) as stream:
        message = stream.get_final_completion().choices[0].message
    assert message.tool_calls
    call_id = message.tool_calls[0].id
    assert call_id.startswith("call_")  # Vertex sent "": the client gave the call an id
    messages += [message, {"role": "tool", "tool_call_id": call_id, "content": "18°C"}]
    client.chat.completions.create(model="gemini-3-pro-preview", messages=messages, tools=TOOLS)
    sent = server.seen[-1].json["messages"][1]
    assert sent["tool_calls"] == [
        {
            "id": call_id[:29],  # a carrier id (issue 18) goes to Vertex in its short form
            "type": "function",
            "function": {"arguments": '{"city":"Paris"}', "name": "get_weather"},
            "extra_content": {"google": {"thought_signature": "STREAM-SIG"}},
        }
    ]  # and nothing openai-python adds on its side (parsed, parsed_arguments, index)
    assert "parsed" not in sent


def test_async_streamed_message_keeps_its_signature(server: VertexServer) -> None:
    server.reply(Reply(200, text=STREAMED_CALL, content_type="text/event-stream"))

    async def main() -> object:
        client = AsyncVertexOpenAI(base_url=server.base_url, access_token=TOKEN)
        chunks = [c async for c in await client.chat.completions.create(model="g", messages=[], stream=True)]
        calls = chunks[0].choices[0].delta.tool_calls
        assert calls and calls[0].model_extra is not None
        return calls[0].model_extra["extra_content"]

    assert asyncio.run(main()) == {"google": {"thought_signature": "STREAM-SIG"}}


def test_history_from_another_model_gets_placeholders_on_the_wire(server: VertexServer) -> None:
    azure_history: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_abc",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_abc", "content": "18°C"},
    ]
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN)
    fixed = add_placeholder_signatures(azure_history)
    # add_placeholder_signatures is typed to return list[dict[str, Any]], which create() does not take
    client.chat.completions.create(model="gemini-3-pro-preview", messages=fixed)  # type: ignore[arg-type]
    call = server.seen[-1].json["messages"][1]["tool_calls"][0]
    assert call["extra_content"] == {"google": {"thought_signature": SKIP_THOUGHT_SIGNATURE}}
    assert "extra_content" not in json.dumps(azure_history)  # the input is not changed
