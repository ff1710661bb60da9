"""`client.responses` for Vertex: openai's `Responses` / `AsyncResponses`, bridged to chat completions.

`create`, `parse`, `retrieve`, `delete` and `cancel` are overridden; openai's own `stream()` calls
`create(stream=True)` and so streams bridged events unchanged. Models that Vertex serves on
`/responses` itself go to openai's implementation untouched. Translation is shared and pure
(`_request`, `_response`, `_events`); the sync and async classes differ only in awaiting.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING

import openai
import pydantic
from openai.resources.responses import AsyncResponses as _OpenAIAsyncResponses
from openai.resources.responses import Responses as _OpenAIResponses
from openai.types.responses import ParsedResponse, Response, ResponseStreamEvent

from ..._compat import json_chunks
from ..._pipeline._maas import ModelTable
from ..._pipeline._model import ModelResolver
from ..._util import JSONObject, OpenAIKwargs, typed_as
from ._common import given
from ._events import EventTranslator
from ._raw import AsyncRawView, RawView
from ._request import Bridged, UnsupportedParameterError, to_chat
from ._response import to_response
from ._store import ConversationStore, StoredResponse

if TYPE_CHECKING:
    from ..._context import ClientContext

__all__ = ["AsyncResponses", "Responses", "UnknownResponseError", "served_on_responses"]


def served_on_responses(model: object) -> bool:
    """Whether Vertex serves `model` on its own `/responses` route (no bridging then): xAI's Grok
    models (Google Cloud docs, "xAI Grok models"). A client also applies its `model_aliases` first."""
    return isinstance(model, str) and _DEFAULT_RULE(model).served_on_responses


_DEFAULT_RULE = ModelResolver({}, ModelTable(), openapi_route=True)


class UnknownResponseError(openai.OpenAIError, LookupError):
    """A response id this client does not hold (never stored, `store=False`, evicted or deleted)."""

    def __init__(self, parameter: str, response_id: str) -> None:
        super().__init__(
            f"{parameter}={response_id!r} is not known to this client: bridged responses are kept in "
            "this process only, with store=True (the default), and the oldest are evicted."
        )
        self.response_id = response_id


class _Bridge:
    """What the sync and async resources share: translation in and out, and the store."""

    def __init__(self, context: ClientContext) -> None:
        self.context = context

    @property
    def store(self) -> ConversationStore:
        return self.context.responses_store

    def bridged(self, model: object) -> bool:
        """Whether a call for `model` is bridged to chat (the client's model rule, aliases first)."""
        return not (isinstance(model, str) and self.context.resolve(model).served_on_responses)

    def prepare(self, params: OpenAIKwargs) -> Bridged:
        history: tuple[JSONObject, ...] = ()
        previous = params.get("previous_response_id")
        if previous is not None:
            record = self.store.get(previous)
            if record is None:
                raise UnknownResponseError("previous_response_id", previous)
            history = record.messages
        return to_chat(params, history)

    def remember(self, bridged: Bridged, response: Response | None, assistant: JSONObject | None) -> None:
        if response is None or assistant is None or bridged.echo["store"] is False:
            return
        self.store.put(response.id, StoredResponse(response, (*bridged.history, assistant)))

    def retrieve(self, response_id: str, stream: object) -> Response:
        if given(stream) and stream:
            raise UnsupportedParameterError(
                "stream", "a bridged response is complete once created; replay it yourself"
            )
        record = self.store.get(response_id)
        if record is None:
            raise UnknownResponseError("response_id", response_id)
        return record.response

    def delete(self, response_id: str) -> None:
        if not self.store.delete(response_id):
            raise UnknownResponseError("response_id", response_id)


def _given(kwargs: JSONObject) -> OpenAIKwargs:
    return {name: value for name, value in kwargs.items() if given(value)}


def _format_param(text_format: type[pydantic.BaseModel]) -> JSONObject:
    """`text.format` for `parse(text_format=...)`: openai's strict schema of the type."""
    function = openai.pydantic_function_tool(text_format)["function"]
    return {
        "type": "json_schema",
        "name": function["name"],
        "schema": function.get("parameters"),
        "strict": True,
    }


def _parse_params(kwargs: JSONObject) -> tuple[OpenAIKwargs, type[pydantic.BaseModel] | None]:
    params = _given(kwargs)
    text_format = params.pop("text_format", None)
    parse_as = params.pop("parse_as", None)
    if text_format is not None:
        text = dict(params.get("text") or {})
        if "format" in text:
            raise TypeError("Cannot mix and match text.format with text_format")
        text["format"] = _format_param(text_format)
        params["text"] = text
    return params, parse_as or text_format


def _parsed(response: object, text_format: type[pydantic.BaseModel] | None) -> pydantic.BaseModel:
    """openai's `ParsedResponse[text_format]` of a bridged response (its text parsed as JSON)."""
    if not isinstance(response, Response):  # parse() never streams: create() answered a Response
        raise TypeError(f"expected a Response to parse, got {type(response).__name__}")
    data = response.to_dict()
    for item in _objects(data.get("output")):
        if item.get("type") == "message":
            for part in _objects(item.get("content")):
                if part.get("type") == "output_text":
                    text = part.get("text")
                    part["parsed"] = json.loads(str(text)) if text_format is not None else None
        elif item.get("type") == "function_call":
            item["parsed_arguments"] = None
    model = ParsedResponse.__class_getitem__(text_format or object)  # ParsedResponse[text_format]
    if not isinstance(model, type):  # pydantic answers a forward reference only for recursive models
        raise TypeError(f"cannot parse into {text_format!r}")
    return model.model_validate(data)


def _objects(value: object) -> list[JSONObject]:
    """The JSON objects of a list (a response's `output`, an item's `content`)."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


class BridgedStream(openai.Stream[ResponseStreamEvent]):
    """`create(stream=True)`: Responses events, translated from the client's chat stream."""

    def __init__(
        self,
        chat: openai.Stream[object],
        translator: EventTranslator,
        done: Callable[[EventTranslator], None],
    ) -> None:
        self.response = chat.response
        self._chat = chat
        self._events = self._translate(chat, translator, done)

    @staticmethod
    def _translate(
        chat: openai.Stream[object],
        translator: EventTranslator,
        done: Callable[[EventTranslator], None],
    ) -> Iterator[ResponseStreamEvent]:
        yield from translator.start()
        for chunk in chat:
            yield from translator.feed(chunk)
        yield from translator.finish()
        done(translator)

    def __next__(self) -> ResponseStreamEvent:
        return next(self._events)

    def __iter__(self) -> Iterator[ResponseStreamEvent]:
        yield from self._events

    def __enter__(self) -> BridgedStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._chat.close()


class AsyncBridgedStream(openai.AsyncStream[ResponseStreamEvent]):
    """`create(stream=True)` on the async client."""

    def __init__(
        self,
        chat: openai.AsyncStream[object],
        translator: EventTranslator,
        done: Callable[[EventTranslator], None],
    ) -> None:
        self.response = chat.response
        self._chat = chat
        self._events = self._translate(chat, translator, done)

    @staticmethod
    async def _translate(
        chat: openai.AsyncStream[object],
        translator: EventTranslator,
        done: Callable[[EventTranslator], None],
    ) -> AsyncIterator[ResponseStreamEvent]:
        for event in translator.start():
            yield event
        async for chunk in chat:
            for event in translator.feed(chunk):
                yield event
        for event in translator.finish():
            yield event
        done(translator)

    async def __anext__(self) -> ResponseStreamEvent:
        return await self._events.__anext__()

    async def __aiter__(self) -> AsyncIterator[ResponseStreamEvent]:
        async for event in self._events:
            yield event

    async def __aenter__(self) -> AsyncBridgedStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._chat.close()


class Responses(_OpenAIResponses):
    """openai's `Responses`, answered by Gemini through chat completions (see the module docstring)."""

    def __init__(self, client: openai.OpenAI, context: ClientContext) -> None:
        super().__init__(client)
        self._bridge = _Bridge(context)
        self._chat = client.chat.completions

    @property
    def store(self) -> ConversationStore:
        """Where `store=True` responses are kept (shared with the client's copies); assignable."""
        return self._bridge.store

    @store.setter
    def store(self, store: ConversationStore) -> None:
        self._bridge.context.use_responses_store(store)

    def _create(self, kwargs: OpenAIKwargs) -> object:
        params = _given(kwargs)
        if not self._bridge.bridged(params.get("model")):
            return super().create(**kwargs)
        bridged = self._bridge.prepare(params)
        if params.get("stream"):
            chat = json_chunks(self._chat.create(**bridged.chat, stream=True))
            return BridgedStream(chat, EventTranslator(bridged), self._remember_stream)
        response, assistant = to_response(self._chat.create(**bridged.chat), bridged)
        self._bridge.remember(bridged, response, assistant)
        return response

    def _remember_stream(self, translator: EventTranslator) -> None:
        self._bridge.remember(translator.bridged, translator.response, translator.assistant)

    # openai's own signatures differ by major: each override keeps the base method's type
    # (`typed_as`) and takes its keywords as given, whatever the installed openai names.
    def _create_call(self, **kwargs: object) -> object:
        return self._create(kwargs)

    def _parse_call(self, **kwargs: object) -> object:
        params, text_format = _parse_params(kwargs)
        if params.get("stream"):
            raise UnsupportedParameterError("stream", "use responses.stream(text_format=...)")
        return _parsed(self._create(params), text_format)

    def _retrieve_call(self, response_id: str, *, stream: object = None, **kwargs: object) -> Response:
        return self._bridge.retrieve(response_id, stream)

    def _delete_call(self, response_id: str, **kwargs: object) -> None:
        self._bridge.delete(response_id)

    def _cancel_call(self, response_id: str, **kwargs: object) -> Response:
        raise UnsupportedParameterError("cancel", "bridged responses are never background jobs")

    def _raw_view(self) -> RawView:
        return RawView(self, streaming=False, bridged=self._bridge.bridged)

    def _streaming_view(self) -> RawView:
        return RawView(self, streaming=True, bridged=self._bridge.bridged)

    create = typed_as(_OpenAIResponses.create, _create_call)
    parse = typed_as(_OpenAIResponses.parse, _parse_call)
    retrieve = typed_as(_OpenAIResponses.retrieve, _retrieve_call)
    delete = typed_as(_OpenAIResponses.delete, _delete_call)
    cancel = typed_as(_OpenAIResponses.cancel, _cancel_call)
    with_raw_response = typed_as(_OpenAIResponses.with_raw_response, property(_raw_view))
    with_streaming_response = typed_as(_OpenAIResponses.with_streaming_response, property(_streaming_view))


class AsyncResponses(_OpenAIAsyncResponses):
    """openai's `AsyncResponses`, answered by Gemini through chat completions."""

    def __init__(self, client: openai.AsyncOpenAI, context: ClientContext) -> None:
        super().__init__(client)
        self._bridge = _Bridge(context)
        self._chat = client.chat.completions

    @property
    def store(self) -> ConversationStore:
        """Where `store=True` responses are kept (shared with the client's copies); assignable."""
        return self._bridge.store

    @store.setter
    def store(self, store: ConversationStore) -> None:
        self._bridge.context.use_responses_store(store)

    async def _create(self, kwargs: OpenAIKwargs) -> object:
        params = _given(kwargs)
        if not self._bridge.bridged(params.get("model")):
            return await super().create(**kwargs)
        bridged = self._bridge.prepare(params)
        if params.get("stream"):
            stream = await self._chat.create(**bridged.chat, stream=True)
            chat = json_chunks(stream)
            return AsyncBridgedStream(chat, EventTranslator(bridged), self._remember_stream)
        response, assistant = to_response(await self._chat.create(**bridged.chat), bridged)
        self._bridge.remember(bridged, response, assistant)
        return response

    def _remember_stream(self, translator: EventTranslator) -> None:
        self._bridge.remember(translator.bridged, translator.response, translator.assistant)

    async def _create_call(self, **kwargs: object) -> object:
        return await self._create(kwargs)

    async def _parse_call(self, **kwargs: object) -> object:
        params, text_format = _parse_params(kwargs)
        if params.get("stream"):
            raise UnsupportedParameterError("stream", "use responses.stream(text_format=...)")
        return _parsed(await self._create(params), text_format)

    async def _retrieve_call(self, response_id: str, *, stream: object = None, **kwargs: object) -> Response:
        return self._bridge.retrieve(response_id, stream)

    async def _delete_call(self, response_id: str, **kwargs: object) -> None:
        self._bridge.delete(response_id)

    async def _cancel_call(self, response_id: str, **kwargs: object) -> Response:
        raise UnsupportedParameterError("cancel", "bridged responses are never background jobs")

    def _raw_view(self) -> AsyncRawView:
        return AsyncRawView(self, streaming=False, bridged=self._bridge.bridged)

    def _streaming_view(self) -> AsyncRawView:
        return AsyncRawView(self, streaming=True, bridged=self._bridge.bridged)

    create = typed_as(_OpenAIAsyncResponses.create, _create_call)
    parse = typed_as(_OpenAIAsyncResponses.parse, _parse_call)
    retrieve = typed_as(_OpenAIAsyncResponses.retrieve, _retrieve_call)
    delete = typed_as(_OpenAIAsyncResponses.delete, _delete_call)
    cancel = typed_as(_OpenAIAsyncResponses.cancel, _cancel_call)
    with_raw_response = typed_as(_OpenAIAsyncResponses.with_raw_response, property(_raw_view))
    with_streaming_response = typed_as(
        _OpenAIAsyncResponses.with_streaming_response, property(_streaming_view)
    )
