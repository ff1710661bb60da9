"""Usage as the bill sees it: Vertex's cached and thinking counts on openai's usage objects, adding up."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fakes import STATIC_TOKEN, Reply, VertexServer, chat_stream
from modes import MODES, Mode
from openai.types.completion_usage import CompletionUsage

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._pipeline._usage import bill_usage

RECORDING = Path(__file__).parent / "recordings" / "gemini-compat-tool-call-thought-signature.json"
MESSAGES: list[Any] = [{"role": "user", "content": "hi"}]


def billed(body: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(body)
    bill_usage(out)
    usage: dict[str, Any] = out["usage"]
    return usage


def adds_up(usage: dict[str, Any]) -> bool:
    return bool(usage["prompt_tokens"] + usage["completion_tokens"] == usage["total_tokens"])


def test_recorded_thinking_is_billed_as_completion_tokens() -> None:
    """The recording: prompt 35, completion 12, total 109: 62 thinking tokens Vertex counted apart."""
    answer = json.loads(RECORDING.read_text())["interactions"][0]["response"]["json"]
    assert answer["usage"] == {"completion_tokens": 12, "prompt_tokens": 35, "total_tokens": 109}
    usage = billed(answer)
    assert usage == {
        "completion_tokens": 74,
        "prompt_tokens": 35,
        "total_tokens": 109,
        "completion_tokens_details": {"reasoning_tokens": 62},
    }
    CompletionUsage.model_validate(usage)  # openai's own model takes it


USAGE = {"prompt_tokens": 1000, "completion_tokens": 20, "total_tokens": 1070}
GOOGLE_CAMEL = {"cachedContentTokenCount": 800, "thoughtsTokenCount": 50}
GOOGLE_SNAKE = {"cached_content_token_count": 800, "thoughts_token_count": 50}


@pytest.mark.parametrize(
    "body",
    [
        {"usage": {**USAGE, **GOOGLE_CAMEL}},
        {"usage": {**USAGE, **GOOGLE_SNAKE}},
        {"usage": {**USAGE, "extra_properties": {"google": GOOGLE_CAMEL}}},
        {"usage": {**USAGE, "extra_properties": {"google": {"usage_metadata": GOOGLE_SNAKE}}}},
        {"usage": {**USAGE, "extra_content": {"google": GOOGLE_SNAKE}}},
        {"usage": USAGE, "extra_content": {"google": {"usage_metadata": GOOGLE_CAMEL}}},
        {"usage": USAGE, "extra_content": {"google": GOOGLE_CAMEL}},
        {"usage": USAGE, "usageMetadata": {**GOOGLE_CAMEL, "promptTokenCount": 1000}},
        {
            "usage": {
                **USAGE,
                "usage_metadata": {"cachedContentTokenCount": "800", "thoughtsTokenCount": "50"},
            }
        },
        {
            "usage": {
                **USAGE,
                "prompt_tokens_details": {"cached_tokens": 800},
                "completion_tokens_details": {"reasoning_tokens": 50},
            }
        },
    ],
    ids=[
        "usage-camel",
        "usage-snake",
        "extra_properties",
        "extra_properties-metadata",
        "usage-extra_content",
        "body-extra_content-metadata",
        "body-extra_content",
        "body-usageMetadata",
        "int64-strings",
        "openai-fields",
    ],
)
def test_each_shape_lands_in_openai_fields(body: dict[str, Any]) -> None:
    usage = billed(body)
    assert usage["prompt_tokens_details"]["cached_tokens"] == 800
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 50
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (1000, 70, 1070)
    usage = {k: v for k, v in usage.items() if k in CompletionUsage.model_fields}
    parsed = CompletionUsage.model_validate(usage)
    assert parsed.prompt_tokens_details is not None and parsed.prompt_tokens_details.cached_tokens == 800
    assert parsed.completion_tokens_details is not None
    assert parsed.completion_tokens_details.reasoning_tokens == 50


def test_counts_that_already_add_up_are_kept() -> None:
    """Thinking reported and already inside completion_tokens (OpenAI's way): nothing is added."""
    body = {
        "usage": {"prompt_tokens": 10, "completion_tokens": 30, "total_tokens": 40, "thoughtsTokenCount": 25}
    }
    usage = billed(body)
    assert (usage["completion_tokens"], usage["completion_tokens_details"]) == (30, {"reasoning_tokens": 25})
    assert billed({"usage": usage}) == usage  # twice is once


def test_tool_use_prompt_tokens_are_input_not_thinking() -> None:
    body = {
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 45},
        "usage_metadata": {"toolUsePromptTokenCount": 12, "thoughtsTokenCount": 18},
    }
    usage = billed(body)
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (22, 23, 45)
    assert usage["completion_tokens_details"] == {"reasoning_tokens": 18}
    body["usage_metadata"] = {"toolUsePromptTokenCount": 12}  # thinking not reported: the rest of the gap
    assert billed(body)["completion_tokens_details"] == {"reasoning_tokens": 18}


def test_a_thinking_count_larger_than_the_gap_never_changes_the_total() -> None:
    usage = billed(
        {"usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 20, "thoughtsTokenCount": 9}}
    )
    assert (usage["completion_tokens"], usage["total_tokens"]) == (10, 20)
    assert usage["completion_tokens_details"] == {"reasoning_tokens": 9}


@pytest.mark.parametrize(
    "body",
    [
        {"usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}},  # nothing to add
        {"usage": {"prompt_tokens": 2, "total_tokens": 2}},  # an embeddings answer
        {"usage": {"input_tokens": 2, "output_tokens": 3, "total_tokens": 9}},  # a Responses answer
        {"usage": None},
        {"choices": []},
    ],
)
def test_other_usages_are_left_alone(body: dict[str, Any]) -> None:
    before = copy.deepcopy(body)
    bill_usage(body)
    assert body == before
    bill_usage([body])  # not a dict: passes


def completion(usage: dict[str, Any]) -> dict[str, Any]:
    message = {"role": "assistant", "content": "Hi!"}
    return {
        "choices": [{"finish_reason": "stop", "index": 0, "message": message}],
        "created": 1,
        "id": "x",
        "model": "google/gemini-2.5-pro",
        "object": "chat.completion",
        "usage": usage,
    }


def chunks(*usages: dict[str, Any]) -> str:
    head = {"created": 1, "model": "google/gemini-2.5-pro", "object": "chat.completion.chunk"}
    events = []
    for number, usage in enumerate(usages, start=1):
        choice: dict[str, Any] = {"delta": {"role": "assistant", "content": f"{number} "}, "index": 0}
        if number == len(usages):
            choice["finish_reason"] = "stop"
        events.append(json.dumps({**head, "choices": [choice], "usage": usage}))
    return "".join(f"data: {e}\n\n" for e in events) + "data: [DONE]\n\n"


THINKING_AND_CACHE = {
    "prompt_tokens": 1000,
    "completion_tokens": 20,
    "total_tokens": 1070,
    "extra_properties": {"google": {"traffic_type": "ON_DEMAND"}},
    "cachedContentTokenCount": 800,
}


def client_for(mode: Mode, server: VertexServer) -> VertexOpenAI | AsyncVertexOpenAI:
    cls = VertexOpenAI if mode == "sync" else AsyncVertexOpenAI
    return cls(base_url=server.base_url, access_token=STATIC_TOKEN, max_retries=0)


def check(usage: CompletionUsage | None) -> None:
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (1000, 70, 1070)
    assert usage.prompt_tokens_details is not None and usage.prompt_tokens_details.cached_tokens == 800
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 50


@pytest.mark.parametrize("mode", MODES)
def test_non_streamed_usage_through_the_client(mode: Mode, server: VertexServer) -> None:
    server.reply(Reply(200, completion(THINKING_AND_CACHE)))
    client = client_for(mode, server)
    if isinstance(client, VertexOpenAI):
        answer = client.chat.completions.create(model="gemini-2.5-pro", messages=MESSAGES)
    else:
        answer = asyncio.run(client.chat.completions.create(model="gemini-2.5-pro", messages=MESSAGES))
    check(answer.usage)


@pytest.mark.parametrize("mode", MODES)
def test_final_streamed_usage_through_the_client(mode: Mode, server: VertexServer) -> None:
    running = [{**THINKING_AND_CACHE, "completion_tokens": n, "total_tokens": 1050 + n} for n in (5, 12, 20)]
    server.reply(Reply(200, text=chunks(*running), content_type="text/event-stream"))
    client = client_for(mode, server)
    if isinstance(client, VertexOpenAI):
        received = list(
            client.chat.completions.create(model="gemini-2.5-pro", messages=MESSAGES, stream=True)
        )
    else:

        async def main(client: AsyncVertexOpenAI) -> list[Any]:
            stream = await client.chat.completions.create(
                model="gemini-2.5-pro", messages=MESSAGES, stream=True
            )
            return [c async for c in stream]

        received = asyncio.run(main(client))
    usages = [c.usage for c in received if c.usage is not None]
    assert len(usages) == 1
    check(usages[0])


def test_stream_helper_final_completion_has_the_billed_usage(server: VertexServer) -> None:
    server.reply(Reply(200, text=chunks(THINKING_AND_CACHE), content_type="text/event-stream"))
    client = client_for("sync", server)
    assert isinstance(client, VertexOpenAI)
    with chat_stream(client)(model="gemini-2.5-pro", messages=MESSAGES) as stream:
        final = stream.get_final_completion()
    check(final.usage)
