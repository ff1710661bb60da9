"""A plausible Gemini behind the local Vertex-like server, for running examples, README blocks, the
notebook and the CLI offline. It answers from the request, in the shapes Vertex uses: tool calls
without `index` and with a thought signature, `role` repeated in stream deltas, usage on every chunk.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import threading
import zlib
from collections.abc import Collection, Sequence
from typing import Any

from fakes import Reply

GREETING = "Hello from the local Vertex stand-in."
SIGNATURE = "LOCAL-THOUGHT-SIGNATURE"
#: Google's documented placeholders, which Vertex accepts in place of a signature it issued.
PLACEHOLDERS = ("skip_thought_signature_validator", "context_engineering_is_the_way_to_go")


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


def gemini3(body: dict[str, Any]) -> bool:
    return str(body.get("model", "")).rsplit("/", 1)[-1].startswith("gemini-3")


def first_call_signatures(body: dict[str, Any]) -> list[tuple[int, str, str | None]]:
    """(content block number, function name, signature or None) of the first tool call of each step of
    the current turn (the assistant messages after the last user message), as Vertex checks them."""
    messages = [m for m in body.get("messages") or [] if m.get("role") not in ("system", "developer")]
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    out = []
    for number, message in enumerate(messages, start=1):
        calls = message.get("tool_calls") or []
        if number - 1 <= last_user or message.get("role") != "assistant" or not calls:
            continue
        signature = _signature(calls[0]) or _signature(message)
        out.append((number, str((calls[0].get("function") or {}).get("name")), signature))
    return out


def _signature(part: dict[str, Any]) -> str | None:
    extra = part.get("extra_content") or {}
    for vendor in ("google", "vertex"):
        value = (extra.get(vendor) or {}).get("thought_signature")
        if value:
            return str(value)
    return None


def signature_error(body: dict[str, Any], known: Collection[str]) -> Reply | None:
    """Vertex's 400 when a Gemini 3 request's current turn has a tool-call step whose first call has no
    signature, or one Vertex never issued (Google's placeholders pass); None when the request is fine."""
    if not gemini3(body):
        return None
    for number, name, signature in first_call_signatures(body):
        if signature is None:
            message = (
                f"Unable to submit request because function call `{name}` in the {number}. content block "
                "is missing a `thought_signature`. Learn more: "
                "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures"
            )
        elif signature not in known and signature not in PLACEHOLDERS:
            message = (
                f"Unable to submit request because the {number}. content block has a corrupted "
                "thought signature."
            )
        else:
            continue
        error = {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
        return Reply(400, [{"error": error}])
    return None


class SigningGemini:
    """A Gemini 3 stand-in with state: each tool-call step it answers is signed with a fresh signature
    (random bytes, base64, `signature_bytes` long) on its first call only, as Gemini signs parallel
    calls; it refuses (400) a request whose current turn does not send those signatures back, and
    records the signatures that came back with each request (`returned`).

    `steps` is the plan of one turn: e.g. `[["get_weather", "get_weather"], ["get_time"]]` answers the
    user with two parallel calls, then (after their results) one more call, then with text.
    """

    def __init__(self, steps: Sequence[Sequence[str]], *, signature_bytes: int = 320) -> None:
        self.steps = [list(step) for step in steps]
        self.signature_bytes = signature_bytes
        self.issued: list[str] = []
        self.returned: list[list[str | None]] = []
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            self.returned.append([signature for _, _, signature in first_call_signatures(body)])
            refused = signature_error(body, self.issued)
            if refused is not None:
                return refused
            messages = body.get("messages") or []
            last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
            done = sum(
                1 for m in messages[last_user + 1 :] if m.get("role") == "assistant" and m.get("tool_calls")
            )
            tools = {t["function"]["name"]: t["function"] for t in body.get("tools") or []}
            if done >= len(self.steps):
                results = [
                    str(m.get("content")) for m in messages[last_user + 1 :] if m.get("role") == "tool"
                ]
                return _render(body, {"role": "assistant", "content": f"Done: {', '.join(results)}."}, {})
            signature = base64.b64encode(os.urandom(self.signature_bytes)).decode()
            self.issued.append(signature)
            calls = [tool_call(tools.get(name, {"name": name}), signature) for name in self.steps[done]]
            for call in calls[1:]:
                del call["extra_content"]  # only the first call of a step is signed
            return _render(body, {"role": "assistant", "tool_calls": calls}, {})


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
    """The stateless stand-in: on Gemini 3 it enforces the signature rule with `SIGNATURE` as the one
    signature it ever issued (see `SigningGemini` for fresh signatures per step)."""
    refused = signature_error(body, (SIGNATURE,))
    if refused is not None:
        return refused
    message, choice_extra = _answer(body)
    return _render(body, message, choice_extra)


def _render(body: dict[str, Any], message: dict[str, Any], choice_extra: dict[str, Any]) -> Reply:
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
