"""Signing each attempt, and the one resend after a 401: an `httpx.Auth` flow.

httpx's `Auth` is the public mechanism for "sign each request, refresh and resend once on 401";
openai hands a client's auth to `send()` on every major (`custom_auth`, `_custom_auth(security)`:
see `_compat`). So signing sits below openai's request loop, not inside it: openai's retries,
timeouts and streams stay openai's, and the token each attempt carried is known here, where it is
put on the request (never read back from an error).

The rule, written once (the sync and async flows differ only in how they wait for a token):

- each attempt is signed with the token the client took for it just before openai sent it
  (`_compat.ATTEMPT_TOKEN`; waiting at most the attempt's own connect + read timeout for a refresh),
  or the source's current one, and, when the source has one, the quota project header;
- only requests to the client's own origin are signed (redirects are off for these requests), and
  with `fallback_locations`, to the origins of those locations;
- a 401 marks that token rejected; when the source can give a better one and the body can be sent
  again (openai's JSON bodies can; a one-shot stream cannot), the request is signed anew and sent
  once more. A second 401 goes back to openai, which raises `AuthenticationError` (no token in it).
- with `fallback_locations`, each attempt's final answer goes to `_failover.Failover.answered` (a
  429's body is read first, to see `RESOURCE_EXHAUSTED`; no other body is read here).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

from .._compat import ATTEMPT_TOKEN, http, request_seconds
from .._pipeline._failover import Failover
from ._auth import TokenSource
from ._endpoint import default_port, origin

__all__ = ["GoogleAuth"]


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

    def sync_auth_flow(self, request: http.Request) -> Generator[http.Request, http.Response, None]:
        token = request.extensions.pop(ATTEMPT_TOKEN, None) or self._source.token(request_seconds(request))
        response = yield self._signed(request, token)
        if response.status_code == 401 and self._resend(request, token):
            response = yield self._signed(request, self._source.token(request_seconds(request)))
        if self._failover is not None:
            if response.status_code == 429:
                response.read()  # a quota error's short body (also on a stream: never its events)
            self._failover.answered(response)

    async def async_auth_flow(self, request: http.Request) -> AsyncGenerator[http.Request, http.Response]:
        token = request.extensions.pop(ATTEMPT_TOKEN, None) or await self._source.atoken(
            request_seconds(request)
        )
        response = yield self._signed(request, token)
        if response.status_code == 401 and self._resend(request, token):
            response = yield self._signed(request, await self._source.atoken(request_seconds(request)))
        if self._failover is not None:
            if response.status_code == 429:
                await response.aread()
            self._failover.answered(response)

    def _signed(self, request: http.Request, token: str) -> http.Request:
        url = request.url
        if (url.scheme, url.host, url.port) not in self._origins:
            return request  # never reached through the client (it refuses other origins); never signed
        request.headers["Authorization"] = f"Bearer {token}"
        quota_project = self._source.quota_project
        if quota_project:
            request.headers["x-goog-user-project"] = quota_project
        return request

    def _resend(self, request: http.Request, token: str) -> bool:
        """After a 401 to `token`: whether to sign `request` anew and send it once more."""
        return self._source.reject(token) and isinstance(request.stream, http.ByteStream)

    def __repr__(self) -> str:
        return f"<GoogleAuth {self._source.describe()}>"
