"""client.models.list() / retrieve() from Vertex's v1beta1 publisher-model listing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import openai
import pytest
from fake_native import PUBLISHER_MODELS
from fakes import Reply, VertexServer
from google.oauth2 import service_account

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._resources._models import model_of, next_page_token

GOOGLE_IDS = [f"google/{name}" for name in PUBLISHER_MODELS["google"]]


@pytest.fixture
def client(vertex: VertexServer, sa_credentials: service_account.Credentials) -> Iterator[VertexOpenAI]:
    with VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=0) as c:
        yield c


def test_list_follows_every_page(client: VertexOpenAI, vertex: VertexServer) -> None:
    page = client.models.list()
    assert [m.id for m in page.data] == GOOGLE_IDS
    assert [m.id for m in page] == GOOGLE_IDS  # iterating the page, as with openai
    assert {m.owned_by for m in page.data} == {"google"} and {m.object for m in page.data} == {"model"}
    assert "google/gemini-2.5-flash" in [m.id for m in page.data]
    assert [s.path for s in vertex.seen] == [
        "/v1beta1/publishers/google/models",
        "/v1beta1/publishers/google/models?pageToken=3",
        "/v1beta1/publishers/google/models?pageToken=6",
    ]
    assert all(s.headers["authorization"].startswith("Bearer ya29.local-token") for s in vertex.seen)


def test_retrieve_takes_the_ids_chat_takes(client: VertexOpenAI, vertex: VertexServer) -> None:
    assert client.models.retrieve("google/gemini-2.5-flash").id == "google/gemini-2.5-flash"
    assert client.models.retrieve("gemini-2.5-pro").id == "google/gemini-2.5-pro"
    llama = client.models.retrieve("meta/llama-3.3-70b-instruct-maas")
    assert (llama.id, llama.owned_by) == ("meta/llama-3.3-70b-instruct-maas", "meta")
    assert vertex.seen[-1].path == "/v1beta1/publishers/meta/models/llama-3.3-70b-instruct-maas"
    assert client.models.retrieve("llama-3.3-70b-instruct-maas").id == llama.id  # a bare documented id
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("google/no-such-model")
    with pytest.raises(ValueError, match="model="):
        client.models.retrieve("google/..")


def test_async_list_awaited_or_iterated(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    async def run() -> tuple[list[str], list[str]]:
        async with AsyncVertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials) as client:
            page = await client.models.list()
            iterated = [m.id async for m in client.models.list()]
            return [m.id for m in page.data], iterated

    awaited, iterated = asyncio.run(run())
    assert awaited == iterated == GOOGLE_IDS


def test_with_raw_response_is_the_first_page(client: VertexOpenAI) -> None:
    raw = client.models.with_raw_response.list()
    assert raw.http_request.url.path == "/v1beta1/publishers/google/models"
    assert [m.id for m in raw.parse().data] == GOOGLE_IDS[:3]
    one = client.models.with_raw_response.retrieve("gemini-2.5-flash").parse()
    assert one.id == "google/gemini-2.5-flash"


def test_listing_refused_says_why(client: VertexOpenAI, vertex: VertexServer) -> None:
    denied = {
        "error": {"code": 403, "message": "Permission denied on resource.", "status": "PERMISSION_DENIED"}
    }
    vertex.reply(Reply(403, denied))
    with pytest.raises(openai.PermissionDeniedError) as error:
        client.models.list()
    assert "quota project" in error.value.message and "roles/aiplatform.user" in error.value.message


def test_explicit_base_url_origin_is_kept(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    base = f"{vertex.root}/gw/v1/projects/test-project/locations/us-central1/endpoints/openapi"
    client = VertexOpenAI(base_url=base, credentials=sa_credentials)
    client.models.retrieve("gemini-2.5-flash")
    assert vertex.seen[-1].path == "/gw/v1beta1/publishers/google/models/gemini-2.5-flash"


def test_translation_without_sockets() -> None:
    model = model_of({"name": "publishers/google/models/gemini-2.5-flash", "launchStage": "GA"})
    assert (model.id, model.owned_by, model.created) == ("google/gemini-2.5-flash", "google", 0)
    assert next_page_token({"next_page_token": "x"}) == next_page_token({"nextPageToken": "x"}) == "x"
    assert next_page_token({"nextPageToken": ""}) is None
    with pytest.raises(ValueError, match="model name"):
        model_of({"displayName": "nameless"})
