"""`vertex-openai batch status/results` and `doctor --batch`'s bucket check
(vertex_openai/_resources/_batch/_cli.py), through an argparse parser wired as cli.py wires them,
against the emulator and the batch server."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from batch_fixtures import *  # noqa: F403  # emulator, batch_bucket, batch_vertex
from batch_server import BatchVertexServer
from fakes import STATIC_TOKEN
from test_batch import write_requests

from vertex_openai import VertexOpenAI
from vertex_openai._resources._batch._cli import add_batch_command, check_bucket


def run(server: BatchVertexServer, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="vertex-openai")
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--base-url")
    add_batch_command(
        commands, common, lambda args: VertexOpenAI(base_url=args.base_url, access_token=STATIC_TOKEN)
    )
    args = parser.parse_args([*argv, "--base-url", server.base_url])
    code: int = args.run(args)
    return code


def test_batch_status_waits_with_progress_then_results(
    batch_vertex: BatchVertexServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = VertexOpenAI(base_url=batch_vertex.base_url, access_token=STATIC_TOKEN)
    uploaded = client.files.create(file=write_requests(tmp_path / "in.jsonl", 4), purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert run(batch_vertex, "batch", "status", batch.id, "--wait", "--interval", "0") == 0
    captured = capsys.readouterr()
    assert f"{batch.id} in_progress 0/4 done, 0 failed\r" in captured.err  # the progress line
    assert f"{batch.id} completed 4/4 done, 0 failed\n" in captured.out
    assert run(batch_vertex, "batch", "results", batch.id) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(line["custom_id"] for line in lines) == [f"request-{n}" for n in range(4)]
    assert run(batch_vertex, "batch", "results", batch.id, "--errors") == 0
    assert capsys.readouterr().out == ""


def test_check_bucket(
    batch_vertex: BatchVertexServer, batch_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = VertexOpenAI(base_url=batch_vertex.base_url, access_token=STATIC_TOKEN)
    found = check_bucket(client)
    assert found.ok and found.bucket == f"gs://{batch_bucket}/jobs", found
    monkeypatch.setenv("VERTEX_OPENAI_BATCH_BUCKET", "gs://no-such-bucket-here/x")
    missing = check_bucket(client)
    assert not missing.ok and "roles/storage.objectAdmin" in missing.detail
    monkeypatch.delenv("VERTEX_OPENAI_BATCH_BUCKET")
    assert "VERTEX_OPENAI_BATCH_BUCKET" in check_bucket(client).detail
