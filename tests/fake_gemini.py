"""A plausible Gemini behind the local Vertex-like server, for running examples, README blocks, the
notebook and the CLI offline. It answers from the request, in the shapes Vertex uses: tool calls
without `index` and with a thought signature, `role` repeated in stream deltas, usage on every chunk.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

from fakes import Reply

GREETING = "Hello from the local Vertex stand-in."
SIGNATURE = "LOCAL-THOUGHT-SIGNATURE"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\x80\0"))
        + chunk(b"IEND", b"")
    )


def example(schema: Any, root: Any = None, name: str = "") -> Any:
    """A value that fits a JSON schema (the subset tools and response formats use)."""
    root = root if root is not None else schema
    if not isinstance(schema, dict):
        return "example"
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return example(target, root, name)
    if "enum" in schema:
        return schema["enum"][0]
    for combo in ("anyOf", "oneOf", "allOf"):
        if combo in schema:
            return example(schema[combo][0], root, name)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        return {key: example(sub, root, key) for key, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [example(schema.get("items", {}), root, name)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return {"city": "Paris", "location": "Paris"}.get(name, "example")


def tool_call(function: dict[str, Any], signature: str) -> dict[str, Any]:
    """A call of `function` as Vertex sends it: arguments that fit its schema, `id: ""`, no `index`,
    the thought signature in `extra_content`."""
    return {
        "extra_content": {"google": {"thought_signature": signature}},
        "function": {"arguments": json.dumps(example(function.get("parameters"))), "name": function["name"]},
        "id": "",
        "type": "function",
    }


def _answer(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(message, extra fields of the choice)."""
    messages = body.get("messages") or []
    google = (body.get("extra_body") or {}).get("google") or {}
    tools = body.get("tools") or []
    if "image" in (body.get("modalities") or []):
        image = {
            "data": base64.b64encode(tiny_png()).decode(),
            "extra_content": {"google": {"mime_type": "image/png"}},
        }
        return {"role": "assistant", "content": "Here is your image."}, {"image": image}
    if tools and (not messages or messages[-1].get("role") != "tool"):
        return {"role": "assistant", "tool_calls": [tool_call(tools[0]["function"], SIGNATURE)]}, {}
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return {
            "role": "assistant",
            "content": json.dumps(example(response_format["json_schema"]["schema"])),
        }, {}
    if response_format.get("type") == "json_object":
        return {"role": "assistant", "content": json.dumps({"answer": GREETING})}, {}
    results = [str(m.get("content")) for m in messages if m.get("role") == "tool"]
    text = f"The tools said: {', '.join(results)}." if results else GREETING
    marker = google.get("thought_tag_marker")
    if marker and (google.get("thinking_config") or {}).get("include_thoughts"):
        text = f"<{marker}>Thinking it over carefully.</{marker}>{text}"
    return {"role": "assistant", "content": text}, {}


def gemini_reply(body: dict[str, Any]) -> Reply:
    message, choice_extra = _answer(body)
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    usage = {"completion_tokens": 12, "prompt_tokens": 20, "total_tokens": 40}
    head = {"created": 1763800000, "model": body.get("model", ""), "usage": usage}
    if not body.get("stream"):
        choice = {"finish_reason": finish, "index": 0, "message": message, **choice_extra}
        return Reply(200, {**head, "id": "local-1", "object": "chat.completion", "choices": [choice]})
    deltas: list[dict[str, Any]] = []
    content = message.get("content") or ""
    for start in range(0, len(content), 7):  # small pieces, so tags split across chunks
        deltas.append({"role": "assistant", "content": content[start : start + 7]})
    if message.get("tool_calls"):
        deltas.append({"role": "assistant", "tool_calls": message["tool_calls"]})
    events = []
    for number, delta in enumerate(deltas):
        last = number == len(deltas) - 1
        choice = {"delta": delta, "index": 0, **({"finish_reason": "stop"} if last else {})}
        events.append(
            f"data: {json.dumps({**head, 'object': 'chat.completion.chunk', 'choices': [choice]})}\n\n"
        )
    return Reply(200, text="".join(events) + "data: [DONE]\n\n", content_type="text/event-stream")
