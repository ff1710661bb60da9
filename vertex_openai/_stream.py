"""Stream repair: make Vertex's chat chunks read like OpenAI's before openai's code sees them.

Vertex repeats `role`, and a tool call's `id`, `type` and `function.name`, on every delta, and
sends tool calls without `index`. openai's accumulator (`chat.completions.stream()`) concatenates
repeated strings (`"assistantassistant"`) and fails on a missing index. Each event of a stream is
parsed once here and handed to openai already repaired: `event.json()` returns the repaired dict
(openai does not parse it again) and `event.data` is the repaired JSON text.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from openai._streaming import ServerSentEvent


class RepairingDecoder:
    """Wraps openai's SSE decoder for one stream; repairs each `chat.completion.chunk` event."""

    def __init__(self, decoder: Any) -> None:
        self._decoder = decoder
        self._repair = ChunkRepair()

    def iter_bytes(self, iterator: Iterator[bytes]) -> Iterator[ServerSentEvent]:
        for event in self._decoder.iter_bytes(iterator):
            yield self._repaired(event)

    async def aiter_bytes(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[ServerSentEvent]:
        async for event in self._decoder.aiter_bytes(iterator):
            yield self._repaired(event)

    def _repaired(self, event: ServerSentEvent) -> ServerSentEvent:
        data = event.data
        if not data.startswith("{") or '"choices"' not in data:
            return event
        try:
            chunk = json.loads(data)
        except ValueError:
            return event
        return RepairedEvent(self._repair(chunk), event=event.event, id=event.id, retry=event.retry)


class RepairedEvent(ServerSentEvent):
    """An event carrying a repaired chunk, built through `ServerSentEvent`'s public constructor.

    `json()` hands back the repaired dict (no second parse); `data` is its JSON text, written only
    when something reads it, so code that parses `data` itself gets the repaired chunk too.
    """

    def __init__(
        self, chunk: Any, *, event: str | None = None, id: str | None = None, retry: int | None = None
    ):
        super().__init__(event=event, id=id, retry=retry)
        self._chunk = chunk
        self._text: str | None = None

    @property
    def data(self) -> str:
        if self._text is None:
            self._text = json.dumps(self._chunk, separators=(",", ":"), ensure_ascii=False)
        return self._text

    def json(self) -> Any:
        return self._chunk


@dataclass
class _Call:
    id: Any = None
    type: Any = None
    name: Any = None
    arguments: str = ""
    extra_content: Any = None


@dataclass
class _Choice:
    role_sent: bool = False
    extra_content: dict[str, Any] = field(default_factory=dict)
    calls: list[_Call] = field(default_factory=list)


class ChunkRepair:
    """The state of one stream: what each choice has already said."""

    def __init__(self) -> None:
        self._choices: dict[int, _Choice] = {}

    def __call__(self, chunk: Any) -> Any:
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if not isinstance(choices, list):
            return chunk
        for choice in choices:
            if isinstance(choice, dict) and isinstance(choice.get("delta"), dict):
                index = choice.get("index", 0)
                state = self._choices.get(index)
                if state is None:
                    state = self._choices[index] = _Choice()
                _repair_delta(state, choice["delta"])
        return chunk


def _repair_delta(state: _Choice, delta: dict[str, Any]) -> None:
    if "role" in delta:
        if state.role_sent:
            del delta["role"]
        else:
            state.role_sent = delta["role"] is not None
    extra = delta.get("extra_content")
    if isinstance(extra, dict):
        _drop_repeats(extra, state.extra_content)
        if not extra:
            del delta["extra_content"]
    calls = delta.get("tool_calls")
    if isinstance(calls, list):
        taken: set[int] = set()
        for call in calls:
            if isinstance(call, dict):
                _repair_call(state, call, taken)


def _repair_call(state: _Choice, call: dict[str, Any], taken: set[int]) -> None:
    index = call.get("index")
    if not isinstance(index, int):
        index = _slot(state, call, taken)
        call["index"] = index
    taken.add(index)
    while len(state.calls) <= index:
        state.calls.append(_Call())
    known = state.calls[index]
    function: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else {}
    # identity fields: first one wins, repeats are dropped so the accumulator does not double them
    for holder, key, attribute in ((call, "id", "id"), (call, "type", "type"), (function, "name", "name")):
        if key in holder:
            if getattr(known, attribute) is None:
                setattr(known, attribute, holder[key])
            elif holder[key] == getattr(known, attribute):
                del holder[key]
    if "extra_content" in call:
        if known.extra_content is None:
            known.extra_content = call["extra_content"]
        elif call["extra_content"] == known.extra_content:
            del call["extra_content"]
    if isinstance(function.get("arguments"), str):
        known.arguments += function["arguments"]


def _slot(state: _Choice, call: dict[str, Any], taken: set[int]) -> int:
    """Where an index-less tool call goes: a continuation of a known call, or a new one."""
    call_id = call.get("id")
    if call_id:
        for position, known in enumerate(state.calls):
            if known.id == call_id and position not in taken:
                return position
        return len(state.calls)
    if state.calls and len(state.calls) - 1 not in taken:
        last = state.calls[-1]
        name = (call.get("function") or {}).get("name")
        if (name is None or name == last.name) and not _complete_json(last.arguments):
            return len(state.calls) - 1
    return len(state.calls)


def _complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _drop_repeats(new: dict[str, Any], seen: dict[str, Any]) -> None:
    """Remove from `new` the strings already sent under the same keys (the accumulator would concatenate
    them); keep flags such as `thought: true`, which mark each delta."""
    for key in list(new):
        value = new[key]
        if isinstance(value, dict):
            remembered = seen.get(key)
            if not isinstance(remembered, dict):
                remembered = seen[key] = {}
            _drop_repeats(value, remembered)
            if not value:
                del new[key]
        elif isinstance(value, str) and seen.get(key) == value:
            del new[key]
        else:
            seen[key] = value
