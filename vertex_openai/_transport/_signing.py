"""Signing each attempt, and the one resend after a 401.

Each attempt is signed on the options openai builds its request from (`GoogleAuth.sign`, called by
`_compat` from `_prepare_options`, as openai's own Azure client signs): openai then writes the
header into the request it builds, at no extra cost, and a token error is raised as itself before
anything is sent. What only the answer can tell runs in an `httpx.Auth` flow, httpx's public
mechanism for "resend once on 401", which openai hands to `send()` on every major (`custom_auth`,
`_custom_auth(security)`: see `_compat`). openai's retries, timeouts and streams stay openai's.

The rule, written once (the sync and async flows differ only in how they wait for a token):

- each attempt carries the token the client took for it (the source's current one, or a refresh
  waited for at most the attempt's own timeout) and, when the source has one, the quota project
  header; a caller's own `Authorization` (any spelling) never goes out beside it;
- only requests to the client's own origin carry them (redirects are off for these requests), and
  with `fallback_locations`, to the origins of those locations: the flow takes them off any other;
- a 401 marks the token the request carried rejected (read from that request, the one the flow
  itself sends: never from an error); when the source can give a better one and the body can be
  sent again (openai's JSON bodies can; a one-shot stream cannot), the request is signed anew and
  sent once more. A second 401 goes back to openai, which raises `AuthenticationError` (no token in it).
- with `fallback_locations`, each attempt's final answer goes to `_failover.Failover.answered` (a
  429's body is read first, to see `RESOURCE_EXHAUSTED`; no other body is read here).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Mapping

from openai import Omit

from .._compat import FinalRequestOptions, http, request_seconds
from .._pipeline._failover import Failover
from ._auth import TokenSource
from ._endpoint import default_port, origin

__all__ = ["GoogleAuth", "default_headers_to_sign"]

#: The headers signing writes, as it spells them, and their names in lower case (to drop other spellings).
AUTHORIZATION, QUOTA_PROJECT = "Authorization", "x-goog-user-project"
SIGNED_HEADERS = frozenset({AUTHORIZATION.lower(), QUOTA_PROJECT})
_AUTHORIZATION_ONLY = frozenset({AUTHORIZATION.lower()})
_BEARER = "Bearer "


def default_headers_to_sign(headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """A caller's `default_headers` as a client keeps them: without `Authorization` in any spelling
    (every request is signed), and `x-goog-user-project` in signing's spelling, so that the quota
    project signing writes, or the call's own header, replaces it (openai merges headers by exact name)."""
    if headers is None or SIGNED_HEADERS.isdisjoint(name.lower() for name in headers):
        return headers
    return {
        _spelled(name): value for name, value in headers.items() if name.lower() not in _AUTHORIZATION_ONLY
    }


def _spelled(name: str) -> str:
    """A header name, with `x-goog-user-project` in any spelling written as signing writes it."""
    return QUOTA_PROJECT if name.lower() == QUOTA_PROJECT else name


class GoogleAuth(http.Auth):
    """Google access tokens on every attempt to one origin, with one resend after a 401."""

    def __init__(self, source: TokenSource, base_url: str, failover: Failover | None = None) -> None:
        self._source = source
        origins = failover.origins if failover is not None else frozenset({origin(base_url)})
        # as httpx spells a request's origin: a scheme's default port is None
        self._origins = frozenset(
            (scheme, host, None if port == default_port(scheme) else port) for scheme, host, port in origins
        )
        self._failover = failover

    def sign(self, options: FinalRequestOptions, token: str) -> None:
        """Sign one attempt: its options (openai's copy for that attempt) get new headers with `token`
        and the quota project. The caller's own mapping is never changed (openai retries from it)."""
        signature = self.signature(token)
        headers = options.headers
        if headers and isinstance(headers, Mapping):  # (openai's NotGiven is falsy: no ABC check)
            replaced = SIGNED_HEADERS if QUOTA_PROJECT in signature else _AUTHORIZATION_ONLY
            signed: dict[str, str | Omit] = {
                _spelled(name): value for name, value in headers.items() if name.lower() not in replaced
            }
            signed.update(signature)
            options.headers = signed
        else:
            options.headers = signature

    def signature(self, token: str) -> dict[str, str]:
        """The headers that sign a request with `token`."""
        quota_project = self._source.quota_project
        if quota_project:
            return {AUTHORIZATION: _BEARER + token, QUOTA_PROJECT: quota_project}
        return {AUTHORIZATION: _BEARER + token}

    def sync_auth_flow(self, request: http.Request) -> Generator[http.Request, http.Response, None]:
        response = yield self._checked(request)
        if response.status_code == 401 and self._resend(request):
            response = yield self._signed(request, self._source.token(request_seconds(request)))
        if self._failover is not None:
            if response.status_code == 429:
                response.read()  # a quota error's short body (also on a stream: never its events)
            self._failover.answered(response)

    async def async_auth_flow(self, request: http.Request) -> AsyncGenerator[http.Request, http.Response]:
        response = yield self._checked(request)
        if response.status_code == 401 and self._resend(request):
            response = yield self._signed(request, await self._source.atoken(request_seconds(request)))
        if self._failover is not None:
            if response.status_code == 429:
                await response.aread()
            self._failover.answered(response)

    def _checked(self, request: http.Request) -> http.Request:
        url = request.url
        if (url.scheme, url.host, url.port) not in self._origins:
            # never reached through the client (it refuses other origins): never sent signed
            for name in SIGNED_HEADERS:
                request.headers.pop(name, None)
        return request

    def _signed(self, request: http.Request, token: str) -> http.Request:
        request.headers.update(self.signature(token))
        return request

    def _resend(self, request: http.Request) -> bool:
        """After a 401: mark the token `request` carried rejected; whether to sign it anew and resend."""
        sent = request.headers.get(AUTHORIZATION, "")
        if not sent.startswith(_BEARER):
            return False  # not signed by this client: nothing of ours was rejected
        return self._source.reject(sent[len(_BEARER) :]) and isinstance(request.stream, http.ByteStream)

    def __repr__(self) -> str:
        return f"<GoogleAuth {self._source.describe()}>"
