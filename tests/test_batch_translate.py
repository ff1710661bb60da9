"""The batch translation rules, line by line (no storage, no server): OpenAI chat lines -> Vertex
GenerateContentRequest lines, prediction lines -> OpenAI output lines, jobs -> openai's Batch, ids."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vertex_openai._pipeline._maas import ModelTable
from vertex_openai._pipeline._model import ModelResolver
from vertex_openai._resources._batch._ids import (
    FileRef,
    batch_id,
    file_id,
    pack_label,
    parse_batch_id,
    parse_file_id,
    unpack_label,
)
from vertex_openai._resources._batch._jobs import batch_of
from vertex_openai._resources._batch._translate import (
    InputError,
    completion_of,
    epoch,
    result_lines,
    translate_input,
)


def epoch_of(utc: str) -> int:
    return int(datetime.fromisoformat(utc).replace(tzinfo=timezone.utc).timestamp())


RESOLVE = ModelResolver({"fast": "gemini-2.5-flash"}, ModelTable(()), openapi_route=True)


def line(body: dict[str, Any], custom_id: str = "r-1") -> bytes:
    return json.dumps(
        {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}
    ).encode()


def translate(*bodies: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[bytes] = []
    translate_input(
        [line(b, f"r-{n}") for n, b in enumerate(bodies)],
        out.append,
        file_id="file-x",
        endpoint="/v1/chat/completions",
        resolve=RESOLVE,
    )
    return [json.loads(o) for o in out]


def refused(body: dict[str, Any]) -> str:
    with pytest.raises(InputError) as caught:
        translate({"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}, body)
    assert caught.value.line == 2
    return str(caught.value)


def test_chat_request_becomes_generate_content_request() -> None:
    body = {
        "model": "fast",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Weather?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                        "extra_content": {"google": {"thought_signature": "sig=="}},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 21}'},
        ],
        "max_completion_tokens": 50,
        "temperature": 0.2,
        "top_p": 0.9,
        "stop": "END",
        "seed": 7,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": {"type": "object"}},
        },
        "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}],
        "tool_choice": "required",
        "reasoning_effort": "low",
        "extra_body": {"google": {"thinking_config": {"include_thoughts": True}, "cached_content": "c/1"}},
    }
    [translated] = translate(body)
    request = translated["request"]
    assert request["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert request["contents"] == [
        {
            "role": "user",
            "parts": [{"text": "Weather?"}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}],
        },
        {
            "role": "model",
            "parts": [
                {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "sig=="}
            ],
        },
        {"role": "user", "parts": [{"functionResponse": {"name": "weather", "response": {"temp": 21}}}]},
    ]
    assert request["generationConfig"] == {
        "maxOutputTokens": 50,
        "temperature": 0.2,
        "topP": 0.9,
        "stopSequences": ["END"],
        "seed": 7,
        "responseMimeType": "application/json",
        "responseJsonSchema": {"type": "object"},
        "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True},
    }
    assert request["tools"] == [
        {"functionDeclarations": [{"name": "weather", "parametersJsonSchema": {"type": "object"}}]}
    ]
    assert request["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    assert request["cachedContent"] == "c/1"
    assert unpack_label(request["labels"], "openai_custom_id") == "r-0"


def test_gemini_3_reasoning_effort_is_a_thinking_level() -> None:
    [translated] = translate(
        {
            "model": "gemini-3-pro-preview",
            "messages": [{"role": "user", "content": "x"}],
            "reasoning_effort": "high",
        }
    )
    assert translated["request"]["generationConfig"] == {"thinkingConfig": {"thinkingLevel": "HIGH"}}


def test_partner_lines_stay_openai_lines_with_the_vertex_model_name() -> None:
    [translated] = translate(
        {"model": "llama-3.3-70b-instruct-maas", "messages": [{"role": "user", "content": "x"}]}
    )
    assert translated["body"]["model"] == "meta/llama-3.3-70b-instruct-maas"
    assert translated["custom_id"] == "r-0"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"logit_bias": {"1": 2}}, "body.logit_bias cannot be expressed"),
        ({"stream": True}, "body.stream=True"),
        ({"parallel_tool_calls": False}, "body.parallel_tool_calls=false"),
        ({"tools": [{"type": "web_search"}]}, "body.tools[0].type='web_search'"),
        ({"messages": [{"role": "function", "content": "x"}]}, "body.messages[0].role='function'"),
        (
            {"messages": [{"role": "user", "content": [{"type": "file", "file": {"file_id": "f"}}]}]},
            "not file_id",
        ),
        ({"messages": [{"role": "tool", "tool_call_id": "nope", "content": "x"}]}, "answers no earlier"),
        (
            {"extra_body": {"google": {"thought_tag_marker": "think"}}},
            "body.extra_body.google.thought_tag_marker",
        ),
        ({"metadata": {"Bad Key": "v"}}, "body.metadata key 'Bad Key'"),
        ({"model": "gemini-2.5-pro"}, "differs from 'gemini-2.5-flash'"),
    ],
)
def test_what_vertex_cannot_express_is_refused_naming_line_and_field(
    change: dict[str, Any], expected: str
) -> None:
    body = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}], **change}
    assert expected in refused(body)


def test_every_problem_line_is_listed_up_to_ten() -> None:
    lines = [b"{bad"] * 12 + [
        line({"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "x"}]})
    ]
    with pytest.raises(InputError) as caught:
        translate_input(
            lines, lambda _: None, file_id="file-x", endpoint="/v1/chat/completions", resolve=RESOLVE
        )
    assert [n for n, _ in caught.value.problems] == list(range(1, 11))
    assert "(and more)" in str(caught.value) and "No batch was created" in str(caught.value)


def test_embeddings_batches_get_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"client\.embeddings\.create"):
        translate_input([], lambda _: None, file_id="f", endpoint="/v1/embeddings", resolve=RESOLVE)


def test_completion_of_a_native_answer() -> None:
    response = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "thinking...", "thought": True},
                        {"text": "Let me check."},
                        {
                            "functionCall": {"name": "weather", "args": {"city": "Paris"}},
                            "thoughtSignature": "s",
                        },
                    ],
                },
                "finishReason": "STOP",
            },
            {
                "content": {"role": "model", "parts": [{"text": "cut"}]},
                "finishReason": "MAX_TOKENS",
                "index": 1,
            },
        ],
        "usageMetadata": {
            "promptTokenCount": "10",
            "candidatesTokenCount": 5,
            "thoughtsTokenCount": 3,
            "totalTokenCount": 18,
        },
        "modelVersion": "gemini-2.5-flash-001",
        "createTime": "2026-12-05T10:08:00.123456789Z",
        "responseId": "abc",
    }
    completion = completion_of(response, "google/gemini-2.5-flash")
    assert completion["model"] == "gemini-2.5-flash-001" and completion["id"] == "abc"
    assert completion["created"] == epoch_of("2026-12-05T10:08:00")
    choices: list[Any] = completion["choices"]  # type: ignore[assignment]
    first, second = choices
    assert first["finish_reason"] == "tool_calls" and second["finish_reason"] == "length"
    assert first["message"]["content"] == "Let me check."
    assert first["message"]["reasoning_content"] == "thinking..."
    assert first["message"]["tool_calls"][0]["function"] == {
        "name": "weather",
        "arguments": '{"city": "Paris"}',
    }
    assert first["message"]["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": "s"}}
    assert completion["usage"] == {
        "prompt_tokens": 10,
        "completion_tokens": 8,
        "total_tokens": 18,
        "completion_tokens_details": {"reasoning_tokens": 3},
    }


def test_result_lines_split_output_and_errors_and_keep_custom_ids() -> None:
    ok = {
        "request": {"labels": pack_label("openai_custom_id", "Mixed Case/ID ✓")},
        "response": {"candidates": [{"content": {"parts": [{"text": "hi"}]}}]},
        "status": "",
    }
    bad = {
        "request": {"labels": {"openai_custom_id": "b"}},
        "status": 'Bad Request: {"error": {"code": 400, "message": "no"}}',
    }
    predictions = [json.dumps(ok).encode(), json.dumps(bad).encode(), b""]
    output = [json.loads(x) for x in result_lines(predictions, "output", model="m", batch="d")]
    errors = [json.loads(x) for x in result_lines(predictions, "errors", model="m", batch="d")]
    assert [o["custom_id"] for o in output] == ["Mixed Case/ID ✓"]
    assert output[0]["response"]["body"]["model"] == "m"  # the answer named no model
    assert [(e["custom_id"], e["response"]["status_code"]) for e in errors] == [("b", 400)]


def test_batch_of_a_job_reads_counts_as_google_writes_them() -> None:
    job: dict[str, Any] = {
        "name": "projects/123/locations/us-central1/batchPredictionJobs/42",
        "model": "publishers/google/models/gemini-2.5-flash",
        "state": "JOB_STATE_SUCCEEDED",
        "createTime": "2026-12-05T10:00:00Z",
        "startTime": "2026-12-05T10:01:00Z",
        "endTime": "2026-12-05T10:09:00.5Z",
        "completionStats": {"successfulCount": "4"},  # failedCount 0 left out
        "inputConfig": {
            "gcsSource": {"uris": ["gs://bkt/p/batches/" + "0" * 32 + "/input/src/p/files/k/in.jsonl"]}
        },
        "outputInfo": {"gcsOutputDirectory": "gs://bkt/p/batches/x/output/prediction-model-1"},
        "labels": {"openai_requests": "5", **pack_label("openai_metadata", '{"description": "nightly"}')},
    }
    batch = batch_of(job)
    assert (
        batch.id == batch_id("projects/123/locations/us-central1/batchPredictionJobs/42")
        and batch.status == "completed"
    )
    assert batch.request_counts is not None
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (
        5,
        4,
        0,
    )
    assert batch.metadata == {"description": "nightly"}
    assert batch.input_file_id == file_id(FileRef("stored", "src", "p/files/k/in.jsonl"))
    assert (batch.created_at, batch.in_progress_at, batch.completed_at) == (
        epoch_of("2026-12-05T10:00:00"),
        epoch_of("2026-12-05T10:01:00"),
        epoch_of("2026-12-05T10:09:00"),
    )
    assert batch.output_file_id is not None and parse_file_id(batch.output_file_id).kind == "output"
    failed = batch_of({**job, "state": "JOB_STATE_FAILED", "error": {"code": 3, "message": "bad input"}})
    assert failed.status == "failed" and failed.errors is not None and failed.errors.data is not None
    assert failed.errors.data[0].message == "bad input"


@given(st.text(max_size=300))
def test_labels_carry_any_text(text: str) -> None:
    labels = pack_label("k", text)
    assert all(len(v) <= 63 and v == v.lower() for v in labels.values())
    assert unpack_label(labels, "k") == text


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/._-", min_size=1, max_size=80))
def test_ids_round_trip(path: str) -> None:
    ref = FileRef("stored", "my-bucket", path)
    assert parse_file_id(file_id(ref)) == ref
    name = "projects/p/locations/us-central1/batchPredictionJobs/1234"
    assert parse_batch_id(batch_id(name)).name == name
    with pytest.raises(ValueError, match="batch_id="):
        parse_batch_id("batch_" + path)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-12-05T10:08:00.123456789Z", "2026-12-05T10:08:00"),  # nanoseconds, as Vertex writes them
        ("2026-12-05T10:08:00.5Z", "2026-12-05T10:08:00"),
        ("2026-12-05T12:08:00+02:00", "2026-12-05T10:08:00"),
        ("2026-12-05T12:08:00.25+02:00", "2026-12-05T10:08:00"),
    ],
)
def test_times_as_vertex_writes_them_on_every_python(text: str, utc: str) -> None:
    assert epoch(text) == epoch_of(utc)
