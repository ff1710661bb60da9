"""Replay the real recordings in tests/recordings/ through vcrpy, bodies unchanged.

The recordings are byte-for-byte copies of the project's shared recordings (provenance in
tests/recordings/README.md), so a clone of the repository alone runs its tests. A recording is
turned into a vcrpy cassette at test time; only the URL may be moved (to the Vertex route the product
sees). Nothing in a response body is edited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import vcr

RECORDINGS = Path(__file__).resolve().parent / "recordings"
CASSETTES = Path(__file__).resolve().parent / "cassettes"
VERTEX_BASE = "https://aiplatform.googleapis.com/v1/projects/test-project/locations/global/endpoints/openapi"

# Replay only: a missing or unmatched interaction fails the test instead of reaching a network.
replay = vcr.VCR(
    serializer="json",
    record_mode="none",
    match_on=["method", "scheme", "host", "port", "path"],
    filter_headers=["authorization"],
)


def keeping(sent: list[Any]) -> Callable[[Any], Any]:
    """A vcrpy `before_record_request` hook that appends each request to `sent` and passes it on."""

    def keep(request: Any) -> Any:
        sent.append(request)
        return request

    return keep


def load(name: str) -> dict[str, Any]:
    recording: dict[str, Any] = json.loads((RECORDINGS / name).read_text(encoding="utf-8"))
    return recording


def response_text(response: dict[str, Any]) -> str:
    if "json" in response:
        return json.dumps(response["json"])
    if "sse" in response:
        return str(response["sse"])
    return str(response.get("text", ""))


def cassette_from_recording(name: str, tmp_path: Path, *, urls: dict[int, str] | None = None) -> Path:
    """Write recording `name` as a vcrpy cassette; `urls` moves interaction i to another URL."""
    recording = load(name)
    interactions: list[dict[str, Any]] = []
    for index, item in enumerate(recording["interactions"]):
        request, response = item["request"], item["response"]
        interactions.append(
            {
                "request": {
                    "method": request["method"],
                    "uri": (urls or {}).get(index, request["url"]),
                    "body": None,
                    "headers": {},
                },
                "response": {
                    "status": {"code": response["status"], "message": ""},
                    "headers": {"Content-Type": [response["content_type"]]},
                    "body": {"string": response_text(response)},
                },
            }
        )
    path = tmp_path / f"{Path(name).stem}.json"
    path.write_text(json.dumps({"interactions": interactions, "version": 1}))
    return path
