"""Secrets stay secret: tokens go only to the configured origin and never into text."""

from __future__ import annotations

import logging

import openai
import pytest
from fakes import Reply, TokenServer, VertexServer
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from modes import MODES, EitherClient, Mode
from openai.types.chat import ChatCompletionMessageParam

from vertex_openai import AsyncVertexOpenAI, TokenRefreshError, VertexOpenAI, _compat

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]
REFRESH_TOKEN = "1//refresh-token-that-must-stay-secret"
CLIENT_SECRET = "client-secret-that-must-stay-secret"


def test_token_is_absent_from_repr_logs_and_errors(
    vertex: VertexServer,
    token_server: TokenServer,
    sa_credentials: service_account.Credentials,
    private_key_pem: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "google", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=0)
    client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    vertex.reply(Reply(400, [{"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}]))
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    token = token_server.issued[0]
    key_line = private_key_pem.splitlines()[1]
    texts = [
        repr(client),
        str(client),
        repr(client.token_source),
        caplog.text,
        str(caught.value),
        repr(caught.value),
    ]
    assert caplog.records  # DEBUG logging really was on
    # Each attempt's options carry its token; where openai logs options (older releases), its own
    # filter must have redacted it: the check above would see the token otherwise.
    logged_options = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Request options")]
    assert all("'Authorization': '<redacted>'" in text for text in logged_options)
    for text in texts:
        assert token not in text
        assert key_line not in text
    assert token in vertex.tokens_seen  # the token was really used


def test_static_token_is_absent_from_repr() -> None:
    client = AsyncVertexOpenAI(project="p1", access_token="ya29.static-secret-value")
    assert "static-secret" not in repr(client) and "static-secret" not in repr(client.token_source)


def test_refresh_failure_names_the_credential_type_without_secrets(
    token_server: TokenServer, vertex: VertexServer
) -> None:
    token_server.fail_with = (
        400,
        {"error": "invalid_grant", "error_description": f"Bad Request {REFRESH_TOKEN} {CLIENT_SECRET}"},
    )
    creds = user_credentials.Credentials(
        token=None,
        refresh_token=REFRESH_TOKEN,
        client_id="client-id.apps.googleusercontent.com",
        client_secret=CLIENT_SECRET,
        token_uri=token_server.token_uri,
    )
    client = VertexOpenAI(base_url=vertex.base_url, credentials=creds)
    with pytest.raises(TokenRefreshError) as caught:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    text = str(caught.value)
    assert "google.oauth2.credentials.Credentials" in text and "invalid_grant" in text
    assert REFRESH_TOKEN not in text and CLIENT_SECRET not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert vertex.seen == []
    # the refresh really used the refresh token: the secret went to the token server, nowhere else
    assert token_server.grants[0]["refresh_token"] == [REFRESH_TOKEN]


def test_unreachable_token_server_is_explained(vertex: VertexServer, sa_info: dict[str, str]) -> None:
    sa_info = {**sa_info, "token_uri": "http://127.0.0.1:9/token"}  # nothing listens on the discard port
    client = VertexOpenAI(
        base_url=vertex.base_url, credentials=service_account.Credentials.from_service_account_info(sa_info)
    )
    with pytest.raises(TokenRefreshError, match="could not reach the token endpoint"):
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)


@pytest.mark.parametrize("mode", MODES)
def test_token_goes_only_to_the_configured_origin(
    mode: Mode, vertex: VertexServer, token_server: TokenServer, sa_credentials: service_account.Credentials
) -> None:
    other = VertexServer(accept=set())
    try:
        with EitherClient(mode, base_url=vertex.base_url, credentials=sa_credentials) as client:
            for _ in range(2):  # every time: a refused URL is never remembered as checked
                with pytest.raises(openai.OpenAIError, match="Refusing to send Google credentials"):
                    client.post(f"{other.root}/collect", body={})
            with pytest.raises(openai.OpenAIError, match="Refusing"):
                client.post("https://example.com/steal", body={})
        assert other.seen == [] and token_server.requests == 0
    finally:
        other.close()


@pytest.mark.parametrize("own_client", [False, True], ids=["openai's client", "a client that follows"])
def test_redirects_are_not_followed_with_the_token(
    own_client: bool, vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    other = VertexServer(accept=set())
    try:
        vertex.reply(Reply(307, {}, headers={"Location": f"{vertex.root}/elsewhere"}))
        # a caller's HTTP client that follows redirects is told not to, for each attempt
        http_client = _compat.http.Client(follow_redirects=True) if own_client else None
        client = VertexOpenAI(
            base_url=vertex.base_url, credentials=sa_credentials, max_retries=0, http_client=http_client
        )
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
        assert caught.value.status_code == 307
        assert len(vertex.seen) == 1  # the redirect target on the same host was not requested either
    finally:
        other.close()


def test_a_protocol_relative_path_stays_on_the_base_origin(
    vertex: VertexServer, sa_credentials: service_account.Credentials
) -> None:
    client = VertexOpenAI(base_url=vertex.base_url, credentials=sa_credentials, max_retries=0)
    client.post("//example.com/chat/completions", cast_to=object, body={"model": "m", "messages": []})
    assert vertex.seen[-1].path.startswith("/v1/projects/test-project/")  # joined onto the base URL
