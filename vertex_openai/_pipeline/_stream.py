"""Stream repair: make Vertex's chat chunks read like OpenAI's before openai's code sees them.

Vertex repeats `role`, and a tool call's `id`, `type` and `function.name`, on every delta, and
sends tool calls without `index`. openai's accumulator (`chat.completions.stream()`) concatenates
repeated strings (`"assistantassistant"`) and fails on a missing index. Each event of a stream is
parsed once here and handed to openai already repaired: `event.json()` returns the repaired dict
(openai does not parse it again) and `event.data` is the repaired JSON text.

Besides, so that openai's helpers and the frameworks read Gemini streams as they read OpenAI's:
- a tool call without an id gets one (`call_...`, see `_signatures`) on its first delta; a signed
  call's id carries its thought signature (`_sigid`), so it is given once and stays the same. On
  Gemini 3 a step's first call that arrives unsigned is held back until its signature comes in a
  delta of its own (or another call starts, or the choice ends), so that its id can carry it;
- a chunk carrying tool-call deltas and a `finish_reason` is delivered as two chunks, the deltas,
  then the `finish_reason` (so `stream()` fires `tool_calls.function.arguments.done`);
- usage: Gemini puts the running usage on every chunk, and frameworks that add chunk usages up
  over-count. Only one chunk carries usage: the last chunk with a `finish_reason`, which is held
  back until the next event (`[DONE]`, a usage-only chunk, or the end) so that it carries the last
  usage Gemini sent. Summing chunk usages and taking the last one both give the true count, and
  every chunk still has `choices` (code that reads `chunk.choices[0]` keeps working). A stream
  that never finishes a choice ends with one chunk of empty `choices` carrying the usage;
- the signed `extra_content` of each streamed tool call and message is remembered (when the
  client keeps a `SignatureMemory`) once its choice finishes or the stream ends.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from .._compat import Decoder, ServerSentEvent
from .._util import JSONObject
from . import _sigid, _usage
from ._model import gemini_generation
from ._signatures import SignatureMemory, call_id_for

_CHUNK = "chat.completion.chunk"


class RepairingDecoder:
    """Wraps openai's SSE decoder for one stream; repairs each `chat.completion.chunk` event."""

    def __init__(
        self, decoder: Decoder, memory: SignatureMemory | None = None, *, signature_ids: bool = True
    ) -> None:
        self._decoder = decoder
        self._repair = ChunkRepair(memory, signature_ids=signature_ids)

    def iter_bytes(self, iterator: Iterator[bytes]) -> Iterator[ServerSentEvent]:
        for event in self._decoder.iter_bytes(iterator):
            yield from self._repaired(event)
        yield from self._end()

    async def aiter_bytes(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[ServerSentEvent]:
        async for event in self._decoder.aiter_bytes(iterator):
            for repaired in self._repaired(event):
                yield repaired
        for repaired in self._end():
            yield repaired

    def _repaired(self, event: ServerSentEvent) -> list[ServerSentEvent]:
        data = event.data
        if not data.startswith("{") or '"choices"' not in data:
            if data.startswith("[DONE]"):
                return [*self._end(), event]
            return [event]
        try:
            chunk = json.loads(data)
        except ValueError:
            return [event]
        return [
            RepairedEvent(out, event=event.event, id=event.id, retry=event.retry)
            for out in self._repair(chunk)
        ]

    def _end(self) -> list[ServerSentEvent]:
        return [RepairedEvent(out) for out in self._repair.end()]


class RepairedEvent(ServerSentEvent):
    """An event carrying a repaired chunk, built through `ServerSentEvent`'s public constructor.

    `json()` hands back the repaired dict (no second parse); `data` is its JSON text, written only
    when something reads it, so code that parses `data` itself gets the repaired chunk too.
    """

    def __init__(
        self, chunk: object, *, event: str | None = None, id: str | None = None, retry: int | None = None
    ) -> None:
        super().__init__(event=event, id=id, retry=retry)
        self._chunk = chunk
        self._text: str | None = None

    @property
    def data(self) -> str:
        if self._text is None:
            self._text = json.dumps(self._chunk, separators=(",", ":"), ensure_ascii=False)
        return self._text

    def json(self) -> object:
        return self._chunk


@dataclass
class _Call:
    id: object = None
    type: object = None
    name: object = None
    arguments: str = ""
    extra_content: object = None
    minted: bool = False  # given a plain minted id, not yet delivered with a signature


@dataclass
class _Choice:
    role_sent: bool = False
    extra_content: JSONObject = field(default_factory=dict)
    calls: list[_Call] = field(default_factory=list)
    content: list[str] = field(default_factory=list)  # kept only when signatures are remembered
    remembered: bool = False
    waiting: list[JSONObject] | None = None  # first-call deltas held until its signature (Gemini 3)
    waited: bool = False


class ChunkRepair:
    """The state of one stream: what each choice has already said, and the usage held back."""

    def __init__(self, memory: SignatureMemory | None = None, *, signature_ids: bool = True) -> None:
        self._choices: dict[int, _Choice] = {}
        self._memory = memory
        self._signature_ids = signature_ids
        self._usage: object = None
        self._last: JSONObject | None = None
        self._held: JSONObject | None = None  # the last chunk with a finish_reason, not yet sent
        self._ended = False
        self._gemini3: bool | None = None

    def __call__(self, chunk: object) -> list[object]:
        """The chunks to deliver for one received chunk: none, it, or it and a `finish_reason` chunk."""
        if not isinstance(chunk, dict):
            return [chunk]
        choices = chunk.get("choices")
        if not isinstance(choices, list) or chunk.get("object", _CHUNK) != _CHUNK:
            return [chunk]
        usage = chunk.pop("usage", None)
        if usage is not None:
            self._usage = usage
        self._last = chunk
        if not choices:
            return [] if usage is not None else [chunk]  # a usage-only chunk: its usage goes last
        finishing: list[JSONObject] = []
        for choice in choices:
            if isinstance(choice, dict) and isinstance(choice.get("delta"), dict):
                index = choice.get("index", 0)
                state = self._choices.get(index)
                if state is None:
                    state = self._choices[index] = _Choice()
                delta = choice["delta"]
                _repair_delta(state, delta, self._signature_ids)
                if self._signature_ids and not state.waited and self._is_gemini3(chunk):
                    _wait_for_signature(state, delta, choice.get("finish_reason") is not None)
                if self._memory is not None and isinstance(delta.get("content"), str):
                    state.content.append(delta["content"])
                if choice.get("finish_reason") is not None:
                    if delta.get("tool_calls"):  # deltas first, then the finish_reason on its own
                        finishing.append(
                            {"delta": {}, "finish_reason": choice.pop("finish_reason"), "index": index}
                        )
                    self._remember(state)
        out: list[JSONObject] = [chunk, {**_head(chunk), "choices": finishing}] if finishing else [chunk]
        last_choices = finishing or choices  # out[-1]'s
        if not any(isinstance(c, dict) and c.get("finish_reason") is not None for c in last_choices):
            return [*out]
        released, self._held = ([self._held] if self._held is not None else []), out.pop()
        return [*released, *out]  # the finishing chunk waits for the usage that may still come

    def end(self) -> list[object]:
        """What the stream still owes when it ends: the held finishing chunk, with the final usage."""
        if self._ended:
            return []
        self._ended = True
        _usage.bill_usage({**(self._last or {}), "usage": self._usage})  # the final usage, as billed
        waiting: list[object] = []
        for index, state in self._choices.items():
            if state.waiting is not None and self._last is not None:  # ended before any finish_reason
                delta: JSONObject = {}
                _wait_for_signature(state, delta, True)
                waiting.append({**_head(self._last), "choices": [{"index": index, "delta": delta}]})
            self._remember(state)
        held, self._held = self._held, None
        if held is not None:
            return [*waiting, {**held, "usage": self._usage} if self._usage is not None else held]
        if waiting:
            return waiting
        if self._usage is None or self._last is None:
            return []
        return [{**_head(self._last), "choices": [], "usage": self._usage}]

    def _is_gemini3(self, chunk: JSONObject) -> bool:
        if self._gemini3 is None:
            model = chunk.get("model")
            generation = gemini_generation(model) if isinstance(model, str) else None
            self._gemini3 = generation is not None and generation >= 3
        return self._gemini3

    def _remember(self, state: _Choice) -> None:
        if self._memory is None or state.remembered:
            return
        state.remembered = True
        message: JSONObject = {"role": "assistant", "content": "".join(state.content)}
        if state.calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                    **({"extra_content": call.extra_content} if call.extra_content is not None else {}),
                }
                for call in state.calls
            ]
        signature = _signature_fields(state.extra_content)
        if signature is not None:
            message["extra_content"] = signature
        self._memory.remember_message(message)


def _head(chunk: JSONObject) -> JSONObject:
    return {key: value for key, value in chunk.items() if key not in ("choices", "usage")}


def _signature_fields(seen: JSONObject) -> JSONObject | None:
    """Only the thought signature of what a message's deltas said in `extra_content`."""
    for vendor in ("google", "vertex"):
        fields = seen.get(vendor)
        if isinstance(fields, dict) and fields.get("thought_signature"):
            return {vendor: {"thought_signature": fields["thought_signature"]}}
    return None


def _wait_for_signature(state: _Choice, delta: JSONObject, finishing: bool) -> None:
    """Gemini 3 streams: a step's first call that came without a signature is held back until its
    signature arrives (in a delta of its own), another call starts, or the choice ends; its id then
    carries the signature. Only the first call of a step is ever signed, so only it waits."""
    calls = delta.get("tool_calls")
    first = state.calls[0] if state.calls else None
    if state.waiting is None:
        if first is None or not first.minted or not isinstance(calls, list):
            return
        state.waiting = []
    assert first is not None
    others: list[object] = []
    for call in calls if isinstance(calls, list) else ():
        (state.waiting if isinstance(call, dict) and call.get("index") == 0 else others).append(call)
    signature = _signature_text(first.extra_content) if isinstance(first.extra_content, dict) else None
    signature = signature or _signature_text(state.extra_content)
    if signature is None and not others and not finishing:
        delta.pop("tool_calls", None)
        return
    waiting, state.waiting, state.waited = state.waiting, None, True
    if signature is not None and isinstance(first.id, str):
        carrier = _sigid.encode(first.id, signature)
        if carrier is not None and waiting and isinstance(waiting[0], dict):
            first.id = waiting[0]["id"] = carrier
    delta["tool_calls"] = [*waiting, *others]


def _signature_text(seen: JSONObject) -> str | None:
    fields = _signature_fields(seen)
    for value in (fields or {}).values():
        signature = value.get("thought_signature") if isinstance(value, dict) else None
        if isinstance(signature, str):
            return signature
    return None


def _repair_delta(state: _Choice, delta: JSONObject, signature_ids: bool) -> None:
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
                _repair_call(state, call, taken, signature_ids)


def _repair_call(state: _Choice, call: JSONObject, taken: set[int], signature_ids: bool) -> None:
    index = call.get("index")
    if not isinstance(index, int):
        index = _slot(state, call, taken)
        call["index"] = index
    taken.add(index)
    new = len(state.calls) <= index
    while len(state.calls) <= index:
        state.calls.append(_Call())
    known = state.calls[index]
    if new and not call.get("id"):
        # frameworks key tool results by id (Gemini sends ""); a signed call's id carries its signature
        step = _signature_text(state.extra_content) if index == 0 else None
        call["id"] = call_id_for(call, step, signature_ids=signature_ids)
        state.calls[index].minted = index == 0 and not _sigid.is_carrier(call["id"])
    elif not call.get("id"):
        call.pop("id", None)  # "" on a later delta of a call: the id was given on its first
    given_function = call.get("function")
    function: JSONObject = given_function if isinstance(given_function, dict) else {}
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
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        known.arguments += arguments


def _slot(state: _Choice, call: JSONObject, taken: set[int]) -> int:
    """Where an index-less tool call goes: a continuation of a known call, or a new one."""
    call_id = call.get("id")
    if call_id:
        for position, known in enumerate(state.calls):
            if known.id == call_id and position not in taken:
                return position
        return len(state.calls)
    if state.calls and len(state.calls) - 1 not in taken:
        last = state.calls[-1]
        function = call.get("function")
        name = function.get("name") if isinstance(function, dict) else None
        if (name is None or name == last.name) and not _complete_json(last.arguments):
            return len(state.calls) - 1
    return len(state.calls)


def _complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _drop_repeats(new: JSONObject, seen: JSONObject) -> None:
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
