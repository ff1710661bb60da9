"""`VertexOpenAI` and `AsyncVertexOpenAI`: openai's clients, pointed at Vertex AI, with Google tokens.

The subclasses are thin: options are declared in `_options`, URLs in `_endpoint`, tokens in `_auth`,
signing in `_signing`, the model rule in `_model`, request shaping in `_pipeline`, error shaping in
`_errors`, and openai's private hooks in `_compat`, which hands each hook to `_Vertex` below; the
resources get `_Vertex` as their `_context.ClientContext`. See docs/architecture.md. The sync and
async classes differ only in types and in how they wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import openai
from openai import DEFAULT_MAX_RETRIES, NOT_GIVEN, AsyncStream, NotGiven, Stream, Timeout
from typing_extensions import Self, override

from . import _compat, _errors
from ._compat import AsyncHooks, BaseClient, Decoder, FinalRequestOptions, SyncHooks, http
from ._options import OPTION_NAMES, VertexOptions, check_mapping, check_max_retries, check_timeout
from ._pipeline import _body, _tiers
from ._pipeline._failover import Failover
from ._pipeline._maas import ModelTable, PartnerModel
from ._pipeline._model import ModelResolver
from ._pipeline._signatures import SignatureMemory, repair_completion
from ._pipeline._steps import Pipeline, Setup
from ._pipeline._stream import RepairingDecoder
from ._pipeline._tiers import ServiceTier
from ._resources._embeddings import AsyncVertexEmbeddings, VertexEmbeddings
from ._transport._auth import (
    AsyncTokenProvider,
    CallableTokenSource,
    CredentialsTokenSource,
    StaticTokenSource,
    SyncTokenProvider,
    TokenSource,
    valid_token,
)
from ._transport._endpoint import Endpoint, location_of, resolve_endpoint
from ._transport._signing import GoogleAuth, default_headers_to_sign

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    # Imported where first used: the Responses bridge and Batch pull in much of openai (its Responses
    # streaming, pagination, files), which `import vertex_openai` should not pay for.
    from ._resources._batch import AsyncVertexBatches, AsyncVertexFiles, VertexBatches, VertexFiles
    from ._resources._models import AsyncVertexModels, VertexModels
    from ._resources._responses import AsyncResponses, ConversationStore, Responses

__all__ = ["AsyncVertexOpenAI", "VertexOpenAI"]

# openai requires an API key; requests never carry it (each attempt gets a Google token instead).
_API_KEY_PLACEHOLDER = "vertex-openai-google-oauth"
# openai's `copy()` keywords that name OpenAI credentials or services, which mean nothing on Vertex.
_OPENAI_ONLY_COPY_ARGUMENTS = (
    "api_key",
    "admin_api_key",
    "workload_identity",
    "organization",
    "webhook_secret",
    "websocket_base_url",
    "data_residency",
)

_V = TypeVar("_V")
_HttpxClientT = TypeVar("_HttpxClientT", bound=http.Client | http.AsyncClient)
_DefaultStreamT = TypeVar("_DefaultStreamT", bound=Stream[object] | AsyncStream[object])


@dataclass
class Shared:
    """What a client shares with every copy made from it."""

    auth: TokenSource
    responses_store: ConversationStore | None = None  # client.responses' store, made on first use
    # thought signatures received, put back where a framework dropped them (None: turned off)
    signatures: SignatureMemory | None = field(default_factory=SignatureMemory)


def token_source(
    *,
    credentials: Credentials | None,
    token_provider: AsyncTokenProvider | None,
    access_token: str | None,
    quota_project: str | None,
) -> TokenSource:
    """The token source for at most one of the three ways to give credentials (none: ADC)."""
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
    if quota_project is not None and (not isinstance(quota_project, str) or not quota_project.strip()):
        raise TypeError(f"quota_project must be a non-empty str or None, not {quota_project!r}.")
    if quota_project is not None and not valid_token(quota_project):
        # it becomes the x-goog-user-project header: CR/LF or spaces would fail every call later
        raise ValueError(
            f"quota_project={quota_project!r} is not a Google Cloud project ID (no whitespace or control "
            "characters)."
        )
    if access_token is not None:
        return StaticTokenSource(access_token, quota_project=quota_project)
    if token_provider is not None:
        return CallableTokenSource(token_provider, quota_project=quota_project)
    if credentials is not None:
        import google.auth.credentials

        if not isinstance(credentials, google.auth.credentials.Credentials):
            raise TypeError(
                "credentials must be google-auth credentials (google.auth.credentials.Credentials), "
                f"not {type(credentials).__name__}."
            )
    return CredentialsTokenSource(credentials, quota_project=quota_project)


class _Vertex:
    """What a client does at each of openai's hooks (`_compat.Vertex`) and what its resources read
    (`_context.ClientContext`): made once per client, from its options and what copies share."""

    def __init__(self, options: VertexOptions, shared: Shared, *, default_timeout: bool) -> None:
        self.options = options
        self.shared = shared
        self.endpoint: Endpoint = resolve_endpoint(
            project=options.project,
            location=options.location,
            api_version=options.api_version,
            endpoint_id=options.endpoint_id,
            base_url=options.base_url,
            adc_project=shared.auth.default_project,  # asked only when nothing else names a project
        )
        self.models = ModelTable(options.partner_models)
        self.resolve = ModelResolver(
            options.model_aliases, self.models, openapi_route=self.endpoint.openapi_route
        )
        self.failover = (
            Failover(self.endpoint, options.fallback_locations, self.models)
            if options.fallback_locations
            else None
        )
        # signs each attempt's options, resends once after a 401 (see _signing); notes each 429
        # RESOURCE_EXHAUSTED for failover
        self.auth = GoogleAuth(shared.auth, self.endpoint.base_url, self.failover)
        self.pipeline = Pipeline(
            Setup(
                endpoint=self.endpoint,
                resolve=self.resolve,
                table=self.models,
                default_google=_body.default_google_fields(options.default_gemini_options),
                memory=shared.signatures,
                placeholder_signatures=options.placeholder_signatures,
                service_tier=_tiers.check_tier(
                    options.default_service_tier,
                    location=self.endpoint.location,
                    argument="default_service_tier",
                ),
                default_timeout=default_timeout,
                failover=self.failover,
            )
        )
        # The hooks asked on every attempt are the rules' own callables, bound once (no extra call).
        self.prepare: Callable[[FinalRequestOptions, bool], FinalRequestOptions] = self.pipeline.prepare
        self.sign: Callable[[FinalRequestOptions, str], None] = self.auth.sign
        self.current_token: Callable[[], str | None] = shared.auth.current
        memory, signature_ids = shared.signatures, options.signature_ids
        # (a closure, not `partial(..., memory=...)`: a partial with keywords builds a dict per call)
        self.received: Callable[[object], object] = lambda data: repair_completion(
            data, memory, signature_ids=signature_ids
        )

    # --- what resources read (`_context.ClientContext`) ---
    @property
    def token_source(self) -> TokenSource:
        return self.shared.auth

    @property
    def responses_store(self) -> ConversationStore:
        """The Responses bridge's store, shared with copies (an in-memory one is made on first use)."""
        store = self.shared.responses_store
        if store is None:
            with _STORE_LOCK:
                store = self.shared.responses_store
                if store is None:
                    from ._resources._responses import InMemoryConversationStore

                    store = self.shared.responses_store = InMemoryConversationStore()
        return store

    def use_responses_store(self, store: ConversationStore) -> None:
        from ._resources._responses import ConversationStore

        if not isinstance(store, ConversationStore):
            raise TypeError(
                f"store must have get, put and delete (a ConversationStore), not {type(store).__name__}."
            )
        self.shared.responses_store = store

    # --- openai's hooks (`_compat.Vertex`) ---
    def token(self, timeout: float | None) -> str:
        return self.shared.auth.token(timeout)

    async def atoken(self, timeout: float | None) -> str:
        return await self.shared.auth.atoken(timeout)

    def decoder(self, decoder: Decoder) -> Decoder:
        return RepairingDecoder(decoder, self.shared.signatures, signature_ids=self.options.signature_ids)

    def status_error(
        self, make: Callable[..., openai.APIStatusError], err_msg: str, body: object, response: http.Response
    ) -> openai.APIStatusError:
        location, note = self.endpoint.location, None
        if self.failover is not None:
            note = self.failover.note(response)
            location = location_of(str(response.request.url)) or location  # the one that answered
        return _errors.shape_status_error(
            make,
            err_msg,
            body=body,
            response=response,
            location=location,
            models=self.models,
            note=note,
        )

    def close(self) -> None:
        self.shared.auth.close()


_STORE_LOCK = threading.Lock()


class _VertexClient(BaseClient[_HttpxClientT, _DefaultStreamT]):
    """What the two public clients share besides openai's hooks (as openai's `BaseAzureClient`)."""

    _vertex: _Vertex
    _hooks: _compat.Vertex  # the same object, as openai's hooks in `_compat` see it

    def _adopt(self, vertex: _Vertex, *, own_http_client: bool) -> None:
        self._vertex = self._hooks = vertex
        if own_http_client:  # the one openai made for this client (and its copies): never follows redirects
            _compat.http_client(self).follow_redirects = False
        self.project: str | None = vertex.endpoint.project  # Google's project; never sent as OpenAI-Project
        self.organization: str | None = None

    @property
    def location(self) -> str | None:
        """The Vertex AI location requests go to (`global`, `us-central1`, ...)."""
        return self._vertex.endpoint.location

    @property
    def token_source(self) -> TokenSource:
        """Where this client's access tokens come from (shared with its copies)."""
        return self._vertex.shared.auth

    @property
    def vertex_options(self) -> VertexOptions:
        """The Vertex options this client was built with."""
        return self._vertex.options

    @property
    def vertex_endpoint(self) -> Endpoint:
        """Where requests go: base URL, project (and where it came from), location, route."""
        return self._vertex.endpoint

    def __repr__(self) -> str:
        options = self._vertex.options.describe()
        return (
            f"{type(self).__name__}(project={self.project!r}, location={self.location!r}, "
            f"base_url={str(self.base_url)!r}, credentials={self.token_source.describe()!r}"
            f"{', ' + options if options else ''})"
        )

    def copy(
        self,
        *,
        project: str | None = None,
        location: str | None = None,
        api_version: str | None = None,
        endpoint_id: str | None = None,
        base_url: str | http.URL | NotGiven | None = None,
        model_aliases: Mapping[str, str] | None = None,
        default_gemini_options: Mapping[str, object] | None = None,
        default_service_tier: ServiceTier | None = None,
        partner_models: Iterable[PartnerModel] | None = None,
        placeholder_signatures: bool | None = None,
        signature_ids: bool | None = None,
        batch_bucket: str | None = None,
        fallback_locations: Sequence[str] | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        http_client: _HttpxClientT | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
        api_key: object = None,
        admin_api_key: object = None,
        workload_identity: object = None,
        provider: object = NOT_GIVEN,
        organization: object = None,
        webhook_secret: object = None,
        websocket_base_url: object = None,
        data_residency: object = None,
        _enforce_credentials: bool | None = None,
        _extra_kwargs: Mapping[str, object] = {},  # openai's own default; never mutated
    ) -> Self:
        """A new client with some options changed (None keeps one); it shares this client's token cache.

        Takes every keyword openai's `copy()` takes. Those naming OpenAI credentials or services
        (`api_key`, `organization`, `webhook_secret`, ...) raise ValueError when given: Vertex takes
        Google credentials, which a copy shares. `_enforce_credentials` (openai's own) is ignored.
        """
        arguments = locals()
        given = {"provider": provider} if not isinstance(provider, NotGiven) and provider is not None else {}
        given.update(
            (name, arguments[name]) for name in _OPENAI_ONLY_COPY_ARGUMENTS if arguments[name] is not None
        )
        if given:
            raise ValueError(
                f"copy()/with_options() got {', '.join(sorted(given))}: OpenAI credentials and services do "
                "not apply to Vertex AI (a copy shares this client's Google credentials)."
            )
        if isinstance(base_url, NotGiven):
            arguments["base_url"] = None
        elif base_url is not None:
            arguments["base_url"] = str(base_url)
        options = self._vertex.options.changed({name: arguments[name] for name in OPTION_NAMES})
        make: Callable[..., Self] = type(self)
        return make(
            **options.arguments(),
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            http_client=http_client or _compat.http_client(self),
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=_merged(
                "default_headers", _compat.custom_headers(self), default_headers, set_default_headers
            ),
            default_query=_merged(
                "default_query", _compat.custom_query(self), default_query, set_default_query
            ),
            _strict_response_validation=_compat.strict_response_validation(self),
            _shared=self._vertex.shared,
            **_extra_kwargs,
        )

    with_options = copy


def _merged(
    name: str,
    current: Mapping[str, _V],
    update: Mapping[str, _V] | None,
    replacement: Mapping[str, _V] | None,
) -> Mapping[str, _V]:
    """openai's rule for `default_X` (merged in) and `set_default_X` (replaces)."""
    if update is not None and replacement is not None:
        raise ValueError(f"The `{name}` and `set_{name}` arguments are mutually exclusive")
    if update is not None:
        return {**current, **update}
    return current if replacement is None else replacement


def _default_headers(headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """A caller's `default_headers` as both clients keep them: checked, without OpenAI's identity
    headers (`_compat`), with signing's own headers left to signing (`_signing`)."""
    checked = check_mapping(headers, "default_headers", "a mapping of header names to str")
    return default_headers_to_sign(_compat.without_openai_identity(checked))


def _vertex(
    arguments: Mapping[str, Any],
    *,
    credentials: Credentials | None,
    token_provider: AsyncTokenProvider | None,
    access_token: str | None,
    quota_project: str | None,
    remember_signatures: bool | SignatureMemory,
    timeout: object,
    shared: Shared | None,
) -> _Vertex:
    """A client's `_Vertex`, from its constructor's arguments (`locals()`: the options by name)."""
    options = VertexOptions.of(arguments)
    if isinstance(remember_signatures, SignatureMemory):
        memory: SignatureMemory | None = remember_signatures
    elif isinstance(remember_signatures, bool):
        memory = SignatureMemory() if remember_signatures else None
    else:
        raise TypeError(
            f"remember_signatures must be True, False or a SignatureMemory, not {remember_signatures!r}."
        )
    if shared is None:
        shared = Shared(
            auth=token_source(
                credentials=credentials,
                token_provider=token_provider,
                access_token=access_token,
                quota_project=quota_project,
            ),
            signatures=memory,
        )
    default_timeout = isinstance(timeout, NotGiven) or timeout == openai.DEFAULT_TIMEOUT
    return _Vertex(options, shared, default_timeout=default_timeout)


class VertexOpenAI(_VertexClient[http.Client, Stream[object]], SyncHooks):
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
        remember_signatures: bool | SignatureMemory = True,
        model_aliases: Mapping[str, str] | None = None,
        default_gemini_options: Mapping[str, object] | None = None,
        default_service_tier: ServiceTier | None = None,
        partner_models: Iterable[PartnerModel] | None = None,
        placeholder_signatures: bool = True,
        signature_ids: bool = True,
        batch_bucket: str | None = None,
        fallback_locations: Sequence[str] | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: http.Client | None = None,
        _strict_response_validation: bool = False,
        _shared: Shared | None = None,
    ) -> None:
        """Build a client for `project` and `location`.

        Credentials: at most one of `credentials` (google-auth), `token_provider` (called for every
        attempt), `access_token` (static, never refreshed); none means Application Default Credentials.
        `project` falls back to `GOOGLE_CLOUD_PROJECT`, then the credentials' project; `location` to
        `GOOGLE_CLOUD_LOCATION`, then `"global"`. An explicit `base_url` wins over both.
        `default_gemini_options` (a `gemini_options()` value) is deep-merged into every chat request;
        a call's own `extra_body` wins key by key. `default_service_tier` (`"flex"`, `"priority"`,
        `"provisioned"`, ...) applies to chat calls that pass no `service_tier`; `partner_models` adds
        `PartnerModel` entries to the table of documented MaaS models. `remember_signatures=False`
        turns off the memory that puts thought signatures back where a framework dropped them; a
        `SignatureMemory` shares one memory between clients (a sync and an async client one framework
        uses for the same conversations). `placeholder_signatures=False` turns off Google's documented
        placeholder for tool calls of a Gemini 3 turn that never had a signature (another model's);
        `signature_ids=False` gives tool calls short random ids instead of ids that carry their
        thought signature through any stored history.
        `batch_bucket` (`gs://bucket/prefix`, else env `VERTEX_OPENAI_BATCH_BUCKET`) holds the files of
        `client.files` / `client.batches`.
        `fallback_locations` (e.g. `["us-east5", "global"]`): after a 429 RESOURCE_EXHAUSTED, openai's
        next retry goes to the next of these locations (docs/failover.md); each call starts at `location`.
        """
        vertex = _vertex(
            locals(),
            credentials=credentials,
            token_provider=token_provider,
            access_token=access_token,
            quota_project=quota_project,
            remember_signatures=remember_signatures,
            timeout=timeout,
            shared=_shared,
        )
        super().__init__(
            api_key=_API_KEY_PLACEHOLDER,
            base_url=vertex.endpoint.base_url,
            timeout=check_timeout(timeout),
            max_retries=check_max_retries(max_retries),
            default_headers=_default_headers(default_headers),
            default_query=check_mapping(default_query, "default_query", "a mapping of query parameters"),
            http_client=http_client,
            _strict_response_validation=_strict_response_validation,
        )
        self._adopt(vertex, own_http_client=http_client is None)

    @cached_property
    @override
    def embeddings(self) -> VertexEmbeddings:
        """openai's embeddings; Google's embedding models go to Vertex's `:predict` route."""
        return VertexEmbeddings(self, self._vertex)

    @cached_property
    @override
    def models(self) -> VertexModels:
        """openai's models, answered from Vertex's publisher-model listing."""
        from ._resources._models import VertexModels

        return VertexModels(self, self._vertex)

    @cached_property
    @override
    def responses(self) -> Responses:
        """openai's responses; bridged to chat completions for models not served on `/responses`."""
        from ._resources._responses import Responses

        return Responses(self, self._vertex)

    @cached_property
    @override
    def files(self) -> VertexFiles:
        """openai's files, kept on Cloud Storage (`batch_bucket` / `VERTEX_OPENAI_BATCH_BUCKET`)."""
        from ._resources._batch import VertexFiles

        return VertexFiles(self, self._vertex, bucket=self._vertex.options.batch_bucket)

    @cached_property
    @override
    def batches(self) -> VertexBatches:
        """openai's batches, run as Vertex AI batch prediction jobs."""
        from ._resources._batch import VertexBatches

        return VertexBatches(self, self._vertex, bucket=self._vertex.options.batch_bucket)


class AsyncVertexOpenAI(_VertexClient[http.AsyncClient, AsyncStream[object]], AsyncHooks):
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
        remember_signatures: bool | SignatureMemory = True,
        model_aliases: Mapping[str, str] | None = None,
        default_gemini_options: Mapping[str, object] | None = None,
        default_service_tier: ServiceTier | None = None,
        partner_models: Iterable[PartnerModel] | None = None,
        placeholder_signatures: bool = True,
        signature_ids: bool = True,
        batch_bucket: str | None = None,
        fallback_locations: Sequence[str] | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: http.AsyncClient | None = None,
        _strict_response_validation: bool = False,
        _shared: Shared | None = None,
    ) -> None:
        """Build an async client; arguments as for `VertexOpenAI` (`token_provider` may be async)."""
        vertex = _vertex(
            locals(),
            credentials=credentials,
            token_provider=token_provider,
            access_token=access_token,
            quota_project=quota_project,
            remember_signatures=remember_signatures,
            timeout=timeout,
            shared=_shared,
        )
        super().__init__(
            api_key=_API_KEY_PLACEHOLDER,
            base_url=vertex.endpoint.base_url,
            timeout=check_timeout(timeout),
            max_retries=check_max_retries(max_retries),
            default_headers=_default_headers(default_headers),
            default_query=check_mapping(default_query, "default_query", "a mapping of query parameters"),
            http_client=http_client,
            _strict_response_validation=_strict_response_validation,
        )
        self._adopt(vertex, own_http_client=http_client is None)

    @cached_property
    @override
    def embeddings(self) -> AsyncVertexEmbeddings:
        """openai's embeddings; Google's embedding models go to Vertex's `:predict` route."""
        return AsyncVertexEmbeddings(self, self._vertex)

    @cached_property
    @override
    def models(self) -> AsyncVertexModels:
        """openai's models, answered from Vertex's publisher-model listing."""
        from ._resources._models import AsyncVertexModels

        return AsyncVertexModels(self, self._vertex)

    @cached_property
    @override
    def responses(self) -> AsyncResponses:
        """openai's responses; bridged to chat completions for models not served on `/responses`."""
        from ._resources._responses import AsyncResponses

        return AsyncResponses(self, self._vertex)

    @cached_property
    @override
    def files(self) -> AsyncVertexFiles:
        """openai's files, kept on Cloud Storage (`batch_bucket` / `VERTEX_OPENAI_BATCH_BUCKET`)."""
        from ._resources._batch import AsyncVertexFiles

        return AsyncVertexFiles(self, self._vertex, bucket=self._vertex.options.batch_bucket)

    @cached_property
    @override
    def batches(self) -> AsyncVertexBatches:
        """openai's batches, run as Vertex AI batch prediction jobs."""
        from ._resources._batch import AsyncVertexBatches

        return AsyncVertexBatches(self, self._vertex, bucket=self._vertex.options.batch_bucket)
