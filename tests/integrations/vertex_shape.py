"""Gemini 3 on Vertex, played locally for framework tests, in the shapes Vertex really sends.

- streamed deltas repeat `role`; usage is cumulative and sits on every chunk;
- tool calls come without `index`, with `id: ""`, whole in ONE chunk together with `finish_reason`
  (`"stop"`, as Gemini streams end), and carry a Gemini 3 thought signature
  (`extra_content.google.thought_signature`);
- a request whose assistant tool call lacks the signature it was given gets Vertex's 400
  (`... is missing a `thought_signature``), and a model name without a publisher gets Vertex's 400.

`Google` wires this responder to the real token server of `fakes.py` (google-auth service-account
flow) and can revoke every token issued so far, so the next request meets a 401 mid-use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import time_machine
from fake_gemini import example, tool_call
from fakes import Reply, Seen, TokenServer, VertexServer, service_account_info
from google.oauth2 import service_account

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._transport._auth import CredentialsTokenSource

# Set by .ci/integrations: a framework that is missing, or a test that skips, is a failure there.
STRICT = os.environ.get("VERTEX_OPENAI_INTEGRATIONS") == "1"

MODEL = "gemini-3-pro-preview"
SENT_MODEL = "google/gemini-3-pro-preview"
PROMPT_TOKENS = 9
GREETING = "Hello from Gemini on Vertex."
ANSWER = "The tools said: 18°C. Have a nice day."  # after get_weather(city="Paris") returned 18°C


def require(name: str) -> ModuleType:
    """Import a framework; skip the test module without it, except under .ci/integrations."""
    if STRICT:
        return importlib.import_module(name)
    module: ModuleType = pytest.importorskip(name)
    return module


def _missing_signature(name: str, block: int) -> Reply:
    message = (
        f"Unable to submit request because function call `{name}` in the {block}. content block is "
        "missing a `thought_signature`. Learn more: "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures"
    )
    return Reply(400, [{"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}])


#: Google's documented dummy signatures for tool calls no Gemini model signed (Gemini 3 docs, "FAQs").
DUMMY_SIGNATURES = ("context_engineering_is_the_way_to_go", "skip_thought_signature_validator")


def _malformed_model() -> Reply:
    message = "Malformed publisher model name: expected format '<publisher>/<model>'"
    return Reply(400, [{"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}])


def _signature(call: Any) -> Any:
    extra = call.get("extra_content") if isinstance(call, dict) else None
    google = extra.get("google") if isinstance(extra, dict) else None
    return google.get("thought_signature") if isinstance(google, dict) else None


def _schema_in_text(messages: list[Any]) -> Any:
    """The JSON schema a prompt carries (instructor's JSON mode writes it into a message)."""
    decoder = json.JSONDecoder()
    for message in messages:
        content = message.get("content")
        texts = [content] if isinstance(content, str) else [p.get("text", "") for p in content or []]
        for text in texts:
            for start in (i for i, ch in enumerate(text) if ch == "{"):
                try:
                    value, _ = decoder.raw_decode(text, start)
                except ValueError:
                    continue
                if isinstance(value, dict) and "properties" in value:
                    return value
    return None


@dataclass
class VertexShape:
    """Answers chat requests as Gemini 3 on Vertex does (see the module docstring)."""

    signatures: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)  # accepted chat requests
    last_usage: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, body: Any) -> Reply:
        model = body.get("model", "")
        if "/" not in model:
            return _malformed_model()
        messages: list[Any] = body.get("messages") or []
        turns = [m for m in messages if m.get("role") != "system"]
        # Google's rule: in the current turn (after the last user message) the first tool call of each
        # assistant step carries a signature Gemini gave, or one of Google's documented dummies
        current = max((i for i, m in enumerate(turns) if m.get("role") == "user"), default=-1) + 1
        for block, message in enumerate(turns[current:], start=current + 1):
            calls = message.get("tool_calls") if message.get("role") == "assistant" else None
            if calls and _signature(calls[0]) not in (*self.signatures, *DUMMY_SIGNATURES):
                return _missing_signature(calls[0]["function"]["name"], block)
        with self.lock:
            self.bodies.append(body)
            message = self._answer(body, messages)
        if body.get("stream"):
            return self._stream(model, message)
        usage = self._usage(message, len(self._pieces(message)))
        self.last_usage = usage
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        choice = {"finish_reason": finish, "index": 0, "message": message}
        return Reply(
            200,
            {
                "choices": [choice],
                "created": 1763800000,
                "id": f"vertex-{len(self.bodies)}",
                "model": model,
                "object": "chat.completion",
                "usage": usage,
            },
        )

    def _answer(self, body: dict[str, Any], messages: list[Any]) -> dict[str, Any]:
        tools = body.get("tools") or []
        if tools and (not messages or messages[-1].get("role") != "tool"):
            chosen = body.get("tool_choice")
            function = tools[0]["function"]
            if isinstance(chosen, dict):
                name = chosen.get("function", {}).get("name")
                function = next(t["function"] for t in tools if t["function"]["name"] == name)
            signature = f"SIG-{len(self.signatures) + 1}-{'s' * 24}"
            self.signatures.append(signature)
            return {"role": "assistant", "tool_calls": [tool_call(function, signature)]}
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            return {
                "role": "assistant",
                "content": json.dumps(example(response_format["json_schema"]["schema"])),
            }
        if response_format.get("type") == "json_object":
            schema = _schema_in_text(messages)
            return {"role": "assistant", "content": json.dumps(example(schema) if schema else {})}
        schema = _schema_in_text(messages)
        if schema:  # asked in words for JSON that fits a schema (instructor's MD_JSON mode)
            return {"role": "assistant", "content": f"```json\n{json.dumps(example(schema))}\n```"}
        results = [str(m.get("content")) for m in messages if m.get("role") == "tool"]
        text = (
            f"The tools said: {results[-1]}. Have a nice day." if results else "Hello from Gemini on Vertex."
        )
        return {"role": "assistant", "content": text}

    @staticmethod
    def _pieces(message: dict[str, Any]) -> list[str]:
        content = message.get("content") or ""
        return [content[i : i + 8] for i in range(0, len(content), 8)] or [""]

    @staticmethod
    def _usage(message: dict[str, Any], pieces: int) -> dict[str, int]:
        completion = 3 * pieces + (5 if message.get("tool_calls") else 0)
        return {
            "completion_tokens": completion,
            "prompt_tokens": PROMPT_TOKENS,
            "total_tokens": PROMPT_TOKENS + completion,
        }

    def _stream(self, model: str, message: dict[str, Any]) -> Reply:
        deltas: list[dict[str, Any]] = []
        if message.get("tool_calls"):
            deltas.append({"role": "assistant", "tool_calls": message["tool_calls"]})
        else:
            deltas.extend({"role": "assistant", "content": piece} for piece in self._pieces(message))
        events = []
        for number, delta in enumerate(deltas, start=1):
            usage = self._usage(message, number)  # cumulative, on every chunk
            choice: dict[str, Any] = {"delta": delta, "index": 0}
            if number == len(deltas):
                choice["finish_reason"] = "stop"
                self.last_usage = usage
            chunk = {
                "choices": [choice],
                "created": 1763800000,
                "model": model,
                "object": "chat.completion.chunk",
                "usage": usage,
            }
            events.append(f"data: {json.dumps(chunk)}\n\n")
        return Reply(200, text="".join(events) + "data: [DONE]\n\n", content_type="text/event-stream")


@dataclass
class Google:
    """A token server, a Vertex-shaped endpoint and the key that ties them, for one test."""

    tokens: TokenServer
    vertex: VertexServer
    gemini: VertexShape
    credentials: service_account.Credentials
    revoked_at: list[tuple[int, int]] = field(default_factory=list)  # (len(seen), len(issued)) at rollovers

    def client(self, **options: Any) -> VertexOpenAI:
        return VertexOpenAI(credentials=self.credentials, base_url=self.vertex.base_url, **options)

    def async_client(self, **options: Any) -> AsyncVertexOpenAI:
        return AsyncVertexOpenAI(credentials=self.credentials, base_url=self.vertex.base_url, **options)

    def rollover(self) -> None:
        """Revoke every token issued so far: the next request is answered 401 and must be retried."""
        with self.vertex.lock:
            self.vertex.revoked.update(self.tokens.issued)
            self.revoked_at.append((len(self.vertex.seen), len(self.tokens.issued)))

    @contextlib.contextmanager
    def expired(self, client: VertexOpenAI | AsyncVertexOpenAI) -> Iterator[None]:
        """The clock moved past the token's expiry, which Google then rejects (it is revoked here too):
        the client must fetch a new token before it sends, not after a 401."""
        source = client.token_source
        assert isinstance(source, CredentialsTokenSource) and source.credentials is not None
        expiry = source.credentials.expiry
        assert expiry is not None, "no token fetched yet"
        with self.vertex.lock:
            self.vertex.revoked.update(self.tokens.issued)
            before = len(self.vertex.seen)
        moment = expiry.replace(tzinfo=dt.timezone.utc) + dt.timedelta(seconds=30)
        with time_machine.travel(moment, tick=True):
            yield
        later = self.vertex.seen[before:]
        assert later, "nothing was sent after the token expired"
        for request in later:
            token = request.headers["authorization"].removeprefix("Bearer ")
            assert token in self.tokens.issued and token not in self.vertex.revoked  # no 401 met

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The chat requests Vertex accepted (valid token, well-formed), in order."""
        return self.gemini.bodies

    def chat_requests(self) -> list[Seen]:
        return [s for s in self.vertex.seen if s.path.endswith("/chat/completions")]

    def assert_rolled_over(self) -> None:
        """Every rollover was met by a 401 and the same request retried with a fresh, valid token."""
        assert self.revoked_at, "the test never rolled the token over"
        seen = self.vertex.seen
        issued = self.tokens.issued
        for at, before in self.revoked_at:
            assert len(seen) > at + 1, "no request after the rollover"
            rejected, retried = seen[at], seen[at + 1]
            rejected_token = rejected.headers["authorization"].removeprefix("Bearer ")
            retried_token = retried.headers["authorization"].removeprefix("Bearer ")
            assert rejected_token in issued[:before]  # revoked: it met the 401
            assert retried_token in issued[before:]  # a token issued after the rollover
            assert retried.json == rejected.json  # the same request, retried
        for request in seen:
            token = request.headers["authorization"].removeprefix("Bearer ")
            assert token in issued  # never a token Google did not issue
        assert len(self.tokens.issued) == len(self.revoked_at) + 1  # one refresh per rollover

    def tool_call_round_trip(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the assistant tool call the second request sent back, the signature it was given)."""
        second = next(b for b in self.bodies if any(m.get("role") == "tool" for m in b["messages"]))
        assistant = next(
            m for m in second["messages"] if m.get("role") == "assistant" and m.get("tool_calls")
        )
        return assistant["tool_calls"][0], {"google": {"thought_signature": self.gemini.signatures[0]}}

    def close(self) -> None:
        self.vertex.close()
        self.tokens.close()


def start_google(private_key_pem: str, tmp_path: Path) -> Google:
    tokens = TokenServer()
    vertex = VertexServer(tokens)
    gemini = VertexShape()
    vertex.responder = gemini
    info = service_account_info(tokens.token_uri, private_key_pem)
    key = tmp_path / "service-account.json"
    key.write_text(json.dumps(info))  # a real key file, read by google-auth as a user's would be
    credentials = service_account.Credentials.from_service_account_file(
        str(key), scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    return Google(tokens, vertex, gemini, credentials)
