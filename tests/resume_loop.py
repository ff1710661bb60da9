"""One step of a Gemini 3 tool loop as an app runs it: history loaded from JSON, one model call through
the public API with a new client (default options), tool calls rebuilt as frameworks rebuild them (id,
type, function name and arguments only; Responses `function_call` items: call_id, name, arguments),
results appended, history written back as JSON.

`python resume_loop.py BASE_URL TOKEN MODE HISTORY.json STEPS` runs STEPS steps in this (new) process,
each with a new client; the tests also import `step` to run the first one in their own process.
MODE: create, acreate, stream, astream (chat completions), responses, responses-stream (the bridge).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI

MODEL = "gemini-3-pro-preview"
MODES = ("create", "acreate", "stream", "astream", "responses", "responses-stream")


def _function(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }


CHAT_TOOLS: list[Any] = [{"type": "function", "function": _function(n)} for n in ("get_weather", "get_time")]
RESPONSES_TOOLS: list[Any] = [{"type": "function", **_function(n)} for n in ("get_weather", "get_time")]


def step(base_url: str, token: str, mode: str, history: dict[str, Any]) -> dict[str, Any]:
    """History after one model call: `messages` (chat) or `input` (Responses), and `final` text once the
    model answers without tool calls."""
    if mode.startswith("responses"):
        return _responses_step(VertexOpenAI(base_url=base_url, access_token=token), mode, history)
    if mode.startswith("a"):
        message = asyncio.run(_achat(AsyncVertexOpenAI(base_url=base_url, access_token=token), mode, history))
    else:
        message = _chat(VertexOpenAI(base_url=base_url, access_token=token), mode, history)
    calls = message["tool_calls"]
    if not calls:
        return {**history, "final": message["content"]}
    rebuilt = [
        {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
        for c in calls
    ]
    results = [
        {"role": "tool", "tool_call_id": c["id"], "content": f"{c['name']} #{n}"} for n, c in enumerate(calls)
    ]
    return {
        **history,
        "messages": [*history["messages"], {"role": "assistant", "tool_calls": rebuilt}, *results],
    }


def _chat(client: VertexOpenAI, mode: str, history: dict[str, Any]) -> dict[str, Any]:
    kwargs: Any = {"model": MODEL, "messages": history["messages"], "tools": CHAT_TOOLS}
    if mode == "create":
        return _from_message(client.chat.completions.create(**kwargs).choices[0].message.model_dump())
    accumulated = _Accumulator()
    for chunk in client.chat.completions.create(**kwargs, stream=True):
        accumulated.add(chunk.model_dump())
    return accumulated.message()


async def _achat(client: AsyncVertexOpenAI, mode: str, history: dict[str, Any]) -> dict[str, Any]:
    kwargs: Any = {"model": MODEL, "messages": history["messages"], "tools": CHAT_TOOLS}
    if mode == "acreate":
        answer = await client.chat.completions.create(**kwargs)
        return _from_message(answer.choices[0].message.model_dump())
    accumulated = _Accumulator()
    async for chunk in await client.chat.completions.create(**kwargs, stream=True):
        accumulated.add(chunk.model_dump())
    return accumulated.message()


def _from_message(message: dict[str, Any]) -> dict[str, Any]:
    calls = [
        {"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
        for c in message.get("tool_calls") or []
    ]
    return {"content": message.get("content"), "tool_calls": calls}


class _Accumulator:
    """What a framework keeps of a streamed answer: text, and each call's id, name and arguments."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}

    def add(self, chunk: dict[str, Any]) -> None:
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            self.text.append(delta.get("content") or "")
            for call in delta.get("tool_calls") or []:
                known = self.calls.setdefault(call["index"], {"id": None, "name": None, "arguments": ""})
                function = call.get("function") or {}
                known["id"] = known["id"] or call.get("id")
                known["name"] = known["name"] or function.get("name")
                known["arguments"] += function.get("arguments") or ""

    def message(self) -> dict[str, Any]:
        return {"content": "".join(self.text), "tool_calls": [self.calls[i] for i in sorted(self.calls)]}


def _responses_step(client: VertexOpenAI, mode: str, history: dict[str, Any]) -> dict[str, Any]:
    kwargs: Any = {"model": MODEL, "input": history["input"], "tools": RESPONSES_TOOLS, "store": False}
    if mode == "responses":
        output = [item.model_dump() for item in client.responses.create(**kwargs).output]
    else:
        output = []
        for event in client.responses.create(**kwargs, stream=True):
            if event.type == "response.output_item.done":
                output.append(event.item.model_dump())
    calls = [item for item in output if item["type"] == "function_call"]
    if not calls:
        texts = [part["text"] for item in output if item["type"] == "message" for part in item["content"]]
        return {**history, "final": "".join(texts)}
    items = [  # the reasoning item (and its encrypted_content) is dropped, as stores often do
        {"type": "function_call", "call_id": c["call_id"], "name": c["name"], "arguments": c["arguments"]}
        for c in calls
    ]
    results = [
        {"type": "function_call_output", "call_id": c["call_id"], "output": f"{c['name']} #{n}"}
        for n, c in enumerate(calls)
    ]
    return {**history, "input": [*history["input"], *items, *results]}


def main(argv: list[str]) -> None:
    base_url, token, mode, path, steps = argv
    file = Path(path)
    for _ in range(int(steps)):
        history = step(base_url, token, mode, json.loads(file.read_text()))
        file.write_text(json.dumps(history))


if __name__ == "__main__":
    main(sys.argv[1:])
