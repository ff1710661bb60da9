"""Routes Vertex's OpenAI-compatible endpoint does not serve: the 404 says what to do instead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest
from fakes import Reply, VertexServer
from google.oauth2 import service_account

from vertex_openai import VertexOpenAI
from vertex_openai._transport._routes import route_of, unserved_hint

JSON_404 = {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
HTML_404 = (
    "<!DOCTYPE html><html><title>Error 404 (Not Found)!!1</title><p>The requested URL was not found.</p>"
)

CALLS: dict[str, tuple[Callable[[VertexOpenAI], Any], str]] = {
    "completions": (
        lambda c: c.completions.create(model="google/gemini-2.5-flash", prompt="hi"),
        "chat.completions",
    ),
    "images": (lambda c: c.images.generate(prompt="a cat"), "modalities=['image']"),
    "speech": (lambda c: c.audio.speech.create(model="tts-1", voice="alloy", input="hi"), "Text-to-Speech"),
    "uploads": (lambda c: c.post("/uploads", cast_to=object, body={}), "Cloud Storage"),
    "moderations": (lambda c: c.moderations.create(input="hi"), "safety_settings"),
    "fine_tuning": (lambda c: c.fine_tuning.jobs.list(), "tuning"),
    "vector_stores": (lambda c: c.vector_stores.list(), "Vector Search"),
}


@pytest.fixture
def client(vertex: VertexServer, sa_credentials: service_account.Credentials) -> Iterator[VertexOpenAI]:
    with VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=0) as c:
        yield c


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("body", ["json", "html"])
def test_unserved_route_404_says_what_to_do(
    client: VertexOpenAI, vertex: VertexServer, name: str, body: str
) -> None:
    call, fix = CALLS[name]
    reply = Reply(404, JSON_404) if body == "json" else Reply(404, text=HTML_404, content_type="text/html")
    vertex.reply(reply)
    with pytest.raises(openai.NotFoundError) as error:
        call(client)
    assert "does not serve /" in error.value.message and fix in error.value.message


def test_served_routes_get_no_route_hint() -> None:
    base = "/v1/projects/p/locations/global/endpoints/openapi"
    assert route_of(f"{base}/chat/completions") == "chat/completions"
    assert unserved_hint(f"{base}/chat/completions") is None
    assert unserved_hint(f"{base}/embeddings") is None
    # client.files / client.batches are served by Vertex batch prediction; a raw call is told so
    assert "client.files" in (unserved_hint(f"{base}/files/file-1/content") or "")
    assert "client.batches" in (unserved_hint(f"{base}/batches") or "")
    assert "input_audio" in (unserved_hint(f"{base}/audio/transcriptions") or "")  # multipart: not sent here
    assert unserved_hint("/v1/projects/p/locations/l/publishers/google/models/m:predict") is None
