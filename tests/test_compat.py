"""The contract with openai's private hooks (vertex_openai/_compat.py), checked on the installed openai.

CI runs this on the lowest supported openai and the newest 1.x, 2.x and 3.x, so a rename or a new
signature in openai fails here, by name, instead of as a broken stream or an unsigned request.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import openai
import pytest
from fake_gemini import gemini_reply
from fakes import STATIC_TOKEN, VertexServer
from openai.types.chat import ChatCompletionMessageParam

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI, _compat

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello"}]


def parameters(function: Callable[..., Any]) -> list[tuple[str, Any]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values() if p.name != "self"]


HOOKS: dict[str, list[tuple[str, Any]]] = {
    "_make_sse_decoder": [],
    "_make_status_error": [
        ("err_msg", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("body", inspect.Parameter.KEYWORD_ONLY),
        ("response", inspect.Parameter.KEYWORD_ONLY),
    ],
    "_process_response_data": [
        ("data", inspect.Parameter.KEYWORD_ONLY),
        ("cast_to", inspect.Parameter.KEYWORD_ONLY),
        ("response", inspect.Parameter.KEYWORD_ONLY),
    ],
    "_prepare_options": [("options", inspect.Parameter.POSITIONAL_OR_KEYWORD)],
    "close": [],
}
# Overridden only where openai has them: openai >= 2.x's sync request loop asks `_custom_auth(security)`
# for each request (1.x reads the `custom_auth` property, which the async loop reads on every major).
VERSION_SPECIFIC = {"_custom_auth"}


@pytest.mark.parametrize("kind", [openai.OpenAI, openai.AsyncOpenAI])
@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_each_hook_exists_with_the_expected_signature(kind: type[Any], hook: str) -> None:
    assert parameters(getattr(kind, hook)) == HOOKS[hook]


@pytest.mark.parametrize("kind", [openai.OpenAI, openai.AsyncOpenAI])
def test_custom_auth_is_a_property_openai_reads(kind: type[Any]) -> None:
    """openai hands `custom_auth` (and, where it exists, `_custom_auth(security)`) to httpx's send()."""
    assert isinstance(inspect.getattr_static(kind, "custom_auth"), property)
    if hasattr(kind, "_custom_auth"):
        assert parameters(kind._custom_auth) == [("security", inspect.Parameter.POSITIONAL_OR_KEYWORD)]


@pytest.mark.parametrize(
    ("ours", "theirs"), [(_compat.SyncHooks, openai.OpenAI), (_compat.AsyncHooks, openai.AsyncOpenAI)]
)
def test_every_override_names_an_openai_member(ours: type[Any], theirs: type[Any]) -> None:
    own = {
        name
        for klass in ours.__mro__
        if klass.__module__ == _compat.__name__
        for name in vars(klass)
        if not name.startswith("__") and name not in ("_hooks", "_abc_impl")
    }
    missing = sorted(name for name in own - VERSION_SPECIFIC if not hasattr(theirs, name))
    assert own and not missing, missing
    for name in own & set(HOOKS):
        assert inspect.iscoroutinefunction(getattr(ours, name)) == inspect.iscoroutinefunction(
            getattr(theirs, name)
        )


def test_private_attributes_read_through_compat_exist(server: VertexServer) -> None:
    client = VertexOpenAI(base_url=server.base_url, access_token="ya29.ok", default_headers={"x-a": "1"})
    assert _compat.custom_headers(client) == {"x-a": "1"}
    assert _compat.custom_query(client) == {}
    assert isinstance(_compat.http_client(client), _compat.http.Client)


def test_server_sent_events_are_built_by_their_public_constructor() -> None:
    event = _compat.ServerSentEvent(event="message", data='{"a": 1}', id="7", retry=5)
    assert (event.event, event.data, event.id, event.retry, event.json()) == (
        "message",
        '{"a": 1}',
        "7",
        5,
        {"a": 1},
    )
    assert hasattr(_compat.SSEDecoder, "iter_bytes") and hasattr(_compat.SSEDecoder, "aiter_bytes")


TOOLS: Any = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_json_chunks_yields_the_repaired_json_of_each_chunk(mode: str, server: VertexServer) -> None:
    """The Responses bridge reads chunks as dicts: openai must hand back `cast_to=object` data as is,
    after the client's repair (Gemini's empty tool-call id replaced)."""
    server.responder = gemini_reply
    ask = {"model": "gemini-3-pro-preview", "messages": MESSAGES, "tools": TOOLS, "stream": True}
    chunks: list[Any]
    if mode == "sync":
        client = VertexOpenAI(base_url=server.base_url, access_token=STATIC_TOKEN)
        chunks = list(_compat.json_chunks(client.chat.completions.create(**ask)))
    else:

        async def read() -> list[object]:
            client = AsyncVertexOpenAI(base_url=server.base_url, access_token=STATIC_TOKEN)
            stream: openai.AsyncStream[Any] = await client.chat.completions.create(**ask)
            return [chunk async for chunk in _compat.json_chunks(stream)]

        chunks = asyncio.run(read())
    assert chunks and all(type(chunk) is dict for chunk in chunks)
    calls = [
        c for chunk in chunks for choice in chunk["choices"] for c in choice["delta"].get("tool_calls") or ()
    ]
    assert calls and calls[0]["id"].startswith(
        "call_"
    )  # minted in place of Gemini's "" (format: _signatures)


def test_request_options_carry_the_fields_shaping_reads() -> None:
    fields = _compat.FinalRequestOptions.model_fields
    assert {"url", "json_data", "extra_json", "timeout", "follow_redirects", "headers"} <= set(fields)


@pytest.mark.parametrize(
    ("ours", "theirs"), [(VertexOpenAI, openai.OpenAI), (AsyncVertexOpenAI, openai.AsyncOpenAI)]
)
def test_copy_takes_every_keyword_openai_copy_takes(ours: type[Any], theirs: type[Any]) -> None:
    their_names = {name for name, _ in parameters(theirs.copy)}
    our_names = {name for name, _ in parameters(ours.copy)}
    assert their_names <= our_names, sorted(their_names - our_names)
    assert ours.with_options is ours.copy


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_copy_forwards_openai_keywords(mode: str, server: VertexServer) -> None:
    kind: type[VertexOpenAI | AsyncVertexOpenAI] = VertexOpenAI if mode == "sync" else AsyncVertexOpenAI
    client = kind(base_url=server.base_url, access_token="ya29.ok", default_headers={"x-a": "1"})
    # the call pydantic-ai makes for `max_retries` (with http_client=client._client, which a copy
    # shares anyway; openai hands _extra_kwargs to the constructor)
    copy = client.with_options(max_retries=1, timeout=3.0, _extra_kwargs={})
    assert (copy.max_retries, copy.timeout) == (1, 3.0)
    assert _compat.http_client(copy) is _compat.http_client(client)
    with pytest.raises(TypeError, match="not_an_option"):  # forwarded, as openai does: unknown ones fail
        client.with_options(_extra_kwargs={"not_an_option": 1})
    assert copy.token_source is client.token_source and str(copy.base_url) == str(client.base_url)
    headed = copy.copy(default_headers={"x-b": "2"}, _enforce_credentials=True)
    assert {"x-a": "1", "x-b": "2"}.items() <= dict(headed.default_headers).items()
    assert "x-a" not in copy.copy(set_default_headers={"x-b": "2"}).default_headers
    with pytest.raises(ValueError, match="mutually exclusive"):
        copy.copy(default_query={"a": "1"}, set_default_query={"b": "2"})


@pytest.mark.parametrize(
    "keyword",
    ["api_key", "organization", "webhook_secret", "websocket_base_url", "admin_api_key", "workload_identity"],
)
def test_copy_refuses_openai_credentials_by_name(keyword: str) -> None:
    client = VertexOpenAI(project="p", access_token="ya29.ok")
    arguments: dict[str, Any] = {keyword: "x"}
    with pytest.raises(ValueError, match=keyword):
        client.copy(**arguments)
