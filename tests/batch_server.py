"""Vertex AI batch prediction, played locally: `batchPredictionJobs` on the Vertex-like server, and a
job engine that reads its input from the Cloud Storage emulator and writes prediction files back.

Shaped as Google documents it (shared/vertex-facts.md section 9):
- `POST {root}/batchPredictionJobs` (unknown fields: 400 INVALID_ARGUMENT), `GET .../{id}`,
  `GET ...?pageSize&pageToken&filter=labels.k=v` (`batchPredictionJobs` + `nextPageToken`),
  `POST .../{id}:cancel`.
- Each GET of a job moves it one step: PENDING -> RUNNING (the engine runs here) -> SUCCEEDED, or
  CANCELLING (one more GET) -> CANCELLED after a cancel. `completionStats` counts are JSON strings,
  zeros left out;
  `outputInfo.gcsOutputDirectory` is `{outputUriPrefix}/prediction-model-{timestamp}`.
- The engine checks every line is a GenerateContentRequest (`{"request": {...}}`, roles user/model,
  known fields only, valid labels); an invalid line, or a prompt containing FAIL, gets a `status`
  error text and no `response`; BLOCK gets a blocked prompt. Answers echo the request, come from
  `ANSWER_MODEL`, with usage, and are written across several `predictions_*.jsonl` files, in a
  shuffled order.
"""

from __future__ import annotations

import json
import random
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes import Reply, Seen, TokenServer, VertexServer
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

ANSWER_MODEL = "gemini-2.5-flash-001"  # what the native answer names (the chat.completion's model)
PREDICTION_FILES = 3
PAGE_SIZE = 2  # the server's default page size (small, so listing pages)
_JOBS = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/batchPredictionJobs"
    r"(?:/(?P<job>[0-9]+))?(?P<cancel>:cancel)?$"
)
_CREATE_FIELDS = {"displayName", "model", "inputConfig", "outputConfig", "labels"}
_REQUEST_FIELDS = {
    "contents",
    "systemInstruction",
    "generationConfig",
    "tools",
    "toolConfig",
    "safetySettings",
    "labels",
    "cachedContent",
}
_CONFIG_FIELDS = {
    "maxOutputTokens",
    "temperature",
    "topP",
    "candidateCount",
    "stopSequences",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseLogprobs",
    "logprobs",
    "responseMimeType",
    "responseJsonSchema",
    "thinkingConfig",
}
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": status, "message": message, "status": code}})


@dataclass
class Job:
    body: dict[str, Any]
    name: str
    number: int
    state: str = "JOB_STATE_PENDING"
    stats: dict[str, str] = field(default_factory=dict)
    output: str | None = None
    cancel_polls: int = 0

    def view(self) -> dict[str, Any]:
        job: dict[str, Any] = {
            "name": self.name,
            **self.body,
            "state": self.state,
            "createTime": f"2026-12-05T10:00:{self.number % 60:02d}.123456789Z",
            "updateTime": "2026-12-05T10:05:00Z",
        }
        if self.state not in ("JOB_STATE_PENDING", "JOB_STATE_QUEUED"):
            job["startTime"] = "2026-12-05T10:01:00.5Z"
        if self.state in ("JOB_STATE_SUCCEEDED", "JOB_STATE_CANCELLED", "JOB_STATE_FAILED"):
            job["endTime"] = "2026-12-05T10:09:00Z"
            job["completionStats"] = dict(self.stats)
        if self.output is not None and self.state == "JOB_STATE_SUCCEEDED":
            job["outputInfo"] = {"gcsOutputDirectory": self.output}
        return job


class BatchVertexServer(VertexServer):
    """The Vertex-like server with `batchPredictionJobs` and a job engine over the storage emulator."""

    def __init__(self, tokens: TokenServer | None = None, accept: set[str] | None = None) -> None:
        self.jobs: dict[int, Job] = {}
        self.job_lock = threading.Lock()
        self.next_job = 7000
        self.storage = storage.Client(project="test-project", credentials=AnonymousCredentials())
        super().__init__(tokens, accept)
        self.batch_root = f"{self.root}/v1/projects/test-project/locations/us-central1"
        self.base_url = f"{self.batch_root}/endpoints/openapi"

    @property
    def creates(self) -> int:
        """How many jobs clients asked to create."""
        return sum(1 for s in self.seen if s.method == "POST" and s.path.endswith("/batchPredictionJobs"))

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> Reply:
        parts = urlsplit(handler.path)
        found = _JOBS.match(parts.path)
        if found is None:
            return super()._handle(handler, body)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.seen.append(Seen(handler.command, handler.path, headers, json.loads(body) if body else None))
        if not self._valid(headers.get("authorization", "").removeprefix("Bearer ")):
            return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        with self.job_lock:
            return self._route(
                handler.command, found, parse_qs(parts.query), json.loads(body) if body else None
            )

    def _route(self, method: str, found: re.Match[str], query: dict[str, list[str]], body: Any) -> Reply:
        number = found["job"]
        if number is None:
            if method == "POST":
                return self._create(found, body)
            return self._list(query)
        job = self.jobs.get(int(number))
        if job is None:
            return _error(404, "NOT_FOUND", f"BatchPredictionJob {number} does not exist.")
        if found["cancel"]:
            if job.state in ("JOB_STATE_PENDING", "JOB_STATE_RUNNING", "JOB_STATE_QUEUED"):
                job.state = "JOB_STATE_CANCELLING"
            return Reply(200, {})
        if method == "GET":
            self._advance(job)
            return Reply(200, job.view())
        return _error(400, "INVALID_ARGUMENT", f"{method} is not served here.")

    def _create(self, found: re.Match[str], body: Any) -> Reply:
        if not isinstance(body, dict) or set(body) - _CREATE_FIELDS:
            unknown = sorted(set(body) - _CREATE_FIELDS) if isinstance(body, dict) else []
            return _error(400, "INVALID_ARGUMENT", f'Invalid JSON payload received. Unknown name "{unknown}"')
        labels = body.get("labels", {})
        if len(labels) > 64 or not all(
            _LABEL_KEY.fullmatch(k) and _LABEL_VALUE.fullmatch(v) for k, v in labels.items()
        ):
            return _error(400, "INVALID_ARGUMENT", "Invalid labels.")
        if not re.fullmatch(r"publishers/[a-z0-9-]+/models/[a-z0-9.@-]+", str(body.get("model"))):
            return _error(400, "INVALID_ARGUMENT", f"Invalid model {body.get('model')!r}.")
        source = body["inputConfig"]["gcsSource"]["uris"][0]
        if body["inputConfig"].get("instancesFormat") != "jsonl" or not source.startswith("gs://"):
            return _error(400, "INVALID_ARGUMENT", "inputConfig must be jsonl on gcsSource.")
        self.next_job += 1
        name = f"projects/123456789012/locations/{found['location']}/batchPredictionJobs/{self.next_job}"
        job = Job(body, name, self.next_job)
        self.jobs[self.next_job] = job
        return Reply(200, job.view())

    def _list(self, query: dict[str, list[str]]) -> Reply:
        jobs = sorted(self.jobs.values(), key=lambda j: -j.number)  # newest first
        wanted = (query.get("filter") or [""])[0]
        if wanted:
            key, _, value = wanted.removeprefix("labels.").partition("=")
            jobs = [j for j in jobs if j.body.get("labels", {}).get(key) == value]
        size = int((query.get("pageSize") or [str(PAGE_SIZE)])[0])
        size = min(size, PAGE_SIZE)
        start = int((query.get("pageToken") or ["0"])[0])
        page = jobs[start : start + size]
        answer: dict[str, Any] = {"batchPredictionJobs": [j.view() for j in page]}
        if start + size < len(jobs):
            answer["nextPageToken"] = str(start + size)
        return Reply(200, answer)

    def _advance(self, job: Job) -> None:
        if job.state == "JOB_STATE_PENDING":
            job.state = "JOB_STATE_RUNNING"
        elif job.state == "JOB_STATE_RUNNING":
            self._run(job)
            job.state = "JOB_STATE_SUCCEEDED"
        elif job.state == "JOB_STATE_CANCELLING":
            job.cancel_polls += 1  # the GET right after the cancel still sees CANCELLING
            if job.cancel_polls > 1:
                job.state = "JOB_STATE_CANCELLED"

    # --- the engine ---
    def _run(self, job: Job) -> None:
        source = job.body["inputConfig"]["gcsSource"]["uris"][0]
        bucket, _, name = source.removeprefix("gs://").partition("/")
        lines = self.storage.bucket(bucket).blob(name).download_as_bytes().splitlines()
        partner = not job.body["model"].startswith("publishers/google/")
        results = [_answer(line, n, partner) for n, line in enumerate(lines) if line.strip()]
        random.Random(job.number).shuffle(results)
        prefix = job.body["outputConfig"]["gcsDestination"]["outputUriPrefix"]
        out_bucket, _, out_path = prefix.removeprefix("gs://").partition("/")
        directory = f"{out_path.rstrip('/')}/prediction-model-2026-12-05T10:09:00.000000Z"
        for n in range(PREDICTION_FILES):
            chunk = results[n::PREDICTION_FILES]
            data = "".join(json.dumps(r) + "\n" for r in chunk)
            blob = self.storage.bucket(out_bucket).blob(f"{directory}/predictions_{n:05d}.jsonl")
            blob.upload_from_string(data, content_type="application/jsonl")
        failed = sum(1 for r in results if r["status"])
        stats = {"successfulCount": str(len(results) - failed), "failedCount": str(failed)}
        job.stats = {k: v for k, v in stats.items() if v != "0"}  # int64 as strings, zeros left out
        job.output = f"gs://{out_bucket}/{directory}"


def _answer(raw: bytes, number: int, partner: bool) -> dict[str, Any]:
    line = json.loads(raw)
    if partner:
        text = json.dumps(line["body"]["messages"][-1]["content"])
        completion = {
            "id": f"partner-{number}",
            "object": "chat.completion",
            "created": 1764928800,
            "model": line["body"]["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": f"echo {text}"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        }
        return {**line, "response": completion, "status": ""}
    request = line.get("request")
    problem = _check_request(line, request)
    if problem:
        body = {"error": {"code": 400, "message": problem, "status": "INVALID_ARGUMENT"}}
        return {"request": request, "status": f"Bad Request: {json.dumps(body)}"}
    text = "".join(p.get("text", "") for p in request["contents"][-1]["parts"])
    if "FAIL" in text:
        body = {"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}
        return {"request": request, "status": f"Internal Server Error: {json.dumps(body)}"}
    if "BLOCK" in text:
        response: dict[str, Any] = {
            "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
            "usageMetadata": {"promptTokenCount": 4, "totalTokenCount": 4},
            "modelVersion": ANSWER_MODEL,
            "responseId": f"resp-{number}",
        }
        return {"request": request, "response": response, "status": ""}
    system = "".join(p.get("text", "") for p in request.get("systemInstruction", {}).get("parts", []))
    answer = f"echo: {text}" + (f" [{system}]" if system else "")
    response = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": answer}]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {
            "promptTokenCount": len(text.split()) + 3,
            "candidatesTokenCount": len(answer.split()),
            "totalTokenCount": len(text.split()) + 3 + len(answer.split()),
        },
        "modelVersion": ANSWER_MODEL,
        "createTime": "2026-12-05T10:08:00.123456Z",
        "responseId": f"resp-{number}",
    }
    return {"request": request, "response": response, "status": ""}


def _check_request(line: Any, request: Any) -> str | None:
    """Why a line is not a valid GenerateContentRequest line, or None."""
    if not isinstance(line, dict) or set(line) != {"request"} or not isinstance(request, dict):
        return 'Invalid JSON payload received. Expected {"request": GenerateContentRequest}.'
    unknown = set(request) - _REQUEST_FIELDS
    if unknown:
        return f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}".'
    contents = request.get("contents")
    if not isinstance(contents, list) or not contents:
        return "contents is required."
    for content in contents:
        if content.get("role") not in ("user", "model") or not content.get("parts"):
            return "Please use a valid role: user, model."
    if set(request.get("generationConfig", {})) - _CONFIG_FIELDS:
        return "Unknown name in generationConfig."
    labels = request.get("labels", {})
    if not all(_LABEL_KEY.fullmatch(k) and _LABEL_VALUE.fullmatch(v) for k, v in labels.items()):
        return "Invalid labels."
    return None
