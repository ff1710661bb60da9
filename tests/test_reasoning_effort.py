"""`reasoning_effort` per Gemini family (issue 18): values a model does not accept fail locally,
naming the model and what it accepts, before any request; accepted values go out unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import VertexServer

from vertex_openai import VertexOpenAI
from vertex_openai.gemini import REASONING_EFFORTS, accepted_reasoning_efforts, check_reasoning_effort

TOKEN = "ya29.reasoning-effort-token"


@pytest.fixture
def server() -> Any:
    srv = VertexServer(accept={TOKEN})
    yield srv
    srv.close()


def ask(server: VertexServer, model: str, effort: str) -> None:
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN, max_retries=0)
    value: Any = effort  # openai's Literal differs by release ("none", "minimal" are newer)
    client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Hi"}], reasoning_effort=value
    )


@pytest.mark.parametrize(
    ("model", "effort"),
    [
        ("gemini-2.5-flash", "none"),
        ("gemini-2.5-flash-lite", "low"),
        ("gemini-2.5-pro", "high"),
        ("gemini-3-pro-preview", "medium"),
        ("gemini-3-flash-preview", "minimal"),
        ("gemini-3.1-pro-preview", "high"),
    ],
)
def test_accepted_values_go_out_unchanged(server: VertexServer, model: str, effort: str) -> None:
    ask(server, model, effort)
    assert server.seen[-1].json["reasoning_effort"] == effort
    assert server.seen[-1].json["model"] == f"google/{model}"


@pytest.mark.parametrize(
    ("model", "effort", "accepted"),
    [
        ("gemini-2.5-pro", "none", "'low', 'medium', 'high'"),  # thinking cannot be turned off on Pro
        ("gemini-3-pro-preview", "minimal", "'low', 'medium', 'high'"),  # minimal: Flash models only
        ("gemini-3-flash-preview", "none", "'minimal', 'low', 'medium', 'high'"),  # Gemini 3 always thinks
        ("gemini-2.5-flash", "minimal", "'none', 'low', 'medium', 'high'"),
    ],
)
def test_a_value_the_model_refuses_fails_locally(
    server: VertexServer, model: str, effort: str, accepted: str
) -> None:
    with pytest.raises(ValueError) as caught:
        ask(server, model, effort)
    message = str(caught.value)
    assert f"reasoning_effort={effort!r}" in message and f"google/{model}" in message
    assert message.endswith(f"it accepts {accepted}.")
    assert server.seen == []  # never a remote 400


def test_models_that_do_not_think_refuse_any_effort(server: VertexServer) -> None:
    with pytest.raises(ValueError, match=r"google/gemini-2\.0-flash does not think"):
        ask(server, "gemini-2.0-flash", "low")
    assert server.seen == []


def test_models_the_table_does_not_know_are_not_checked(server: VertexServer) -> None:
    ask(server, "gemini-4-ultra-preview", "extreme")  # a future Gemini: Vertex decides
    ask(server, "meta/llama-3.3-70b-instruct-maas", "minimal")  # not Gemini
    assert [s.json["reasoning_effort"] for s in server.seen] == ["extreme", "minimal"]


def test_the_table_the_longest_prefix_wins() -> None:
    assert accepted_reasoning_efforts("google/gemini-2.5-flash-lite") == frozenset(
        {"none", "low", "medium", "high"}
    )
    assert accepted_reasoning_efforts("gemini-3.1-flash-lite-preview") == frozenset(
        {"minimal", "low", "medium", "high"}
    )
    assert accepted_reasoning_efforts("gemini-3-pro-image-preview") == frozenset({"low", "medium", "high"})
    assert all(prefix.startswith("gemini-") for prefix, _ in REASONING_EFFORTS)
    body: dict[str, object] = {"model": "x", "messages": []}
    assert check_reasoning_effort(body, "gemini-2.5-pro") is body  # no effort: nothing to check
