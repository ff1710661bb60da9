"""`responses.with_raw_response` and `.with_streaming_response` for bridged calls.

openai's wrappers expect `create()` to hand back an HTTP response to parse; a bridged call has
already parsed (and translated) one. These views give the same surface (`parse()`, `headers`,
`http_response`, `request_id`, context managers) around the bridged result. Calls for models that
Vertex serves on `/responses` itself go to openai's own wrappers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from openai.resources.responses import (
    AsyncResponsesWithRawResponse,
    AsyncResponsesWithStreamingResponse,
    ResponsesWithRawResponse,
    ResponsesWithStreamingResponse,
)

from ..._compat import http

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses

__all__ = ["AsyncRawView", "RawView"]


class _BridgedResult:
    """A bridged result seen as openai's `APIResponse` (what both kinds share)."""

    def __init__(self, result: object) -> None:
        self._result = result
        response = getattr(result, "response", None)  # a stream's chat HTTP response
        self.http_response = response if isinstance(response, http.Response) else None

    @property
    def headers(self) -> Mapping[str, str]:
        return self.http_response.headers if self.http_response is not None else {}

    @property
    def status_code(self) -> int:
        return int(self.http_response.status_code) if self.http_response is not None else 200

    @property
    def request_id(self) -> str | None:
        value = self.headers.get("x-request-id")
        return value if isinstance(value, str) else None


class BridgedRawResponse(_BridgedResult):
    """A bridged result seen as openai's `APIResponse`: `parse()` returns it."""

    def parse(self) -> object:  # the bridged call's own result type
        return self._result

    def close(self) -> None:
        close = getattr(self._result, "close", None)
        if callable(close):
            close()


class AsyncBridgedRawResponse(_BridgedResult):
    """Likewise for the async client (`await parse()`)."""

    async def parse(self) -> object:  # openai's async response awaits parse()
        return self._result

    async def close(self) -> None:
        close = getattr(self._result, "close", None)
        if callable(close):
            await close()


class _Streaming:
    """`with_streaming_response`'s context manager: `with` for the sync client, `async with` for async."""

    def __init__(
        self, call: Callable[[], object], wrap: type[BridgedRawResponse | AsyncBridgedRawResponse]
    ) -> None:
        self._call = call
        self._wrap = wrap
        self._raw: BridgedRawResponse | AsyncBridgedRawResponse | None = None

    def __enter__(self) -> BridgedRawResponse | AsyncBridgedRawResponse:
        self._raw = self._wrap(self._call())
        return self._raw

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(self._raw, BridgedRawResponse):
            self._raw.close()

    async def __aenter__(self) -> BridgedRawResponse | AsyncBridgedRawResponse:
        pending = self._call()
        assert inspect.isawaitable(pending)  # an AsyncResponses method
        self._raw = self._wrap(await pending)
        return self._raw

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(self._raw, AsyncBridgedRawResponse):
            await self._raw.close()


class _View:
    _BRIDGED = ("create", "parse", "retrieve", "delete", "cancel")
    _raw_kind: type[BridgedRawResponse] | type[AsyncBridgedRawResponse]

    def __init__(self, resource: object, *, streaming: bool, bridged: Callable[[object], bool]) -> None:
        self._resource = resource
        self._streaming = streaming
        self._bridged = bridged
        self._openai: object = None  # openai's own view, for what is not bridged (set by the subclass)

    def __getattr__(self, name: str) -> object:
        if name not in self._BRIDGED:
            return getattr(self._openai, name)
        method = getattr(self._resource, name)

        def call(*args: object, **kwargs: object) -> object:
            if name in ("create", "parse") and not self._bridged(kwargs.get("model")):
                return getattr(self._openai, name)(*args, **kwargs)
            if self._streaming:
                return _Streaming(lambda: method(*args, **kwargs), self._raw_kind)
            return self._raw(method, args, kwargs)

        return call

    def _raw(
        self, method: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> object:
        """The raw response of a bridged call (sync: at once; async: an awaitable)."""
        raise NotImplementedError


class RawView(_View):
    """`with_raw_response` (streaming=False) or `with_streaming_response` of a sync `Responses`."""

    _raw_kind = BridgedRawResponse

    def __init__(self, resource: Responses, *, streaming: bool, bridged: Callable[[object], bool]) -> None:
        super().__init__(resource, streaming=streaming, bridged=bridged)
        self._openai = (ResponsesWithStreamingResponse if streaming else ResponsesWithRawResponse)(resource)

    def _raw(
        self, method: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> object:
        return BridgedRawResponse(method(*args, **kwargs))


class AsyncRawView(_View):
    """Likewise for `AsyncResponses`."""

    _raw_kind = AsyncBridgedRawResponse

    def __init__(
        self, resource: AsyncResponses, *, streaming: bool, bridged: Callable[[object], bool]
    ) -> None:
        super().__init__(resource, streaming=streaming, bridged=bridged)
        self._openai = (AsyncResponsesWithStreamingResponse if streaming else AsyncResponsesWithRawResponse)(
            resource
        )

    def _raw(
        self, method: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> object:
        async def raw() -> AsyncBridgedRawResponse:
            pending = method(*args, **kwargs)
            assert inspect.isawaitable(pending)  # an AsyncResponses method
            return AsyncBridgedRawResponse(await pending)

        return raw()
