"""Where requests go: base URLs, precedence, and values refused at construction."""

from __future__ import annotations

from typing import Any

import pytest
from google.oauth2 import service_account

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI
from vertex_openai._pipeline._maas import ModelTable
from vertex_openai._pipeline._model import ModelResolver

TOKEN = "ya29.static-test-token"


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("global", "aiplatform.googleapis.com"),
        ("us-central1", "us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "europe-west4-aiplatform.googleapis.com"),
        ("us", "aiplatform.us.rep.googleapis.com"),
        ("eu", "aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_base_url_per_location(location: str, host: str) -> None:
    client = VertexOpenAI(project="my-project", location=location, access_token=TOKEN)
    assert str(client.base_url) == (
        f"https://{host}/v1/projects/my-project/locations/{location}/endpoints/openapi/"
    )
    assert client.location == location and client.project == "my-project"


def test_api_version_and_endpoint_id() -> None:
    client = VertexOpenAI(
        project="p-1",
        location="us-east4",
        api_version="v1beta1",
        endpoint_id="1234567890",
        access_token=TOKEN,
    )
    assert str(client.base_url) == (
        "https://us-east4-aiplatform.googleapis.com/v1beta1/projects/p-1/locations/us-east4/endpoints/1234567890/"
    )


def test_environment_fills_project_and_location(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "asia-northeast1")
    client = VertexOpenAI(access_token=TOKEN)
    assert (client.project, client.location) == ("env-project", "asia-northeast1")
    explicit = VertexOpenAI(project="arg-project", location="global", access_token=TOKEN)
    assert (explicit.project, explicit.location) == ("arg-project", "global")


def test_location_defaults_to_global() -> None:
    assert VertexOpenAI(project="p1", access_token=TOKEN).location == "global"


def test_project_of_explicit_credentials_is_used(sa_credentials: service_account.Credentials) -> None:
    assert VertexOpenAI(credentials=sa_credentials).project == "test-project"


def test_explicit_base_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
    url = "https://1234.us-central1-987.prediction.vertexai.goog/v1beta1/projects/proj/locations/us-central1/endpoints/1234"
    client = VertexOpenAI(base_url=url, access_token=TOKEN)
    assert str(client.base_url) == url + "/"
    assert (client.project, client.location) == ("proj", "us-central1")


def test_openai_environment_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-never-be-used")
    client = VertexOpenAI(project="p1", access_token=TOKEN)
    assert "aiplatform.googleapis.com" in str(client.base_url)
    assert client.api_key != "sk-should-never-be-used"


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"project": "p1", "location": "US-Central1"}, "location="),
        ({"project": "p1", "location": "us-central1/../x"}, "location="),
        ({"project": "p1", "location": "global-"}, "location="),
        ({"project": "My Project"}, "project="),
        ({"project": "p1/../../x"}, "project="),
        ({"project": "p1", "api_version": "v2"}, "api_version="),
        ({"project": "p1", "endpoint_id": "12/34"}, "endpoint_id="),
        ({"base_url": "http://aiplatform.googleapis.com/v1"}, "http://"),
        ({"base_url": "http://10.0.0.8/v1"}, "http://"),
        ({"base_url": "ftp://example.com"}, "base_url="),
        ({"base_url": "https://user:pw@example.com/v1"}, "credentials"),
        ({"project": "p1", "access_token": TOKEN, "token_provider": lambda: TOKEN}, "at most one of"),
        ({}, "GOOGLE_CLOUD_PROJECT"),
    ],
)
def test_bad_values_fail_at_construction(
    kwargs: dict[str, Any], names: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kwargs.setdefault("access_token", TOKEN) if "token_provider" not in kwargs else None
    with pytest.raises(ValueError, match=names.replace("(", r"\(")):
        VertexOpenAI(**kwargs)
    with pytest.raises(ValueError, match=names.replace("(", r"\(")):
        AsyncVertexOpenAI(**kwargs)


def test_credentials_and_access_token_together_fail(sa_credentials: service_account.Credentials) -> None:
    with pytest.raises(ValueError, match="credentials, access_token"):
        VertexOpenAI(project="p1", credentials=sa_credentials, access_token=TOKEN)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/v1", "http://localhost:1/v1", "http://[::1]:9/v1"])
def test_plain_http_is_fine_for_loopback(url: str) -> None:
    assert VertexOpenAI(base_url=url, access_token=TOKEN).base_url.scheme == "http"


def test_copy_can_move_location() -> None:
    client = VertexOpenAI(project="p1", location="us-central1", access_token=TOKEN)
    moved = client.with_options(location="global")
    assert str(moved.base_url).startswith(
        "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/"
    )
    assert moved.token_source is client.token_source
    assert client.location == "us-central1"


@pytest.mark.parametrize(
    ("given", "route", "expected"),
    [
        ("gemini-2.5-flash", True, "google/gemini-2.5-flash"),
        ("google/gemini-2.5-pro", True, "google/gemini-2.5-pro"),
        ("meta/llama3-405b-instruct-maas", True, "meta/llama3-405b-instruct-maas"),
        ("gemini-2.5-flash", False, "gemini-2.5-flash"),
        ("my-azure-deployment", True, "google/gemini-2.5-pro"),
        ("my-bare-alias", True, "google/gemini-2.0-flash"),
        ("llama-3.3-70b-instruct-maas", True, "meta/llama-3.3-70b-instruct-maas"),
        ("llama-3.3-70b-instruct-maas", False, "llama-3.3-70b-instruct-maas"),
        ("text-embedding-005", True, "text-embedding-005"),
        ("", False, ""),
    ],
)
def test_model_names(given: str, route: bool, expected: str) -> None:
    aliases = {"my-azure-deployment": "google/gemini-2.5-pro", "my-bare-alias": "gemini-2.0-flash"}
    assert ModelResolver(aliases, ModelTable(), openapi_route=route)(given).wire == expected


@pytest.mark.parametrize(
    "base_url",
    ["http://[::1/v1", "https://[not-an-ip]/v1", "http://127.0.0.1:99999/v1", "http://127.0.0.1:x/v1"],
)
def test_a_malformed_base_url_is_refused_naming_base_url(base_url: str) -> None:
    with pytest.raises(ValueError, match=r"^base_url=.* is not a valid URL"):
        VertexOpenAI(base_url=base_url, access_token="ya29.t")


@pytest.mark.parametrize("quota_project", ["billing\r\nX-Injected: 1", "two words", "tab\there"])
def test_a_quota_project_that_cannot_be_a_header_is_refused_at_construction(quota_project: str) -> None:
    with pytest.raises(ValueError, match=r"^quota_project="):
        VertexOpenAI(project="p", quota_project=quota_project, access_token="ya29.t")
