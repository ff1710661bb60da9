"""The command line's batch parts: `vertex-openai batch status ID` / `batch results ID`, and the
bucket check of `vertex-openai doctor --batch`. `cli.py` wires them in (`add_batch_command`,
`check_bucket`); the logic lives here, next to the resources it uses."""

from __future__ import annotations

import argparse
import io
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, TextIO, TypeAlias

from ._files import FileRules
from ._storage import BUCKET_ENV

if TYPE_CHECKING:
    from ..._client import VertexOpenAI

__all__ = ["BucketCheck", "add_batch_command", "batch_results", "batch_status", "check_bucket"]

_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
_DONE = ("completed", "failed", "expired", "cancelled")
_ROLES = (
    "the caller needs roles/storage.objectAdmin on the bucket; Vertex AI's service agent "
    "(service-PROJECT_NUMBER@gcp-sa-aiplatform.iam.gserviceaccount.com) needs it too"
)


@dataclass
class BucketCheck:
    """What `doctor --batch` found: the bucket, whether a write, read and delete worked, and why not."""

    bucket: str | None
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def check_bucket(client: VertexOpenAI) -> BucketCheck:
    """Write, read back and delete a small object in the client's batch bucket; never raises."""
    rules: FileRules = client.files.rules
    try:
        location = rules.location
    except ValueError as exc:
        return BucketCheck(None, False, str(exc))
    uri = f"gs://{location.bucket}/{location.prefix}".rstrip("/")
    if client.location in (None, "global"):
        return BucketCheck(
            uri, False, "batch prediction runs in a region: pass --location us-central1 (or yours)"
        )
    name = location.object(f".vertex-openai-doctor-{uuid.uuid4().hex}")
    payload = b'{"vertex-openai": "doctor"}\n'
    try:
        rules.storage.upload(location.bucket, name, io.BytesIO(payload), "application/jsonl")
        read = b"".join(rules.storage.lines(location.bucket, name))
        rules.storage.delete(location.bucket, name)
    except Exception as exc:  # any failure is the report's answer
        return BucketCheck(uri, False, f"{type(exc).__name__}: {str(exc)[:300]} ({_ROLES})")
    if read != payload:
        return BucketCheck(uri, False, "the object read back differs from the one written")
    return BucketCheck(uri, True, "write, read and delete work")


def batch_status(client: VertexOpenAI, batch_id: str, *, wait: bool, interval: float, out: TextIO) -> int:
    """Print a batch's status (with `wait`, a progress line until it ends); 0 when completed or still
    running, 1 when it failed, expired or was cancelled."""
    batch = client.batches.retrieve(batch_id)
    while wait and batch.status not in _DONE:
        _progress(batch, sys.stderr, end="\r")
        time.sleep(interval)
        batch = client.batches.retrieve(batch_id)
    _progress(batch, out, end="\n")
    if batch.status == "completed":
        out.write(f"output_file_id {batch.output_file_id}\nerror_file_id {batch.error_file_id}\n")
    return 1 if batch.status in ("failed", "expired", "cancelled") else 0


def _progress(batch: object, stream: TextIO, *, end: str) -> None:
    counts = getattr(batch, "request_counts", None)
    done = f" {counts.completed}/{counts.total} done, {counts.failed} failed" if counts is not None else ""
    stream.write(f"{getattr(batch, 'id', '')} {getattr(batch, 'status', '')}{done}{end}")
    stream.flush()


def batch_results(client: VertexOpenAI, batch_id: str, *, errors: bool, out: TextIO) -> int:
    """Print a finished batch's output (or error) file, in OpenAI's batch output format."""
    batch = client.batches.retrieve(batch_id)
    file_id = batch.error_file_id if errors else batch.output_file_id
    if file_id is None:
        sys.stderr.write(
            f"{batch_id} is {batch.status}: it has no {'error' if errors else 'output'} file yet\n"
        )
        return 1
    for line in client.files.content(file_id).iter_lines():
        out.write(line + "\n")
    return 0


def add_batch_command(
    commands: _Commands,
    common: argparse.ArgumentParser,
    make_client: Callable[[argparse.Namespace], VertexOpenAI],
) -> None:
    """`vertex-openai batch status ID [--wait]` and `batch results ID [--errors]`."""
    command = commands.add_parser("batch", help=f"status and results of a batch (bucket: {BUCKET_ENV})")
    actions = command.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", parents=[common], help="a batch's status and request counts")
    status.add_argument("batch_id")
    status.add_argument("--wait", action="store_true", help="poll until the batch ends (progress on stderr)")
    status.add_argument("--interval", type=float, default=30.0, help="seconds between polls (default 30)")
    status.set_defaults(
        run=lambda args: batch_status(
            make_client(args), args.batch_id, wait=args.wait, interval=args.interval, out=sys.stdout
        )
    )
    results = actions.add_parser("results", parents=[common], help="a finished batch's output lines")
    results.add_argument("batch_id")
    results.add_argument("--errors", action="store_true", help="the error file instead of the output")
    results.set_defaults(
        run=lambda args: batch_results(make_client(args), args.batch_id, errors=args.errors, out=sys.stdout)
    )
