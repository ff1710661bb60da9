"""`VertexOpenAI` and `AsyncVertexOpenAI`: openai's clients, pointed at Vertex AI, with Google tokens.

The subclasses are thin: configuration lives in `_endpoint`, tokens in `_auth`, request shaping in
`_body`, error shaping in `_errors`. The sync and async classes differ only in how they wait.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openai
from openai import DEFAULT_MAX_RETRIES, NOT_GIVEN, NotGiven, Timeout
from typing_extensions import Self

from . import _body, _errors
from ._auth import (
    AsyncTokenProvider,
    CallableTokenSource,
    CredentialsTokenSource,
    StaticTokenSource,
    SyncTokenProvider,
    TokenSource,
    wait_for,
)
from ._endpoint import Endpoint, origin, resolve_endpoint
from ._stream import RepairingDecoder

if TYPE_CHECKING:
    import httpx2 as _http  # the HTTP library of openai 3; openai 1.x and 2.x take httpx clients
    from google.auth.credentials import Credentials

__all__ = ["AsyncVertexOpenAI", "VertexOpenAI"]

# openai requires an API key; requests never carry it (each attempt gets a Google token instead).
_API_KEY_PLACEHOLDER = "vertex-openai-google-oauth"
_OPENAI_ONLY_HEADERS = ("openai-organization", "openai-project")


@dataclass(frozen=True)
class _Vertex:
    endpoint: Endpoint
    auth: TokenSource
    api_version: str
    endpoint_id: str | None
    explicit_base_url: str | None
    model_aliases: Mapping[str, str] = field(default_factory=dict)
    default_google: Mapping[str, Any] = field(default_factory=dict)


def _configure(
    *,
    project: str | None,
    location: str | None,
    credentials: Credentials | None,
    token_provider: AsyncTokenProvider | None,
    access_token: str | None,
    api_version: str,
    endpoint_id: str | None,
    base_url: str | None,
    quota_project: str | None,
    model_aliases: Mapping[str, str] | None,
    default_gemini_options: Mapping[str, Any] | None,
    token_source: TokenSource | None,
) -> _Vertex:
    given = [
        name
        for name, value in (
            ("credentials", credentials),
            ("token_provider", token_provider),
            ("access_token", access_token),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ValueError(
            f"Pass at most one of credentials=, token_provider=, access_token= (got {', '.join(given)})."
        )
    auth: TokenSource
    if token_source is not None:
        auth = token_source
    elif access_token is not None:
        auth = StaticTokenSource(access_token, quota_project=quota_project)
    elif token_provider is not None:
        auth = CallableTokenSource(token_provider, quota_project=quota_project)
    else:
        auth = CredentialsTokenSource(credentials, quota_project=quota_project)

    credentials_project = getattr(credentials, "project_id", None) if credentials is not None else None
    endpoint = resolve_endpoint(
        project=project,
        location=location,
        api_version=api_version,
        endpoint_id=endpoint_id,
        base_url=base_url,
        credentials_project=credentials_project if isinstance(credentials_project, str) else None,
        adc_project=auth.load_adc
        if isinstance(auth, CredentialsTokenSource) and credentials is None
        else None,
    )
    aliases = dict(model_aliases or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
        raise ValueError("model_aliases must map model names (str) to Vertex model names (str).")
    default_google = _body.default_google_fields(default_gemini_options)
    return _Vertex(endpoint, auth, api_version, endpoint_id, base_url, aliases, default_google)


def _without_openai_identity(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    if headers is None:
        return None
    return {name: value for name, value in headers.items() if name.lower() not in _OPENAI_ONLY_HEADERS}


def _arguments(values: dict[str, Any]) -> dict[str, Any]:
    """A constructor's own arguments, handed on as they are (sync and async differ only in types)."""
    return {name: value for name, value in values.items() if name != "self"}


class _VertexClient:
    """What the sync and async clients share; mixed in before openai's class."""

    _vertex: _Vertex
    _custom_headers: Mapping[str, str]
    _custom_query: Mapping[str, object]
    _client: Any
    _base_url: Any
    _strict_response_validation: bool
    timeout: Any
    max_retries: int
    base_url: Any
    project: str | None
    organization: str | None

    def _setup(
        self,
        *,
        timeout: Any,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        http_client: Any,
        _strict_response_validation: bool,
        _token_source: TokenSource | None,
        **vertex_options: Any,
    ) -> None:
        vertex = _configure(token_source=_token_source, **vertex_options)
        super().__init__(  # type: ignore[call-arg]  # openai's OpenAI / AsyncOpenAI: next in the MRO
            api_key=_API_KEY_PLACEHOLDER,
            organization=None,
            project=None,
            base_url=vertex.endpoint.base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=_without_openai_identity(default_headers),
            default_query=default_query,
            http_client=http_client,
            _strict_response_validation=_strict_response_validation,
        )
        self._vertex = vertex
        self.organization = None
        self.project = vertex.endpoint.project  # the Google project; never sent as OpenAI-Project

    @property
    def location(self) -> str | None:
        """The Vertex AI location requests go to (`global`, `us-central1`, ...)."""
        return self._vertex.endpoint.location

    @property
    def token_source(self) -> TokenSource:
        """Where this client's access tokens come from (shared with its copies)."""
        return self._vertex.auth

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(project={self.project!r}, location={self.location!r}, "
            f"base_url={str(self.base_url)!r}, credentials={self._vertex.auth.describe()!r})"
        )

    def _shape(self, options: Any) -> Any:
        vertex = self._vertex
        return _body.shape_options(
            options,
            aliases=vertex.model_aliases,
            openapi_route=vertex.endpoint.openapi_route,
            default_google=vertex.default_google,
        )

    def _make_sse_decoder(self) -> Any:
        return RepairingDecoder(super()._make_sse_decoder())  # type: ignore[misc]

    @property
    def default_headers(self) -> dict[str, Any]:
        # `project` here is the Google project: openai would send it as OpenAI-Project. (The
        # caller's own headers lost any spelling of these two in _setup.)
        headers: dict[str, Any] = super().default_headers  # type: ignore[misc]
        headers.pop("OpenAI-Organization", None)
        headers.pop("OpenAI-Project", None)
        return headers

    def _check_destination(self, options: Any) -> None:
        # A relative URL always joins onto the base URL; only an absolute one can leave its origin.
        if "://" in options.url and origin(options.url) != origin(str(self._base_url)):
            raise openai.OpenAIError(
                f"Refusing to send Google credentials to {options.url}: this client only talks to "
                f"{str(self._base_url).rstrip('/')}."
            )

    def _sign(self, request: Any, token: str) -> None:
        request.headers["Authorization"] = f"Bearer {token}"
        quota_project = self._vertex.auth.quota_project
        if quota_project:
            request.headers["x-goog-user-project"] = quota_project

    def _retry_after_401(self, err: openai.AuthenticationError) -> bool:
        sent = err.response.request.headers.get("Authorization", "")
        return self._vertex.auth.reject(sent.removeprefix("Bearer "))

    def _make_status_error(self, err_msg: str, *, body: object, response: Any) -> openai.APIStatusError:
        make: Callable[..., openai.APIStatusError] = super()._make_status_error  # type: ignore[misc]
        return _errors.shape_status_error(make, err_msg, body=body, response=response, location=self.location)

    def copy(
        self,
        *,
        project: str | None = None,
        location: str | None = None,
        api_version: str | None = None,
        endpoint_id: str | None = None,
        base_url: str | None = None,
        model_aliases: Mapping[str, str] | None = None,
        default_gemini_options: Mapping[str, Any] | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        http_client: Any = None,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
    ) -> Self:
        """A new client with some options changed. It shares this client's token cache."""
        if default_headers is not None and set_default_headers is not None:
            raise ValueError(
                "The `default_headers` and `set_default_headers` arguments are mutually exclusive"
            )
        if default_query is not None and set_default_query is not None:
            raise ValueError("The `default_query` and `set_default_query` arguments are mutually exclusive")
        headers = self._custom_headers
        if default_headers is not None:
            headers = {**headers, **default_headers}
        elif set_default_headers is not None:
            headers = set_default_headers
        params = self._custom_query
        if default_query is not None:
            params = {**params, **default_query}
        elif set_default_query is not None:
            params = set_default_query

        vertex = self._vertex
        moved = any(value is not None for value in (project, location, api_version, endpoint_id))
        return self.__class__(  # type: ignore[call-arg]
            project=project or vertex.endpoint.project,
            location=location or vertex.endpoint.location,
            api_version=api_version or vertex.api_version,
            endpoint_id=endpoint_id if endpoint_id is not None else vertex.endpoint_id,
            base_url=base_url or (None if moved else vertex.explicit_base_url),
            model_aliases=vertex.model_aliases if model_aliases is None else model_aliases,
            default_gemini_options=(
                {"extra_body": {"google": vertex.default_google}}
                if default_gemini_options is None
                else default_gemini_options
            ),
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            http_client=http_client or self._client,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=headers,
            default_query=params,
            _strict_response_validation=self._strict_response_validation,
            _token_source=vertex.auth,
        )

    with_options = copy


class VertexOpenAI(_VertexClient, openai.OpenAI):  # type: ignore[misc]  # copy() takes Vertex options
    """`openai.OpenAI` for Gemini (and other models) on Vertex AI, with Google access tokens kept fresh."""

    def __init__(
        self,
        *,
        project: str | None = None,
        location: str | None = None,
        credentials: Credentials | None = None,
        token_provider: SyncTokenProvider | None = None,
        access_token: str | None = None,
        api_version: str = "v1",
        endpoint_id: str | None = None,
        base_url: str | None = None,
        quota_project: str | None = None,
        model_aliases: Mapping[str, str] | None = None,
        default_gemini_options: Mapping[str, Any] | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: _http.Client | None = None,
        _strict_response_validation: bool = False,
        _token_source: TokenSource | None = None,
    ) -> None:
        """Build a client for `project` and `location`.

        Credentials: at most one of `credentials` (google-auth), `token_provider` (called for every
        attempt), `access_token` (static, never refreshed); none means Application Default Credentials.
        `project` falls back to `GOOGLE_CLOUD_PROJECT`, then the credentials' project; `location` to
        `GOOGLE_CLOUD_LOCATION`, then `"global"`. An explicit `base_url` wins over both.
        `default_gemini_options` (a `gemini_options()` value) is deep-merged into every chat request;
        a call's own `extra_body` wins key by key.
        """
        self._setup(**_arguments(locals()))

    def _prepare_options(self, options: Any) -> Any:
        self._check_destination(options)
        first = self._vertex.auth.first_token()
        if first is not None:
            first.result()
        return super()._prepare_options(self._shape(options))

    def _prepare_request(self, request: Any) -> None:
        super()._prepare_request(request)
        self._sign(request, self._vertex.auth.token())

    def request(self, cast_to: Any, options: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().request(cast_to, options, *args, **kwargs)
        except openai.AuthenticationError as err:
            if not self._retry_after_401(err):
                raise
        return super().request(cast_to, options, *args, **kwargs)


class AsyncVertexOpenAI(_VertexClient, openai.AsyncOpenAI):  # type: ignore[misc]  # likewise
    """`openai.AsyncOpenAI` for Vertex AI; token refreshes never block the event loop."""

    def __init__(
        self,
        *,
        project: str | None = None,
        location: str | None = None,
        credentials: Credentials | None = None,
        token_provider: AsyncTokenProvider | None = None,
        access_token: str | None = None,
        api_version: str = "v1",
        endpoint_id: str | None = None,
        base_url: str | None = None,
        quota_project: str | None = None,
        model_aliases: Mapping[str, str] | None = None,
        default_gemini_options: Mapping[str, Any] | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: _http.AsyncClient | None = None,
        _strict_response_validation: bool = False,
        _token_source: TokenSource | None = None,
    ) -> None:
        """Build an async client; arguments as for `VertexOpenAI` (`token_provider` may be async)."""
        self._setup(**_arguments(locals()))

    async def _prepare_options(self, options: Any) -> Any:
        self._check_destination(options)
        first = self._vertex.auth.first_token()
        if first is not None:
            await wait_for(first)
        return await super()._prepare_options(self._shape(options))

    async def _prepare_request(self, request: Any) -> None:
        await super()._prepare_request(request)
        self._sign(request, await self._vertex.auth.atoken())

    async def request(self, cast_to: Any, options: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().request(cast_to, options, *args, **kwargs)
        except openai.AuthenticationError as err:
            if not self._retry_after_401(err):
                raise
        return await super().request(cast_to, options, *args, **kwargs)
