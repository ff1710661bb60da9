"""Cloud Storage through Google's own client (`google-cloud-storage`, the `batch` extra).

Google's client brings resumable uploads, CRC32C checks and `STORAGE_EMULATOR_HOST`; it is given a
google-auth `Credentials` whose token comes from the SDK client's token source, so uploads and
downloads use the same fresh tokens as the client's requests. All calls here block: the async
resources run them in a worker thread.
"""

from __future__ import annotations

import base64
import importlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import IO, TYPE_CHECKING

from ..._transport._auth import TokenSource
from ._ids import parse_gs_uri

if TYPE_CHECKING:
    import google.auth.credentials
    from google.cloud.storage import Blob, Client

__all__ = ["BUCKET_ENV", "Location", "Storage", "bucket_location"]

BUCKET_ENV = "VERTEX_OPENAI_BATCH_BUCKET"
#: Upload and download chunks: at most this much of a file is held in memory at once.
CHUNK = 8 * 1024 * 1024
#: Translated files up to this size stay in memory before they are uploaded; larger ones spill to disk.
SPOOL = 8 * 1024 * 1024


@dataclass(frozen=True)
class Location:
    """`gs://bucket/prefix` as the resources use it (the prefix without a trailing `/`)."""

    bucket: str
    prefix: str

    def object(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)


def bucket_location(bucket: str | None) -> Location:
    """The batch bucket: the `batch_bucket` argument, else `VERTEX_OPENAI_BATCH_BUCKET`."""
    value = bucket if bucket is not None else os.environ.get(BUCKET_ENV)
    if not value:
        raise ValueError(
            "client.files and client.batches need a Cloud Storage location: pass "
            f"batch_bucket='gs://bucket/prefix' to the client or set {BUCKET_ENV} (a bucket in the batch "
            "job's region)."
        )
    name, prefix = parse_gs_uri(value, what="batch_bucket" if bucket is not None else BUCKET_ENV)
    return Location(name, prefix.strip("/"))


def _credentials(source: TokenSource) -> google.auth.credentials.Credentials:
    import google.auth.credentials

    # google-auth is unannotated: its __init__ taken as a typed callable (a call of it is then typed)
    base_init: Callable[[google.auth.credentials.Credentials], None]
    base_init = google.auth.credentials.Credentials.__init__

    class Credentials(google.auth.credentials.Credentials):
        """google-auth credentials whose token is the SDK client's (refreshed by its token source)."""

        def __init__(self) -> None:
            base_init(self)

        def refresh(self, request: object) -> None:
            self.token = source.token(None)
            self.expiry = None

        @property
        def expired(self) -> bool:
            return True  # ask the token source before every request: it caches and refreshes itself

        @property
        def valid(self) -> bool:
            return False

        def before_request(self, request: object, method: str, url: str, headers: dict[str, str]) -> None:
            self.refresh(request)
            headers["authorization"] = f"Bearer {self.token}"
            if source.quota_project:
                headers["x-goog-user-project"] = source.quota_project

    return Credentials()


def _storage_module() -> ModuleType:  # google-cloud-storage, an optional extra
    try:
        return importlib.import_module("google.cloud.storage")
    except ImportError as exc:
        raise ImportError(
            "client.files and client.batches keep files on Cloud Storage through google-cloud-storage: "
            "pip install 'vertex-openai[batch]'"
        ) from exc


class Storage:
    """The few Cloud Storage operations Files and Batches need."""

    def __init__(self, source: TokenSource, project: str | None) -> None:
        storage = _storage_module()
        # a placeholder project when the client has none: Google's client would otherwise look one up
        # (ADC, the metadata server); objects are addressed by bucket, which needs no project
        self.client: Client = storage.Client(project=project or "_", credentials=_credentials(source))

    def blob(self, bucket: str, name: str) -> Blob:
        blob = self.client.bucket(bucket).blob(name)
        blob.chunk_size = CHUNK  # resumable uploads in 8 MiB chunks
        return blob

    def upload(self, bucket: str, name: str, data: IO[bytes], content_type: str) -> Blob:
        """Stream `data` up (resumable past 8 MiB, CRC32C-checked); the stored object's metadata."""
        blob = self.blob(bucket, name)
        blob.upload_from_file(data, content_type=content_type, checksum="crc32c")
        blob.reload()
        return blob

    def stat(self, bucket: str, name: str) -> Blob:
        blob = self.client.bucket(bucket).get_blob(name)
        if blob is None:
            raise FileNotFoundError(f"gs://{bucket}/{name} does not exist (or this account cannot read it).")
        return blob

    def lines(self, bucket: str, name: str) -> Iterator[bytes]:
        """The lines of an object, read in 8 MiB ranges of one generation; the CRC32C of all the bytes
        read is compared with the object's at the end (an IOError when they differ)."""
        import google_crc32c

        blob = self.stat(bucket, name)  # pins the generation: every range comes from the same object
        expected = blob.crc32c
        checksum = google_crc32c.Checksum()
        with blob.open("rb", chunk_size=CHUNK) as raw:
            for line in io.BufferedReader(raw, CHUNK):
                checksum.update(line)
                yield line
        if expected and base64.b64encode(checksum.digest()).decode() != expected:
            raise OSError(f"gs://{bucket}/{name} did not read back intact (CRC32C differs); try again.")

    def list(self, bucket: str, prefix: str) -> Iterator[Blob]:
        yield from self.client.list_blobs(bucket, prefix=prefix)

    def delete(self, bucket: str, name: str) -> None:
        self.client.bucket(bucket).blob(name).delete()

    def spool(self) -> IO[bytes]:
        """A file to write translated lines to: memory up to 8 MiB, then disk."""
        return tempfile.SpooledTemporaryFile(max_size=SPOOL)


def uri(bucket: str, name: str) -> str:
    return f"gs://{bucket}/{name}"


__all__ += ["uri"]
