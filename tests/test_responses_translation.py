"""The Responses bridge's translations, both ways, on recorded Vertex shapes and hand-built ones.

Pure: no server. The end-to-end tests through the client are in test_responses.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response
from recordings import load

from vertex_openai._resources._responses import (
    ConversationStore,
    InMemoryConversationStore,
    StoredResponse,
    UnsupportedParameterError,
)
from vertex_openai._resources._responses._common import decode_carrier
from vertex_openai._resources._responses._events import EventTranslator
from vertex_openai._resources._responses._request import to_chat
from vertex_openai._resources._responses._response import to_response

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "get_current_time",
        "description": "Get the current time.",
        "parameters": {"type": "object", "properties": {}},
    }
]


def _calls(message: dict[str, object]) -> Any:
    """An assistant message's `tool_calls`, read as the JSON it is."""
    return message["tool_calls"]


def recorded_completion(interaction: int = 0) -> tuple[dict[str, Any], ChatCompletion]:
    recording = load("gemini-compat-tool-call-thought-signature.json")
    body = recording["interactions"][interaction]["response"]["json"]
    return body, ChatCompletion.model_validate(body)


def recorded_chunks(name: str) -> list[dict[str, Any]]:
    """The recorded SSE chunks as sent (no stream repair: the translator must take them raw too)."""
    sse = load(name)["interactions"][0]["response"]["sse"]
    return [json.loads(line[len("data: ") :]) for line in sse.splitlines() if line.startswith("data: {")]


def run_stream(chunks: list[Any], **params: Any) -> tuple[list[Any], EventTranslator]:
    translator = EventTranslator(to_chat({"model": "gemini-2.5-flash", "input": "hi", **params}))
    events = translator.start()
    for chunk in chunks:
        events += translator.feed(chunk)
    events += translator.finish()
    return events, translator


def chunk(
    delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None
) -> ChatCompletionChunk:
    choice: dict[str, Any] = {"delta": delta, "index": 0, "finish_reason": finish}
    body: dict[str, Any] = {
        "id": "",
        "choices": [choice],
        "created": 1,
        "model": "m",
        "object": "chat.completion.chunk",
    }
    if usage is not None:
        body["usage"] = usage
    return ChatCompletionChunk.model_validate(body)


# -- chat completion -> Response ----------------------------------------------------------------


def test_recorded_tool_call_with_signature_becomes_items_with_a_call_id() -> None:
    body, completion = recorded_completion()
    response, assistant = to_response(completion, to_chat({"model": "gemini-2.5-pro", "input": "time?"}))
    assert [item.type for item in response.output] == ["reasoning", "function_call"]
    call = response.output[1]
    assert call.type == "function_call"
    assert call.call_id.startswith("call_")  # Gemini sent id ""
    assert (call.name, call.arguments) == ("get_current_time", "{}")
    reasoning = response.output[0]
    assert reasoning.type == "reasoning" and reasoning.summary == []
    carried = decode_carrier(reasoning.encrypted_content)
    assert carried is not None
    assert carried[0] == body["choices"][0]["message"]["extra_content"]  # the signature, unchanged
    assert assistant["extra_content"] == body["choices"][0]["message"]["extra_content"]
    assert _calls(assistant)[0]["id"] == call.call_id
    assert response.output_text == ""
    assert response.status == "completed"


def test_recorded_usage_counts_thinking_as_output() -> None:
    _, completion = recorded_completion()  # prompt 35, completion 12, total 109: 62 thinking tokens
    response, _ = to_response(completion, to_chat({"model": "m", "input": "x"}))
    usage = response.usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (35, 74, 109)
    assert usage.output_tokens_details.reasoning_tokens == 62
    assert usage.input_tokens_details.cached_tokens == 0


def test_recorded_text_answer() -> None:
    _, completion = recorded_completion(1)
    response, assistant = to_response(
        completion, to_chat({"model": "m", "input": "x", "metadata": {"a": "b"}})
    )
    assert response.output_text == "The current time is Noon."
    assert response.metadata == {"a": "b"}
    assert assistant["content"] == "The current time is Noon."
    assert [item.type for item in response.output] == ["reasoning", "message"]  # the message's signature


def test_ids_are_unique() -> None:
    _, completion = recorded_completion()
    bridged = to_chat({"model": "m", "input": "x"})
    first, _ = to_response(completion, bridged)
    second, _ = to_response(completion, bridged)
    ids = [first.id, second.id, *(i.id for i in first.output), *(i.id for i in second.output)]
    calls = [i.call_id for r in (first, second) for i in r.output if i.type == "function_call"]
    assert len(set(ids)) == len(ids) and len(set(calls)) == 2


@pytest.mark.parametrize(
    ("finish", "status", "reason"),
    [
        ("length", "incomplete", "max_output_tokens"),
        ("content_filter", "incomplete", "content_filter"),
        ("stop", "completed", None),
    ],
)
def test_finish_reason_sets_status(finish: str, status: str, reason: str | None) -> None:
    completion = ChatCompletion.model_validate(
        {
            "id": "x",
            "choices": [
                {"finish_reason": finish, "index": 0, "message": {"role": "assistant", "content": None}}
            ],
            "created": 1,
            "model": "m",
            "object": "chat.completion",
        }
    )
    response, _ = to_response(completion, to_chat({"model": "m", "input": "x"}))
    assert response.status == status
    assert (response.incomplete_details.reason if response.incomplete_details else None) == reason


def test_thought_summaries_become_a_reasoning_item() -> None:
    completion = ChatCompletion.model_validate(
        {
            "id": "x",
            "choices": [
                {
                    "finish_reason": "stop",
                    "index": 0,
                    "message": {"role": "assistant", "content": "<think>Weighing it.</think>Yes."},
                }
            ],
            "created": 1,
            "model": "m",
            "object": "chat.completion",
        }
    )
    bridged = to_chat(
        {"model": "gemini-2.5-pro", "input": "x", "reasoning": {"effort": "low", "summary": "auto"}}
    )
    response, assistant = to_response(completion, bridged)
    assert [i.type for i in response.output] == ["reasoning", "message"]
    reasoning = response.output[0]
    assert reasoning.type == "reasoning"
    assert [s.text for s in reasoning.summary] == ["Weighing it."]
    assert response.output_text == "Yes."
    assert assistant["content"] == "Yes."
    # without summaries asked for, the text is left alone
    plain, _ = to_response(completion, to_chat({"model": "m", "input": "x"}))
    assert plain.output_text == "<think>Weighing it.</think>Yes."


# -- Responses input -> chat --------------------------------------------------------------------


def test_output_items_sent_back_carry_the_signature() -> None:
    body, completion = recorded_completion()
    first = to_chat({"model": "m", "input": "What is the current time?", "tools": TOOLS})
    response, _ = to_response(completion, first)
    call = response.output[1]
    assert call.type == "function_call"
    items: list[Any] = [
        {"role": "user", "content": "What is the current time?"},
        *[item.model_dump(exclude_none=True) for item in response.output],  # as openai-agents sends them
        {"type": "function_call_output", "call_id": call.call_id, "output": "Noon"},
    ]
    second = to_chat({"model": "m", "input": items, "tools": TOOLS})
    messages = second.chat["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
    assistant = messages[1]
    assert assistant["extra_content"] == body["choices"][0]["message"]["extra_content"]
    assert assistant["tool_calls"] == [
        {"id": call.call_id, "type": "function", "function": {"name": "get_current_time", "arguments": "{}"}}
    ]
    assert messages[2] == {"role": "tool", "tool_call_id": call.call_id, "content": "Noon"}
    # the output objects themselves (not dumps) work the same way
    again = to_chat({"model": "m", "input": [items[0], *response.output, items[-1]], "tools": TOOLS})
    assert again.chat["messages"] == messages


def test_parameters_map_to_chat() -> None:
    bridged = to_chat(
        {
            "model": "gemini-2.5-flash",
            "instructions": "Be brief.",
            "input": [
                {"role": "developer", "content": "Use metric units."},
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "What is this?"},
                        {"type": "input_image", "image_url": "gs://bucket/cat.png", "detail": "low"},
                        {"type": "input_file", "file_data": "JVBERi0=", "filename": "a.pdf"},
                    ],
                },
            ],
            "tools": [*TOOLS, {"type": "web_search_preview"}],
            "tool_choice": {"type": "function", "name": "get_current_time"},
            "text": {
                "format": {
                    "type": "json_schema",
                    "name": "answer",
                    "schema": {"type": "object"},
                    "strict": True,
                }
            },
            "reasoning": {"effort": "low"},
            "max_output_tokens": 100,
            "temperature": 0.5,
            "top_p": 0.9,
            "parallel_tool_calls": False,
            "service_tier": "auto",
            "user": "u-1",
            "metadata": {"k": "v"},
            "store": False,
            "include": ["reasoning.encrypted_content"],
        }
    )
    chat = bridged.chat
    assert chat["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Use metric units."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "gs://bucket/cat.png", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "data:application/pdf;base64,JVBERi0="}},
            ],
        },
    ]
    assert chat["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_current_time",
                "description": "Get the current time.",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]
    assert chat["web_search_options"] == {}
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "get_current_time"}}
    assert chat["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
    }
    assert chat["reasoning_effort"] == "low"
    assert (chat["max_completion_tokens"], chat["temperature"], chat["top_p"]) == (100, 0.5, 0.9)
    assert chat["parallel_tool_calls"] is False and chat["service_tier"] == "auto"
    assert "user" not in chat and "metadata" not in chat and "store" not in chat
    assert bridged.history[0] == {"role": "system", "content": "Use metric units."}  # instructions not kept


@pytest.mark.parametrize(
    ("model", "thinking"),
    [
        ("gemini-3-pro-preview", {"include_thoughts": True, "thinking_level": "HIGH"}),
        ("gemini-2.5-flash", {"include_thoughts": True, "thinking_budget": 24576}),
    ],
)
def test_reasoning_summary_asks_for_tagged_thoughts(model: str, thinking: dict[str, Any]) -> None:
    chat = to_chat(
        {"model": model, "input": "x", "reasoning": {"effort": "high", "summary": "detailed"}}
    ).chat
    assert "reasoning_effort" not in chat  # Vertex takes one of reasoning_effort and thinking_config
    assert chat["extra_body"] == {
        "extra_body": {"google": {"thinking_config": thinking, "thought_tag_marker": "think"}}
    }


def test_callers_extra_body_wins_and_merges() -> None:
    chat = to_chat(
        {
            "model": "m",
            "input": "x",
            "reasoning": {"summary": "auto"},
            "extra_body": {"extra_body": {"google": {"thinking_config": {"thinking_budget": 10}}}, "seed": 3},
        }
    ).chat
    assert chat["extra_body"] == {
        "extra_body": {
            "google": {
                "thinking_config": {"include_thoughts": True, "thinking_budget": 10},
                "thought_tag_marker": "think",
            }
        },
        "seed": 3,
    }


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"background": True}, "background"),
        ({"prompt": {"id": "pmpt_1"}}, "prompt"),
        ({"conversation": "conv_1"}, "conversation"),
        ({"truncation": "auto"}, "truncation"),
        ({"max_tool_calls": 3}, "max_tool_calls"),
        ({"tools": [{"type": "file_search", "vector_store_ids": ["vs"]}]}, "tools[0].type='file_search'"),
        (
            {"tools": [{"type": "code_interpreter", "container": {"type": "auto"}}]},
            "tools[0].type='code_interpreter'",
        ),
        ({"tools": [{"type": "computer_use_preview"}]}, "tools[0].type='computer_use_preview'"),
        ({"input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0].type='item_reference'"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "f"}]}]},
            "input[0].content[0].file_id",
        ),
        ({"text": {"verbosity": "low"}}, "text.verbosity"),
        ({"tool_choice": {"type": "file_search"}}, "tool_choice"),
    ],
)
def test_what_vertex_cannot_do_is_refused_by_name(params: dict[str, Any], named: str) -> None:
    with pytest.raises(UnsupportedParameterError) as caught:
        to_chat({"model": "m", "input": "x", **params})
    assert named in str(caught.value)
    assert caught.value.parameter.startswith(named.split("=")[0].split(".")[0].split("[")[0])


def test_left_out_values_are_not_refused() -> None:
    chat = to_chat({"model": "m", "input": "x", "background": False, "truncation": "disabled"}).chat
    assert set(chat) == {"model", "messages"}


# -- chat stream -> events ----------------------------------------------------------------------


def assert_well_formed(events: list[Any]) -> Response:
    numbers = [e.sequence_number for e in events]
    assert numbers == list(range(len(events)))
    assert events[0].type == "response.created" and events[1].type == "response.in_progress"
    assert events[-1].type in ("response.completed", "response.incomplete")
    final: Response = events[-1].response
    assert [e.item.id for e in events if e.type == "response.output_item.done"] == [
        i.id for i in final.output
    ]
    return final


def test_recorded_text_stream() -> None:
    events, translator = run_stream(recorded_chunks("gemini-compat-stream-text.json"))
    final = assert_well_formed(events)
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert deltas == ["Hello", " there! How can I help you today?\n"]
    assert final.output_text == "Hello there! How can I help you today?\n"
    assert [e.type for e in events[2:4]] == ["response.output_item.added", "response.content_part.added"]
    assert [e.type for e in events[-4:-1]] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
    ]
    assert final.usage is not None and final.usage.output_tokens == 11  # the last chunk's usage
    assert translator.assistant == {
        "role": "assistant",
        "content": "Hello there! How can I help you today?\n",
    }


def test_recorded_tool_call_stream_without_index_and_with_empty_id() -> None:
    events, translator = run_stream(recorded_chunks("gemini-compat-stream-tool-call.json"))
    final = assert_well_formed(events)
    assert final.status == "completed"  # the call's turn ended with finish_reason "stop"
    (call,) = [i for i in final.output if i.type == "function_call"]
    assert call.call_id.startswith("call_") and call.name == "return_list_of_str"
    assert json.loads(call.arguments) == {"value": ["apple", "banana", "orange"]}
    kinds = [e.type for e in events]
    assert (
        "response.function_call_arguments.delta" in kinds and "response.function_call_arguments.done" in kinds
    )
    assert translator.assistant is not None and _calls(translator.assistant)[0]["id"] == call.call_id


def test_stream_signature_rides_in_a_final_reasoning_item() -> None:
    call = {"id": "", "type": "function", "function": {"name": "f", "arguments": '{"a":'}}
    more = {"function": {"arguments": " 1}"}}
    signed = {"extra_content": {"google": {"thought_signature": "SIG"}}}
    chunks = [  # as openai hands them on after the client's stream repair: with an index
        chunk({"role": "assistant", "tool_calls": [{**call, **signed, "index": 0}]}),
        chunk({"tool_calls": [{**more, "index": 0}]}, "stop"),
    ]
    events, translator = run_stream(chunks)
    final = assert_well_formed(events)
    assert [i.type for i in final.output] == ["function_call", "reasoning"]
    carried = decode_carrier(final.output[1].encrypted_content)  # type: ignore[union-attr]
    call_id = final.output[0].call_id  # type: ignore[union-attr]
    assert carried == (None, {call_id: {"google": {"thought_signature": "SIG"}}})
    assert final.output[0].arguments == '{"a": 1}'  # type: ignore[union-attr]
    assert translator.assistant is not None
    assert _calls(translator.assistant)[0]["extra_content"] == {"google": {"thought_signature": "SIG"}}


def test_stream_thoughts_split_across_chunks() -> None:
    pieces = ["<thi", "nk>Hmm, ", "fine.</th", "ink>Answer", "."]
    chunks = [chunk({"content": p}) for p in pieces[:-1]] + [chunk({"content": pieces[-1]}, "stop")]
    events, _ = run_stream(chunks, reasoning={"summary": "auto"})
    final = assert_well_formed(events)
    assert [i.type for i in final.output] == ["reasoning", "message"]
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
    assert summary == "Hmm, fine."
    assert final.output_text == "Answer."
    # a part flagged `thought: true` is a thought too
    flagged = [
        chunk({"content": "Pondering.", "extra_content": {"google": {"thought": True}}}),
        chunk({"content": "Done."}, "stop"),
    ]
    events, translator = run_stream(flagged, reasoning={"summary": "auto"})
    final = assert_well_formed(events)
    assert final.output[0].summary[0].text == "Pondering."  # type: ignore[union-attr]
    assert final.output_text == "Done."
    assert translator.assistant == {"role": "assistant", "content": "Done."}


def test_stream_cut_by_length_is_incomplete() -> None:
    events, _ = run_stream(
        [
            chunk(
                {"content": "Once upon"},
                "length",
                {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4},
            )
        ]
    )
    final = assert_well_formed(events)
    assert events[-1].type == "response.incomplete"
    assert final.incomplete_details is not None and final.incomplete_details.reason == "max_output_tokens"


def test_empty_stream_is_one_empty_message() -> None:
    events, _ = run_stream([chunk({"content": ""}, "stop")])
    final = assert_well_formed(events)
    assert [i.type for i in final.output] == ["message"] and final.output_text == ""


# -- the store ----------------------------------------------------------------------------------


def stored(text: str) -> StoredResponse:
    _, completion = recorded_completion(1)
    response, assistant = to_response(completion, to_chat({"model": "m", "input": text}))
    return StoredResponse(response, ({"role": "user", "content": text}, assistant))


def test_store_is_bounded_and_evicts_the_oldest() -> None:
    store = InMemoryConversationStore(max_responses=2)
    assert isinstance(store, ConversationStore)
    records = [stored(str(n)) for n in range(3)]
    for record in records:
        store.put(record.response.id, record)
    assert store.get(records[0].response.id) is None
    assert store.get(records[2].response.id) is records[2]
    assert len(store) == 2
    assert store.delete(records[1].response.id) is True
    assert store.delete(records[1].response.id) is False
    with pytest.raises(ValueError, match="max_responses"):
        InMemoryConversationStore(max_responses=0)


def test_stored_response_round_trips_through_json() -> None:
    record = stored("hello")
    again = StoredResponse.from_dict(json.loads(json.dumps(record.to_dict())))
    assert again.response == record.response
    assert again.messages == record.messages
