"""Errors a person can act on: Vertex bodies unwrapped, status classes kept, hints added."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest
from fakes import VertexServer, error_body
from google.oauth2 import credentials as user_credentials
from openai.types.chat import ChatCompletionMessageParam
from recordings import CASSETTES, VERTEX_BASE, cassette_from_recording, keeping, replay

from vertex_openai import CredentialsNotFoundError, VertexOpenAI
from vertex_openai._transport._auth import CredentialsTokenSource

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


def call(client: VertexOpenAI, model: str = "google/gemini-2.5-flash") -> None:
    client.chat.completions.create(model=model, messages=MESSAGES)


def test_documented_error_bodies() -> None:
    """Hand-written from the documented shapes (vertex-facts.md sections 2, 3, 6, 7)."""
    client = VertexOpenAI(project="test-project", access_token="ya29.cassette-token", max_retries=0)
    regional = client.with_options(location="us-central1")
    with replay.use_cassette(str(CASSETTES / "vertex-errors.json")) as cassette:
        with pytest.raises(openai.BadRequestError) as bad:
            call(client, "mistral-large")
        with pytest.raises(openai.PermissionDeniedError) as denied:
            call(client)
        with pytest.raises(openai.NotFoundError) as missing:
            call(regional, "google/gemini-3-pro-preview")
        with pytest.raises(openai.BadRequestError) as signature:
            call(client)
        with pytest.raises(openai.RateLimitError) as limited:
            call(client)
        assert cassette.all_played

    assert bad.value.body == {
        "code": 400,
        "message": "Malformed publisher model name: expected format '<publisher>/<model>'",
        "status": "INVALID_ARGUMENT",
    }
    assert bad.value.message.startswith("Error code: 400 - Malformed publisher model name")
    assert "google/gemini-2.5-flash" in bad.value.message  # the hint
    assert "roles/aiplatform.user" in denied.value.message
    assert error_body(denied.value)["details"][0]["reason"] == "IAM_PERMISSION_DENIED"
    assert "location='global'" in missing.value.message
    assert "add_placeholder_signatures" in signature.value.message
    assert error_body(limited.value)["status"] == "RESOURCE_EXHAUSTED"
    assert limited.value.message.startswith("Error code: 429 - Resource exhausted. Please try again later.")
    assert "shared pay-as-you-go capacity" in limited.value.message  # which quota ran out (_tiers.quota_hint)


def test_recorded_token_refresh_and_400(tmp_path: Path) -> None:
    """The real refresh-token grant and Vertex 400, replayed through google-auth and the client."""
    path = cassette_from_recording(
        "vertex-token-refresh-and-400.json", tmp_path, urls={1: f"{VERTEX_BASE}/chat/completions"}
    )
    creds = user_credentials.Credentials(
        token=None,
        refresh_token="recorded-refresh-token",
        client_id="recorded-client-id",
        client_secret="recorded-client-secret",
        token_uri="https://oauth2.googleapis.com/token",
    )
    client = VertexOpenAI(project="test-project", credentials=creds, max_retries=0)
    sent: list[Any] = []
    keep = replay.use_cassette(str(path), before_record_request=keeping(sent))
    with keep as cassette, pytest.raises(openai.BadRequestError) as caught:
        call(client, "gemini-2.5-flash")
    assert cassette.all_played
    source = client.token_source
    assert isinstance(source, CredentialsTokenSource) and source.credentials is not None
    assert source.credentials.token == "<GOOGLE_ACCESS_TOKEN>"
    bodies = [r.body.decode() if isinstance(r.body, bytes) else r.body for r in sent if r.body]
    assert any("grant_type=refresh_token" in body for body in bodies)  # google-auth really refreshed
    assert json.loads(bodies[-1])["model"] == "google/gemini-2.5-flash"
    assert all("authorization" not in {k.lower() for k in r.headers} for r in sent)  # filtered for storage
    assert error_body(caught.value)["status"] == "INVALID_ARGUMENT"
    assert "exceeds the maximum number of tokens allowed (1048576)" in caught.value.message


def test_no_credentials_found_says_how_to_fix_it() -> None:
    server = VertexServer(accept=set())
    try:
        client = VertexOpenAI(project="p1", base_url=server.base_url)  # ADC is looked for only now
        with pytest.raises(CredentialsNotFoundError) as caught:
            call(client)
        assert isinstance(caught.value, openai.OpenAIError)
        text = str(caught.value)
        assert "gcloud auth application-default login" in text and "GOOGLE_APPLICATION_CREDENTIALS" in text
        assert server.seen == []
    finally:
        server.close()


def test_no_credentials_and_no_project_fails_at_construction() -> None:
    with pytest.raises(CredentialsNotFoundError):
        VertexOpenAI()
