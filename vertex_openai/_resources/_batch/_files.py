"""`client.files` on Cloud Storage: batch input files under `{batch_bucket}/files/`, and a finished
batch's results read (and translated) from Vertex's prediction files when asked for.

One set of rules (`FileRules`, blocking: Google's storage client) serves both resources; the async
one runs each rule in a worker thread.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Generator, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Generic, TypeVar, cast

import openai
from openai import HttpxBinaryResponseContent
from openai.pagination import AsyncCursorPage, SyncCursorPage
from openai.resources.files import AsyncFiles, Files
from openai.types import FileDeleted, FileObject

from ..._compat import http
from ..._context import ClientContext
from ..._util import typed_as
from ._ids import FileRef, file_id, parse_file_id
from ._storage import Location, Storage, bucket_location
from ._translate import ResultKind, result_lines

if TYPE_CHECKING:
    from google.cloud.storage import Blob

__all__ = ["AsyncVertexFiles", "FileRules", "VertexFiles"]

_T = TypeVar("_T")
_PURPOSES = ("batch",)
_JSONL = "application/jsonl"


class FileRules:
    """What Files does, in blocking calls (Cloud Storage through Google's client)."""

    def __init__(self, context: ClientContext, bucket: str | None) -> None:
        self.context = context
        self._bucket = bucket
        self._storage: Storage | None = None

    @property
    def location(self) -> Location:
        return bucket_location(self._bucket)

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            self._storage = Storage(self.context.token_source, self.context.endpoint.project)
        return self._storage

    # -- stored files --
    def create(self, file: object, purpose: object) -> FileObject:
        if purpose not in _PURPOSES:
            raise ValueError(
                f"purpose={purpose!r}: files on Vertex AI are kept for batch only; use purpose='batch'."
            )
        location = self.location
        filename, data, close = _upload_source(file)
        try:
            name = location.object("files", uuid.uuid4().hex, filename)
            blob = self.storage.upload(location.bucket, name, data, _JSONL)
        finally:
            if close:
                data.close()
        return file_object(FileRef("stored", location.bucket, name), blob)

    def retrieve(self, value: str) -> FileObject:
        ref = parse_file_id(value)
        if ref.kind == "stored":
            return file_object(ref, self._stat(ref))
        blobs = list(self.predictions(ref.bucket, results_of(ref)[0]))
        return FileObject.construct(
            id=value,
            bytes=sum(blob.size or 0 for blob in blobs),  # Vertex's prediction files (before translation)
            created_at=min((_epoch(blob) for blob in blobs), default=0),
            filename=f"batch_{ref.kind}.jsonl",
            object="file",
            purpose="batch_output",
            status="processed",
        )

    def list(
        self, *, after: str | None, limit: int | None, order: str | None, purpose: str | None
    ) -> tuple[list[FileObject], bool]:
        if purpose not in (None, "batch"):
            return [], False
        location = self.location
        prefix = location.object("files") + "/"
        files = [
            file_object(FileRef("stored", location.bucket, blob.name), blob)
            for blob in self.storage.list(location.bucket, prefix)
        ]
        files.sort(key=lambda f: (f.created_at, f.id), reverse=order != "asc")
        if after is not None:
            ids = [f.id for f in files]
            files = files[ids.index(after) + 1 :] if after in ids else []
        size = 10_000 if limit is None else limit
        return files[:size], len(files) > size

    def delete(self, value: str) -> FileDeleted:
        ref = parse_file_id(value)
        if ref.kind != "stored":
            raise ValueError(
                f"file_id={value!r} is a batch's results, read from Vertex's prediction files in {ref.uri}; "
                "delete those objects in Cloud Storage to remove them."
            )
        self._stat(ref)
        self.storage.delete(ref.bucket, ref.path)
        return FileDeleted.construct(id=value, object="file", deleted=True)

    def _stat(self, ref: FileRef) -> Blob:
        try:
            return self.storage.stat(ref.bucket, ref.path)
        except FileNotFoundError as exc:
            raise openai.NotFoundError(str(exc), response=_not_found(ref.uri), body=None) from None

    # -- content --
    def lines(self, value: str) -> Iterator[bytes]:
        """The file's content, line by line: a stored file as it is, results translated to OpenAI's form."""
        ref = parse_file_id(value)
        if ref.kind == "stored":
            self._stat(ref)
            return self.storage.lines(ref.bucket, ref.path)
        return self.result_lines(ref)

    def predictions(self, bucket: str, directory: str) -> Iterator[Blob]:
        """Vertex's `predictions*.jsonl` files of a finished job's output directory, in name order."""
        directory = directory.rstrip("/") + "/"
        found = sorted(
            (blob for blob in self.storage.list(bucket, directory) if _is_prediction(blob.name, directory)),
            key=lambda blob: str(blob.name),
        )
        return iter(found)

    def result_lines(self, ref: FileRef) -> Iterator[bytes]:
        kind: ResultKind = "errors" if ref.kind == "errors" else "output"
        directory, model = results_of(ref)
        for blob in self.predictions(ref.bucket, directory):
            yield from result_lines(
                self.storage.lines(ref.bucket, blob.name), kind, model=model, batch=directory
            )


def results_ref(kind: ResultKind, bucket: str, directory: str, model: str) -> FileRef:
    """The FileRef of a finished job's results: its output directory, and the model for answers that
    do not name theirs."""
    return FileRef(kind, bucket, f"{directory.rstrip('/')}|{model}")


def results_of(ref: FileRef) -> tuple[str, str]:
    """(output directory, model) of a results FileRef."""
    directory, _, model = ref.path.rpartition("|")
    return (directory, model) if directory else (ref.path, "")


def _is_prediction(name: str, directory: str) -> bool:
    base = name[len(directory) :]
    return "/" not in base.strip("/") and base.startswith("predictions") and base.endswith(".jsonl")


def _epoch(blob: Blob) -> int:
    created = blob.time_created
    return int(created.timestamp()) if created is not None else 0


def file_object(ref: FileRef, blob: Blob) -> FileObject:
    return FileObject.construct(
        id=file_id(ref),
        bytes=int(blob.size or 0),
        created_at=_epoch(blob),
        filename=ref.path.rsplit("/", 1)[-1],
        object="file",
        purpose="batch",
        status="processed",
    )


def _not_found(uri: str) -> http.Response:
    return http.Response(
        404, request=http.Request("GET", uri.replace("gs://", "https://storage.googleapis.com/", 1))
    )


def _upload_source(file: object) -> tuple[str, IO[bytes], bool]:
    """(filename, readable binary file, whether to close it) of openai's `FileTypes`."""
    filename: str | None = None
    if isinstance(file, tuple):
        if not file or not isinstance(file[0], (str, type(None))):
            raise TypeError("file=(filename, content, ...) needs a str filename first.")
        filename, file = file[0], file[1] if len(file) > 1 else None
    if isinstance(file, (bytes, bytearray, memoryview)):
        import io

        return filename or "upload.jsonl", io.BytesIO(bytes(file)), True
    if isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        return filename or os.path.basename(str(path)), open(path, "rb"), True
    if hasattr(file, "read"):
        name = getattr(file, "name", None)
        default = os.path.basename(name) if isinstance(name, str) else "upload.jsonl"
        return filename or default, cast("IO[bytes]", file), False  # a binary IO by duck typing
    raise TypeError(
        "file must be bytes, a path, a binary file object or a (filename, content) tuple, "
        f"not {type(file).__name__}."
    )


class FileContent(HttpxBinaryResponseContent):
    """openai's binary content of `files.content()`, read from Cloud Storage as it is consumed:
    `.text` / `.content` read it all, `iter_bytes()`, `iter_lines()` and `write_to_file()` stream."""

    @property
    def content(self) -> bytes:
        return self.response.read()

    @property
    def text(self) -> str:
        self.response.read()
        return self.response.text

    def _json(self, **kwargs: object) -> object:
        self.response.read()
        return self.response.json(**kwargs)

    json = typed_as(HttpxBinaryResponseContent.json, _json)


def content_of(chunks: Iterable[bytes], file_id: str) -> FileContent:
    request = http.Request("GET", f"https://storage.googleapis.com/vertex-openai/files/{file_id}/content")
    response = http.Response(200, headers={"content-type": _JSONL}, content=iter(chunks), request=request)
    return FileContent(response)


def spooled(lines: Iterator[bytes], storage: Storage) -> Iterator[bytes]:
    """The lines written to a spool file (memory up to 8 MiB, then disk), then read back in chunks."""
    spool = storage.spool()
    for line in lines:
        spool.write(line)
    spool.seek(0)

    def read() -> Generator[bytes, None, None]:
        with spool:
            while chunk := spool.read(1 << 20):
                yield chunk

    return read()


class VertexFiles(Files):
    """openai's `Files`, kept on Cloud Storage (`batch_bucket` / `VERTEX_OPENAI_BATCH_BUCKET`)."""

    def __init__(self, client: openai.OpenAI, context: ClientContext, *, bucket: str | None = None) -> None:
        super().__init__(client)
        self.rules = FileRules(context, bucket)

    def _create_call(self, *, file: object, purpose: object, **_: object) -> FileObject:
        """Upload a batch input file (`.jsonl`) to `{batch_bucket}/files/`; streamed, CRC32C-checked."""
        return self.rules.create(file, purpose)

    def _retrieve_call(self, file_id: str, **_: object) -> FileObject:
        return self.rules.retrieve(file_id)

    def _list_call(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        purpose: str | None = None,
        **_: object,
    ) -> SyncCursorPage[FileObject]:
        files, more = self.rules.list(after=after, limit=limit, order=order, purpose=purpose)
        return SyncCursorPage[FileObject].construct(data=files, has_more=more, object="list")

    def _delete_call(self, file_id: str, **_: object) -> FileDeleted:
        return self.rules.delete(file_id)

    def _content_call(self, file_id: str, **_: object) -> FileContent:
        """The file's bytes; a batch's `output_file_id` / `error_file_id` in OpenAI's batch output format."""
        return content_of(self.rules.lines(file_id), file_id)

    create = typed_as(Files.create, _create_call)
    retrieve = typed_as(Files.retrieve, _retrieve_call)
    list = typed_as(Files.list, _list_call)
    delete = typed_as(Files.delete, _delete_call)
    content = typed_as(Files.content, _content_call)


class AsyncVertexFiles(AsyncFiles):
    """openai's `AsyncFiles`, kept on Cloud Storage; each storage call runs in a worker thread."""

    def __init__(
        self, client: openai.AsyncOpenAI, context: ClientContext, *, bucket: str | None = None
    ) -> None:
        super().__init__(client)
        self.rules = FileRules(context, bucket)

    async def _create_call(self, *, file: object, purpose: object, **_: object) -> FileObject:
        """Upload a batch input file (`.jsonl`) to `{batch_bucket}/files/`; streamed, CRC32C-checked."""
        return await asyncio.to_thread(self.rules.create, file, purpose)

    async def _retrieve_call(self, file_id: str, **_: object) -> FileObject:
        return await asyncio.to_thread(self.rules.retrieve, file_id)

    def _list_call(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        purpose: str | None = None,
        **_: object,
    ) -> AsyncList[FileObject]:
        async def fetch() -> AsyncCursorPage[FileObject]:
            files, more = await asyncio.to_thread(
                self.rules.list, after=after, limit=limit, order=order, purpose=purpose
            )
            return AsyncCursorPage[FileObject].construct(data=files, has_more=more, object="list")

        return AsyncList(fetch())

    async def _delete_call(self, file_id: str, **_: object) -> FileDeleted:
        return await asyncio.to_thread(self.rules.delete, file_id)

    async def _content_call(self, file_id: str, **_: object) -> FileContent:
        """The file's bytes (fetched and translated in a worker thread, kept in a spool file)."""
        rules = self.rules
        chunks = await asyncio.to_thread(lambda: spooled(rules.lines(file_id), rules.storage))
        return content_of(chunks, file_id)

    create = typed_as(AsyncFiles.create, _create_call)
    retrieve = typed_as(AsyncFiles.retrieve, _retrieve_call)
    list = typed_as(AsyncFiles.list, _list_call)
    delete = typed_as(AsyncFiles.delete, _delete_call)
    content = typed_as(AsyncFiles.content, _content_call)


class AsyncList(Generic[_T]):
    """What an async `list()` returns: `await` it for the page, or `async for` over its items."""

    def __init__(self, fetch: Coroutine[object, None, AsyncCursorPage[_T]]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[object, None, AsyncCursorPage[_T]]:
        return self._fetch.__await__()

    async def __aiter__(self) -> AsyncIterator[_T]:
        page = await self._fetch
        for item in page.data:
            yield item
