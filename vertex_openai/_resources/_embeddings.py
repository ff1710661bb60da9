"""`client.embeddings.create` for Google's embedding models, through Vertex's native `:predict` route.

Vertex documents only the MaaS (`*-maas`) embedding models on the OpenAI-compatible route; Google's
own (`text-embedding-005`, `text-multilingual-embedding-002`, `gemini-embedding-001`, with or without
`google/`) are served by `.../publishers/google/models/{model}:predict`. This module translates an
OpenAI embeddings call into `:predict` requests (split per the model's request limit, sent
concurrently within a bound, joined in order) and the answers into openai's `CreateEmbeddingResponse`.
Everything else (MaaS models, self-deployed endpoints) goes to openai's own `/embeddings` unchanged.

The plan (`plan_embeddings`) and the joining are shared by the sync and async resources; only the
waiting differs.
"""

from __future__ import annotations

import asyncio
import base64
import struct
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar, get_args

import openai
from openai import NOT_GIVEN, NotGiven, Omit
from openai.resources.embeddings import AsyncEmbeddings, Embeddings
from openai.types import CreateEmbeddingResponse, Embedding
from openai.types.create_embedding_response import Usage
from typing_extensions import override

from .._compat import http, raw_response_requested
from .._pipeline import _telemetry
from .._util import JSONObject, field
from . import _native

if TYPE_CHECKING:
    from .._context import ClientContext
    from .._pipeline._model import ResolvedModel

__all__ = ["EmbeddingTaskType", "embedding_options"]

#: Texts per `:predict` request (Vertex's documented limit for the text embedding models).
TEXTS_PER_REQUEST = 250
#: Models that take one text per request (Google documents this for gemini-embedding-001).
_ONE_TEXT_PREFIXES = ("gemini-embedding",)
#: Requests of one call in flight at once.
MAX_CONCURRENT_REQUESTS = 8

EmbeddingTaskType = Literal[
    "RETRIEVAL_QUERY",
    "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
    "CODE_RETRIEVAL_QUERY",
]
_TASK_TYPES: tuple[str, ...] = get_args(EmbeddingTaskType)
_OPTION_KEYS = ("task_type", "title", "auto_truncate")

_T = TypeVar("_T")


def embedding_options(
    *,
    task_type: EmbeddingTaskType | None = None,
    title: str | Sequence[str] | None = None,
    auto_truncate: bool | None = None,
) -> JSONObject:
    """Vertex embedding options, for `client.embeddings.create(..., extra_body=embedding_options(...))`.

    `task_type` tells the model what the vectors are for (`RETRIEVAL_DOCUMENT` for the texts you
    store, `RETRIEVAL_QUERY` for searches, ...); `title` (one for all texts, or one per text) is only
    used with `RETRIEVAL_DOCUMENT`; `auto_truncate=False` makes over-long texts an error instead of
    being cut.
    """
    if task_type is not None and task_type not in _TASK_TYPES:
        raise ValueError(f"task_type={task_type!r} is not one of {', '.join(_TASK_TYPES)}.")
    if title is not None and not isinstance(title, str):
        title = list(title)
        if not all(isinstance(t, str) for t in title):
            raise ValueError("title= takes a string or a list of strings (one per input text).")
    if auto_truncate is not None and not isinstance(auto_truncate, bool):
        raise ValueError(f"auto_truncate={auto_truncate!r} must be True or False.")
    values: JSONObject = {"task_type": task_type, "title": title, "auto_truncate": auto_truncate}
    return {key: value for key, value in values.items() if value is not None}


def texts_per_request(model: str) -> int:
    return 1 if model.startswith(_ONE_TEXT_PREFIXES) else TEXTS_PER_REQUEST


def input_texts(value: object) -> list[str]:
    """The texts of an `input=` value; token arrays and other shapes get an error naming the argument."""
    if isinstance(value, str):
        return [value]
    items = list(value) if isinstance(value, Iterable) else None
    if items is None or not items:
        raise ValueError("input= must be a string or a non-empty list of strings.")
    if all(isinstance(item, str) for item in items):
        return items
    if all(isinstance(item, int) for item in items) or all(
        isinstance(item, Iterable) and not isinstance(item, str) for item in items
    ):
        raise ValueError(
            "input= holds token ids; Google embedding models on Vertex AI take text only: "
            "pass the strings themselves (decode the tokens first)."
        )
    raise ValueError("input= must be a string or a list of strings.")


def predict_body(
    texts: Sequence[str],
    *,
    dimensions: int | None,
    options: Mapping[str, object],
    titles: Sequence[str] | None,
) -> JSONObject:
    """A `:predict` body as Google's REST reference documents it."""
    instances: list[JSONObject] = []
    for number, text in enumerate(texts):
        instance: JSONObject = {"content": text}
        if "task_type" in options:
            instance["task_type"] = options["task_type"]
        if titles is not None:
            instance["title"] = titles[number]
        instances.append(instance)
    parameters: JSONObject = {}
    if dimensions is not None:
        parameters["outputDimensionality"] = dimensions
    if "auto_truncate" in options:
        parameters["autoTruncate"] = options["auto_truncate"]
    return {"instances": instances, **({"parameters": parameters} if parameters else {})}


def _token_count(prediction: Mapping[str, object]) -> int:
    statistics = field(prediction.get("embeddings"), "statistics")
    count: object = field(statistics, "token_count", "tokenCount")
    if not isinstance(count, (int, float, str)):
        return 0
    try:
        return int(float(count))  # proto JSON may send a number or a string
    except ValueError:
        return 0


def _values(prediction: object) -> list[float]:
    embeddings = prediction.get("embeddings") if isinstance(prediction, Mapping) else None
    values = embeddings.get("values") if isinstance(embeddings, Mapping) else None
    if not isinstance(values, list):
        raise ValueError("Vertex AI's :predict answer has no predictions[i].embeddings.values.")
    return values


def encode(values: list[float], encoding_format: str | None) -> list[float] | str:
    """As OpenAI returns it: floats, or little-endian float32 bytes in base64 when asked for base64."""
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")
    return values


def _embedding(vector: list[float] | str, index: int) -> Embedding:
    if isinstance(vector, str):  # base64: kept as a string, as openai keeps it when asked for base64
        return Embedding.construct(embedding=vector, index=index, object="embedding")
    # validated models here and below: pydantic checks a list of floats in its core, while openai's
    # construct() walks it value by value (about 200x slower for a 256-float vector)
    return Embedding(embedding=vector, index=index, object="embedding")


def to_response(
    body: object, *, model: str, start: int, expected: int, encoding_format: str | None
) -> CreateEmbeddingResponse:
    """One `:predict` answer as openai's `CreateEmbeddingResponse`; indexes count from `start`."""
    predictions = body.get("predictions") if isinstance(body, Mapping) else None
    if not isinstance(predictions, list) or len(predictions) != expected:
        got = len(predictions) if isinstance(predictions, list) else "no"
        raise ValueError(f"Vertex AI's :predict answer has {got} predictions for {expected} texts.")
    data = [_embedding(encode(_values(p), encoding_format), start + n) for n, p in enumerate(predictions)]
    tokens = sum(_token_count(p) for p in predictions)
    usage = Usage(prompt_tokens=tokens, total_tokens=tokens)
    return CreateEmbeddingResponse(data=data, model=model, object="list", usage=usage)


def join(parts: Sequence[CreateEmbeddingResponse]) -> CreateEmbeddingResponse:
    """The answers of several requests as one, in input order, usage summed."""
    if len(parts) == 1:
        return parts[0]
    tokens = sum(part.usage.prompt_tokens for part in parts)
    return CreateEmbeddingResponse(
        data=[item for part in parts for item in part.data],
        model=parts[0].model,
        object="list",
        usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
    )


@dataclass(frozen=True)
class Request:
    url: str
    body: JSONObject
    options: JSONObject  # openai's request options (headers, params, timeout, post_parser)


def _given(value: object) -> bool:
    return value is not None and not isinstance(value, (NotGiven, getattr(openai, "Omit", NotGiven)))


def _options_of(extra_body: object) -> JSONObject:
    if extra_body is not None and not isinstance(extra_body, Mapping):
        raise ValueError("extra_body= takes vertex_openai.embedding_options(...) (a dict) for this model.")
    options: dict[str, Any] = dict(extra_body or {})  # checked by embedding_options
    unknown = [key for key in options if key not in _OPTION_KEYS]
    if unknown:
        raise ValueError(
            f"extra_body keys {', '.join(map(repr, unknown))} are not Vertex embedding options; "
            "use extra_body=vertex_openai.embedding_options(task_type=..., title=..., auto_truncate=...)."
        )
    return embedding_options(**options)


def plan_embeddings(
    target: NativeTarget,
    *,
    input: object,
    model: str,
    dimensions: object,
    encoding_format: object,
    extra_headers: Mapping[str, object] | None,
    extra_query: Mapping[str, object] | None,
    extra_body: object,
    timeout: object,
) -> list[Request] | None:
    """The `:predict` requests for one call, or None when openai's own `/embeddings` serves it."""
    name = target.resolve(model).embedding_model  # aliases first: the client's one model rule
    if name is None:
        return None
    texts = input_texts(input)
    options = _options_of(extra_body)
    title = options.pop("title", None)  # a string or a list of strings (embedding_options checked)
    titles = [title] * len(texts) if isinstance(title, str) else title if isinstance(title, list) else None
    if titles is not None and len(titles) != len(texts):
        raise ValueError(f"title= has {len(titles)} titles for {len(texts)} input texts.")
    size = None
    if _given(dimensions):
        if not isinstance(dimensions, int) or isinstance(dimensions, bool) or dimensions <= 0:
            raise ValueError(f"dimensions={dimensions!r} must be a positive integer.")
        size = dimensions
    fmt = encoding_format if _given(encoding_format) else None
    if fmt not in (None, "float", "base64"):
        raise ValueError(f"encoding_format={fmt!r} must be 'float' or 'base64'.")
    url = _native.predict_url(
        target.base_url,
        api_version=target.api_version,
        project=target.project,
        location=target.location,
        model=name,
    )
    per_request = texts_per_request(name)
    starts = range(0, len(texts), per_request)
    headers = dict(extra_headers or {})
    if len(starts) > 1 and raw_response_requested(headers):
        raise ValueError(
            f"with_raw_response returns one HTTP response, and these {len(texts)} texts need {len(starts)} "
            f"requests ({per_request} texts per request for {name}): call it per batch."
        )
    requests = []
    for start in starts:
        chunk = texts[start : start + per_request]
        options_: JSONObject = {
            "headers": headers,
            "post_parser": partial(
                to_response, model=model, start=start, expected=len(chunk), encoding_format=fmt
            ),
        }
        if extra_query:
            options_["params"] = dict(extra_query)
        if not isinstance(timeout, NotGiven):
            options_["timeout"] = timeout
        body = predict_body(
            chunk,
            dimensions=size,
            options=options,
            titles=titles[start : start + per_request] if titles is not None else None,
        )
        requests.append(Request(url, body, options_))
    return requests


@dataclass(frozen=True)
class NativeTarget:
    base_url: str
    api_version: str
    project: str | None
    location: str | None
    resolve: Callable[[str], ResolvedModel]

    def span(self, url: str, model: str) -> dict[str, Any]:
        """`_telemetry.traced_create`'s keywords for a `:predict` call of `model` (as the caller wrote it)."""
        sent = self.resolve(model)
        return {"url": url, "project": self.project, "location": self.location, "model": sent.id}


def _traced_arguments(
    input: object, model: str, dimensions: object, encoding_format: object
) -> dict[str, object]:
    """The call's arguments an instrumentor reads."""
    return {"input": input, "model": model, "dimensions": dimensions, "encoding_format": encoding_format}


def native_target(context: ClientContext) -> NativeTarget:
    """What the native route needs to know about a client."""
    endpoint = context.endpoint
    return NativeTarget(
        base_url=endpoint.base_url,
        api_version=context.options.api_version,
        project=endpoint.project,
        location=endpoint.location,
        resolve=context.resolve,
    )


def run_all(send: Callable[[Request], _T], requests: Sequence[Request]) -> list[_T]:
    """Send in threads, at most MAX_CONCURRENT_REQUESTS at once; results in request order."""
    if len(requests) == 1:
        return [send(requests[0])]
    with ThreadPoolExecutor(min(MAX_CONCURRENT_REQUESTS, len(requests))) as pool:
        try:
            return list(pool.map(send, requests))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


async def arun_all(send: Callable[[Request], Awaitable[_T]], requests: Sequence[Request]) -> list[_T]:
    """Send as tasks, at most MAX_CONCURRENT_REQUESTS at once; results in request order."""
    if len(requests) == 1:
        return [await send(requests[0])]
    limit = asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)

    async def one(request: Request) -> _T:
        async with limit:
            return await send(request)

    tasks = [asyncio.ensure_future(one(request)) for request in requests]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


def finish(results: Sequence[CreateEmbeddingResponse]) -> CreateEmbeddingResponse:
    """One result as it is (a raw response stays raw); several joined."""
    return results[0] if len(results) == 1 else join(results)


#: openai 3's types for these parameters, with what openai 1.x and 2.x callers pass (NOT_GIVEN).
_Dimensions: TypeAlias = "int | Omit | NotGiven"
_EncodingFormat: TypeAlias = 'Literal["float", "base64"] | Omit | NotGiven'
_User: TypeAlias = "str | Omit | NotGiven"
_Timeout: TypeAlias = "float | http.Timeout | NotGiven | None"
_Input: TypeAlias = "str | Iterable[str] | Iterable[int] | Iterable[Iterable[int]]"


class VertexEmbeddings(Embeddings):
    """openai's `Embeddings`, sending Google embedding models to Vertex's `:predict` route."""

    def __init__(self, client: openai.OpenAI, context: ClientContext) -> None:
        super().__init__(client)
        # our own reference (openai's `_client` attribute is private), untyped: openai's `post()` takes
        # the `post_parser` option, which its `RequestOptions` type leaves out
        self._vertex_client: Any = client
        self._target = native_target(context)  # a client's target never changes (copies are new clients)

    @override
    def create(
        self,
        *,
        input: _Input,
        model: str,
        dimensions: _Dimensions = NOT_GIVEN,
        encoding_format: _EncodingFormat = NOT_GIVEN,
        user: _User = NOT_GIVEN,
        extra_headers: Mapping[str, object] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: _Timeout = NOT_GIVEN,
    ) -> CreateEmbeddingResponse:
        requests = plan_embeddings(
            self._target,
            input=input,
            model=model,
            dimensions=dimensions,
            encoding_format=encoding_format,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        if requests is None:
            # openai's own method, given the arguments as the caller gave them (their types vary by major)
            create: Callable[..., CreateEmbeddingResponse] = super().create
            return create(
                input=input,
                model=model,
                dimensions=dimensions,
                encoding_format=encoding_format,
                user=user,
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
            )
        client = self._vertex_client

        def send(request: Request) -> CreateEmbeddingResponse:
            # post_parser makes the answer (or with_raw_response's raw response, typed as openai types it)
            answer: CreateEmbeddingResponse = client.post(
                request.url, cast_to=object, body=request.body, options=request.options
            )
            return answer

        return _telemetry.traced_create(
            super().create,
            self,
            _traced_arguments(input, model, dimensions, encoding_format),
            lambda: finish(run_all(send, requests)),
            **self._target.span(requests[0].url, model),
        )


class AsyncVertexEmbeddings(AsyncEmbeddings):
    """openai's `AsyncEmbeddings`, sending Google embedding models to Vertex's `:predict` route."""

    def __init__(self, client: openai.AsyncOpenAI, context: ClientContext) -> None:
        super().__init__(client)
        self._vertex_client: Any = client  # as in VertexEmbeddings
        self._target = native_target(context)  # a client's target never changes (copies are new clients)

    @override
    async def create(
        self,
        *,
        input: _Input,
        model: str,
        dimensions: _Dimensions = NOT_GIVEN,
        encoding_format: _EncodingFormat = NOT_GIVEN,
        user: _User = NOT_GIVEN,
        extra_headers: Mapping[str, object] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: object = None,
        timeout: _Timeout = NOT_GIVEN,
    ) -> CreateEmbeddingResponse:
        requests = plan_embeddings(
            self._target,
            input=input,
            model=model,
            dimensions=dimensions,
            encoding_format=encoding_format,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        if requests is None:
            create: Callable[..., Awaitable[CreateEmbeddingResponse]] = super().create  # as VertexEmbeddings
            return await create(
                input=input,
                model=model,
                dimensions=dimensions,
                encoding_format=encoding_format,
                user=user,
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
            )
        client = self._vertex_client

        async def send(request: Request) -> CreateEmbeddingResponse:
            answer: CreateEmbeddingResponse = await client.post(
                request.url, cast_to=object, body=request.body, options=request.options
            )
            return answer

        async def run() -> CreateEmbeddingResponse:
            return finish(await arun_all(send, requests))

        return await _telemetry.traced_create(
            super().create,
            self,
            _traced_arguments(input, model, dimensions, encoding_format),
            run,
            **self._target.span(requests[0].url, model),
        )
