"""Partner and open (MaaS) models: bare ids get their publisher, hints name documented locations."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fakes import Reply, VertexServer, completion
from google.oauth2 import service_account

from vertex_openai import PARTNER_MODELS, PartnerModel, VertexOpenAI
from vertex_openai._pipeline._maas import ModelTable

MESSAGES: list[Any] = [{"role": "user", "content": "hi"}]


def regional(vertex: VertexServer, location: str) -> str:
    return f"{vertex.root}/v1/projects/test-project/locations/{location}/endpoints/openapi"


@pytest.fixture
def client(vertex: VertexServer, sa_credentials: service_account.Credentials) -> Iterator[VertexOpenAI]:
    with VertexOpenAI(
        base_url=regional(vertex, "us-central1"), credentials=sa_credentials, max_retries=0
    ) as c:
        yield c


def test_every_entry_cites_a_google_page() -> None:
    for entry in PARTNER_MODELS:
        assert entry.source.startswith("https://cloud.google.com/vertex-ai/"), entry
        assert entry.publisher and entry.name and entry.locations


def test_bare_documented_id_gets_its_publisher(client: VertexOpenAI, vertex: VertexServer) -> None:
    client.chat.completions.create(model="llama-3.3-70b-instruct-maas", messages=MESSAGES)
    client.chat.completions.create(model="deepseek-r1-0528-maas", messages=MESSAGES)
    client.chat.completions.create(model="some-unknown-model-maas", messages=MESSAGES)
    assert [s.json["model"] for s in vertex.seen] == [
        "meta/llama-3.3-70b-instruct-maas",
        "deepseek-ai/deepseek-r1-0528-maas",
        "some-unknown-model-maas",  # not documented: sent as given
    ]


def test_llama4_without_max_tokens_warns_once(client: VertexOpenAI) -> None:
    model = "meta/llama-4-scout-17b-16e-instruct-maas"
    with pytest.warns(UserWarning, match="max_tokens"):
        client.chat.completions.create(model=model, messages=MESSAGES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.chat.completions.create(model=model, messages=MESSAGES)  # once per client and model
        client.chat.completions.create(model="llama-4-maverick-17b-128e-instruct-maas", messages=MESSAGES,
                                       max_tokens=100)  # fmt: skip


def test_404_names_the_documented_locations(client: VertexOpenAI, vertex: VertexServer) -> None:
    missing = {"error": {"code": 404, "message": "Publisher model not found.", "status": "NOT_FOUND"}}
    vertex.reply(Reply(404, missing))
    with pytest.raises(openai.NotFoundError) as error:
        client.chat.completions.create(model="llama-4-scout-17b-16e-instruct-maas", messages=MESSAGES,
                                       max_tokens=10)  # fmt: skip
    assert "us-east5" in error.value.message and "with_options(location='us-east5')" in error.value.message


def test_users_can_add_their_own_entries(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    mine = PartnerModel("acme/rocket-1-maas", ("us-south1",), "https://example.com/rocket")
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, partner_models=[mine])
    client.chat.completions.create(model="rocket-1-maas", messages=MESSAGES)
    assert vertex.seen[-1].json["model"] == "acme/rocket-1-maas"
    with pytest.raises(ValueError, match="PartnerModel"):
        ModelTable([PartnerModel("no-publisher")])


def test_reasoning_content_stays_readable(client: VertexOpenAI, vertex: VertexServer) -> None:
    body = completion("42", model="deepseek-ai/deepseek-r1-0528-maas")
    body["choices"][0]["message"]["reasoning_content"] = "Six times seven."
    vertex.reply(Reply(200, body))
    response = client.chat.completions.create(model="deepseek-r1-0528-maas", messages=MESSAGES)
    message: Any = response.choices[0].message
    assert (message.content, message.reasoning_content) == ("42", "Six times seven.")


def test_reasoning_content_survives_streams(client: VertexOpenAI, vertex: VertexServer) -> None:
    head = {
        "id": "s",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "deepseek-ai/deepseek-r1-0528-maas",
    }
    thought = {
        **head,
        "choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "Six sevens."}}],
    }
    answer = {**head, "choices": [{"index": 0, "delta": {"content": "42"}, "finish_reason": "stop"}]}
    events = "".join(f"data: {json.dumps(event)}\n\n" for event in (thought, answer)) + "data: [DONE]\n\n"
    vertex.reply(Reply(200, text=events, content_type="text/event-stream"))
    stream = client.chat.completions.create(model="deepseek-r1-0528-maas", messages=MESSAGES, stream=True)
    deltas: list[Any] = [chunk.choices[0].delta for chunk in stream]
    assert deltas[0].reasoning_content == "Six sevens." and deltas[1].content == "42"
