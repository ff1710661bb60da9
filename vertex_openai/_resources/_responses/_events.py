"""Stream translation: chat completion chunks -> openai's Responses stream events.

Pure and incremental: `start()`, then `feed(chunk)` per chunk, then `finish()`; each returns the
events to hand on, numbered by an increasing `sequence_number`. Items open in the order their
first delta arrives and close when the next one opens. A reasoning item that carries thought
signatures (known only once the calls have streamed) comes last.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TypeVar

from openai.types import responses as types
from openai.types.responses import ResponseStreamEvent
from pydantic import BaseModel

from ..._util import JSONObject, deep_merge, field
from ...thoughts import ThoughtSplitter
from ._common import extra_field, new_id
from ._request import THOUGHT_MARKER, Bridged
from ._response import (
    assistant_message,
    build_response,
    call_item,
    carrier_for,
    message_item,
    reasoning_item,
    status,
    text_part,
    usage,
)

__all__ = ["EventTranslator"]

_LOGPROBS = "logprobs" in types.ResponseTextDeltaEvent.model_fields
_DONE_NAME = "name" in types.ResponseFunctionCallArgumentsDoneEvent.model_fields

_Event = TypeVar("_Event", bound=BaseModel)


@dataclass
class _Item:
    kind: str  # "reasoning" | "message" | "function_call"
    id: str
    output_index: int
    parts: list[str] = dataclass_field(default_factory=list)
    call_id: str = ""
    name: str = ""
    done: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)


class EventTranslator:
    """The state of one bridged stream."""

    def __init__(self, bridged: Bridged, response_id: str | None = None) -> None:
        self.bridged = bridged
        self.response_id = response_id or new_id("resp")
        self.created_at = time.time()
        self.response: types.Response | None = None  # the final Response, once finished
        self.assistant: JSONObject | None = None  # the assistant message to remember, likewise
        self._sequence = 0
        self._items: list[_Item] = []
        self._open: _Item | None = None
        self._calls: dict[int, _Item] = {}
        self._call_extras: dict[int, JSONObject] = {}
        self._message_extra: JSONObject = {}
        self._splitter = ThoughtSplitter(THOUGHT_MARKER) if bridged.summaries else None
        self._finish_reason: object = None
        self._usage: object = None

    def _event(self, cls: type[_Event], **values: object) -> _Event:
        event = cls.model_validate({**values, "sequence_number": self._sequence})
        self._sequence += 1
        return event

    def start(self) -> list[ResponseStreamEvent]:
        snapshot = self._snapshot("in_progress", [], None, None)
        return [
            self._event(types.ResponseCreatedEvent, type="response.created", response=snapshot),
            self._event(types.ResponseInProgressEvent, type="response.in_progress", response=snapshot),
        ]

    def feed(self, chunk: object) -> list[ResponseStreamEvent]:
        events: list[ResponseStreamEvent] = []
        chunk_usage = field(chunk, "usage")
        if chunk_usage is not None:
            self._usage = chunk_usage
        for choice in field(chunk, "choices") or ():
            if (field(choice, "index") or 0) != 0:
                continue
            delta = field(choice, "delta")
            finish_reason = field(choice, "finish_reason")
            if finish_reason is not None:
                self._finish_reason = finish_reason
            if delta is None:
                continue
            extra = extra_field(delta, "extra_content")
            thought_flag = isinstance(extra, dict) and (extra.get("google") or {}).get("thought") is True
            if isinstance(extra, dict):
                self._message_extra = deep_merge(self._message_extra, extra)
            content = field(delta, "content")
            if content:
                if self._splitter is None:
                    self._text(events, "message", content)
                elif thought_flag:
                    self._text(events, "reasoning", content)
                else:
                    for kind, piece in self._splitter.feed(content):
                        self._text(events, "reasoning" if kind == "thought" else "message", piece)
            for call in field(delta, "tool_calls") or ():
                self._call(events, call)
        return events

    def finish(self) -> list[ResponseStreamEvent]:
        events: list[ResponseStreamEvent] = []
        if self._splitter is not None:
            for kind, piece in self._splitter.flush():
                self._text(events, "reasoning" if kind == "thought" else "message", piece)
        self._close(events)
        if not self._items:  # an empty answer is still one (empty) message
            self._text(events, "message", "")
            self._close(events)
        message_extra = _without_thought_flag(self._message_extra) or None
        calls = [self._chat_call(index, item) for index, item in sorted(self._calls.items())]
        carrier = carrier_for(
            message_extra, {str(c["id"]): c["extra_content"] for c in calls if "extra_content" in c}
        )
        if carrier is not None:
            item = _Item("reasoning", new_id("rs"), len(self._items), done=True)
            self._items.append(item)
            added = reasoning_item(item.id, [], carrier)
            events.append(self._added(item, added))
            events.append(self._event(types.ResponseOutputItemDoneEvent, type="response.output_item.done",
                                      output_index=item.output_index, item=added))  # fmt: skip
        state, incomplete = status(self._finish_reason)
        output = [self._final_item(item, carrier) for item in self._items]
        self.response = self._snapshot(state, output, incomplete, usage(self._usage))
        text = "".join(item.text for item in self._items if item.kind == "message")
        self.assistant = assistant_message(text, calls, message_extra)
        if state == "completed":
            events.append(
                self._event(types.ResponseCompletedEvent, type="response.completed", response=self.response)
            )
        else:
            events.append(
                self._event(types.ResponseIncompleteEvent, type="response.incomplete", response=self.response)
            )
        return events

    # -- items --------------------------------------------------------------------------------

    def _text(self, events: list[ResponseStreamEvent], kind: str, text: str) -> None:
        item = self._open
        if item is None or item.kind != kind:
            self._close(events)
            item = self._open = _Item(kind, new_id("rs" if kind == "reasoning" else "msg"), len(self._items))
            self._items.append(item)
            if kind == "reasoning":
                events.append(self._added(item, reasoning_item(item.id, [])))
                events.append(
                    self._event(types.ResponseReasoningSummaryPartAddedEvent,
                                type="response.reasoning_summary_part.added", item_id=item.id,
                                output_index=item.output_index, summary_index=0,
                                part={"type": "summary_text", "text": ""})
                )  # fmt: skip
            else:
                events.append(self._added(item, message_item(item.id, "", status="in_progress")))
                events.append(
                    self._event(types.ResponseContentPartAddedEvent, type="response.content_part.added",
                                item_id=item.id, output_index=item.output_index, content_index=0,
                                part=text_part(""))
                )  # fmt: skip
        if not text:
            return
        item.parts.append(text)
        if kind == "reasoning":
            events.append(
                self._event(types.ResponseReasoningSummaryTextDeltaEvent,
                            type="response.reasoning_summary_text.delta", item_id=item.id,
                            output_index=item.output_index, summary_index=0, delta=text)
            )  # fmt: skip
        else:
            extra: JSONObject = {"logprobs": []} if _LOGPROBS else {}
            events.append(
                self._event(types.ResponseTextDeltaEvent, type="response.output_text.delta", item_id=item.id,
                            output_index=item.output_index, content_index=0, delta=text, **extra)
            )  # fmt: skip

    def _call(self, events: list[ResponseStreamEvent], call: object) -> None:
        index = field(call, "index") or 0
        function = field(call, "function")
        extra = extra_field(call, "extra_content")
        if isinstance(extra, dict):
            self._call_extras[index] = deep_merge(self._call_extras.get(index, {}), extra)
        item = self._calls.get(index)
        if item is None:
            self._close(events)
            item = self._open = _Item(
                "function_call",
                new_id("fc"),
                len(self._items),
                call_id=field(call, "id") or new_id("call"),  # Gemini sends "" ids
                name=field(function, "name") or "",
            )
            self._items.append(item)
            self._calls[index] = item
            events.append(self._added(item, call_item(item.id, item.call_id, item.name, "", "in_progress")))
        arguments = field(function, "arguments")
        if arguments:
            item.parts.append(arguments)
            events.append(
                self._event(types.ResponseFunctionCallArgumentsDeltaEvent,
                            type="response.function_call_arguments.delta", item_id=item.id,
                            output_index=item.output_index, delta=arguments)
            )  # fmt: skip

    def _added(self, item: _Item, value: JSONObject) -> ResponseStreamEvent:
        return self._event(
            types.ResponseOutputItemAddedEvent,
            type="response.output_item.added",
            output_index=item.output_index,
            item=value,
        )

    def _close(self, events: list[ResponseStreamEvent]) -> None:
        item, self._open = self._open, None
        if item is None or item.done:
            return
        item.done = True
        where = {"item_id": item.id, "output_index": item.output_index}
        if item.kind == "reasoning":
            part = {"type": "summary_text", "text": item.text}
            events.append(self._event(types.ResponseReasoningSummaryTextDoneEvent,
                                      type="response.reasoning_summary_text.done", summary_index=0,
                                      text=item.text, **where))  # fmt: skip
            events.append(self._event(types.ResponseReasoningSummaryPartDoneEvent,
                                      type="response.reasoning_summary_part.done", summary_index=0,
                                      part=part, **where))  # fmt: skip
        elif item.kind == "message":
            extra: JSONObject = {"logprobs": []} if _LOGPROBS else {}
            events.append(self._event(types.ResponseTextDoneEvent, type="response.output_text.done",
                                      content_index=0, text=item.text, **where, **extra))  # fmt: skip
            events.append(self._event(types.ResponseContentPartDoneEvent, type="response.content_part.done",
                                      content_index=0, part=text_part(item.text), **where))  # fmt: skip
        else:
            named: JSONObject = {"name": item.name} if _DONE_NAME else {}
            events.append(self._event(types.ResponseFunctionCallArgumentsDoneEvent,
                                      type="response.function_call_arguments.done", arguments=item.text,
                                      **where, **named))  # fmt: skip
        events.append(
            self._event(
                types.ResponseOutputItemDoneEvent,
                type="response.output_item.done",
                output_index=item.output_index,
                item=self._final_item(item, None),
            )
        )

    def _final_item(self, item: _Item, carrier: str | None) -> JSONObject:
        if item.kind == "message":
            return message_item(item.id, item.text)
        if item.kind == "function_call":
            return call_item(item.id, item.call_id, item.name, item.text)
        return reasoning_item(item.id, [item.text] if item.parts else [], carrier if not item.parts else None)

    def _chat_call(self, index: int, item: _Item) -> JSONObject:
        call: JSONObject = {
            "id": item.call_id,
            "type": "function",
            "function": {"name": item.name, "arguments": item.text},
        }
        if self._call_extras.get(index):
            call["extra_content"] = self._call_extras[index]
        return call

    def _snapshot(
        self, state: str, output: list[JSONObject], incomplete: JSONObject | None, used: JSONObject | None
    ) -> types.Response:
        return build_response(
            self.bridged,
            response_id=self.response_id,
            created_at=self.created_at,
            output=output,
            status=state,
            incomplete_details=incomplete,
            usage=used,
        )


def _without_thought_flag(extra: JSONObject) -> JSONObject:
    google = extra.get("google")
    if not isinstance(google, dict) or "thought" not in google:
        return extra
    rest = {k: v for k, v in google.items() if k != "thought"}
    return {**{k: v for k, v in extra.items() if k != "google"}, **({"google": rest} if rest else {})}
