"""`client.models.list()` / `retrieve()` from Vertex's publisher-model listing (Model Garden).

The OpenAI-compatible route has no `models`; Vertex lists publisher models at
`v1beta1/publishers/{publisher}/models` (paged by `nextPageToken`; `next_page_token` is read too) and
gets one at `v1beta1/publishers/{publisher}/models/{model}`, on the client's origin. Answers become
openai `Model` objects whose ids are what chat calls take (`google/gemini-2.5-flash`), `owned_by` the
publisher, `created` 0 (the listing has no creation time).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Generator, Mapping
from functools import partial
from typing import TYPE_CHECKING, TypeAlias, TypeVar, cast

import openai
from openai import NOT_GIVEN, NotGiven
from openai.pagination import AsyncPage, SyncPage
from openai.resources.models import AsyncModels, Models
from openai.types import Model
from typing_extensions import override

from .._compat import http
from .._util import JSONObject, typed_as
from . import _native

if TYPE_CHECKING:
    from .._context import ClientContext

_P = TypeVar("_P", SyncPage[Model], AsyncPage[Model])

#: The publisher `models.list()` lists: Google's own models (Gemini, embeddings, Imagen, ...).
DEFAULT_PUBLISHER = "google"
_Timeout: TypeAlias = "float | http.Timeout | NotGiven | None"


def model_of(publisher_model: object) -> Model:
    """A PublisherModel (`name: publishers/{p}/models/{m}`) as openai's `Model` (`id: {p}/{m}`)."""
    name = publisher_model.get("name") if isinstance(publisher_model, Mapping) else None
    parts = name.split("/") if isinstance(name, str) else []
    if len(parts) != 4 or parts[0] != "publishers" or parts[2] != "models":
        raise ValueError(f"Vertex AI's publisher model listing sent an entry without a model name: {name!r}.")
    publisher, model = parts[1], parts[3]
    extra: JSONObject = {}
    assert isinstance(publisher_model, Mapping)
    for field, key in (("launchStage", "launch_stage"), ("versionId", "version_id")):
        if isinstance(publisher_model.get(field), str):
            extra[key] = publisher_model[field]
    return Model.construct(
        None, id=f"{publisher}/{model}", created=0, object="model", owned_by=publisher, **extra
    )


def next_page_token(body: object) -> str | None:
    token = None
    if isinstance(body, Mapping):
        token = body.get("nextPageToken") or body.get("next_page_token")
    return token if isinstance(token, str) and token else None


def page_of(body: object, *, page: type[_P]) -> _P:
    """One listing answer as an openai page of `Model`s; `next_page_token` (extra) says if more follow."""
    entries = None
    if isinstance(body, Mapping):
        entries = body.get("publisherModels", body.get("publisher_models"))
    models = [model_of(entry) for entry in entries or []]
    return page.construct(data=models, object="list", next_page_token=next_page_token(body))


def model_url(context: ClientContext, model: str) -> str:
    """The listing's URL for one model, named as chat calls take it (aliases and partner ids too)."""
    resolved = context.resolve(model)
    return _native.publisher_models_url(
        context.endpoint.base_url, publisher=resolved.publisher, model=resolved.name
    )


def _request_options(
    extra_headers: Mapping[str, object] | None,
    extra_query: Mapping[str, object] | None,
    timeout: object,
    post_parser: Callable[[object], object],
    page_token: str | None = None,
) -> openai.RequestOptions:
    params = {**(extra_query or {}), **({"pageToken": page_token} if page_token else {})}
    options: JSONObject = {"headers": dict(extra_headers or {}), "post_parser": post_parser}
    if params:
        options["params"] = params
    if timeout is not NOT_GIVEN:
        options["timeout"] = timeout
    return cast("openai.RequestOptions", options)  # openai reads `post_parser`; its TypedDict leaves it out


class VertexModels(Models):
    """openai's `Models`, answered from Vertex's publisher-model listing."""

    def __init__(self, client: openai.OpenAI, context: ClientContext) -> None:
        super().__init__(client)
        self._context = context
        self._vertex_client = client  # our own reference (openai's `_client` attribute is private)

    @override
    def retrieve(
        self,
        model: str,
        *,
        extra_headers: Mapping[str, object] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: _Timeout = NOT_GIVEN,
    ) -> Model:
        """One model by id (`google/gemini-2.5-flash`, `gemini-2.5-flash`, `meta/llama-...-maas`)."""
        url = model_url(self._context, model)
        options = _request_options(extra_headers, extra_query, timeout, model_of)
        # made by model_of (or, asked for a raw response, openai's own: typed as openai types it)
        return cast(Model, self._vertex_client.get(url, cast_to=object, options=options))

    @override
    def list(
        self,
        *,
        extra_headers: Mapping[str, object] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: _Timeout = NOT_GIVEN,
    ) -> SyncPage[Model]:
        """Google's publisher models, every page fetched (a raw response covers the first page)."""
        client = self._vertex_client
        url = _native.publisher_models_url(str(client.base_url), publisher=DEFAULT_PUBLISHER)
        models: list[Model] = []
        token: str | None = None
        while True:
            parse = partial(page_of, page=SyncPage[Model])
            page = client.get(
                url,
                cast_to=object,
                options=_request_options(extra_headers, extra_query, timeout, parse, token),
            )
            if not isinstance(page, SyncPage):
                return cast("SyncPage[Model]", page)  # with_raw_response: the first HTTP response
            models += page.data
            token = getattr(page, "next_page_token", None)
            if token is None:
                return SyncPage[Model].construct(data=models, object="list")


class AsyncVertexModels(AsyncModels):
    """openai's `AsyncModels`, answered from Vertex's publisher-model listing."""

    def __init__(self, client: openai.AsyncOpenAI, context: ClientContext) -> None:
        super().__init__(client)
        self._context = context
        self._vertex_client = client  # as in VertexModels

    @override
    async def retrieve(
        self,
        model: str,
        *,
        extra_headers: Mapping[str, object] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: _Timeout = NOT_GIVEN,
    ) -> Model:
        """One model by id (`google/gemini-2.5-flash`, `gemini-2.5-flash`, `meta/llama-...-maas`)."""
        url = model_url(self._context, model)
        options = _request_options(extra_headers, extra_query, timeout, model_of)
        return cast(Model, await self._vertex_client.get(url, cast_to=object, options=options))

    def _list_call(  # openai's AsyncPaginator is private; AsyncListing awaits/iterates alike
        self,
        *,
        extra_headers: Mapping[str, object] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: _Timeout = NOT_GIVEN,
    ) -> AsyncListing:
        """Google's publisher models, every page fetched (a raw response covers the first page)."""
        return AsyncListing(self._fetch_all(extra_headers, extra_query, timeout))

    list = typed_as(AsyncModels.list, _list_call)

    async def _fetch_all(
        self,
        extra_headers: Mapping[str, object] | None,
        extra_query: Mapping[str, object] | None,
        timeout: object,
    ) -> AsyncPage[Model]:
        client = self._vertex_client
        url = _native.publisher_models_url(str(client.base_url), publisher=DEFAULT_PUBLISHER)
        models: list[Model] = []
        token: str | None = None
        while True:
            parse = partial(page_of, page=AsyncPage[Model])
            page = await client.get(
                url,
                cast_to=object,
                options=_request_options(extra_headers, extra_query, timeout, parse, token),
            )
            if not isinstance(page, AsyncPage):
                return cast("AsyncPage[Model]", page)  # with_raw_response: the first HTTP response
            models += page.data
            token = getattr(page, "next_page_token", None)
            if token is None:
                return AsyncPage[Model].construct(data=models, object="list")


class AsyncListing:
    """What `AsyncVertexModels.list()` returns: `await` it for the page, or `async for` over its models."""

    def __init__(self, fetch: Coroutine[object, None, AsyncPage[Model]]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[object, None, AsyncPage[Model]]:
        return self._fetch.__await__()

    async def __aiter__(self) -> AsyncIterator[Model]:
        page = await self._fetch
        for model in page.data:
            yield model
