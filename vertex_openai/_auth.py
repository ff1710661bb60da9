"""Token sources: where access tokens come from, and when they are refreshed.

One set of rules serves the sync and the async client:

- FRESH token: used at once. No lock is taken.
- STALE token (google-auth's threshold, a few minutes before expiry): used at once, while exactly one
  refresh runs in the background.
- INVALID (no token yet, expired, or just rejected with a 401): every caller waits for the one
  refresh in flight; 16 threads or tasks cause one token request.

Refreshes (and Application Default Credentials discovery) run on a worker thread, so the async
client waits for them without blocking its event loop.
"""

from __future__ import annotations

import abc
import asyncio
import datetime
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from ._errors import CredentialsNotFoundError, TokenRefreshError, redact

if TYPE_CHECKING:
    from google.auth.credentials import Credentials, TokenState

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
log = logging.getLogger("vertex_openai")
_UTC = datetime.timezone.utc
_now = datetime.datetime.now

SyncTokenProvider = Callable[[], str]
AsyncTokenProvider = Callable[[], str | Awaitable[str]]


class TokenSource(abc.ABC):
    """Gives the bearer token for each attempt of each request."""

    quota_project: str | None = None

    @abc.abstractmethod
    def token(self) -> str:
        """A token valid now; may block while a needed refresh runs."""

    async def atoken(self) -> str:
        """A token valid now, without blocking the event loop."""
        return self.token()

    def reject(self, token: str) -> bool:
        """Vertex answered 401 to `token`. True when asking again may give a better one."""
        return False

    def first_token(self) -> Future[None] | None:
        """None when a token exists; else the fetch of the first one, to wait for before openai builds
        the request (so that a burst of cold requests leaves the interpreter to that one fetch)."""
        return None

    @abc.abstractmethod
    def describe(self) -> str:
        """What kind of credential this is, without any secret."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


class StaticTokenSource(TokenSource):
    """A fixed `access_token`: never refreshed, so a 401 is final."""

    def __init__(self, access_token: str, *, quota_project: str | None) -> None:
        self._token = _checked(access_token, "access_token")
        self.quota_project = quota_project

    def token(self) -> str:
        return self._token

    def describe(self) -> str:
        return "a static access_token"


class CallableTokenSource(TokenSource):
    """A user's `token_provider`, called for every attempt (Azure's `azure_ad_token_provider` rule)."""

    def __init__(self, provider: AsyncTokenProvider, *, quota_project: str | None) -> None:
        if not callable(provider):
            raise ValueError("token_provider must be a callable that returns an access token string.")
        self._provider = provider
        self.quota_project = quota_project

    def token(self) -> str:
        value = self._call()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()
            raise TokenRefreshError(
                "token_provider",
                "it returned an awaitable; use AsyncVertexOpenAI for an async token_provider",
            )
        return _checked(value, "token_provider")

    async def atoken(self) -> str:
        value = self._call()
        if inspect.isawaitable(value):
            try:
                value = await value
            except Exception as exc:
                raise TokenRefreshError("token_provider", f"it raised {type(exc).__name__}") from exc
        return _checked(value, "token_provider")

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

        self._google: Any = _helpers
        self._states: type[TokenState] = TokenState
        # The token last seen FRESH, and until when it stays so: an aware datetime on google-auth's
        # clock (`datetime.now`, which time-machine moves), compared without building a naive copy.
        self._fresh_token: str | None = None
        self._fresh_until = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
        self._credentials = None if credentials is None else _scoped(credentials)
        self._explicit_quota_project = quota_project
        self._lock = threading.Lock()
        self._refresh: Future[None] | None = None
        self._rejected: str | None = None
        self._request: Any = None
        self.adc_project: str | None = None

    @property
    def credentials(self) -> Credentials | None:
        """The credentials in use; None until Application Default Credentials are discovered."""
        return self._credentials

    @property
    def quota_project(self) -> str | None:  # type: ignore[override]
        if self._explicit_quota_project:
            return self._explicit_quota_project
        return getattr(self._credentials, "quota_project_id", None) or None

    def load_adc(self) -> str | None:
        """Discover Application Default Credentials now; return their project (may do I/O)."""
        with self._lock:
            if self._credentials is None:
                self._credentials, self.adc_project = _discover_adc()
        return self.adc_project

    # The two faces: the same rule, waiting in the way each world allows.
    def token(self) -> str:
        token = self._usable_token()
        if token is None:
            self._start_refresh().result()
            token = self._latest_token()
        return token

    async def atoken(self) -> str:
        token = self._usable_token()
        if token is None:
            await wait_for(self._start_refresh())
            token = self._latest_token()
        return token

    def first_token(self) -> Future[None] | None:
        credentials = self._credentials  # attribute reads only: the clock is read in token()
        if credentials is not None and credentials.token is not None:
            return None
        return self._start_refresh()

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

    # --- the rules ---
    def _usable_token(self) -> str | None:
        """The token to send now, or None when the caller must wait for a refresh."""
        credentials = self._credentials
        if credentials is None:
            return None
        token: str | None = credentials.token
        if token is not None and token is self._fresh_token and _now(_UTC) < self._fresh_until:
            return token  # fast path: the same token, still before its STALE point
        state = credentials.token_state
        if state is self._states.INVALID or token is None or token == self._rejected:
            return None
        if state is self._states.FRESH and credentials.expiry is not None:
            stale_at = credentials.expiry - self._google.REFRESH_THRESHOLD
            self._fresh_until = stale_at.replace(tzinfo=_UTC)  # google-auth's expiry is naive UTC
            self._fresh_token = token
        elif state is self._states.STALE and self._refresh is None:
            self._start_refresh(background=True)
        return token

    def _latest_token(self) -> str:
        assert self._credentials is not None and self._credentials.token is not None
        return self._credentials.token  # type: ignore[no-any-return]

    def _start_refresh(self, *, background: bool = False) -> Future[None]:
        """The refresh in flight, started if there is none (single-flight). A `background` one has
        nobody waiting for it, so it reports its own failure."""
        with self._lock:
            if self._refresh is None:
                future: Future[None] = Future()
                future.set_running_or_notify_cancel()  # a cancelled waiter must not cancel the others
                self._refresh = future
                threading.Thread(
                    target=self._run_refresh,
                    args=(future, background),
                    name="vertex-openai-token-refresh",
                    daemon=True,
                ).start()
            return self._refresh

    def _run_refresh(self, future: Future[None], background: bool) -> None:
        try:
            self._refresh_now()
        except BaseException as exc:
            with self._lock:
                self._refresh = None
            if background and isinstance(exc, Exception):
                log.warning("Token refresh failed; the next request tries again: %s", exc)
            future.set_exception(exc)
        else:
            with self._lock:
                self._refresh = None
            future.set_result(None)

    def _refresh_now(self) -> None:
        if self._credentials is None:
            self.load_adc()
        credentials = self._credentials
        assert credentials is not None
        if credentials.token_state is self._states.FRESH and credentials.token != self._rejected:
            return  # refreshed by someone else sharing these credentials
        try:
            credentials.refresh(self._transport())  # type: ignore[no-untyped-call]
        except Exception as exc:
            reason = redact(_reason(exc), _secrets_of(credentials))
            raise TokenRefreshError(credential_label(credentials), reason) from None
        if not credentials.token:
            raise TokenRefreshError(credential_label(credentials), "the refresh gave no access token")
        self._rejected = None

    def _transport(self) -> Any:
        if self._request is None:
            import google.auth.transport.requests
            import requests

            self._request = google.auth.transport.requests.Request(requests.Session())
        return self._request


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

    return google.auth.credentials.with_scopes_if_required(credentials, [CLOUD_PLATFORM_SCOPE])  # type: ignore[no-untyped-call,no-any-return]


def _discover_adc() -> tuple[Credentials, str | None]:
    import google.auth
    import google.auth.exceptions

    try:
        credentials, project = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise CredentialsNotFoundError(_first_line(exc)) from None
    return credentials, project


async def wait_for(future: Future[None]) -> None:
    """Wait for a refresh without blocking the event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # another async library (trio): wait on a worker thread instead
        import anyio.to_thread

        await anyio.to_thread.run_sync(future.result)
        return
    await asyncio.wrap_future(future)


def _checked(token: object, origin: str) -> str:
    if not isinstance(token, str) or not token or any(c.isspace() or not c.isprintable() for c in token):
        raise TokenRefreshError(origin, "it did not give a non-empty access token string without whitespace")
    return token


def _reason(exc: Exception) -> str:
    import google.auth.exceptions

    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    if isinstance(exc, google.auth.exceptions.TransportError):
        return f"could not reach the token endpoint ({_first_line(first)})"
    return _first_line(first) or type(exc).__name__


def _first_line(exc: object) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""


def _secrets_of(credentials: Credentials) -> list[str | None]:
    return [
        getattr(credentials, name, None)
        for name in ("token", "refresh_token", "client_secret", "_client_secret", "_refresh_token")
    ]
