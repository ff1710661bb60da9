"""Vertex's native routes behind the local Vertex-like server, shaped as Google's REST reference shows them:

- `POST /{v}/projects/{p}/locations/{l}/publishers/google/models/{m}:predict` (text embeddings):
  `{"instances": [{"content", "task_type"?, "title"?}], "parameters": {"outputDimensionality"?,
  "autoTruncate"?}}` -> `{"predictions": [{"embeddings": {"values": [...], "statistics":
  {"token_count": n, "truncated": false}}}], "metadata": {"billableCharacterCount": n}}`;
  at most 250 instances (1 for gemini-embedding-001); the embedding models are not served on `global`.
- `GET /v1beta1/publishers/{publisher}/models[?pageToken=]` -> `{"publisherModels": [...],
  "nextPageToken": ...}` (pages of PAGE_SIZE); `GET /v1beta1/publishers/{publisher}/models/{m}`.

Vectors are deterministic: a text's vector depends on the text alone (and is cut to the dimension
asked for), so tests can check that answers come back in input order.
"""

from __future__ import annotations

import hashlib
import re
import struct
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes import Reply, Seen

EMBEDDING_MODELS = {
    "text-embedding-005": 250,
    "text-multilingual-embedding-002": 250,
    "gemini-embedding-001": 1,
}
DEFAULT_DIMENSIONS = 768
PUBLISHER_MODELS = {
    "google": [
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gemini-2.0-flash-001",
        "text-embedding-005",
        "gemini-embedding-001",
        "imagen-4.0-generate-001",
        "gemini-3-pro-preview",
    ],
    "meta": ["llama-3.3-70b-instruct-maas", "llama-4-maverick-17b-128e-instruct-maas"],
}
PAGE_SIZE = 3

_PREDICT = re.compile(
    r"/(?P<version>v1|v1beta1)/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/publishers/google/models/(?P<model>[^/:]+):predict$"
)
_LIST = re.compile(r"/v1beta1/publishers/(?P<publisher>[^/]+)/models(?:/(?P<model>[^/?]+))?$")


def vector(text: str, dimensions: int) -> list[float]:
    """A deterministic unit-scale vector for `text` (exact float32 values, so base64 round-trips)."""
    seed = hashlib.sha256(text.encode()).digest()
    raw = (seed * (dimensions // 8 + 1))[: dimensions * 4]
    return [struct.unpack("<f", struct.pack("<f", (b - 128) / 128))[0] for b in raw[:dimensions]]


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": status, "message": message, "status": code}})


def native_reply(seen: Seen) -> Reply | None:
    """The answer of a native route, or None when `seen` is not one (the chat responder answers)."""
    parts = urlsplit(seen.path)
    predict = _PREDICT.search(parts.path)
    if predict and seen.method == "POST":
        return _predict(predict["location"], predict["model"], predict["project"], seen.json)
    listing = _LIST.search(parts.path)
    if listing and seen.method == "GET":
        token = (parse_qs(parts.query).get("pageToken") or [""])[0]
        return _list(listing["publisher"], listing["model"], token)
    return None


def _predict(location: str, model: str, project: str, body: Any) -> Reply:
    name = f"projects/{project}/locations/{location}/publishers/google/models/{model}"
    if model not in EMBEDDING_MODELS or location == "global":
        return _error(
            404,
            "NOT_FOUND",
            f"Publisher Model `{name}` was not found or your project does not have access to it.",
        )
    instances = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(instances, list) or not instances:
        return _error(400, "INVALID_ARGUMENT", "instances must be a non-empty list.")
    if len(instances) > EMBEDDING_MODELS[model]:
        return _error(
            400,
            "INVALID_ARGUMENT",
            f"{len(instances)} instances exceed the limit of {EMBEDDING_MODELS[model]}.",
        )
    parameters = body.get("parameters") or {}
    dimensions = parameters.get("outputDimensionality", DEFAULT_DIMENSIONS)
    predictions = []
    for instance in instances:
        text = instance["content"]
        tokens = len(text.split())
        predictions.append(
            {
                "embeddings": {
                    "statistics": {"truncated": False, "token_count": tokens},
                    "values": vector(text, dimensions),
                }
            }
        )
    billable = sum(len(i["content"]) for i in instances)
    return Reply(200, {"predictions": predictions, "metadata": {"billableCharacterCount": billable}})


def _publisher_model(publisher: str, model: str) -> dict[str, Any]:
    return {
        "name": f"publishers/{publisher}/models/{model}",
        "versionId": "001",
        "openSourceCategory": "PROPRIETARY" if publisher == "google" else "THIRD_PARTY_OWNED_OSS",
        "launchStage": "PUBLIC_PREVIEW" if "preview" in model else "GA",
    }


def _list(publisher: str, model: str | None, token: str) -> Reply:
    models = PUBLISHER_MODELS.get(publisher, [])
    if model is not None:
        if model not in models:
            return _error(
                404, "NOT_FOUND", f"Publisher model publishers/{publisher}/models/{model} not found."
            )
        return Reply(200, _publisher_model(publisher, model))
    start = int(token or 0)
    page = models[start : start + PAGE_SIZE]
    body: dict[str, Any] = {"publisherModels": [_publisher_model(publisher, m) for m in page]}
    if start + PAGE_SIZE < len(models):
        body["nextPageToken"] = str(start + PAGE_SIZE)
    return Reply(200, body)
