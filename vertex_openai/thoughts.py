"""Thoughts: tagged thought summaries in `content`, and the thought signatures of tool calls.

With `gemini_options(thinking_config=ThinkingConfig(include_thoughts=True), thought_tag_marker="think")`
thought summaries come back inside `content`, wrapped in `<think>...</think>`. A part may instead be
marked `extra_content.google.thought: true`; that mark wins over the tags.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from typing import Literal, overload

import pydantic
from openai.types.chat import ChatCompletionChunk

from ._compat import extra_fields
from ._pipeline._signatures import PLACEHOLDER_SIGNATURE
from ._pipeline._signatures import signed as _signed
from ._util import JSONObject, deep_merge
from ._util import field as _get
from .gemini import check_tag_marker

__all__ = [
    "SKIP_THOUGHT_SIGNATURE",
    "ThoughtKind",
    "ThoughtSplitter",
    "add_placeholder_signatures",
    "iter_thoughts",
    "split_thoughts",
]

ThoughtKind = Literal["thought", "answer"]

#: Google's documented placeholder for history that no Gemini model produced (the client adds it by
#: itself to unsigned tool-call steps of a Gemini 3 request's current turn).
SKIP_THOUGHT_SIGNATURE = PLACEHOLDER_SIGNATURE


class ThoughtSplitter:
    """Splits text fed piece by piece at `<marker>` / `</marker>` tags, wherever the pieces break.

    Text that only looks like a tag (`<b>`, `<thinking>` for marker `think`) stays text.
    """

    def __init__(self, marker: str = "think") -> None:
        check_tag_marker(marker, "marker")
        self._tags = (f"<{marker}>", f"</{marker}>")
        self._inside = False
        self._pending = ""

    @property
    def kind(self) -> ThoughtKind:
        """What the text fed next belongs to."""
        return "thought" if self._inside else "answer"

    def feed(self, text: str) -> list[tuple[ThoughtKind, str]]:
        if not self._pending and "<" not in text:  # the common case: plain text, no tag in sight
            return [(self.kind, text)] if text else []
        out: list[tuple[ThoughtKind, str]] = []
        buffer = self._pending + text
        while buffer:
            tag = self._tags[self._inside]
            found = buffer.find(tag)
            if found < 0:
                keep = _partial_tag(buffer, tag)
                self._emit(out, buffer[: len(buffer) - keep])
                self._pending = buffer[len(buffer) - keep :]
                return out
            self._emit(out, buffer[:found])
            buffer = buffer[found + len(tag) :]
            self._inside = not self._inside
        self._pending = ""
        return out

    def flush(self) -> list[tuple[ThoughtKind, str]]:
        """Whatever is held back as a possible tag start, now that no more text comes."""
        out: list[tuple[ThoughtKind, str]] = []
        self._emit(out, self._pending)
        self._pending = ""
        return out

    def _emit(self, out: list[tuple[ThoughtKind, str]], text: str) -> None:
        if text:
            out.append((self.kind, text))


def _partial_tag(text: str, tag: str) -> int:
    """Length of the longest end of `text` that could be the start of `tag`.

    A tag has one `<`, its first character, so such an end starts at the last `<` of `text`.
    """
    start = text.rfind("<", max(0, len(text) - len(tag) + 1))
    if start < 0 or not tag.startswith(text[start:]):
        return 0
    return len(text) - start


def split_thoughts(text: str | None, marker: str = "think") -> tuple[str, str]:
    """(thoughts, answer) of a whole message's `content`; several thought blocks are joined."""
    splitter = ThoughtSplitter(marker)
    parts = {"thought": [], "answer": []}  # type: dict[str, list[str]]
    for kind, piece in [*splitter.feed(text or ""), *splitter.flush()]:
        parts[kind].append(piece)
    return "".join(parts["thought"]), "".join(parts["answer"])


@overload
def iter_thoughts(
    stream: AsyncIterable[object], marker: str = ...
) -> AsyncIterator[tuple[ThoughtKind, str]]: ...
@overload
def iter_thoughts(stream: Iterable[object], marker: str = ...) -> Iterator[tuple[ThoughtKind, str]]: ...
def iter_thoughts(
    stream: Iterable[object] | AsyncIterable[object], marker: str = "think"
) -> Iterator[tuple[ThoughtKind, str]] | AsyncIterator[tuple[ThoughtKind, str]]:
    """`(kind, text)` pairs of a streamed answer, `kind` being `"thought"` or `"answer"`.

    Takes what `create(stream=True)` or `chat.completions.stream()` gives, sync or async (for an
    async stream, use `async for`). Reads the first choice.
    """
    if isinstance(stream, AsyncIterable):
        return _aiter_thoughts(stream, ThoughtSplitter(marker))
    return _iter_thoughts(stream, ThoughtSplitter(marker))


def _iter_thoughts(stream: Iterable[object], splitter: ThoughtSplitter) -> Iterator[tuple[ThoughtKind, str]]:
    for item in stream:
        yield from _segments(splitter, item)
    yield from splitter.flush()


async def _aiter_thoughts(
    stream: AsyncIterable[object], splitter: ThoughtSplitter
) -> AsyncIterator[tuple[ThoughtKind, str]]:
    async for item in stream:
        for segment in _segments(splitter, item):
            yield segment
    for segment in splitter.flush():
        yield segment


def _segments(splitter: ThoughtSplitter, item: object) -> list[tuple[ThoughtKind, str]]:
    if not isinstance(item, ChatCompletionChunk) or not item.choices:
        return _segments_of_anything(splitter, item)
    choice = item.choices[0]  # the common case, an openai chunk object: plain attribute reads
    delta = choice.delta
    content, extra, index = delta.content, extra_fields(delta), choice.index
    if index or not isinstance(content, str):
        return _segments_of_anything(splitter, item)
    if not content:
        return []
    if extra and _thought_flag(extra.get("extra_content")):
        return [*splitter.flush(), ("thought", content)]
    return splitter.feed(content)


def _segments_of_anything(splitter: ThoughtSplitter, item: object) -> list[tuple[ThoughtKind, str]]:
    """Dicts, `chat.completions.stream()` events, several choices."""
    choices = _get(item, "choices")
    if choices is None and _get(item, "type") == "chunk":  # a chat.completions.stream() event
        choices = _get(_get(item, "chunk"), "choices")
    for choice in choices or ():
        if _get(choice, "index"):
            continue  # only the first choice
        delta = _get(choice, "delta")
        content = _get(delta, "content")
        if not content:
            return []
        if _thought_flag(_extra(delta, "extra_content")):
            return [*splitter.flush(), ("thought", content)]
        return splitter.feed(content)
    return []


def _thought_flag(extra_content: object) -> bool:
    return _get(_get(extra_content, "google"), "thought") is True


def _extra(obj: object, name: str) -> object:
    """A field openai's models do not declare (kept as a pydantic extra), without raising inside."""
    return obj.get(name) if isinstance(obj, dict) else extra_fields(obj).get(name)


def add_placeholder_signatures(messages: Iterable[object]) -> list[JSONObject]:
    """A copy of `messages` in which each assistant tool-call step without a thought signature gets
    Google's placeholder on its first call (only the first call of a parallel step needs one).

    For history that no Gemini model produced (from OpenAI or Azure OpenAI); the input is not changed.
    On Gemini 3 the client already does this for the current turn (the steps after the last user
    message, the only ones Vertex checks); this helper marks every turn, for any model.
    """
    out: list[JSONObject] = []
    for message in messages:
        entry = _as_dict(message)
        calls = entry.get("tool_calls")
        first = calls[0] if isinstance(calls, list) and calls else None
        if (
            entry.get("role") == "assistant"
            and isinstance(calls, list)
            and isinstance(first, dict)
            and not _step_signed(entry, calls)
        ):
            extra = first.get("extra_content")
            first["extra_content"] = deep_merge(
                extra if isinstance(extra, Mapping) else {},
                {"google": {"thought_signature": SKIP_THOUGHT_SIGNATURE}},
            )
        out.append(entry)
    return out


def _as_dict(message: object) -> JSONObject:
    if isinstance(message, Mapping):
        return copy.deepcopy(dict(message))
    if isinstance(message, pydantic.BaseModel):
        return message.model_dump(mode="json", exclude_none=True)
    raise TypeError(f"messages must be dicts or openai message objects, not {type(message).__name__}")


def _step_signed(message: Mapping[str, object], calls: list[object]) -> bool:
    return _signed(message) or any(_signed(call) for call in calls)
