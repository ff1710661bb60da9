"""Stateless ids: everything a later process needs is in the id itself, nothing is kept locally.

- A file id is `file-` + base64url(`gs://bucket/object`) for a stored file, or of
  `output:gs://bucket/dir` / `errors:gs://bucket/dir` for a finished batch's results, which are read
  from Vertex's prediction files in `dir` and translated when asked for.
- A batch id is `batch_` + base64url(the job's resource name
  `projects/{p}/locations/{l}/batchPredictionJobs/{n}`).

Vertex labels (keys `[a-z][a-z0-9_-]{0,62}`, values `[a-z0-9_-]{0,63}`) carry text of any kind with
`pack_label` / `unpack_label`: a value that is a valid label value is kept as is, any other is
base32-encoded (lowercase, no padding) across numbered labels.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BatchRef",
    "FileRef",
    "batch_id",
    "file_id",
    "pack_label",
    "parse_batch_id",
    "parse_file_id",
    "parse_gs_uri",
    "unpack_label",
]

FILE_PREFIX = "file-"
BATCH_PREFIX = "batch_"
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
_JOB_NAME = re.compile(
    r"projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/batchPredictionJobs/(?P<job>[0-9A-Za-z_-]+)"
)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
_CHUNK = 63

FileKind = Literal["stored", "output", "errors"]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def parse_gs_uri(uri: str, *, what: str = "batch_bucket") -> tuple[str, str]:
    """(bucket, object or prefix) of `gs://bucket[/path]`; a ValueError naming `what` otherwise."""
    rest = uri.removeprefix("gs://") if isinstance(uri, str) else ""
    bucket, _, path = rest.partition("/")
    if not isinstance(uri, str) or not uri.startswith("gs://") or not _BUCKET.fullmatch(bucket):
        raise ValueError(f"{what}={uri!r} is not a Cloud Storage location; write it as gs://bucket/prefix.")
    return bucket, path


@dataclass(frozen=True)
class FileRef:
    """What a file id names: a stored object, or a finished batch's output / error results."""

    kind: FileKind
    bucket: str
    path: str  # the object (stored) or the job's output directory (results), without the bucket

    @property
    def uri(self) -> str:
        return f"gs://{self.bucket}/{self.path}"


def file_id(ref: FileRef) -> str:
    head = "" if ref.kind == "stored" else f"{ref.kind}:"
    return FILE_PREFIX + _b64(head + ref.uri)


def parse_file_id(value: object, *, argument: str = "file_id") -> FileRef:
    """The FileRef a file id names; a ValueError naming `argument` for anything else."""
    decoded = _unb64(value.removeprefix(FILE_PREFIX)) if isinstance(value, str) else None
    if not isinstance(value, str) or not value.startswith(FILE_PREFIX) or decoded is None:
        raise ValueError(
            f"{argument}={value!r} is not a file id of this SDK (made by client.files.create or a batch's "
            "output_file_id / error_file_id)."
        )
    kind: FileKind = "stored"
    for candidate in ("output", "errors"):
        if decoded.startswith(candidate + ":"):
            kind, decoded = candidate, decoded[len(candidate) + 1 :]
    try:
        bucket, path = parse_gs_uri(decoded, what=argument)
    except ValueError:
        raise ValueError(f"{argument}={value!r} is not a file id of this SDK.") from None
    if not path:
        raise ValueError(f"{argument}={value!r} names a bucket, not a file.")
    return FileRef(kind, bucket, path)


@dataclass(frozen=True)
class BatchRef:
    project: str
    location: str
    job: str

    @property
    def name(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/batchPredictionJobs/{self.job}"


def batch_id(job_name: str) -> str:
    return BATCH_PREFIX + _b64(job_name)


def job_ref(job_name: object) -> BatchRef | None:
    found = _JOB_NAME.fullmatch(job_name) if isinstance(job_name, str) else None
    return BatchRef(found["project"], found["location"], found["job"]) if found else None


def parse_batch_id(value: object, *, argument: str = "batch_id") -> BatchRef:
    """The job a batch id names; a ValueError naming `argument` for anything else."""
    decoded = _unb64(value.removeprefix(BATCH_PREFIX)) if isinstance(value, str) else None
    ref = job_ref(decoded) if isinstance(value, str) and value.startswith(BATCH_PREFIX) else None
    if ref is None:
        raise ValueError(
            f"{argument}={value!r} is not a batch id of this SDK (made by client.batches.create)."
        )
    return ref


def pack_label(key: str, text: str) -> dict[str, str]:
    """`text` as Vertex labels under `key` (kept as is when it is a valid label value)."""
    if _LABEL_VALUE.fullmatch(text):
        return {key: text}
    encoded = base64.b32encode(text.encode()).decode().lower().rstrip("=")
    return {
        f"{key}_{n}": encoded[start : start + _CHUNK]
        for n, start in enumerate(range(0, len(encoded), _CHUNK))
    }


def unpack_label(labels: Mapping[str, object], key: str) -> str | None:
    """The text `pack_label(key, ...)` stored in `labels`, or None."""
    plain = labels.get(key)
    if isinstance(plain, str):
        return plain
    parts: list[str] = []
    while isinstance(part := labels.get(f"{key}_{len(parts)}"), str):
        parts.append(part)
    if not parts:
        return None
    encoded = "".join(parts).upper()
    try:
        return base64.b32decode(encoded + "=" * (-len(encoded) % 8)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def label_count(key: str, text: str) -> int:
    return len(pack_label(key, text))
