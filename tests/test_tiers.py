"""Service tiers: OpenAI's service_tier= as Vertex's request-type headers; traffic_type(); 429 hints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
from fakes import Reply, VertexServer, completion
from google.oauth2 import service_account

from vertex_openai import VertexOpenAI, traffic_type
from vertex_openai._pipeline._tiers import FLEX_TIMEOUT_SECONDS, apply_service_tier, tier_headers

MESSAGES: list[Any] = [{"role": "user", "content": "hi"}]
REQUEST_TYPE = "x-vertex-ai-llm-request-type"
SHARED_TYPE = "x-vertex-ai-llm-shared-request-type"


def regional(vertex: VertexServer, location: str) -> str:
    return f"{vertex.root}/v1/projects/test-project/locations/{location}/endpoints/openapi"


@pytest.fixture
def client(vertex: VertexServer, sa_credentials: service_account.Credentials) -> Iterator[VertexOpenAI]:
    with VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=0) as c:
        yield c


def tier_sent(vertex: VertexServer) -> tuple[str | None, str | None]:
    headers = vertex.seen[-1].headers
    return headers.get(REQUEST_TYPE), headers.get(SHARED_TYPE)


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("flex", ("shared", "flex")),
        ("priority", ("shared", "priority")),
        ("provisioned", ("dedicated", None)),
        ("scale", ("dedicated", None)),
        ("default", (None, None)),
        ("auto", (None, None)),
    ],
)
def test_service_tier_reaches_vertex_as_headers(
    client: VertexOpenAI, vertex: VertexServer, tier: Any, expected: tuple[str | None, str | None]
) -> None:
    client.chat.completions.create(model="google/gemini-2.5-flash", messages=MESSAGES, service_tier=tier)
    assert tier_sent(vertex) == expected
    assert "service_tier" not in vertex.seen[-1].json


def test_flex_and_priority_are_refused_off_global(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=regional(vertex, "us-central1"), credentials=sa_credentials)
    for tier in ("flex", "priority"):
        with pytest.raises(ValueError, match="location='global'"):
            client.chat.completions.create(
                model="google/gemini-2.5-flash", messages=MESSAGES, service_tier=tier
            )
    assert vertex.seen == []
    with pytest.raises(ValueError, match="default_service_tier='flex'"):
        VertexOpenAI(base_url=regional(vertex, "europe-west4"), credentials=sa_credentials,
                     default_service_tier="flex")  # fmt: skip


def test_client_default_tier_and_the_call_wins(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, default_service_tier="flex")
    client.chat.completions.create(model="google/gemini-2.5-flash", messages=MESSAGES)
    assert tier_sent(vertex) == ("shared", "flex")
    client.chat.completions.create(model="google/gemini-2.5-flash", messages=MESSAGES, service_tier="default")
    assert tier_sent(vertex) == (None, None)
    assert client.with_options(max_retries=1).vertex_options.default_service_tier == "flex"


@dataclass
class Options:  # the fields of openai's per-attempt request options that tiers touch
    url: str = "/chat/completions"
    json_data: Any = None
    headers: Any = openai.NOT_GIVEN
    timeout: Any = openai.NOT_GIVEN
    extra_json: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def shaped_by_tier(options: Options, **kwargs: Any) -> Options:
    apply_service_tier(options, **kwargs)  # type: ignore[arg-type]  # the fields it touches
    return options


def test_flex_gets_a_long_timeout_unless_one_was_set() -> None:
    shaped = shaped_by_tier(
        Options(json_data={"service_tier": "flex"}),
        default_tier=None,
        location="global",
        default_timeout=True,
    )
    assert shaped.timeout.read == FLEX_TIMEOUT_SECONDS and shaped.json_data == {}
    own = shaped_by_tier(
        Options(json_data={"service_tier": "flex"}, timeout=30.0),
        default_tier=None,
        location="global",
        default_timeout=True,
    )
    assert own.timeout == 30.0
    client_set = shaped_by_tier(Options(), default_tier="flex", location="global", default_timeout=False)
    assert client_set.timeout is openai.NOT_GIVEN
    assert client_set.headers == tier_headers("flex", location="global")


def test_callers_own_tier_headers_win() -> None:
    shaped = shaped_by_tier(
        Options(json_data={"service_tier": "flex"}, headers={"X-Vertex-AI-LLM-Request-Type": "dedicated"}),
        default_tier=None,
        location="global",
        default_timeout=False,
    )
    assert shaped.headers == {
        "X-Vertex-AI-LLM-Shared-Request-Type": "flex",
        "X-Vertex-AI-LLM-Request-Type": "dedicated",
    }
    with pytest.raises(ValueError, match="service_tier='turbo'"):
        tier_headers("turbo", location="global")


def test_traffic_type_reads_the_served_tier(client: VertexOpenAI, vertex: VertexServer) -> None:
    body = completion()
    body["usage"]["extra_properties"] = {"google": {"traffic_type": "ON_DEMAND_FLEX"}}
    vertex.reply(Reply(200, body))
    response = client.chat.completions.create(model="google/gemini-2.5-flash", messages=MESSAGES)
    assert traffic_type(response) == traffic_type(response.usage) == "ON_DEMAND_FLEX"
    assert traffic_type(body) == "ON_DEMAND_FLEX"
    assert (
        traffic_type(client.chat.completions.create(model="google/gemini-2.5-flash", messages=MESSAGES))
        is None
    )


def test_429_says_which_quota(client: VertexOpenAI, vertex: VertexServer) -> None:
    exhausted = {"error": {"code": 429, "message": "Resource exhausted.", "status": "RESOURCE_EXHAUSTED"}}
    vertex.reply(Reply(429, exhausted), Reply(429, exhausted))
    with pytest.raises(openai.RateLimitError) as dedicated:
        client.chat.completions.create(
            model="google/gemini-2.5-flash", messages=MESSAGES, service_tier="scale"
        )
    with pytest.raises(openai.RateLimitError) as shared:
        client.chat.completions.create(model="google/gemini-2.5-flash", messages=MESSAGES)
    assert "Provisioned Throughput quota is used up" in dedicated.value.message
    assert "shared pay-as-you-go capacity" in shared.value.message
