"""`client.batches` on Vertex AI batch prediction jobs (`{endpoint root}/batchPredictionJobs`).

`create` reads the input file from Cloud Storage, checks and translates it line by line into a
spool file (nothing is uploaded or submitted when a line is refused), uploads the Vertex form next to
the batch's output folder and creates the job. A job maps to openai's `Batch`: status from its state,
`request_counts` from `completionStats` (int64 counts as JSON strings, zeros left out), timestamps,
`metadata` and the endpoint kept in labels, the input file id from the translated input's path.

The rules are written once (`BatchRules`); the sync and async resources differ only in how they send
(openai's own request path of the client: retries, timeouts, token refresh) and wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import openai
from openai.pagination import AsyncCursorPage, SyncCursorPage
from openai.resources.batches import AsyncBatches, Batches
from openai.types import Batch

from ..._compat import http
from ..._context import ClientContext
from ..._util import JSONObject, typed_as
from ._files import AsyncList, FileRules, results_ref
from ._ids import FileRef, batch_id, file_id, job_ref, pack_label, parse_batch_id, parse_file_id, unpack_label
from ._translate import CHAT_URL, InputError, duplicate_lines, epoch, repeated_digests, translate_input

__all__ = ["AsyncVertexBatches", "BatchRules", "VertexBatches", "batch_of"]

WINDOW = "24h"
MARK = ("openai_batch", "v1")  # the label every job made here carries (the listing's filter)
_ENDPOINTS = {CHAT_URL: "chat_completions", "/v1/embeddings": "embeddings"}
_STATUS = {
    "JOB_STATE_UNSPECIFIED": "validating",
    "JOB_STATE_QUEUED": "validating",
    "JOB_STATE_PENDING": "validating",
    "JOB_STATE_RUNNING": "in_progress",
    "JOB_STATE_UPDATING": "in_progress",
    "JOB_STATE_PAUSED": "in_progress",
    "JOB_STATE_SUCCEEDED": "completed",
    "JOB_STATE_PARTIALLY_SUCCEEDED": "completed",
    "JOB_STATE_FAILED": "failed",
    "JOB_STATE_CANCELLING": "cancelling",
    "JOB_STATE_CANCELLED": "cancelled",
    "JOB_STATE_EXPIRED": "expired",
}
_ENDED = {
    "completed": "completed_at",
    "failed": "failed_at",
    "cancelled": "cancelled_at",
    "expired": "expired_at",
}
_INPUT = re.compile(r"/batches/[0-9a-f]{32}/input/(?P<bucket>[^/]+)/(?P<object>.+)$")
_PAGE = 100


@dataclass(frozen=True)
class Plan:
    """A job to create (its body) once the input is uploaded."""

    body: JSONObject


class BatchRules:
    """What Batches does: blocking Cloud Storage work and pure mapping; no HTTP to Vertex here."""

    def __init__(self, context: ClientContext, files: FileRules) -> None:
        self.context = context
        self.files = files

    @property
    def root(self) -> str:
        endpoint = self.context.endpoint
        if endpoint.location in (None, "global"):
            raise ValueError(
                "Batch prediction runs in a region, and this client's location is "
                f"{endpoint.location or 'unknown'!r}: make a client with location='us-central1' (or the "
                "region your bucket is in) for client.batches."
            )
        return f"{endpoint.root}/batchPredictionJobs"

    def job_url(self, value: str) -> str:
        ref = parse_batch_id(value)
        location = self.context.endpoint.location
        if ref.location != location:
            raise ValueError(
                f"batch_id={value!r} is a job in location {ref.location!r}; this client is for "
                f"{location!r}: use a client with location={ref.location!r}."
            )
        return f"{self.root}/{ref.job}"

    def plan(self, *, input_file_id: str, endpoint: str, completion_window: str, metadata: object) -> Plan:
        """Check and translate the input, upload its Vertex form; the job body to create."""
        self.root  # a global client fails before any work  # noqa: B018
        if completion_window != WINDOW:
            raise ValueError(f"completion_window={completion_window!r}: OpenAI and this SDK take '24h'.")
        if endpoint not in _ENDPOINTS:
            raise ValueError(f"endpoint={endpoint!r} is not supported on Vertex AI; use {CHAT_URL!r}.")
        labels = dict([MARK, ("openai_endpoint", _ENDPOINTS[endpoint])])
        if metadata is not None:
            if not isinstance(metadata, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
            ):
                raise TypeError("metadata must map strings to strings.")
            labels.update(pack_label("openai_metadata", json.dumps(dict(metadata), separators=(",", ":"))))
            if len(labels) > 63:  # one more is openai_requests
                raise ValueError("metadata is too large for the 64 labels a Vertex AI job carries.")
        ref = parse_file_id(input_file_id, argument="input_file_id")
        if ref.kind != "stored":
            raise ValueError(f"input_file_id={input_file_id!r} is a batch's results, not an input file.")
        self.files.retrieve(input_file_id)  # a missing file is openai's NotFoundError
        storage = self.files.storage
        spool = storage.spool()
        try:
            summary = translate_input(
                storage.lines(ref.bucket, ref.path),
                spool.write,
                file_id=input_file_id,
                endpoint=endpoint,
                resolve=self.context.resolve,
            )
            repeated = repeated_digests(summary.digests)
            if repeated:
                problems = duplicate_lines(storage.lines(ref.bucket, ref.path), repeated)
                raise InputError(input_file_id, problems or [(1, "custom_id values repeat")])
            assert summary.model is not None
            labels["openai_requests"] = str(summary.requests)
            location = self.files.location
            folder = location.object("batches", uuid.uuid4().hex)
            spool.seek(0)
            input_name = f"{folder}/input/{ref.bucket}/{ref.path}"
            storage.upload(location.bucket, input_name, spool, "application/jsonl")
        finally:
            spool.close()
        model = summary.model
        body: JSONObject = {
            "displayName": f"openai-batch {ref.path.rsplit('/', 1)[-1]}"[:128],
            "model": f"publishers/{model.publisher}/models/{model.name}",
            "inputConfig": {
                "instancesFormat": "jsonl",
                "gcsSource": {"uris": [f"gs://{location.bucket}/{input_name}"]},
            },
            "outputConfig": {
                "predictionsFormat": "jsonl",
                "gcsDestination": {"outputUriPrefix": f"gs://{location.bucket}/{folder}/output"},
            },
            "labels": labels,
        }
        return Plan(body)

    def list_query(self, token: str | None) -> JSONObject:
        query: JSONObject = {"pageSize": _PAGE, "filter": f"labels.{MARK[0]}={MARK[1]}"}
        if token:
            query["pageToken"] = token
        return query


def _counts(stats: object) -> dict[str, int]:
    out = {"completed": 0, "failed": 0, "incomplete": 0}
    if isinstance(stats, Mapping):
        for key, name in (
            ("successfulCount", "completed"),
            ("failedCount", "failed"),
            ("incompleteCount", "incomplete"),
        ):
            with contextlib.suppress(TypeError, ValueError):
                out[name] = int(stats.get(key) or 0)
    return out


def batch_of(job: object, url: str = "https://aiplatform.googleapis.com/") -> Batch:
    """A batchPredictionJob as openai's `Batch` (`url`: where it was read, named by an error)."""
    if not isinstance(job, Mapping) or job_ref(job.get("name")) is None:
        request = http.Request("GET", url)
        raise openai.APIError("Vertex AI answered without a batchPredictionJob name.", request, body=job)
    labels = job.get("labels") if isinstance(job.get("labels"), Mapping) else {}
    assert isinstance(labels, Mapping)
    state = str(job.get("state") or "JOB_STATE_UNSPECIFIED")
    status = _STATUS.get(state, "in_progress")
    counts = _counts(job.get("completionStats"))
    total_label = labels.get("openai_requests")
    total = (
        int(total_label) if isinstance(total_label, str) and total_label.isdigit() else sum(counts.values())
    )
    endpoint = {v: k for k, v in _ENDPOINTS.items()}.get(str(labels.get("openai_endpoint")), CHAT_URL)
    metadata_text = unpack_label(labels, "openai_metadata")
    metadata = json.loads(metadata_text) if metadata_text else None
    model_path = str(job.get("model") or "")
    parts = model_path.split("/")
    model = f"{parts[-3]}/{parts[-1]}" if len(parts) >= 4 and parts[-2] == "models" else model_path
    fields: JSONObject = {
        "id": batch_id(str(job["name"])),
        "object": "batch",
        "endpoint": endpoint,
        "completion_window": WINDOW,
        "input_file_id": _input_file_id(job),
        "status": status,
        "created_at": epoch(job.get("createTime")) or 0,
        "in_progress_at": epoch(job.get("startTime")),
        "request_counts": {"total": total, "completed": counts["completed"], "failed": counts["failed"]},
        "metadata": metadata,
        "model": model,
    }
    if status in _ENDED:
        fields[_ENDED[status]] = epoch(job.get("endTime")) or epoch(job.get("updateTime"))
    if status == "cancelling":
        fields["cancelling_at"] = epoch(job.get("updateTime"))
    output = job.get("outputInfo")
    directory = output.get("gcsOutputDirectory") if isinstance(output, Mapping) else None
    if isinstance(directory, str) and directory.startswith("gs://"):
        bucket, _, path = directory.removeprefix("gs://").partition("/")
        fields["output_file_id"] = file_id(results_ref("output", bucket, path, model))
        fields["error_file_id"] = file_id(results_ref("errors", bucket, path, model))
    error = job.get("error")
    if isinstance(error, Mapping) and error.get("message"):
        fields["errors"] = {
            "object": "list",
            "data": [
                {
                    "code": str(error.get("code", "")),
                    "message": str(error["message"]),
                    "line": None,
                    "param": None,
                }
            ],
        }
    return Batch.construct(None, **fields)


def _input_file_id(job: Mapping[str, object]) -> str:
    config = job.get("inputConfig")
    source = config.get("gcsSource") if isinstance(config, Mapping) else None
    uris = source.get("uris") if isinstance(source, Mapping) else None
    uri = uris[0] if isinstance(uris, list) and uris and isinstance(uris[0], str) else ""
    found = _INPUT.search(uri)
    if found:
        return file_id(FileRef("stored", found["bucket"], found["object"]))
    bucket, _, path = uri.removeprefix("gs://").partition("/")
    return file_id(FileRef("stored", bucket, path)) if bucket and path else ""


def _page(body: object) -> tuple[list[Batch], str | None]:
    jobs = body.get("batchPredictionJobs") if isinstance(body, Mapping) else None
    token = body.get("nextPageToken") if isinstance(body, Mapping) else None
    batches = [batch_of(job) for job in jobs or [] if isinstance(job, Mapping)]
    return batches, token if isinstance(token, str) and token else None


def _window(
    batches: list[Batch], after: str | None, limit: int, done: bool
) -> tuple[list[Batch], bool] | None:
    """(the page after `after`, whether more follow) once the pages fetched tell, else None (fetch more)."""
    start = 0
    if after is not None:
        ids = [b.id for b in batches]
        if after not in ids:
            return ([], False) if done else None
        start = ids.index(after) + 1
    if len(batches) > start + limit:
        return batches[start : start + limit], True
    return (batches[start:], False) if done else None


def _options(timeout: object, query: JSONObject | None = None) -> openai.RequestOptions:
    options: openai.RequestOptions = {}
    if query:
        options["params"] = query
    if isinstance(timeout, (int, float, openai.Timeout)):
        options["timeout"] = timeout
    elif timeout is not None and not isinstance(timeout, openai.NotGiven):
        raise TypeError(f"timeout={timeout!r} must be seconds or an openai.Timeout.")
    return options


def _limit(limit: object) -> int:
    if limit is None or isinstance(limit, openai.NotGiven):
        return 20
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ValueError(f"limit={limit!r} must be a whole number from 1 to 100.")
    return limit


class VertexBatches(Batches):
    """openai's `Batches`, run as Vertex AI batch prediction jobs."""

    def __init__(self, client: openai.OpenAI, context: ClientContext, *, bucket: str | None = None) -> None:
        super().__init__(client)
        self.rules = BatchRules(context, FileRules(context, bucket))
        self._sender = client

    # Overrides typed as openai's own methods (`typed_as`): their keywords differ by openai major.
    def _create_call(
        self,
        *,
        completion_window: str,
        endpoint: str,
        input_file_id: str,
        metadata: Mapping[str, str] | None = None,
        timeout: object = None,
        **_: object,
    ) -> Batch:
        """Check and translate `input_file_id`, then create a Vertex AI batch prediction job for it."""
        plan = self.rules.plan(
            input_file_id=input_file_id,
            endpoint=endpoint,
            completion_window=completion_window,
            metadata=metadata,
        )
        job = self._sender.post(self.rules.root, body=plan.body, cast_to=object, options=_options(timeout))
        return batch_of(job, self.rules.root)

    def _retrieve_call(self, batch_id: str, *, timeout: object = None, **_: object) -> Batch:
        return batch_of(
            self._sender.get(self.rules.job_url(batch_id), cast_to=object, options=_options(timeout))
        )

    def _cancel_call(self, batch_id: str, *, timeout: object = None, **_: object) -> Batch:
        url = self.rules.job_url(batch_id)
        self._sender.post(f"{url}:cancel", body={}, cast_to=object, options=_options(timeout))
        return batch_of(self._sender.get(url, cast_to=object, options=_options(timeout)))

    def _list_call(
        self, *, after: str | None = None, limit: int | None = None, timeout: object = None, **_: object
    ) -> SyncCursorPage[Batch]:
        """Batches made by this SDK in the client's project and location, newest first."""
        size = _limit(limit)
        batches: list[Batch] = []
        token: str | None = None
        while True:
            query = self.rules.list_query(token)
            body = self._sender.get(self.rules.root, cast_to=object, options=_options(timeout, query))
            page, token = _page(body)
            batches += page
            window = _window(batches, after, size, done=token is None)
            if window is not None:
                return SyncCursorPage[Batch].construct(data=window[0], has_more=window[1], object="list")

    create = typed_as(Batches.create, _create_call)
    retrieve = typed_as(Batches.retrieve, _retrieve_call)
    cancel = typed_as(Batches.cancel, _cancel_call)
    list = typed_as(Batches.list, _list_call)


class AsyncVertexBatches(AsyncBatches):
    """openai's `AsyncBatches`, run as Vertex AI batch prediction jobs (storage work in a thread)."""

    def __init__(
        self, client: openai.AsyncOpenAI, context: ClientContext, *, bucket: str | None = None
    ) -> None:
        super().__init__(client)
        self.rules = BatchRules(context, FileRules(context, bucket))
        self._sender = client

    async def _create_call(
        self,
        *,
        completion_window: str,
        endpoint: str,
        input_file_id: str,
        metadata: Mapping[str, str] | None = None,
        timeout: object = None,
        **_: object,
    ) -> Batch:
        """Check and translate `input_file_id`, then create a Vertex AI batch prediction job for it."""
        plan = await asyncio.to_thread(
            lambda: self.rules.plan(
                input_file_id=input_file_id,
                endpoint=endpoint,
                completion_window=completion_window,
                metadata=metadata,
            )
        )
        job = await self._sender.post(
            self.rules.root, body=plan.body, cast_to=object, options=_options(timeout)
        )
        return batch_of(job, self.rules.root)

    async def _retrieve_call(self, batch_id: str, *, timeout: object = None, **_: object) -> Batch:
        return batch_of(
            await self._sender.get(self.rules.job_url(batch_id), cast_to=object, options=_options(timeout))
        )

    async def _cancel_call(self, batch_id: str, *, timeout: object = None, **_: object) -> Batch:
        url = self.rules.job_url(batch_id)
        await self._sender.post(f"{url}:cancel", body={}, cast_to=object, options=_options(timeout))
        return batch_of(await self._sender.get(url, cast_to=object, options=_options(timeout)))

    def _list_call(
        self, *, after: str | None = None, limit: int | None = None, timeout: object = None, **_: object
    ) -> AsyncList[Batch]:
        """Batches made by this SDK in the client's project and location, newest first."""
        size = _limit(limit)

        async def fetch() -> AsyncCursorPage[Batch]:
            batches: list[Batch] = []
            token: str | None = None
            while True:
                query = self.rules.list_query(token)
                body = await self._sender.get(
                    self.rules.root, cast_to=object, options=_options(timeout, query)
                )
                page, token = _page(body)
                batches += page
                window = _window(batches, after, size, done=token is None)
                if window is not None:
                    return AsyncCursorPage[Batch].construct(data=window[0], has_more=window[1], object="list")

        return AsyncList(fetch())

    create = typed_as(AsyncBatches.create, _create_call)
    retrieve = typed_as(AsyncBatches.retrieve, _retrieve_call)
    cancel = typed_as(AsyncBatches.cancel, _cancel_call)
    list = typed_as(AsyncBatches.list, _list_call)
