"""OpenAI's Batch and Files APIs end to end: the Cloud Storage emulator + the local Vertex batch
prediction server (batch_server.py), driven by OpenAI's own batch example code with only the
constructor changed."""

from __future__ import annotations

import asyncio
import json
import os
import re
import runpy
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import openai
import pytest
from batch_fixtures import *  # noqa: F403  # emulator, batch_bucket, batch_vertex, batch_google
from batch_fixtures import BatchGoogle
from batch_server import ANSWER_MODEL, BatchVertexServer
from fakes import STATIC_TOKEN
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._resources._batch import InputError

MODEL = "gemini-2.5-flash"


def write_requests(path: Path, count: int, *, model: str = MODEL, text: str = "question {n}") -> Path:
    with path.open("w") as out:
        for n in range(count):
            body = {
                "model": model,
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": text.format(n=n)},
                ],
                "max_tokens": 1000,
            }
            out.write(
                json.dumps(
                    {
                        "custom_id": f"request-{n}",
                        "method": "POST",
                        "url": "/v1/chat/completions",
                        "body": body,
                    }
                )
                + "\n"
            )
    return path


def sync_client(server: BatchVertexServer) -> VertexOpenAI:
    return VertexOpenAI(base_url=server.base_url, access_token=STATIC_TOKEN, max_retries=0)


def async_client(server: BatchVertexServer) -> AsyncVertexOpenAI:
    return AsyncVertexOpenAI(base_url=server.base_url, access_token=STATIC_TOKEN, max_retries=0)


def openai_batch_example(client: Any, path: Path) -> tuple[Any, str, str | None]:
    """OpenAI's batch guide, as written there (upload, create, poll, read the output)."""
    batch_input_file = client.files.create(file=open(path, "rb"), purpose="batch")  # noqa: SIM115
    batch_input_file_id = batch_input_file.id
    batch = client.batches.create(
        input_file_id=batch_input_file_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"description": "nightly eval job"},
    )
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        batch = client.batches.retrieve(batch.id)
    file_response = client.files.content(batch.output_file_id)
    errors = client.files.content(batch.error_file_id).text if batch.error_file_id else None
    return batch, file_response.text, errors


async def async_openai_batch_example(client: Any, path: Path) -> tuple[Any, str, str | None]:
    batch_input_file = await client.files.create(file=open(path, "rb"), purpose="batch")  # noqa: SIM115
    batch = await client.batches.create(
        input_file_id=batch_input_file.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"description": "nightly eval job"},
    )
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        batch = await client.batches.retrieve(batch.id)
    file_response = await client.files.content(batch.output_file_id)
    errors = (await client.files.content(batch.error_file_id)).text if batch.error_file_id else None
    return batch, file_response.text, errors


def check_output(text: str, count: int, *, failing: set[int] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    lines = [json.loads(line) for line in text.splitlines()]
    by_id = {line["custom_id"]: line for line in lines}
    assert len(by_id) == len(lines) == count - len(failing)
    for n in range(count):
        if n in failing:
            assert f"request-{n}" not in by_id
            continue
        line = by_id[f"request-{n}"]
        assert line["error"] is None and line["response"]["status_code"] == 200
        body = line["response"]["body"]
        assert body["object"] == "chat.completion"
        assert body["model"] == ANSWER_MODEL  # from the native answer, not the request
        message = body["choices"][0]["message"]
        assert message["content"] == f"echo: question {n} [You are a helpful assistant.]"
        assert body["choices"][0]["finish_reason"] == "stop"
        assert body["usage"] == {
            "prompt_tokens": 5,
            "completion_tokens": 8,
            "total_tokens": 13,
        }  # native counts
        assert line["response"]["request_id"] == body["id"] != ""
    return by_id


def test_openai_batch_example_runs_unchanged_for_1000_requests(
    batch_vertex: BatchVertexServer, tmp_path: Path
) -> None:
    path = write_requests(tmp_path / "batchinput.jsonl", 1000)
    client = sync_client(batch_vertex)
    batch, output, errors = openai_batch_example(client, path)
    assert isinstance(batch, openai.types.Batch)
    assert batch.status == "completed" and batch.endpoint == "/v1/chat/completions"
    assert batch.metadata == {"description": "nightly eval job"}
    assert batch.request_counts is not None
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (
        1000,
        1000,
        0,
    )
    check_output(output, 1000)
    assert errors == ""
    # the job Vertex got: Gemini's native format, custom_id in the request labels
    create = next(
        s for s in batch_vertex.seen if s.path.endswith("/batchPredictionJobs") and s.method == "POST"
    )
    assert create.json["model"] == "publishers/google/models/gemini-2.5-flash"
    assert create.headers["authorization"] == f"Bearer {STATIC_TOKEN}"
    states = [batch_vertex.jobs[n].state for n in batch_vertex.jobs]
    assert states == ["JOB_STATE_SUCCEEDED"]


def test_async_openai_batch_example_runs_unchanged_for_1000_requests(
    batch_vertex: BatchVertexServer, tmp_path: Path
) -> None:
    path = write_requests(tmp_path / "batchinput.jsonl", 1000)

    async def main() -> tuple[Any, str, str | None]:
        async with async_client(batch_vertex) as client:
            return await async_openai_batch_example(client, path)

    batch, output, errors = asyncio.run(main())
    assert batch.status == "completed"
    assert batch.request_counts.completed == 1000
    check_output(output, 1000)
    assert errors == ""


def test_failures_land_in_the_error_file_with_their_custom_id(
    batch_vertex: BatchVertexServer, tmp_path: Path
) -> None:
    path = write_requests(tmp_path / "in.jsonl", 12)
    lines = path.read_text().splitlines()
    for n, word in ((3, "FAIL"), (7, "BLOCK")):
        line = json.loads(lines[n])
        line["body"]["messages"][-1]["content"] = f"{word} question {n}"
        lines[n] = json.dumps(line)
    path.write_text("\n".join(lines) + "\n")
    batch, output, errors = openai_batch_example(sync_client(batch_vertex), path)
    assert batch.request_counts.failed == 1 and batch.request_counts.completed == 11  # as Vertex counts
    check_output(output, 12, failing={3, 7})
    assert errors is not None
    failed = {json.loads(line)["custom_id"]: json.loads(line) for line in errors.splitlines()}
    assert set(failed) == {"request-3", "request-7"}
    assert failed["request-3"]["response"]["status_code"] == 500
    assert "Internal error encountered." in failed["request-3"]["response"]["body"]["error"]["message"]
    assert failed["request-7"]["response"]["status_code"] == 400
    assert "PROHIBITED_CONTENT" in failed["request-7"]["response"]["body"]["error"]["message"]


@pytest.mark.parametrize(
    ("line", "number", "expected"),
    [
        ("{not json", 2, "line 2: not valid JSON"),
        (
            '{"custom_id": "request-9", "method": "POST", "url": "/v1/chat/completions", "body": {}}',
            2,
            "line 2:",
        ),
        (None, 3, "line 3: body.model='gemini-2.5-pro' differs"),
        (None, 4, "line 4: body.logit_bias cannot be expressed"),
        (None, 5, "line 5: custom_id 'request-1' is also used on line 2"),
    ],
)
def test_bad_files_are_refused_naming_the_line_and_no_job_is_made(
    batch_vertex: BatchVertexServer, tmp_path: Path, line: str | None, number: int, expected: str
) -> None:
    path = write_requests(tmp_path / "in.jsonl", 5)
    lines = path.read_text().splitlines()
    if line is not None:
        lines[number - 1] = line
    elif number == 3:
        lines[2] = lines[2].replace(MODEL, "gemini-2.5-pro")
    elif number == 4:
        changed = json.loads(lines[3])
        changed["body"]["logit_bias"] = {"50256": -100}
        lines[3] = json.dumps(changed)
    else:
        lines[4] = lines[4].replace("request-4", "request-1")
    path.write_text("\n".join(lines) + "\n")
    client = sync_client(batch_vertex)
    uploaded = client.files.create(file=path, purpose="batch")
    with pytest.raises(InputError) as caught:
        client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
    assert expected in str(caught.value)
    assert caught.value.line == number
    assert batch_vertex.creates == 0
    listed = storage.Client(project="p", credentials=AnonymousCredentials()).list_blobs(
        os.environ["VERTEX_OPENAI_BATCH_BUCKET"].removeprefix("gs://").split("/")[0], prefix="jobs/batches/"
    )
    assert [blob.name for blob in listed] == []  # nothing translated was uploaded


def test_another_process_reads_status_and_results_by_id(
    batch_vertex: BatchVertexServer, tmp_path: Path
) -> None:
    path = write_requests(tmp_path / "in.jsonl", 20)
    client = sync_client(batch_vertex)
    uploaded = client.files.create(file=path, purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert batch.status == "validating"
    script = textwrap.dedent(
        """
        import json, sys
        from vertex_openai import VertexOpenAI
        client = VertexOpenAI(base_url=sys.argv[1], access_token=sys.argv[2])
        batch = client.batches.retrieve(sys.argv[3])
        while batch.status != "completed":
            batch = client.batches.retrieve(batch.id)
        lines = client.files.content(batch.output_file_id).text.splitlines()
        print(json.dumps({"status": batch.status, "input": batch.input_file_id,
                          "ids": sorted(json.loads(line)["custom_id"] for line in lines)}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", script, batch_vertex.base_url, STATIC_TOKEN, batch.id],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["status"] == "completed" and seen["input"] == uploaded.id
    assert seen["ids"] == sorted(f"request-{n}" for n in range(20))
    assert client.batches.retrieve(batch.id).status == "completed"  # this process sees the same job


def test_cancel_and_list(batch_vertex: BatchVertexServer, tmp_path: Path) -> None:
    client = sync_client(batch_vertex)
    uploaded = client.files.create(file=write_requests(tmp_path / "in.jsonl", 3), purpose="batch")
    made = [
        client.batches.create(
            input_file_id=uploaded.id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={"n": str(n)},
        )
        for n in range(5)
    ]
    cancelling = client.batches.cancel(made[0].id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at
    assert client.batches.retrieve(made[0].id).status == "cancelled"
    page = client.batches.list(limit=2)
    assert [b.id for b in page.data] == [made[4].id, made[3].id] and page.has_more
    rest = client.batches.list(after=made[3].id, limit=10)
    assert [b.metadata for b in rest.data] == [{"n": "2"}, {"n": "1"}, {"n": "0"}] and not rest.has_more
    assert [b.input_file_id for b in rest.data] == [uploaded.id] * 3


def test_files_list_retrieve_content_delete(batch_vertex: BatchVertexServer, tmp_path: Path) -> None:
    client = sync_client(batch_vertex)
    first = client.files.create(file=("a.jsonl", b'{"x": 1}\n'), purpose="batch")
    time.sleep(1.05)  # created_at is in whole seconds
    second = client.files.create(file=write_requests(tmp_path / "b.jsonl", 2), purpose="batch")
    assert isinstance(first, openai.types.FileObject) and first.filename == "a.jsonl" and first.bytes == 9
    assert [f.id for f in client.files.list().data] == [second.id, first.id]
    assert [f.id for f in client.files.list(order="asc", limit=1).data] == [first.id]
    assert client.files.retrieve(second.id).filename == "b.jsonl"
    assert client.files.content(first.id).content == b'{"x": 1}\n'
    assert client.files.delete(first.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(first.id)
    with pytest.raises(ValueError, match="purpose='fine-tune'"):
        client.files.create(file=b"{}", purpose="fine-tune")


def test_async_files_and_batches(batch_vertex: BatchVertexServer, tmp_path: Path) -> None:
    path = write_requests(tmp_path / "in.jsonl", 4)

    async def main() -> None:
        async with async_client(batch_vertex) as client:
            uploaded = await client.files.create(file=path, purpose="batch")
            assert [f.id async for f in client.files.list()] == [uploaded.id]
            batch = await client.batches.create(
                input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
            )
            assert [b.id for b in (await client.batches.list()).data] == [batch.id]
            cancelled = await client.batches.cancel(batch.id)
            assert cancelled.status == "cancelling"
            with pytest.raises(InputError):
                bad = await client.files.create(file=b'{"custom_id": 1}\n', purpose="batch")
                await client.batches.create(
                    input_file_id=bad.id, endpoint="/v1/chat/completions", completion_window="24h"
                )
            assert (await client.files.delete(uploaded.id)).deleted

    asyncio.run(main())
    assert batch_vertex.creates == 1


def test_partner_model_lines_stay_openai_lines(batch_vertex: BatchVertexServer, tmp_path: Path) -> None:
    path = write_requests(tmp_path / "in.jsonl", 3, model="llama-3.3-70b-instruct-maas")
    batch, output, _ = openai_batch_example(sync_client(batch_vertex), path)
    create = next(
        s for s in batch_vertex.seen if s.path.endswith("/batchPredictionJobs") and s.method == "POST"
    )
    assert create.json["model"] == "publishers/meta/models/llama-3.3-70b-instruct-maas"
    lines = {json.loads(line)["custom_id"]: json.loads(line) for line in output.splitlines()}
    assert lines["request-2"]["response"]["body"]["choices"][0]["message"]["content"] == 'echo "question 2"'
    assert lines["request-2"]["response"]["body"]["model"] == "meta/llama-3.3-70b-instruct-maas"
    assert batch.model == "meta/llama-3.3-70b-instruct-maas"


def test_setup_errors_name_what_to_set(
    batch_vertex: BatchVertexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = VertexOpenAI(project="test-project", location="global", access_token=STATIC_TOKEN)
    with pytest.raises(ValueError, match="location='us-central1'"):
        client.batches.create(
            input_file_id="file-x", endpoint="/v1/chat/completions", completion_window="24h"
        )
    monkeypatch.delenv("VERTEX_OPENAI_BATCH_BUCKET")
    with pytest.raises(ValueError, match="pass batch_bucket='gs://bucket/prefix' to the client or set"):
        sync_client(batch_vertex).files.create(file=b"{}", purpose="batch")
    with pytest.raises(ValueError, match="metadata is too large"):
        sync_client(batch_vertex).batches.create(
            input_file_id="file-x",
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={f"key{n}": "x" * 512 for n in range(16)},  # OpenAI's limits; past Vertex's labels
        )
    with pytest.raises(ValueError, match="input_file_id='file-nope' is not a file id"):
        sync_client(batch_vertex).batches.create(
            input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h"
        )
    with pytest.raises(ValueError, match="location 'europe-west4'"):
        from vertex_openai._resources._batch._ids import batch_id

        sync_client(batch_vertex).batches.retrieve(
            batch_id("projects/1/locations/europe-west4/batchPredictionJobs/9")
        )


def test_example_runs_as_written(
    batch_google: BatchGoogle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the example polls every 30 s
    runpy.run_path(
        str(Path(__file__).parents[1] / "examples" / "batch" / "nightly_eval.py"), run_name="__main__"
    )
    out = capsys.readouterr().out
    assert "completed: BatchRequestCounts(" in out and "total=3" in out
    assert "review-1: echo: It broke after a week. [Answer positive, negative or mixed.]" in out
    assert batch_google.tokens.requests == 1  # Vertex calls took the client's ADC token


def test_readme_batch_section_runs_as_written(
    batch_google: BatchGoogle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("\n## Batch\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```py\n(.*?)```", section, flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    write_requests(tmp_path / "batchinput.jsonl", 3)
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    assert "in_progress BatchRequestCounts(completed=0, failed=0, total=3)" in capsys.readouterr().out
    assert batch_google.vertex.creates == 1


def test_a_file_that_does_not_read_back_intact_is_an_error(
    batch_vertex: BatchVertexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vertex_openai._resources._batch._storage import Storage

    client = sync_client(batch_vertex)
    uploaded = client.files.create(file=write_requests(tmp_path / "in.jsonl", 3), purpose="batch")
    assert len(client.files.content(uploaded.id).text.splitlines()) == 3  # intact: read as stored
    real_stat = Storage.stat

    def stat_with_another_checksum(self: Storage, bucket: str, name: str) -> Any:
        blob = real_stat(self, bucket, name)
        blob._properties["crc32c"] = "AAAAAA=="  # as if the bytes had changed on the way
        return blob

    monkeypatch.setattr(Storage, "stat", stat_with_another_checksum)
    with pytest.raises(OSError, match="did not read back intact"):
        client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
    assert batch_vertex.creates == 0
