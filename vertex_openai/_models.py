"""`client.models.list()` / `retrieve()` from Vertex's publisher-model listing (Model Garden).

The OpenAI-compatible route has no `models`; Vertex lists publisher models at
`v1beta1/publishers/{publisher}/models` (paged by `nextPageToken`; `next_page_token` is read too) and
gets one at `v1beta1/publishers/{publisher}/models/{model}`, on the client's origin. Answers become
openai `Model` objects whose ids are what chat calls take (`google/gemini-2.5-flash`), `owned_by` the
publisher, `created` 0 (the listing has no creation time).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Generator, Mapping
from functools import partial
from typing import Any, TypeVar

from openai import NOT_GIVEN
from openai.pagination import AsyncPage, SyncPage
from openai.resources.models import AsyncModels, Models
from openai.types import Model

from . import _native

_P = TypeVar("_P", SyncPage[Model], AsyncPage[Model])

#: The publisher `models.list()` lists: Google's own models (Gemini, embeddings, Imagen, ...).
DEFAULT_PUBLISHER = "google"


def model_of(publisher_model: object) -> Model:
    """A PublisherModel (`name: publishers/{p}/models/{m}`) as openai's `Model` (`id: {p}/{m}`)."""
    name = publisher_model.get("name") if isinstance(publisher_model, Mapping) else None
    parts = name.split("/") if isinstance(name, str) else []
    if len(parts) != 4 or parts[0] != "publishers" or parts[2] != "models":
        raise ValueError(f"Vertex AI's publisher model listing sent an entry without a model name: {name!r}.")
    publisher, model = parts[1], parts[3]
    extra: dict[str, Any] = {}
    assert isinstance(publisher_model, Mapping)
    for field, key in (("launchStage", "launch_stage"), ("versionId", "version_id")):
        if isinstance(publisher_model.get(field), str):
            extra[key] = publisher_model[field]
    return Model.construct(id=f"{publisher}/{model}", created=0, object="model", owned_by=publisher, **extra)


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


def split_id(model: str) -> tuple[str, str]:
    """(publisher, model) of an id as chat calls take it; a bare id is Google's."""
    publisher, _, name = model.rpartition("/")
    return publisher or DEFAULT_PUBLISHER, name


def _request_options(
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: object,
    post_parser: Any,
    page_token: str | None = None,
) -> dict[str, Any]:
    params = {**(extra_query or {}), **({"pageToken": page_token} if page_token else {})}
    options: dict[str, Any] = {"headers": dict(extra_headers or {}), "post_parser": post_parser}
    if params:
        options["params"] = params
    if timeout is not NOT_GIVEN:
        options["timeout"] = timeout
    return options


class VertexModels(Models):
    """openai's `Models`, answered from Vertex's publisher-model listing."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._vertex_client = client  # our own reference: openai's `_client` attribute is private

    def retrieve(
        self,
        model: str,
        *,
        extra_headers: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: Any = NOT_GIVEN,
    ) -> Model:
        """One model by id (`google/gemini-2.5-flash`, `gemini-2.5-flash`, `meta/llama-...-maas`)."""
        publisher, name = split_id(self._vertex_client._vertex.models.full_name(model))
        url = _native.publisher_models_url(str(self._vertex_client.base_url), publisher=publisher, model=name)
        options = _request_options(extra_headers, extra_query, timeout, model_of)
        return self._vertex_client.get(url, cast_to=object, options=options)  # type: ignore[no-any-return]

    def list(
        self,
        *,
        extra_headers: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: Any = NOT_GIVEN,
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
                return page  # type: ignore[no-any-return]  # with_raw_response: the first HTTP response
            models += page.data
            token = getattr(page, "next_page_token", None)
            if token is None:
                return SyncPage[Model].construct(data=models, object="list")


class AsyncVertexModels(AsyncModels):
    """openai's `AsyncModels`, answered from Vertex's publisher-model listing."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._vertex_client = client

    async def retrieve(
        self,
        model: str,
        *,
        extra_headers: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: Any = NOT_GIVEN,
    ) -> Model:
        """One model by id (`google/gemini-2.5-flash`, `gemini-2.5-flash`, `meta/llama-...-maas`)."""
        publisher, name = split_id(self._vertex_client._vertex.models.full_name(model))
        url = _native.publisher_models_url(str(self._vertex_client.base_url), publisher=publisher, model=name)
        options = _request_options(extra_headers, extra_query, timeout, model_of)
        return await self._vertex_client.get(url, cast_to=object, options=options)  # type: ignore[no-any-return]

    def list(  # type: ignore[override]  # as VertexModels.list; awaitable and async-iterable like openai's
        self,
        *,
        extra_headers: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: Any = NOT_GIVEN,
    ) -> AsyncListing:
        """Google's publisher models, every page fetched (a raw response covers the first page)."""
        return AsyncListing(self._fetch_all(extra_headers, extra_query, timeout))

    async def _fetch_all(
        self, extra_headers: Mapping[str, Any] | None, extra_query: Mapping[str, object] | None, timeout: Any
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
                return page  # type: ignore[no-any-return]  # with_raw_response: the first HTTP response
            models += page.data
            token = getattr(page, "next_page_token", None)
            if token is None:
                return AsyncPage[Model].construct(data=models, object="list")


class AsyncListing:
    """What `AsyncVertexModels.list()` returns: `await` it for the page, or `async for` over its models."""

    def __init__(self, fetch: Coroutine[Any, Any, AsyncPage[Model]]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[Any, None, AsyncPage[Model]]:
        return self._fetch.__await__()

    async def __aiter__(self) -> AsyncIterator[Model]:
        page = await self._fetch
        for model in page.data:
            yield model
