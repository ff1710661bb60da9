"""Thought signatures survive frameworks that drop them; tool-call ids are never empty (issue 10).

Unit tests of `vertex_openai._pipeline._signatures`, then a Gemini 3 tool loop against the local Vertex-like
server in which the caller rebuilds the assistant tool call as `{type, id, function}` (as
LangChain, LlamaIndex and magentic do) and the second request still carries the signature.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from fake_gemini import SIGNATURE, gemini_reply
from fakes import Reply, VertexServer, chat_stream

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._pipeline import _sigid
from vertex_openai._pipeline._signatures import (
    ENTRY_OVERHEAD,
    MAX_BYTES,
    MAX_ENTRIES,
    PLACEHOLDER_SIGNATURE,
    SignatureMemory,
    mint_call_id,
    repair_completion,
)

TOKEN = "ya29.signature-memory-token"
CALL_ID = re.compile(r"call_[0-9a-f]{24}")


def signed_call(call_id: str, name: str, arguments: str, signature: str) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
        "extra_content": {"google": {"thought_signature": signature}},
    }


def bare(call: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A tool call as frameworks rebuild it: `{type, id, function}`, no `extra_content`."""
    out = {"id": call["id"], "type": "function", "function": dict(call["function"])}
    out.update(changes)
    return out


def _restored(memory: SignatureMemory, messages: Sequence[object]) -> Any:
    """`memory.restore(messages)`, read as the JSON it is (the tests index into it)."""
    return memory.restore(messages)


def assistant(*calls: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "tool_calls": list(calls), **fields}


def test_minted_ids_look_like_openai_ids_and_differ() -> None:
    ids = {mint_call_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(CALL_ID.fullmatch(i) for i in ids)


def test_restore_by_id_then_by_name_and_arguments() -> None:
    memory = SignatureMemory()
    call = signed_call("call_1", "get_weather", '{"city":"Paris"}', "SIG")
    memory.remember_message(assistant(call))
    by_id = _restored(memory, [assistant(bare(call, function={"name": "renamed", "arguments": "{}"}))])
    assert by_id is not None
    assert by_id[0]["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": "SIG"}}
    # id rewritten by the framework, arguments re-serialized with spaces: found by name and arguments
    by_call = _restored(
        memory,
        [
            assistant(
                bare(call, id="lc_run-42", function={"name": "get_weather", "arguments": '{"city": "Paris"}'})
            )
        ],
    )
    assert (
        by_call is not None
        and by_call[0]["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == "SIG"
    )
    other = _restored(
        memory,
        [assistant(bare(call, id="x", function={"name": "get_weather", "arguments": '{"city":"Rome"}'}))],
    )
    assert other is None  # nothing remembered for that call: nothing changes, nothing is invented


def test_restore_leaves_signed_calls_other_roles_and_the_input_alone() -> None:
    memory = SignatureMemory()
    call = signed_call("call_1", "f", "{}", "OLD")
    memory.remember_message(assistant(call))
    given = [
        {"role": "user", "content": "hi"},
        assistant(signed_call("call_1", "f", "{}", "NEW")),
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
    ]
    snapshot = json.dumps(given)
    assert _restored(memory, given) is None
    unsigned = [given[0], assistant(bare(call)), given[2]]
    restored = _restored(memory, unsigned)
    assert restored is not None and restored[0] is given[0] and restored[2] is given[2]
    assert "extra_content" not in unsigned[1]["tool_calls"][0]  # the caller's list is not changed
    assert json.dumps(given) == snapshot


def test_message_level_signature_is_put_back_on_the_message() -> None:
    memory = SignatureMemory()
    call = {"id": "call_9", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
    extra = {"google": {"thought": True, "thought_signature": "MSG-SIG"}}
    memory.remember_message(assistant(call, extra_content=extra))
    restored = _restored(memory, [assistant(bare(call, id="other"))])
    assert restored is not None and restored[0]["extra_content"] == extra
    assert "extra_content" not in restored[0]["tool_calls"][0]


def test_the_callers_extra_content_fields_win() -> None:
    memory = SignatureMemory()
    call = signed_call("call_1", "f", "{}", "SIG")
    memory.remember_message(assistant(call))
    mine = bare(call, extra_content={"google": {"thought": False}, "mine": 1})
    restored = _restored(memory, [assistant(mine)])
    assert restored is not None
    assert restored[0]["tool_calls"][0]["extra_content"] == {
        "google": {"thought_signature": "SIG", "thought": False},
        "mine": 1,
    }


def test_bounded_by_entries_least_recently_used_first() -> None:
    memory = SignatureMemory(max_entries=4)
    calls = [signed_call(f"call_{n}", "f", json.dumps({"n": n}), f"S{n}") for n in range(3)]
    for call in calls:  # each call is found by id and by (name, arguments): two entries
        memory.remember_message(assistant(call))
    assert len(memory) == 4
    assert _restored(memory, [assistant(bare(calls[0]))]) is None  # the oldest went first
    assert _restored(memory, [assistant(bare(calls[2]))]) is not None


def test_bounded_by_bytes() -> None:
    signature = "x" * 1000
    cost = (
        len(json.dumps({"google": {"thought_signature": signature}}, separators=(",", ":"))) + ENTRY_OVERHEAD
    )
    memory = SignatureMemory(max_bytes=cost * 5)
    for n in range(10):
        memory.remember_message(assistant(signed_call(f"call_{n}", "f", json.dumps({"n": n}), signature)))
        assert memory.size <= cost * 5
    assert len(memory) == 5
    huge = SignatureMemory(max_bytes=100)
    huge.remember_message(assistant(signed_call("call_1", "f", "{}", signature)))
    assert len(huge) == 0  # one entry larger than the whole bound is not kept


def test_default_bounds_are_the_documented_ones() -> None:
    memory = SignatureMemory()
    assert (memory.max_entries, memory.max_bytes) == (MAX_ENTRIES, MAX_BYTES) == (1024, 2 * 1024 * 1024)
    for n in range(3000):
        memory.remember_message(assistant(signed_call(f"call_{n}", "f", str(n), "S" * 2000)))
    assert len(memory) <= 1024 and memory.size <= 2 * 1024 * 1024


@pytest.mark.parametrize(("entries", "size"), [(0, 10), (10, 0)])
def test_bounds_must_be_positive(entries: int, size: int) -> None:
    with pytest.raises(ValueError, match="max_entries" if entries == 0 else "max_bytes"):
        SignatureMemory(max_entries=entries, max_bytes=size)


def test_thread_safe_under_concurrent_use() -> None:
    memory = SignatureMemory(max_entries=64)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(300):
                call = signed_call(f"call_{worker}_{n}", "f", json.dumps([worker, n]), f"S{worker}-{n}")
                memory.remember_message(assistant(call))
                restored = _restored(memory, [assistant(bare(call))])
                if restored is not None:  # it may already be evicted by others, never wrong
                    found = restored[0]["tool_calls"][0]["extra_content"]["google"]["thought_signature"]
                    assert found == f"S{worker}-{n}"
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(memory) <= 64 and memory.size == sum(len(v) + ENTRY_OVERHEAD for v in memory._entries.values())


def test_repair_completion_mints_ids_and_remembers() -> None:
    memory = SignatureMemory()
    data = {
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": assistant(
                    signed_call("", "f", "{}", "SIG"),
                    {"id": "", "type": "function", "function": {"name": "g", "arguments": "{}"}},
                ),
            }
        ],
    }
    repair_completion(data, memory)
    first, second = data["choices"][0]["message"]["tool_calls"]  # type: ignore[index]
    # the signed call's id carries its signature (issue 18); the unsigned one is a plain minted id
    assert _sigid.decode(first["id"]) == "SIG" and _sigid.decode(second["id"]) is None
    assert CALL_ID.fullmatch(_sigid.short_id(first["id"])) and CALL_ID.fullmatch(second["id"])
    assert _sigid.short_id(first["id"]) != second["id"]
    restored = _restored(memory, [assistant(bare(first))])
    assert (
        restored is not None
        and restored[0]["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == "SIG"
    )
    given = {
        "object": "chat.completion",
        "choices": [{"message": assistant(signed_call("call_keep", "f", "{}", "S"))}],
    }
    repair_completion(given, None)
    assert given["choices"][0]["message"]["tool_calls"][0]["id"] == "call_keep"  # type: ignore[index]


# --- end to end: the local Vertex-like server and its Gemini 3 stand-in ---
TOOLS: Any = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


@pytest.fixture
def gemini() -> Any:
    srv = VertexServer(accept={TOKEN})
    srv.responder = gemini_reply
    yield srv
    srv.close()


def rebuilt_loop(client: VertexOpenAI, *, stream: bool, keep_ids: bool = True) -> list[dict[str, Any]]:
    """A framework's tool loop: it keeps only `{type, id, function}` of each tool call (and, with
    `keep_ids=False`, replaces the ids by its own, so that only the memory can find the signature)."""
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
    if stream:
        with chat_stream(client)(model="gemini-3-pro-preview", messages=messages, tools=TOOLS) as s:
            received = s.get_final_completion().choices[0].message.model_dump()
    else:
        answer = client.chat.completions.create(model="gemini-3-pro-preview", messages=messages, tools=TOOLS)
        received = answer.choices[0].message.model_dump()
    calls = [
        {
            "type": "function",
            "id": c["id"] if keep_ids else f"lc_run-{number}",
            "function": {k: c["function"][k] for k in ("name", "arguments")},
        }
        for number, c in enumerate(received["tool_calls"])
    ]
    messages += [
        {"role": "assistant", "content": None, "tool_calls": calls},
        *({"role": "tool", "tool_call_id": c["id"], "content": "18°C"} for c in calls),
    ]
    client.chat.completions.create(model="gemini-3-pro-preview", messages=messages, tools=TOOLS)
    return calls


@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
def test_rebuilt_tool_call_still_carries_its_signature(gemini: VertexServer, stream: bool) -> None:
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    calls = rebuilt_loop(client, stream=stream, keep_ids=False)
    sent = gemini.seen[-1].json["messages"]
    assert sent[1]["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": SIGNATURE}}
    assert sent[1]["tool_calls"][0]["id"] == sent[2]["tool_call_id"] == calls[0]["id"]  # sent as given


@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
def test_a_kept_carrier_id_goes_to_vertex_short(gemini: VertexServer, stream: bool) -> None:
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    calls = rebuilt_loop(client, stream=stream)
    assert CALL_ID.fullmatch(_sigid.short_id(calls[0]["id"]))  # Gemini sent "": the framework got an id
    sent = gemini.seen[-1].json["messages"]
    assert sent[1]["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": SIGNATURE}}
    assert sent[1]["tool_calls"][0]["id"] == sent[2]["tool_call_id"] == calls[0]["id"][:29]


def test_copies_share_the_memory(gemini: VertexServer) -> None:
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    question: list[Any] = [{"role": "user", "content": "Paris?"}]
    answer = client.chat.completions.create(model="gemini-3-pro-preview", messages=question, tools=TOOLS)
    first = answer.choices[0].message.model_dump()["tool_calls"][0]
    rebuilt = {"type": "function", "id": first["id"], "function": {"name": "get_weather", "arguments": "{}"}}
    history: list[Any] = [
        {"role": "assistant", "tool_calls": [rebuilt]},
        {"role": "tool", "tool_call_id": first["id"], "content": "18°C"},
    ]
    client.with_options(max_retries=1).chat.completions.create(model="gemini-3-pro-preview", messages=history)
    sent = gemini.seen[-1].json["messages"][0]["tool_calls"][0]
    assert sent["extra_content"]["google"]["thought_signature"] == SIGNATURE  # found by the id


@pytest.mark.parametrize("shared", [True, False])
def test_a_memory_passed_to_a_sync_and_an_async_client_is_theirs_together(
    gemini: VertexServer, shared: bool
) -> None:
    """LangChain's invoke() uses the sync client, ainvoke() the async one: one conversation, two clients."""
    memory = SignatureMemory()
    sync = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN, remember_signatures=memory)
    remember: SignatureMemory | bool = memory if shared else True
    asynchronous = AsyncVertexOpenAI(
        base_url=gemini.base_url, access_token=TOKEN, remember_signatures=remember
    )
    question: list[Any] = [{"role": "user", "content": "Paris?"}]
    answer = sync.chat.completions.create(model="gemini-3-pro-preview", messages=question, tools=TOOLS)
    first = answer.choices[0].message.model_dump()["tool_calls"][0]
    own_id = "lc_run-1"  # the framework's own id: only a memory can find the signature
    rebuilt = {"type": "function", "id": own_id, "function": dict(first["function"])}
    history: list[Any] = [
        *question,
        {"role": "assistant", "tool_calls": [rebuilt]},
        {"role": "tool", "tool_call_id": own_id, "content": "18°C"},
    ]
    asyncio.run(asynchronous.chat.completions.create(model="gemini-3-pro-preview", messages=history))
    sent = gemini.seen[-1].json["messages"][1]["tool_calls"][0]
    assert len(memory) > 0
    if shared:
        assert sent["extra_content"]["google"]["thought_signature"] == SIGNATURE
    else:  # each client has its own memory: the async one never saw the answer, so on Gemini 3
        assert sent["extra_content"]["google"]["thought_signature"] == PLACEHOLDER_SIGNATURE  # Google's


def test_remember_signatures_takes_a_bool_or_a_memory() -> None:
    with pytest.raises(TypeError, match="remember_signatures must be True, False or a SignatureMemory"):
        VertexOpenAI(base_url="http://127.0.0.1:9/v1", access_token=TOKEN, remember_signatures="yes")  # type: ignore[arg-type]


def test_without_memory_nothing_is_put_back(gemini: VertexServer) -> None:
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN, remember_signatures=False)
    assert client.with_options(timeout=5)._vertex.shared.signatures is None  # copies share the choice
    rebuilt_loop(client, stream=False, keep_ids=False)
    placed = gemini.seen[-1].json["messages"][1]["tool_calls"][0]  # nothing remembered: the placeholder
    assert placed["extra_content"] == {"google": {"thought_signature": PLACEHOLDER_SIGNATURE}}
    # the memory is off, not the signature ids: a kept id still carries its signature (issue 18)
    rebuilt_loop(client, stream=False)
    carried = gemini.seen[-1].json["messages"][1]["tool_calls"][0]
    assert carried["extra_content"] == {"google": {"thought_signature": SIGNATURE}}


def test_a_signature_in_a_delta_of_its_own_is_remembered(gemini: VertexServer) -> None:
    head = {"created": 1, "model": "g", "object": "chat.completion.chunk"}
    call = {
        "id": "",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    }
    chunks = [
        {**head, "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [call]}}]},
        {
            **head,
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "role": "assistant",
                        "extra_content": {"google": {"thought_signature": "LATE"}},
                    },
                    "finish_reason": "stop",
                }
            ],
        },
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    gemini.reply(Reply(200, text=body, content_type="text/event-stream"))
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    received = list(client.chat.completions.create(model="g", messages=[], stream=True))
    call_id = received[0].choices[0].delta.tool_calls[0].id  # type: ignore[index]
    rebuilt = {"type": "function", "id": call_id, "function": call["function"]}
    client.chat.completions.create(model="g", messages=[{"role": "assistant", "tool_calls": [rebuilt]}])  # type: ignore[list-item]
    assert gemini.seen[-1].json["messages"][0]["extra_content"] == {"google": {"thought_signature": "LATE"}}
