"""Thought tags split correctly wherever chunk boundaries fall; placeholder signatures."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from modes import MODES, Mode
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessage

from vertex_openai import (
    SKIP_THOUGHT_SIGNATURE,
    ThoughtKind,
    add_placeholder_signatures,
    iter_thoughts,
    split_thoughts,
)


def chunk(content: str, *, thought: bool | None = None) -> ChatCompletionChunk:
    delta: dict[str, Any] = {"content": content, "role": "assistant"}
    if thought is not None:
        delta["extra_content"] = {"google": {"thought": thought}}
    return ChatCompletionChunk.model_validate(
        {
            "id": "",
            "choices": [{"delta": delta, "index": 0}],
            "created": 1,
            "model": "m",
            "object": "chat.completion.chunk",
        }
    )


def test_split_thoughts() -> None:
    assert split_thoughts("<think>Let me see.</think>The answer is 4.") == ("Let me see.", "The answer is 4.")
    assert split_thoughts("No thoughts <b>bold</b>") == ("", "No thoughts <b>bold</b>")
    assert split_thoughts("<thought>a</thought>b<thought>c</thought>d", "thought") == ("ac", "bd")
    assert split_thoughts("<thinking>x</thinking>", "think") == ("", "<thinking>x</thinking>")
    assert split_thoughts(None) == ("", "")


def thoughts_of(mode: Mode, chunks: list[ChatCompletionChunk]) -> list[tuple[ThoughtKind, str]]:
    """iter_thoughts over the chunks as a plain iterable (sync) or as an async stream (async)."""
    if mode == "sync":
        return list(iter_thoughts(chunks))

    async def stream() -> AsyncIterator[ChatCompletionChunk]:
        for each in chunks:
            yield each

    async def main() -> list[tuple[ThoughtKind, str]]:
        return [pair async for pair in iter_thoughts(stream())]

    return asyncio.run(main())


@pytest.mark.parametrize("mode", MODES)
def test_iter_thoughts_over_split_tags(mode: Mode) -> None:
    pieces = ["<th", "ink>I am thi", "nking</", "think", ">\n\nHello <", "b>there</b>"]
    got = thoughts_of(mode, [chunk(p) for p in pieces])
    assert "".join(t for k, t in got if k == "thought") == "I am thinking"
    assert "".join(t for k, t in got if k == "answer") == "\n\nHello <b>there</b>"
    assert thoughts_of(mode, [chunk("<think>hm"), chunk("m</think>ok")]) == [
        ("thought", "hm"),
        ("thought", "m"),
        ("answer", "ok"),
    ]


def test_thought_flag_wins_over_tags() -> None:
    stream = [chunk("Planning...", thought=True), chunk("<think>", thought=None), chunk("x</think>Done")]
    assert list(iter_thoughts(stream)) == [("thought", "Planning..."), ("thought", "x"), ("answer", "Done")]


texts = st.text(alphabet=st.sampled_from(list("ab<>/thinkk \n")), max_size=60)


@given(st.lists(st.one_of(texts, st.just("<think>"), st.just("</think>")), max_size=8), st.data())
def test_any_chunking_gives_the_same_split(parts: list[str], data: st.DataObject) -> None:
    text = "".join(parts)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=12)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    got = list(iter_thoughts([chunk(p) for p in pieces if p]))
    assert all(t for _, t in got)  # no empty segments
    thoughts = "".join(t for k, t in got if k == "thought")
    answer = "".join(t for k, t in got if k == "answer")
    assert (thoughts, answer) == split_thoughts(text)
    # and the split loses nothing but the tags themselves
    assert len(thoughts) + len(answer) <= len(text)


def reference_split(text: str) -> tuple[str, str]:
    """An independent reading of the tag rule: toggle on the tag the current state waits for."""
    parts: dict[bool, list[str]] = {True: [], False: []}
    inside = False
    for token in re.split(r"(<think>|</think>)", text):
        if token == ("</think>" if inside else "<think>"):
            inside = not inside
        else:
            parts[inside].append(token)
    return "".join(parts[True]), "".join(parts[False])


@given(st.lists(st.one_of(texts, st.just("<think>"), st.just("</think>")), max_size=8))
def test_split_matches_the_reference(parts: list[str]) -> None:
    text = "".join(parts)
    assert split_thoughts(text) == reference_split(text)


plain = st.text(alphabet=st.characters(blacklist_characters="<", codec="utf-8"), max_size=40)


@given(plain, plain)
def test_tagged_text_splits_exactly(thought: str, answer: str) -> None:
    assert split_thoughts(f"<think>{thought}</think>{answer}") == (thought, answer)


def test_placeholder_signatures_only_where_missing() -> None:
    history: list[Any] = [
        {"role": "user", "content": "weather in Paris and London?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
                },
                {
                    "id": "c2",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"London"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "18C"},
        {"role": "tool", "tool_call_id": "c2", "content": "12C"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "c3",
                    "type": "function",
                    "function": {"name": "weather", "arguments": "{}"},
                    "extra_content": {"google": {"thought_signature": "REAL"}},
                }
            ],
        },
        ChatCompletionMessage.model_validate(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c4", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            }
        ),
    ]
    before = copy.deepcopy(history[:5])
    fixed: Any = add_placeholder_signatures(history)  # read as the JSON it is
    assert history[:5] == before  # the input is not changed
    first, second = fixed[1]["tool_calls"]
    assert first["extra_content"] == {"google": {"thought_signature": SKIP_THOUGHT_SIGNATURE}}
    assert "extra_content" not in second  # only the first call of a parallel step
    assert fixed[4]["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == "REAL"
    assert fixed[5]["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == SKIP_THOUGHT_SIGNATURE
    assert fixed[0] == history[0] and fixed[2] == history[2]


def test_iter_thoughts_over_dicts_and_stream_events() -> None:
    raw = [{"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in ["<think>a", "</think>b"]]
    assert list(iter_thoughts(raw)) == [("thought", "a"), ("answer", "b")]

    class ChunkEvent:  # the shape of chat.completions.stream()'s "chunk" events
        type = "chunk"

        def __init__(self, chunk: ChatCompletionChunk) -> None:
            self.chunk = chunk

    class ContentDelta:  # events without chunks are skipped
        type = "content.delta"

    events = [ChunkEvent(chunk("<think>x</think>")), ContentDelta(), ChunkEvent(chunk("y"))]
    assert list(iter_thoughts(events)) == [("thought", "x"), ("answer", "y")]


def test_other_choices_are_ignored() -> None:
    second = {
        "choices": [{"index": 1, "delta": {"content": "other"}}, {"index": 0, "delta": {"content": "first"}}]
    }
    assert list(iter_thoughts([second])) == [("answer", "first")]
