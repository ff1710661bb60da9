"""The Vertex-shaped server itself (no framework needed): it must fail where Vertex fails, or the
framework tests would prove nothing."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import openai
import pytest
from google.auth.transport.requests import Request
from integrations.vertex_shape import MODEL, SENT_MODEL, Google

TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def test_a_tool_call_without_its_signature_gets_vertex_400(google: Google) -> None:
    first = google.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Weather?"}], tools=TOOLS
    )
    (call,) = first.choices[0].message.tool_calls or []
    dumped = call.model_dump()
    # no extra_content, and the id's short form (the full id carries the signature: see _sigid)
    short = call.id[:29]
    rebuilt = {"id": short, "type": "function", "function": dumped["function"]}
    history: list[Any] = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "tool_calls": [rebuilt]},
        {"role": "tool", "tool_call_id": short, "content": "18°C"},
    ]
    fresh = google.client(placeholder_signatures=False)  # no memory of the call, no dummy either
    with pytest.raises(openai.BadRequestError, match="missing a `thought_signature`"):
        fresh.chat.completions.create(model=MODEL, messages=history, tools=TOOLS)
    # Google's documented dummy is accepted in its place (the default client sends it)
    assert google.client().chat.completions.create(model=MODEL, messages=history, tools=TOOLS).choices


def test_stream_is_vertex_shaped(google: Google) -> None:
    """Raw bytes, past the client: role on every delta, cumulative usage on every chunk, the whole
    tool call with `id: ""`, no `index`, a signature, and `finish_reason` in one chunk."""
    google.credentials.refresh(Request())  # google-auth, against the local token server

    def chunks(**extra: Any) -> list[Any]:
        body = {"model": SENT_MODEL, "stream": True, "messages": [{"role": "user", "content": "Hi"}], **extra}
        request = urllib.request.Request(
            f"{google.vertex.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {google.credentials.token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request) as response:
            text = response.read().decode()
        return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]

    text_chunks = chunks()
    assert len(text_chunks) > 1
    assert all(c["choices"][0]["delta"]["role"] == "assistant" for c in text_chunks)
    completions = [c["usage"]["completion_tokens"] for c in text_chunks]
    assert completions == sorted(completions) and completions[0] < completions[-1]
    (chunk,) = chunks(tools=TOOLS)
    choice = chunk["choices"][0]
    (call,) = choice["delta"]["tool_calls"]
    assert call["id"] == "" and "index" not in call
    assert call["extra_content"]["google"]["thought_signature"]
    assert choice["finish_reason"] == "stop" and chunk["usage"]["total_tokens"] > 0
