"""Gemini 3 tool loops that survive any history (issue 18).

The local Gemini 3 (`fake_gemini.SigningGemini`) signs each tool-call step with fresh random bytes,
refuses (400) a current turn whose steps do not send them back, and records what came back. The
history is rebuilt as frameworks rebuild it (id, type, name, arguments), stored as JSON, and resumed
in a new process with a new client: the original signatures reach the server.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest
import resume_loop
from fake_gemini import PLACEHOLDERS, SigningGemini, signature_error
from fakes import VertexServer
from hypothesis import given
from hypothesis import strategies as st

from vertex_openai import VertexOpenAI
from vertex_openai._pipeline import _sigid
from vertex_openai._pipeline._signatures import (
    PLACEHOLDER_SIGNATURE,
    SignatureMemory,
    repair_completion,
    restore_tool_signatures,
)

TOKEN = "ya29.stateless-signatures-token"
URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
STEPS = [["get_weather", "get_weather"], ["get_time"]]  # parallel calls, then a second step, one turn


@pytest.fixture
def gemini() -> Any:
    server = VertexServer(accept={TOKEN})
    server.responder = SigningGemini(STEPS)
    yield server
    server.close()


def signer(server: VertexServer) -> SigningGemini:
    assert isinstance(server.responder, SigningGemini)
    return server.responder


# --- the id format ---
@given(st.binary(min_size=1, max_size=3000))
def test_a_google_signature_round_trips_through_an_id(raw: bytes) -> None:
    signature = base64.b64encode(raw).decode()
    short = "call_" + "0123456789abcdef01234567"
    carrier = _sigid.encode(short, signature)
    assert carrier is not None and carrier.startswith(short + "_ts1b") and set(carrier) <= URL_SAFE
    assert len(carrier) == len(short) + 5 + len(signature.rstrip("="))  # no growth over the signature
    assert _sigid.decode(carrier) == signature and _sigid.short_id(carrier) == short


@given(st.text(min_size=1, max_size=200))
def test_any_other_signature_text_round_trips_too(signature: str) -> None:
    carrier = _sigid.encode("call_" + "f" * 24, signature)
    assert carrier is not None and set(carrier) <= URL_SAFE
    assert _sigid.decode(carrier) == signature


def test_ids_that_are_not_carriers_are_left_alone() -> None:
    for call_id in ("call_" + "a" * 24, "lc_run-1", "toolu_01", "call_" + "a" * 24 + "_ts1", "", "x" * 40):
        assert _sigid.decode(call_id) is None and _sigid.short_id(call_id) == call_id
    damaged = "call_" + "a" * 24 + "_ts1bA"  # one base64 character is not a whole byte
    assert _sigid.decode(damaged) is None
    assert _sigid.decode("call_" + "a" * 24 + "_ts1z" + "AAAA") is None  # an unknown kind


def test_a_signature_too_long_for_an_id_gets_a_plain_id_and_the_memory_keeps_it() -> None:
    huge = base64.b64encode(os.urandom(_sigid.MAX_ID_LENGTH)).decode()
    assert _sigid.encode("call_" + "0" * 24, huge) is None
    memory = SignatureMemory()
    call = {"id": "", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    data = {
        "object": "chat.completion",
        "choices": [{"message": {"role": "assistant", "tool_calls": [{**call, "thought_signature": huge}]}}],
    }
    repair_completion(data, memory)
    given_id = data["choices"][0]["message"]["tool_calls"][0]["id"]  # type: ignore[index]
    assert len(given_id) == _sigid.SHORT_ID_LENGTH and _sigid.decode(given_id) is None
    assert len(memory) > 0


# --- resumed from JSON in a new process ---
def run_in_new_process(server: VertexServer, mode: str, history: Path, steps: int) -> None:
    script = Path(resume_loop.__file__)
    done = subprocess.run(
        [sys.executable, str(script), server.base_url, TOKEN, mode, str(history), str(steps)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("mode", resume_loop.MODES)
def test_a_loop_resumed_from_json_in_a_new_process_sends_the_original_signatures(
    gemini: VertexServer, tmp_path: Path, mode: str
) -> None:
    """Step 1 (two parallel calls) runs here; steps 2 (one call) and 3 (the answer) in a new process,
    each with a new client and the history read back from JSON."""
    start: dict[str, Any] = (
        {"input": [{"role": "user", "content": "Weather and time in Paris?"}]}
        if mode.startswith("responses")
        else {"messages": [{"role": "user", "content": "Weather and time in Paris?"}]}
    )
    history = resume_loop.step(gemini.base_url, TOKEN, mode, start)
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history))
    run_in_new_process(gemini, mode, path, steps=2)
    final = json.loads(path.read_text())
    assert final["final"].startswith("Done: ")
    issued = signer(gemini).issued
    assert len(issued) == 2 and len(set(issued)) == 2
    # what came back with the first call of each step of the turn, request by request
    assert signer(gemini).returned == [[], [issued[0]], [issued[0], issued[1]]]
    last = gemini.seen[-1].json["messages"]
    ids = [c["id"] for m in last for c in m.get("tool_calls") or []]
    results = [m["tool_call_id"] for m in last if m["role"] == "tool"]
    assert ids == results and len(ids) == 3  # still paired ...
    assert all(len(i) == _sigid.SHORT_ID_LENGTH for i in ids)  # ... and short on the wire
    kept = json.dumps(final)
    assert all(signature not in kept for signature in issued)  # only the ids carried them, re-encoded


def test_dropped_ids_are_refused_by_the_local_gemini_as_by_vertex(gemini: VertexServer) -> None:
    """The control: without the carrier (ids replaced by the framework) nor memory nor placeholder, the
    local Gemini 3 answers Vertex's 400, so the test above can fail."""
    history = resume_loop.step(
        gemini.base_url, TOKEN, "create", {"messages": [{"role": "user", "content": "?"}]}
    )
    for message in history["messages"]:
        for call in message.get("tool_calls") or []:
            call["id"] = call["id"][: _sigid.SHORT_ID_LENGTH]
        if message["role"] == "tool":
            message["tool_call_id"] = message["tool_call_id"][: _sigid.SHORT_ID_LENGTH]
    body = {"model": "google/gemini-3-pro-preview", "messages": history["messages"]}
    refused = signature_error(body, signer(gemini).issued)
    assert refused is not None and refused.status == 400
    with_placeholder = restore_tool_signatures(body, None, gemini3=True)
    assert signature_error(dict(with_placeholder), signer(gemini).issued) is None


# --- foreign tool calls ---
def foreign_history() -> list[Any]:
    """A conversation begun on gpt-4o: unsigned tool calls in an earlier turn and in the current one."""

    def call(call_id: str, name: str) -> dict[str, Any]:
        return {"id": call_id, "type": "function", "function": {"name": name, "arguments": '{"city":"Rome"}'}}

    return [
        {"role": "user", "content": "Weather in Rome?"},
        {"role": "assistant", "content": None, "tool_calls": [call("call_old1", "get_weather")]},
        {"role": "tool", "tool_call_id": "call_old1", "content": "20°C"},
        {"role": "assistant", "content": "20°C in Rome."},
        {"role": "user", "content": "And the time?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [call("call_new1", "get_time"), call("call_new2", "get_weather")],
        },
        {"role": "tool", "tool_call_id": "call_new1", "content": "noon"},
        {"role": "tool", "tool_call_id": "call_new2", "content": "21°C"},
    ]


def test_foreign_tool_calls_on_gemini3_get_the_placeholder_on_the_current_turn_only(
    gemini: VertexServer,
) -> None:
    gemini.responder = SigningGemini([["get_time"]])  # one step in this turn, then the answer
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    answer = client.chat.completions.create(
        model="gemini-3-pro-preview", messages=foreign_history(), tools=resume_loop.CHAT_TOOLS
    )
    assert answer.choices[0].message.content is not None  # not refused
    sent = gemini.seen[-1].json["messages"]
    assert "extra_content" not in sent[1]["tool_calls"][0]  # an earlier turn: nothing added
    current = sent[5]["tool_calls"]
    assert current[0]["extra_content"] == {"google": {"thought_signature": PLACEHOLDER_SIGNATURE}}
    assert "extra_content" not in current[1]  # only the first call of a step is signed
    assert PLACEHOLDER_SIGNATURE in PLACEHOLDERS  # Google's documented value, as the server knows it


def test_placeholders_can_be_turned_off_and_the_service_then_refuses() -> None:
    body = {"model": "google/gemini-3-pro-preview", "messages": foreign_history()}
    unchanged = restore_tool_signatures(body, None, gemini3=True, placeholders=False)
    assert unchanged is body
    refused = signature_error(body, ())
    assert refused is not None and "missing a `thought_signature`" in json.dumps(refused.json_body)
    assert restore_tool_signatures(body, None, gemini3=False) is body  # other models: never a placeholder


def test_a_placeholder_never_replaces_a_signature_the_id_or_memory_has(gemini: VertexServer) -> None:
    history = resume_loop.step(
        gemini.base_url, TOKEN, "create", {"messages": [{"role": "user", "content": "?"}]}
    )
    body = {"model": "google/gemini-3-pro-preview", "messages": history["messages"]}
    restored = restore_tool_signatures(body, None, gemini3=True)
    first = restored["messages"][1]["tool_calls"][0]  # type: ignore[index]
    assert first["extra_content"]["google"]["thought_signature"] == signer(gemini).issued[0]


# --- other models: byte for byte as today ---
def sent_by(client: openai.OpenAI, server: VertexServer, **kwargs: Any) -> str:
    client.chat.completions.create(**kwargs)
    return json.dumps(server.seen[-1].json)  # key order kept: the same text means the same bytes


@pytest.mark.parametrize("model", ["google/gemini-2.5-flash", "meta/llama-3.3-70b-instruct-maas"])
def test_other_models_requests_are_exactly_what_plain_openai_sends(gemini: VertexServer, model: str) -> None:
    gemini.responder = None  # a plain completion
    kwargs: Any = {"model": model, "messages": foreign_history(), "tools": resume_loop.CHAT_TOOLS}
    plain = openai.OpenAI(base_url=gemini.base_url, api_key=TOKEN)
    vertex = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    assert sent_by(vertex, gemini, **kwargs) == sent_by(plain, gemini, **kwargs)
    kwargs["reasoning_effort"] = "low"
    kwargs["messages"] = kwargs["messages"][:1]
    assert sent_by(vertex, gemini, **kwargs) == sent_by(plain, gemini, **kwargs)


def test_gemini3_requests_without_tool_calls_are_unchanged_too(gemini: VertexServer) -> None:
    gemini.responder = None
    kwargs: Any = {"model": "google/gemini-3-pro-preview", "messages": [{"role": "user", "content": "Hi"}]}
    plain = openai.OpenAI(base_url=gemini.base_url, api_key=TOKEN)
    vertex = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    assert sent_by(vertex, gemini, **kwargs) == sent_by(plain, gemini, **kwargs)


# --- streams: the id is given once, stable, and carries a late signature ---
def test_a_streamed_signature_in_a_delta_of_its_own_still_lands_in_the_id(gemini: VertexServer) -> None:
    from fakes import Reply

    head = {"created": 1, "model": "google/gemini-3-pro-preview", "object": "chat.completion.chunk"}
    call = {"id": "", "type": "function", "function": {"name": "get_time", "arguments": '{"city":"Oslo"}'}}
    chunks = [
        {**head, "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [call]}}]},
        {
            **head,
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "role": "assistant",
                        "extra_content": {"google": {"thought_signature": "TEFURQ=="}},
                    },
                    "finish_reason": "stop",
                }
            ],
        },
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    gemini.reply(Reply(200, text=body, content_type="text/event-stream"))
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN, remember_signatures=False)
    received = list(client.chat.completions.create(model="gemini-3-pro-preview", messages=[], stream=True))
    ids = [tc.id for c in received for ch in c.choices for tc in ch.delta.tool_calls or [] if tc.id]
    assert len(ids) == 1 and _sigid.decode(ids[0]) == "TEFURQ=="  # given once, with the late signature


def gemini3_chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "delta": delta, **({"finish_reason": finish} if finish else {})}
    return {"model": "google/gemini-3-pro-preview", "object": "chat.completion.chunk", "choices": [choice]}


def delivered_calls(chunks: list[Any]) -> list[dict[str, Any]]:
    return [c for chunk in chunks for ch in chunk["choices"] for c in ch["delta"].get("tool_calls") or []]


def test_an_unsigned_first_call_waits_only_until_the_next_call_or_the_end() -> None:
    from vertex_openai._pipeline._stream import ChunkRepair

    def call(name: str) -> dict[str, Any]:
        return {"id": "", "type": "function", "function": {"name": name, "arguments": "{}"}}

    repair = ChunkRepair()
    first = repair(gemini3_chunk({"role": "assistant", "tool_calls": [call("a")]}))
    assert delivered_calls(first) == []  # held: its signature may still come
    second = repair(gemini3_chunk({"tool_calls": [call("b")]}))
    a, b = delivered_calls(second)  # another call started: none will come for the first
    assert a["index"] == 0 and a["function"]["name"] == "a" and _sigid.decode(a["id"]) is None
    assert b["index"] == 1 and a["id"] != b["id"]

    unfinished = ChunkRepair()
    assert delivered_calls(unfinished(gemini3_chunk({"tool_calls": [call("a")]}))) == []
    (released,) = delivered_calls(unfinished.end())  # a stream that ends without finish_reason
    assert released["function"]["name"] == "a" and released["id"].startswith("call_")

    older = ChunkRepair()  # Gemini 2.5 does not check signatures: nothing waits
    chunk = gemini3_chunk({"tool_calls": [call("a")]})
    chunk["model"] = "google/gemini-2.5-flash"
    assert len(delivered_calls(older(chunk))) == 1
