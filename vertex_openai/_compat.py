"""The seam to openai: the only module that imports or touches openai's private names.

Each attempt is signed on the options openai builds its request from (`_prepare_options`, as
openai's own Azure client signs) and the 401 resend runs in an `httpx.Auth` flow, httpx's public
mechanism for it, which openai hands to `send()` on every major (both in `_signing.GoogleAuth`).
What has no public extension point in openai (shape and sign each attempt, repair streams, read
error bodies) overrides openai's private hooks here, typed against openai's own classes with
`@override`, each handed to a named method of a `Vertex` object (`_client._Vertex`). A rename in
openai breaks this module, its type check and `tests/test_compat.py` (which CI runs on a sample of
openai releases), not a stream at run time.

openai names used, and why no public surface serves (checked on 1.83.0, 1.109.1, 2.54.0, 3.54.0,
3.60.0, 3.63.0 and the contract sample in `.ci/openai-contract`):

- `custom_auth` (property; every major) and `_custom_auth(security)` (2.x/3.x sync request loop):
  where openai takes the `httpx.Auth` it passes to `send()`; openai has no public auth option.
- `_prepare_options`: the request shaping (model names, Gemini options, signatures, tiers) and the
  attempt's token, on the options openai builds each attempt from: a body rewrite in the auth flow
  would parse JSON twice, a header written there costs httpx a scan of every header, and a token
  taken there is raised as itself (openai 1.x wraps whatever `send()` raises in `APIConnectionError`).
  `_client.follow_redirects` (httpx's own attribute) is read there too: an attempt is told not to follow
  redirects only when the HTTP client would (the one openai makes for a client is set not to).
- `FinalRequestOptions.headers`: each attempt's own copy is given new headers that carry its token
  (`_signing.GoogleAuth.sign`); where openai logs options at DEBUG (older releases), its
  `SensitiveHeadersFilter` on that logger redacts `Authorization` (tests/test_security.py checks).
- `_make_sse_decoder`, `_make_status_error`, `_process_response_data`: stream repair, Vertex error
  shaping, response repair (thought signatures, minted ids) before openai builds its models.
- `FinalRequestOptions.idempotency_key`: openai sets it once per call (not for a GET), before its
  retry loop, and each attempt's options are a copy carrying it: failover (`_failover`) tells a
  retry from a new call by it.
- `BaseClient`, `FinalRequestOptions`, `ServerSentEvent`, `SSEDecoder`/`SSEBytesDecoder`,
  `_custom_headers`, `_custom_query`, `_client`, `_strict_response_validation`, `Stream._cast_to`,
  `__pydantic_extra__`, `RAW_RESPONSE_HEADER`: read or built for `copy()`, the decoder and the bridge.

Removed in 0.2: `request` (the whole request loop, overridden for the 401 retry, which read the sent
token back from the error: openai 3.60 stopped keeping it there), then `_prepare_request` (the token
is taken in `_prepare_options`). Supported: openai 1.83 to 3.x.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar, overload

import openai
from openai import AsyncStream, Stream
from openai._base_client import BaseClient
from openai._models import FinalRequestOptions
from openai._streaming import ServerSentEvent, SSEBytesDecoder, SSEDecoder
from typing_extensions import override

OPENAI_MAJOR = int(openai.__version__.split(".", 1)[0])

if TYPE_CHECKING or OPENAI_MAJOR >= 3:
    import httpx2 as http  # openai 3 talks through httpx2; 1.x and 2.x through httpx
else:  # pragma: no cover - depends on the installed openai
    import httpx as http

__all__ = [
    "OPENAI_MAJOR",
    "AsyncHooks",
    "BaseClient",
    "Decoder",
    "FinalRequestOptions",
    "SSEBytesDecoder",
    "SSEDecoder",
    "ServerSentEvent",
    "SyncHooks",
    "Vertex",
    "custom_headers",
    "custom_query",
    "extra_fields",
    "http",
    "http_client",
    "json_chunks",
    "seconds",
    "without_openai_identity",
]

Decoder: TypeAlias = SSEDecoder | SSEBytesDecoder
_HttpxClientT = TypeVar("_HttpxClientT", bound=http.Client | http.AsyncClient)
_DefaultStreamT = TypeVar("_DefaultStreamT", bound=Stream[object] | AsyncStream[object])
_ResponseT = TypeVar("_ResponseT")
AnyClient: TypeAlias = "BaseClient[Any, Any]"  # a client of either kind
_OPENAI_IDENTITY = ("openai-organization", "openai-project")  # compared in lower case
_OPENAI_ORGANIZATION, _OPENAI_PROJECT = "OpenAI-Organization", "OpenAI-Project"  # as openai writes them


class Vertex(Protocol):
    """What a client does at each of openai's hooks (implemented by `_client._Vertex`)."""

    def prepare(self, options: FinalRequestOptions, follows_redirects: bool) -> FinalRequestOptions:
        """Check and shape one attempt's options (a copy openai made for that attempt); the client's
        HTTP client follows redirects when `follows_redirects` (the attempt must then say not to)."""

    def current_token(self) -> str | None:
        """A token to send now without waiting, or None (then `token()` is asked with a timeout)."""

    def token(self, timeout: float | None) -> str:
        """The bearer token for an attempt; waits at most `timeout` seconds for a refresh."""

    async def atoken(self, timeout: float | None) -> str:
        """The same, without blocking the event loop."""

    def sign(self, options: FinalRequestOptions, token: str) -> None:
        """Sign one attempt's options (a copy openai made for that attempt) with `token`."""

    @property
    def auth(self) -> http.Auth:
        """The httpx auth flow that resends once after a 401 (and keeps tokens to the origin)."""

    def decoder(self, decoder: Decoder) -> Decoder:
        """The SSE decoder for one stream (openai's, wrapped)."""

    def status_error(
        self, make: _MakeError, err_msg: str, body: object, response: http.Response
    ) -> openai.APIStatusError:
        """openai's status error for a Vertex error response (built with `make`)."""

    def received(self, data: object) -> object:
        """A JSON response body, before openai builds its model from it."""

    def close(self) -> None:
        """Release what the client holds besides openai's HTTP client."""


class _MakeError(Protocol):
    def __call__(self, err_msg: str, *, body: object, response: http.Response) -> openai.APIStatusError: ...


class _Hooks(BaseClient[_HttpxClientT, _DefaultStreamT]):
    """The hooks the sync and async clients share."""

    _hooks: Vertex  # what this client does at each hook (set by the client class when it is made)

    @property
    @override
    def default_headers(self) -> dict[str, str | openai.Omit]:
        # openai sends its `organization` / `project` as OpenAI-* headers; `project` here is Google's.
        # (A caller's own spellings were dropped once, at construction: `without_openai_identity`.)
        headers = super().default_headers
        headers.pop(_OPENAI_ORGANIZATION, None)  # (popped, not set to Omit: less for openai to merge)
        headers.pop(_OPENAI_PROJECT, None)
        return headers

    @property
    @override
    def custom_auth(self) -> http.Auth | None:
        # openai passes this to httpx's send() on every attempt (every major; the async loop reads it)
        return self._hooks.auth

    @override
    def _custom_auth(self, security: object) -> http.Auth | None:
        # openai >= 2.x: the sync loop asks this per request, with the operation's security options
        return self._hooks.auth

    @override
    def _make_sse_decoder(self) -> Decoder:
        return self._hooks.decoder(super()._make_sse_decoder())

    @override
    def _make_status_error(
        self, err_msg: str, *, body: object, response: http.Response
    ) -> openai.APIStatusError:
        return self._hooks.status_error(super()._make_status_error, err_msg, body, response)

    @override
    def _process_response_data(
        self, *, data: object, cast_to: type[_ResponseT], response: http.Response
    ) -> _ResponseT:
        return super()._process_response_data(
            data=self._hooks.received(data), cast_to=cast_to, response=response
        )


class SyncHooks(_Hooks[http.Client, Stream[object]], openai.OpenAI):
    """`openai.OpenAI` with its private hooks handed to `self._hooks`."""

    @override
    def _prepare_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        hooks = self._hooks
        options = hooks.prepare(options, self._client.follow_redirects)
        # The attempt's token before openai builds the request (a cold burst then leaves the
        # interpreter to the one token fetch); the timeout is worked out only when there is a wait.
        hooks.sign(options, hooks.current_token() or hooks.token(seconds(options.timeout, self.timeout)))
        return super()._prepare_options(options)

    @override
    def close(self) -> None:
        super().close()
        self._hooks.close()


class AsyncHooks(_Hooks[http.AsyncClient, AsyncStream[object]], openai.AsyncOpenAI):
    """`openai.AsyncOpenAI` with its private hooks handed to `self._hooks`; nothing blocks the loop."""

    @override
    async def _prepare_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        hooks = self._hooks
        options = hooks.prepare(options, self._client.follow_redirects)
        token = hooks.current_token() or await hooks.atoken(seconds(options.timeout, self.timeout))
        hooks.sign(options, token)
        return await super()._prepare_options(options)

    @override
    async def close(self) -> None:
        await super().close()
        self._hooks.close()


# --- openai's private attributes, read in one place ---
def custom_headers(client: AnyClient) -> Mapping[str, str]:
    """The caller's own `default_headers` of a client (without openai's)."""
    return client._custom_headers


def custom_query(client: AnyClient) -> Mapping[str, object]:
    """The caller's own `default_query` of a client."""
    return client._custom_query


def http_client(client: AnyClient) -> http.Client | http.AsyncClient:
    """The httpx client a client sends with (shared by its copies, as openai does)."""
    sender: http.Client | http.AsyncClient = client._client
    return sender


def strict_response_validation(client: AnyClient) -> bool:
    """Whether a client validates response bodies strictly (openai's private flag, kept by copies)."""
    return client._strict_response_validation


def extra_fields(model: object) -> Mapping[str, object]:
    """Fields a server sent that openai's pydantic model does not declare (e.g. `extra_content`)."""
    extra = getattr(model, "__pydantic_extra__", None)
    return extra if isinstance(extra, Mapping) else {}


def without_openai_identity(headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """A caller's `default_headers` without OpenAI's organization / project headers, in any spelling."""
    if headers is None or not any(name.lower() in _OPENAI_IDENTITY for name in headers):
        return headers
    return {name: value for name, value in headers.items() if name.lower() not in _OPENAI_IDENTITY}


@overload
def json_chunks(stream: Stream[Any]) -> Stream[object]: ...
@overload
def json_chunks(stream: AsyncStream[Any]) -> AsyncStream[object]: ...
def json_chunks(stream: Stream[Any] | AsyncStream[Any]) -> Stream[object] | AsyncStream[object]:
    """Make `stream`, not read yet, yield each chunk as its JSON dict (repaired by the client's
    `received` hook) instead of openai's model: openai returns the data as is for `cast_to=object`,
    and its streams read `_cast_to` when the first chunk is asked for. For a reader of fields only
    (the Responses bridge), building each ChatCompletionChunk is most of a chunk's cost. An openai
    that ignored this would still yield models, which such a reader handles too."""
    stream._cast_to = object
    return stream


def seconds(timeout: object, fallback: object = None) -> float | None:
    """How long one attempt may take, from an openai/httpx timeout (connect + read), or None."""
    if isinstance(timeout, openai.NotGiven) or timeout is None:
        timeout = fallback
    if isinstance(timeout, (int, float)):
        return float(timeout)
    if isinstance(timeout, http.Timeout):
        return _sum(timeout.connect, timeout.read)
    return None


def request_seconds(request: http.Request) -> float | None:
    """How long an attempt may take, from the timeout httpx stored on its request."""
    timeout = request.extensions.get("timeout")
    if isinstance(timeout, Mapping):
        return _sum(timeout.get("connect"), timeout.get("read"))
    return None


def _sum(connect: object, read: object) -> float | None:
    if not isinstance(connect, (int, float)) or not isinstance(read, (int, float)):
        return None  # no limit on one of them: the attempt is unbounded
    return float(connect) + float(read)


def raw_response_requested(headers: Mapping[str, object] | None) -> bool:
    """Whether a call's extra headers carry openai's with_raw_response / with_streaming_response mark."""
    from openai._constants import RAW_RESPONSE_HEADER

    return any(name.lower() == RAW_RESPONSE_HEADER.lower() for name in headers or {})
