"""client.embeddings.create: Google models through the native :predict route, MaaS models unchanged."""

from __future__ import annotations

import asyncio
import base64
import struct
from collections.abc import Iterator

import openai
import pytest
from fake_native import vector
from fakes import Reply, VertexServer
from google.oauth2 import service_account

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI, embedding_options
from vertex_openai._resources._embeddings import input_texts, plan_embeddings, predict_body, to_response

REGION = "us-central1"
PREDICT = f"/v1/projects/test-project/locations/{REGION}/publishers/google/models/text-embedding-005:predict"


def regional(vertex: VertexServer, location: str = REGION) -> str:
    return f"{vertex.root}/v1/projects/test-project/locations/{location}/endpoints/openapi"


@pytest.fixture
def client(vertex: VertexServer, sa_credentials: service_account.Credentials) -> Iterator[VertexOpenAI]:
    with VertexOpenAI(base_url=regional(vertex), credentials=sa_credentials, max_retries=0) as c:
        yield c


def texts(count: int) -> list[str]:
    return [f"document number {n} about topic {n % 7}" for n in range(count)]


def test_rag_script_600_texts_then_chat(client: VertexOpenAI, vertex: VertexServer) -> None:
    documents = texts(600)
    result = client.embeddings.create(model="text-embedding-005", input=documents, dimensions=256)
    answer = client.chat.completions.create(
        model="google/gemini-2.5-flash", messages=[{"role": "user", "content": "What is in document 3?"}]
    )

    assert [item.index for item in result.data] == list(range(600))
    assert [item.embedding for item in result.data] == [vector(text, 256) for text in documents]
    assert result.usage.prompt_tokens == result.usage.total_tokens == sum(len(t.split()) for t in documents)
    assert result.model == "text-embedding-005" and result.object == "list"
    predicts = [s for s in vertex.seen if s.path.endswith(":predict")]
    assert [s.path for s in predicts] == [PREDICT] * 3
    assert sorted(len(s.json["instances"]) for s in predicts) == [100, 250, 250]  # 250 per request
    assert all(s.json["parameters"] == {"outputDimensionality": 256} for s in predicts)
    assert vertex.seen[-1].path.endswith("/endpoints/openapi/chat/completions")
    assert answer.choices[0].message.content
    assert len(set(vertex.tokens_seen)) == 1 and vertex.tokens.requests == 1  # type: ignore[union-attr]


def test_async_embeddings_one_text_per_request_in_order(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    documents = texts(40)

    async def run() -> openai.types.CreateEmbeddingResponse:
        async with AsyncVertexOpenAI(base_url=regional(vertex), credentials=sa_credentials) as client:
            return await client.embeddings.create(model="google/gemini-embedding-001", input=documents)

    result = asyncio.run(run())
    assert [item.embedding for item in result.data] == [vector(text, 768) for text in documents]
    assert [item.index for item in result.data] == list(range(40))
    predicts = [s for s in vertex.seen if s.path.endswith("gemini-embedding-001:predict")]
    assert len(predicts) == 40 and all(len(s.json["instances"]) == 1 for s in predicts)


def test_encoding_formats_as_openai_returns_them(client: VertexOpenAI) -> None:
    default = client.embeddings.create(model="text-embedding-005", input="hello world", dimensions=8)
    floats = client.embeddings.create(
        model="text-embedding-005", input="hello world", dimensions=8, encoding_format="float"
    )
    encoded = client.embeddings.create(
        model="text-embedding-005", input="hello world", dimensions=8, encoding_format="base64"
    )
    expected = vector("hello world", 8)
    assert default.data[0].embedding == floats.data[0].embedding == expected
    raw = encoded.data[0].embedding
    assert isinstance(raw, str)
    assert list(struct.unpack("<8f", base64.b64decode(raw))) == expected


def test_embedding_options_reach_the_instances(client: VertexOpenAI, vertex: VertexServer) -> None:
    client.embeddings.create(
        model="text-embedding-005",
        input=["a", "b"],
        extra_body=embedding_options(task_type="RETRIEVAL_DOCUMENT", title=["A", "B"], auto_truncate=False),
    )
    assert vertex.seen[-1].json == {
        "instances": [
            {"content": "a", "task_type": "RETRIEVAL_DOCUMENT", "title": "A"},
            {"content": "b", "task_type": "RETRIEVAL_DOCUMENT", "title": "B"},
        ],
        "parameters": {"autoTruncate": False},
    }


def test_bad_arguments_fail_before_sending(client: VertexOpenAI, vertex: VertexServer) -> None:
    with pytest.raises(ValueError, match="token ids"):
        client.embeddings.create(model="text-embedding-005", input=[[1, 2, 3]])
    with pytest.raises(ValueError, match="token ids"):
        client.embeddings.create(model="text-embedding-005", input=[1, 2, 3])
    with pytest.raises(ValueError, match="'user_id'"):
        client.embeddings.create(model="text-embedding-005", input="x", extra_body={"user_id": "u"})
    with pytest.raises(ValueError, match="task_type"):
        embedding_options(task_type="SEARCH")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dimensions"):
        client.embeddings.create(model="text-embedding-005", input="x", dimensions=0)
    with pytest.raises(ValueError, match="title="):
        client.embeddings.create(model="text-embedding-005", input=["a", "b"], extra_body={"title": ["A"]})
    assert vertex.seen == []


def test_maas_embedding_models_use_the_openai_route(client: VertexOpenAI, vertex: VertexServer) -> None:
    usage = {"prompt_tokens": 2, "total_tokens": 2}
    answer = {"object": "list", "model": "m", "usage": usage, "data": [{"object": "embedding", "index": 0,
              "embedding": [0.5, 0.25]}]}  # fmt: skip
    vertex.reply(Reply(200, answer))
    result = client.embeddings.create(model="intfloat/multilingual-e5-large-instruct-maas", input="hi")
    assert vertex.seen[-1].path.endswith("/endpoints/openapi/embeddings")
    assert vertex.seen[-1].json["model"] == "intfloat/multilingual-e5-large-instruct-maas"
    assert result.data[0].embedding == [0.5, 0.25]


def test_with_raw_response(client: VertexOpenAI) -> None:
    raw = client.embeddings.with_raw_response.create(model="text-embedding-005", input=["a b", "c"])
    assert raw.http_request.url.path == PREDICT
    parsed = raw.parse()
    assert [item.embedding for item in parsed.data] == [vector("a b", 768), vector("c", 768)]
    assert parsed.usage.total_tokens == 3
    with pytest.raises(ValueError, match="with_raw_response"):
        client.embeddings.with_raw_response.create(model="text-embedding-005", input=texts(251))


def test_not_served_here_names_the_documented_locations(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=regional(vertex, "global"), credentials=sa_credentials, max_retries=0)
    with pytest.raises(openai.NotFoundError) as missing:
        client.embeddings.create(model="text-embedding-005", input="hi")
    assert "us-central1" in missing.value.message
    assert "client.with_options(location='us-central1')" in missing.value.message


def test_native_route_keeps_the_base_url_origin_and_prefix(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    base = f"{vertex.root}/gateway/v1beta1/projects/test-project/locations/europe-west4/endpoints/openapi"
    client = VertexOpenAI(base_url=base, credentials=sa_credentials)
    client.embeddings.create(model="text-multilingual-embedding-002", input="hallo")
    assert vertex.seen[-1].path == (
        "/gateway/v1beta1/projects/test-project/locations/europe-west4/publishers/google/models/"
        "text-multilingual-embedding-002:predict"
    )


def test_translation_without_sockets() -> None:
    assert input_texts("one") == ["one"]
    assert predict_body(["x"], dimensions=None, options={}, titles=None) == {"instances": [{"content": "x"}]}
    answer = {"predictions": [{"embeddings": {"values": [1.0], "statistics": {"tokenCount": "4"}}}]}
    response = to_response(answer, model="m", start=5, expected=1, encoding_format=None)
    assert (response.data[0].index, response.usage.prompt_tokens) == (
        5,
        4,
    )  # either spelling, numbers as text
    with pytest.raises(ValueError, match="2 predictions for 1 texts"):
        to_response({"predictions": [answer["predictions"][0]] * 2}, model="m", start=0, expected=1,
                    encoding_format=None)  # fmt: skip


def test_self_deployed_endpoint_keeps_openai_route(sa_credentials: service_account.Credentials) -> None:
    client = VertexOpenAI(project="p", location="us-central1", endpoint_id="1234", credentials=sa_credentials)
    plan = plan_embeddings(client.embeddings._target, input="x", model="text-embedding-005", dimensions=None,
                           encoding_format=None, extra_headers=None, extra_query=None, extra_body=None,
                           timeout=openai.NOT_GIVEN)  # fmt: skip
    assert plan is None
