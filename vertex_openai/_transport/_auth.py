"""Token sources: where access tokens come from, and when they are refreshed.

One set of rules serves the sync and the async client:

- FRESH token: used at once. No lock is taken.
- STALE token: used at once, while exactly one refresh runs in the background. A token turns STALE
  at the later of google-auth's threshold (a few minutes before expiry) and half its lifetime, so a
  token that lives shorter than that threshold is not refreshed on every request.
- INVALID (no token yet, expired, or just rejected with a 401): every caller waits for the one
  refresh in flight, at most as long as its request's timeout; 16 threads or tasks cause one token
  request.

Refreshes (and Application Default Credentials discovery) run on the worker of `_refresh`, so the
async client waits for them without blocking its event loop, and a forked child starts clean. Every
token that enters the cache is checked first; a malformed one is an error and is not kept.
"""

from __future__ import annotations

import abc
import datetime
import inspect
import logging
import math
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeGuard
from urllib.parse import urlsplit

from .._errors import CredentialsNotFoundError, TokenRefreshError, redact
from ._endpoint import ProjectSource
from ._refresh import RefreshTimeout, RefreshWorker, wait, wait_async

if TYPE_CHECKING:
    import google.auth.transport.requests
    from google.auth.credentials import Credentials, TokenState

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
log = logging.getLogger("vertex_openai")
_UTC = datetime.timezone.utc
_now = datetime.datetime.now
_time = time.time  # the same clock as `_now`, as a float: the per-attempt check
_NEVER = datetime.datetime.max.replace(tzinfo=_UTC)
#: The longest a token request may take when nobody gave a timeout (google-auth's own is 120 s).
DEFAULT_REFRESH_TIMEOUT = 60.0

SyncTokenProvider = Callable[[], str]
AsyncTokenProvider = Callable[[], str | Awaitable[str]]


class TokenSource(abc.ABC):
    """Gives the bearer token for each attempt of each request."""

    _quota_project: str | None = None

    @property
    def quota_project(self) -> str | None:
        """The project billed for quota (sent as `x-goog-user-project`), if any."""
        return self._quota_project

    def current(self) -> str | None:
        """A token to send now without waiting or refreshing anything, or None: then `token()` is
        asked (with the attempt's timeout). The per-attempt fast path; the default has none."""
        return None

    def cold(self) -> bool:
        """Whether there is no token yet, so that `ready()` would wait for the first one."""
        return False

    @abc.abstractmethod
    def token(self, timeout: float | None = None) -> str:
        """A token valid now; may wait up to `timeout` seconds (None: no limit) for a refresh."""

    async def atoken(self, timeout: float | None = None) -> str:
        """A token valid now, without blocking the event loop."""
        return self.token(timeout)

    def ready(self, timeout: float | None = None) -> None:
        """Wait (at most `timeout` s) for a first token if there is none yet. Called before openai
        builds a request, so that a cold burst of requests leaves the interpreter to one token fetch."""
        return None

    async def aready(self, timeout: float | None = None) -> None:
        """`ready()` without blocking the event loop."""
        return None

    def reject(self, token: str) -> bool:
        """Vertex answered 401 to `token`. True when asking again may give a better one."""
        return False

    def default_project(self) -> tuple[str | None, ProjectSource]:
        """The project these credentials name, if any, and where it came from (asked only when no
        project was given)."""
        return None, "credentials"

    @abc.abstractmethod
    def describe(self) -> str:
        """What kind of credential this is, without any secret."""

    def close(self) -> None:
        """Close pooled connections (to the token endpoint); the source stays usable."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


class StaticTokenSource(TokenSource):
    """A fixed `access_token`: never refreshed, so a 401 is final."""

    def __init__(self, access_token: str, *, quota_project: str | None) -> None:
        if not isinstance(access_token, str):
            raise TypeError(f"access_token must be a str, not {type(access_token).__name__}.")
        if not valid_token(access_token):
            raise ValueError("access_token must be a non-empty access token without whitespace.")
        self._token = access_token
        self._quota_project = quota_project

    def token(self, timeout: float | None = None) -> str:
        return self._token

    def current(self) -> str | None:
        return self._token

    def describe(self) -> str:
        return "a static access_token"


class CallableTokenSource(TokenSource):
    """A user's `token_provider`, called for every attempt (Azure's `azure_ad_token_provider` rule)."""

    def __init__(self, provider: AsyncTokenProvider, *, quota_project: str | None) -> None:
        if not callable(provider):
            raise TypeError("token_provider must be a callable that returns an access token string.")
        self._provider = provider
        self._quota_project = quota_project

    def token(self, timeout: float | None = None) -> str:
        value = self._call()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()
            raise TokenRefreshError(
                "token_provider",
                "it returned an awaitable; use AsyncVertexOpenAI for an async token_provider",
            )
        return checked_token(value, "token_provider")

    async def atoken(self, timeout: float | None = None) -> str:
        value = self._call()
        if inspect.isawaitable(value):
            try:
                value = await value
            except Exception as exc:
                raise TokenRefreshError("token_provider", f"it raised {type(exc).__name__}") from exc
        return checked_token(value, "token_provider")

    def _call(self) -> object:
        try:
            return self._provider()
        except Exception as exc:
            raise TokenRefreshError("token_provider", f"it raised {type(exc).__name__}") from exc

    def reject(self, token: str) -> bool:
        return True

    def describe(self) -> str:
        return f"token_provider {getattr(self._provider, '__qualname__', type(self._provider).__name__)}"


class CredentialsTokenSource(TokenSource):
    """google-auth credentials (or Application Default Credentials, found on first use)."""

    def __init__(self, credentials: Credentials | None, *, quota_project: str | None) -> None:
        from google.auth import _helpers  # google-auth's clock and REFRESH_THRESHOLD
        from google.auth.credentials import TokenState  # imported when first needed: `import` stays fast

        self._threshold: datetime.timedelta = _helpers.REFRESH_THRESHOLD
        self._states: type[TokenState] = TokenState
        # The token last seen usable without a refresh, and until when: a POSIX timestamp, read against
        # `time.time()` (the clock `datetime.now` reads; time-machine moves both), a float compare.
        self._fresh_token: str | None = None
        self._fresh_until = -math.inf
        # The token this source fetched last, and when: a token's lifetime is known only for those.
        self._fetched: tuple[str, datetime.datetime] | None = None
        self._credentials = None if credentials is None else _scoped(credentials)
        self._explicit_quota_project = quota_project
        self._quota_project = self._billed_project()
        self._lock = threading.Lock()
        self._rejected: str | None = None
        self._request: google.auth.transport.requests.Request | None = None  # made on first use
        self._worker = RefreshWorker(
            self._refresh, name="vertex-openai-token-refresh", after_fork=self._forked
        )
        self.adc_project: str | None = None

    @property
    def credentials(self) -> Credentials | None:
        """The credentials in use; None until Application Default Credentials are discovered."""
        return self._credentials

    def _billed_project(self) -> str | None:
        """The quota project: the one given, else the credentials' own (asked once they are known;
        google-auth's credentials never change theirs in place: `with_quota_project` makes a copy)."""
        if self._explicit_quota_project:
            return self._explicit_quota_project
        return getattr(self._credentials, "quota_project_id", None) or None

    def default_project(self) -> tuple[str | None, ProjectSource]:
        """The credentials' own project; for Application Default Credentials, discovers them (I/O)."""
        if self._credentials is not None and self.adc_project is None:
            project = getattr(self._credentials, "project_id", None)
            return (project if isinstance(project, str) and project else None), "credentials"
        return self.load_adc(), "application default credentials"

    def load_adc(self) -> str | None:
        """Discover Application Default Credentials now; return their project (may do I/O)."""
        with self._lock:
            if self._credentials is None:
                self._credentials, self.adc_project = _discover_adc()
                self._quota_project = self._billed_project()
        return self.adc_project

    # The two faces: the same rule, waiting in the way each world allows.
    def token(self, timeout: float | None = None) -> str:
        token = self._usable_token(timeout)
        if token is None:
            try:
                wait(self._worker.start(timeout=timeout), timeout)
            except RefreshTimeout:
                raise self._timed_out(timeout) from None
            token = self._latest_token()
        return token

    async def atoken(self, timeout: float | None = None) -> str:
        token = self._usable_token(timeout)
        if token is None:
            try:
                await wait_async(self._worker.start(timeout=timeout), timeout)
            except RefreshTimeout:
                raise self._timed_out(timeout) from None
            token = self._latest_token()
        return token

    def ready(self, timeout: float | None = None) -> None:
        if self.cold():
            self.token(timeout)

    async def aready(self, timeout: float | None = None) -> None:
        if self.cold():
            await self.atoken(timeout)

    def cold(self) -> bool:
        credentials = self._credentials  # attribute reads only: the clock is read in token()
        return credentials is None or credentials.token is None

    def current(self) -> str | None:
        credentials = self._credentials
        token = credentials.token if credentials is not None else None
        if token is not None and token is self._fresh_token and _time() < self._fresh_until:
            return token  # the same token, still before its refresh point
        return None

    def reject(self, token: str) -> bool:
        credentials = self._credentials
        if credentials is not None and credentials.token == token:
            self._rejected = token
            self._fresh_token = None
        return True

    def describe(self) -> str:
        if self._credentials is None:
            return "Application Default Credentials (not loaded yet)"
        return credential_label(self._credentials)

    def close(self) -> None:
        request, self._request = self._request, None
        if request is not None:
            request.session.close()

    # --- the rules ---
    def _usable_token(self, timeout: float | None) -> str | None:
        """The token to send now, or None when the caller must wait for a refresh."""
        fresh = self.current()
        if fresh is not None:
            return fresh  # the fast path: the same token, still before its refresh point
        credentials = self._credentials
        if credentials is None:
            return None
        token: str | None = credentials.token
        if token is None or token == self._rejected or credentials.token_state is self._states.INVALID:
            return None
        now = _now(_UTC)
        refresh_at = self._refresh_point(credentials, token)
        if now < refresh_at:
            self._fresh_token, self._fresh_until = token, refresh_at.timestamp()
        elif not self._worker.running:
            self._worker.start(timeout=_bounded(timeout)).add_done_callback(_log_background_failure)
        return token

    def _refresh_point(self, credentials: Credentials, token: str) -> datetime.datetime:
        """When to refresh in the background: google-auth's STALE point, but never before half the
        lifetime of a token this source fetched (short-lived tokens would be STALE at once)."""
        if credentials.expiry is None:
            return _NEVER
        expiry: datetime.datetime = credentials.expiry.replace(tzinfo=_UTC)  # naive UTC in google-auth
        stale_at = expiry - self._threshold
        if self._fetched is not None and self._fetched[0] == token:
            fetched_at = self._fetched[1]
            return max(stale_at, fetched_at + (expiry - fetched_at) / 2)
        return stale_at

    def _latest_token(self) -> str:
        token = self._credentials.token if self._credentials is not None else None
        assert isinstance(token, str)
        return token

    def _refresh(self, timeout: float | None) -> None:
        """Runs on the worker: one token request, bounded by `timeout`."""
        if self._credentials is None:
            self.load_adc()
        credentials = self._credentials
        assert credentials is not None
        token = credentials.token
        if (
            token is not None
            and token != self._rejected
            and credentials.token_state is not self._states.INVALID
            and _now(_UTC) < self._refresh_point(credentials, token)
        ):
            return  # refreshed by someone else sharing these credentials
        fetched_at = _now(_UTC)
        bound = _bounded(timeout)
        try:
            credentials.refresh(self._transport(bound))
        except Exception as exc:
            if _is_timeout(exc):  # the same error as a waiter's deadline: which fires first is a race
                raise self._timed_out(bound) from None
            reason = redact(_reason(exc), _secrets_of(credentials))
            raise TokenRefreshError(credential_label(credentials), reason) from None
        try:
            token = checked_token(credentials.token, credential_label(credentials), "the token endpoint")
        except TokenRefreshError:
            credentials.token = None  # never cached, never sent
            raise
        self._fetched = (token, fetched_at)
        self._rejected = None

    def _transport(self, timeout: float) -> _BoundedRequest:
        if self._request is None:
            import google.auth.transport.requests
            import requests

            self._request = google.auth.transport.requests.Request(requests.Session())
        return _BoundedRequest(self._request, timeout)

    def _timed_out(self, timeout: float | None) -> TokenRefreshError:
        host = _token_host(self._credentials)
        return TokenRefreshError(
            credential_label(self._credentials) if self._credentials is not None else "credentials",
            f"the token endpoint ({host}) did not answer within {timeout:g} s",
        )

    def _forked(self) -> None:
        """In a forked child: no lock held by a parent's thread, no sockets shared with the parent."""
        self._lock = threading.Lock()
        self._request = None  # the parent's pooled sockets stay the parent's


def _bounded(timeout: float | None) -> float:
    return DEFAULT_REFRESH_TIMEOUT if timeout is None else min(timeout, DEFAULT_REFRESH_TIMEOUT)


def _log_background_failure(future: Future[None]) -> None:
    exc = future.exception()
    if isinstance(exc, Exception):
        log.warning("Token refresh failed; the next request tries again: %s", exc)


class _BoundedRequest:
    """google-auth's transport for one refresh, with every call bounded by `timeout` seconds."""

    def __init__(self, request: Callable[..., object], timeout: float) -> None:
        self._request = request
        self._timeout = timeout

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: object = None,
        headers: object = None,
        timeout: float | None = None,
        **kwargs: object,
    ) -> object:
        limit = self._timeout if timeout is None else min(timeout, self._timeout)
        return self._request(url, method=method, body=body, headers=headers, timeout=limit, **kwargs)


def _token_host(credentials: Credentials | None) -> str:
    for attribute in ("_token_uri", "token_uri"):
        uri = getattr(credentials, attribute, None)
        if isinstance(uri, str) and uri:
            return urlsplit(uri).hostname or uri
    return "the token endpoint"


def credential_label(credentials: Credentials) -> str:
    """`module.Class` of the credentials, with the principal when it is known (never a secret)."""
    kind = type(credentials)
    label = f"{kind.__module__}.{kind.__qualname__}"
    for attribute in ("service_account_email", "signer_email", "account"):
        principal = getattr(credentials, attribute, None)
        if isinstance(principal, str) and principal and principal != "default":
            return f"{label} ({principal})"
    return label


def _scoped(credentials: Credentials) -> Credentials:
    import google.auth.credentials

    scoped: Credentials = google.auth.credentials.with_scopes_if_required(credentials, [CLOUD_PLATFORM_SCOPE])
    return scoped


def _discover_adc() -> tuple[Credentials, str | None]:
    import google.auth
    import google.auth.exceptions

    try:
        credentials, project = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    except google.auth.exceptions.DefaultCredentialsError as exc:
        # google-auth's cause is in its args (message, inner error): say both, not a tuple's repr.
        # `from None` hides the chain in tracebacks; google-auth's error stays as `__context__`.
        raise CredentialsNotFoundError(_first_line(": ".join(str(a).rstrip(".") for a in exc.args))) from None
    except OSError as exc:  # e.g. GOOGLE_APPLICATION_CREDENTIALS names a folder (IsADirectoryError)
        raise CredentialsNotFoundError(_unreadable(exc)) from exc
    return credentials, project


def _unreadable(exc: OSError) -> str:
    """Why ADC could not read a file, naming GOOGLE_APPLICATION_CREDENTIALS and its path when it is set
    (the reason first: the CLI puts the variable in front of it)."""
    why = (
        "a folder, not a key file"
        if isinstance(exc, IsADirectoryError)
        else exc.strerror or type(exc).__name__
    )
    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path:
        return f"{why}: GOOGLE_APPLICATION_CREDENTIALS={path!r}"
    where = f" {exc.filename!r}" if exc.filename else ""
    return f"Application Default Credentials could not read{where}: {why}"


def checked_token(token: object, source: str, origin: str = "it") -> str:
    """`token` if it can go in an Authorization header; else a TokenRefreshError naming `source`
    (never the value)."""
    if not valid_token(token):
        raise TokenRefreshError(
            source, f"{origin} did not give a non-empty access token string without whitespace"
        )
    return token


def valid_token(token: object) -> TypeGuard[str]:
    """True for a token that can go in an Authorization header: printable, no whitespace."""
    return (
        isinstance(token, str) and bool(token) and not any(c.isspace() or not c.isprintable() for c in token)
    )


def _reason(exc: Exception) -> str:
    import google.auth.exceptions

    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    if isinstance(exc, google.auth.exceptions.TransportError):
        return f"could not reach the token endpoint ({_first_line(first)})"
    return _first_line(first) or type(exc).__name__


def _is_timeout(exc: BaseException) -> bool:
    """Whether `exc` or an exception it was raised from is a timeout (requests wraps socket
    timeouts; google-auth wraps requests' errors in its TransportError)."""
    import requests

    seen: BaseException | None = exc
    for _ in range(8):  # chains are short; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, (TimeoutError, requests.exceptions.Timeout)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


#: The longest reason kept from another library's message (cut at a word boundary beyond it).
_REASON_LIMIT = 300


def _first_line(exc: object) -> str:
    """The first line of `exc`'s message, cut at a word boundary when longer than `_REASON_LIMIT`."""
    lines = str(exc).strip().splitlines()
    text = lines[0].rstrip() if lines else ""
    if len(text) <= _REASON_LIMIT:
        return text
    space = text.rfind(" ", 0, _REASON_LIMIT + 1)
    cut = text[:space] if space > 0 else text[:_REASON_LIMIT]
    return cut.rstrip(" ,;:") + " ..."


def _secrets_of(credentials: Credentials) -> list[str | None]:
    return [
        getattr(credentials, name, None)
        for name in ("token", "refresh_token", "client_secret", "_client_secret", "_refresh_token")
    ]
