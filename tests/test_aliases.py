"""One model rule (`_model.ModelResolver`): an alias means the same model on every surface: chat,
embeddings (`:predict` or openai's route), `models.retrieve`, and the Responses bridge (bridged to
chat, or sent to Vertex's own `/responses` for the models it serves there)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fakes import Reply, VertexServer
from google.oauth2 import service_account

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI

# Azure deployment names, as an app moved from Azure OpenAI keeps them
ALIASES = {
    "chat-prod": "gemini-2.5-flash",
    "embed-prod": "text-embedding-005",
    "embed-partner": "e5-large-maas",  # not a Google model: stays on openai's /embeddings
    "grok-prod": "xai/grok-4.1-fast-reasoning",
}
MESSAGES = [{"role": "user", "content": "Hi"}]


def base_url(vertex: VertexServer) -> str:
    return f"{vertex.root}/v1/projects/test-project/locations/us-central1/endpoints/openapi"


@pytest.fixture
def client(vertex: VertexServer, sa_credentials: service_account.Credentials) -> Iterator[VertexOpenAI]:
    with VertexOpenAI(
        base_url=base_url(vertex), credentials=sa_credentials, max_retries=0, model_aliases=ALIASES
    ) as c:
        yield c


def test_chat(client: VertexOpenAI, vertex: VertexServer) -> None:
    client.chat.completions.create(model="chat-prod", messages=MESSAGES)  # type: ignore[arg-type]
    assert vertex.seen[-1].json["model"] == "google/gemini-2.5-flash"


def test_embeddings_go_where_the_aliased_model_is_served(client: VertexOpenAI, vertex: VertexServer) -> None:
    result = client.embeddings.create(model="embed-prod", input=["a", "b"])
    assert vertex.seen[-1].path.endswith("/publishers/google/models/text-embedding-005:predict")
    assert len(result.data) == 2
    vertex.reply(
        Reply(
            200,
            {
                "object": "list",
                "model": "intfloat/e5-large-maas",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.5]}],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            },
        )
    )
    client.embeddings.create(model="embed-partner", input="a")
    assert vertex.seen[-1].path.endswith("/endpoints/openapi/embeddings")
    assert vertex.seen[-1].json["model"] != "embed-partner"


def test_async_embeddings(vertex: VertexServer, sa_credentials: service_account.Credentials) -> None:
    async def run() -> int:
        async with AsyncVertexOpenAI(
            base_url=base_url(vertex), credentials=sa_credentials, max_retries=0, model_aliases=ALIASES
        ) as client:
            return len((await client.embeddings.create(model="embed-prod", input="a")).data)

    assert asyncio.run(run()) == 1
    assert vertex.seen[-1].path.endswith("/publishers/google/models/text-embedding-005:predict")


def test_models_retrieve(client: VertexOpenAI, vertex: VertexServer) -> None:
    model = client.models.retrieve("chat-prod")
    assert vertex.seen[-1].path == "/v1beta1/publishers/google/models/gemini-2.5-flash"
    assert model.id == "google/gemini-2.5-flash"


def test_responses_bridged_or_native_by_the_aliased_model(client: VertexOpenAI, vertex: VertexServer) -> None:
    client.responses.create(model="chat-prod", input="Hi")
    assert vertex.seen[-1].path.endswith("/endpoints/openapi/chat/completions")
    assert vertex.seen[-1].json["model"] == "google/gemini-2.5-flash"
    vertex.reply(
        Reply(
            200,
            {
                "id": "resp_1",
                "object": "response",
                "created_at": 0,
                "model": "xai/grok-4.1-fast-reasoning",
                "output": [],
                "status": "completed",
                "parallel_tool_calls": True,
                "tool_choice": "auto",
                "tools": [],
            },
        )
    )
    native = client.responses.create(model="grok-prod", input="Hi")
    assert vertex.seen[-1].path.endswith("/endpoints/openapi/responses")  # Vertex serves it there
    assert vertex.seen[-1].json["model"] == "xai/grok-4.1-fast-reasoning"
    assert native.id == "resp_1"
