"""`fallback_locations=`: after a 429 RESOURCE_EXHAUSTED, openai's next retry goes to the next location.

Against the local Vertex-like server, the base URL names its location only in its path, so every
location is the same origin and the server sees which location each attempt asked for from the path.
Google's hosts (`{location}-aiplatform.googleapis.com`, ...) are checked through the pure URL rule and
through the client over an in-memory httpx transport (no sockets), signed on each fallback's origin.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any

import openai
import pytest
from fake_gemini import GREETING, gemini_reply
from fakes import STATIC_TOKEN, Reply, VertexServer, _Server
from harness import LocalGoogle
from modes import MODES, EitherClient, Mode

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI, gemini_options
from vertex_openai._compat import http
from vertex_openai._pipeline._failover import _CALL
from vertex_openai._transport._endpoint import for_location, location_of
from vertex_openai.cli import main

PRIMARY = "us-central1"
MESSAGES: list[Any] = [{"role": "user", "content": "Hi"}]
# Google's 429 for a used-up quota (vertex-facts.md section 10; tests/cassettes/vertex-errors.json),
# bare and in the one-element list Vertex may wrap it in
EXHAUSTED_BODY = {
    "error": {
        "code": 429,
        "message": "Resource exhausted. Please try again later.",
        "status": "RESOURCE_EXHAUSTED",
    }
}
FAST = {"retry-after-ms": "1"}  # openai's backoff, made short for the test (it honours retry-after-ms)


def exhausted(wrapped: bool = False) -> Reply:
    return Reply(429, [EXHAUSTED_BODY] if wrapped else EXHAUSTED_BODY, headers=FAST)


def base_url(server: VertexServer, location: str = PRIMARY) -> str:
    return f"{server.root}/v1/projects/test-project/locations/{location}/endpoints/openapi"


def locations(server: VertexServer) -> list[str]:
    """The location each request asked for, in order (from its path)."""
    return [location_of(seen.path) or "" for seen in server.seen]


@pytest.fixture
def gemini(server: VertexServer) -> VertexServer:
    server.responder = gemini_reply
    return server


def options(server: VertexServer, **more: Any) -> dict[str, Any]:
    return {
        "access_token": STATIC_TOKEN,
        "base_url": base_url(server),
        "fallback_locations": ["us-east5", "global"],
        **more,
    }


@pytest.fixture(autouse=True)
def _no_call_left() -> Iterator[None]:
    """Each test ends with no failover state left in its thread (success and final errors drop it)."""
    yield
    assert _CALL.get() is None


# --- the failover itself ---
@pytest.mark.parametrize("wrapped", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_primary_exhausted_then_the_fallback_answers(gemini: VertexServer, mode: Mode, wrapped: bool) -> None:
    gemini.reply(exhausted(wrapped))
    with EitherClient(mode, **options(gemini)) as client:
        answer = client.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert answer.choices[0].message.content == GREETING
    assert locations(gemini) == [PRIMARY, "us-east5"]
    assert gemini.tokens_seen == [STATIC_TOKEN] * 2  # the fallback's request is signed too
    assert gemini.seen[1].json["model"] == "google/gemini-2.5-flash"  # the same shaped body


def test_a_stream_fails_over_before_its_first_event(gemini: VertexServer) -> None:
    gemini.reply(exhausted())
    with VertexOpenAI(**options(gemini)) as client:
        stream = client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES, stream=True)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == GREETING and locations(gemini) == [PRIMARY, "us-east5"]


def test_an_async_stream_fails_over_alike(gemini: VertexServer) -> None:
    gemini.reply(exhausted(), exhausted())

    async def run() -> str:
        async with AsyncVertexOpenAI(**options(gemini)) as client:
            stream = await client.chat.completions.create(
                model="gemini-2.5-flash", messages=MESSAGES, stream=True
            )
            return "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])

    assert asyncio.run(run()) == GREETING
    assert locations(gemini) == [PRIMARY, "us-east5", "global"]


@pytest.mark.parametrize("mode", MODES)
def test_embeddings_on_predict_fail_over_and_skip_a_location_that_does_not_serve_the_model(
    server: VertexServer, mode: Mode
) -> None:
    # text-embedding-005 is documented in regions only (not global): global is skipped
    server.reply(exhausted())
    with EitherClient(mode, **options(server, fallback_locations=["global", "us-east5"])) as either:
        if isinstance(either.client, VertexOpenAI):
            made = either.client.embeddings.create(model="text-embedding-005", input=["a b", "c"])
        else:
            made = either.run(either.client.embeddings.create(model="text-embedding-005", input=["a b", "c"]))
    assert [len(item.embedding) for item in made.data] == [768, 768]
    assert locations(server) == [PRIMARY, "us-east5"]
    assert server.seen[1].path.endswith(
        "/locations/us-east5/publishers/google/models/text-embedding-005:predict"
    )


def test_the_responses_bridge_fails_over_through_chat(gemini: VertexServer) -> None:
    gemini.reply(exhausted())
    with VertexOpenAI(**options(gemini)) as client:
        response = client.responses.create(model="gemini-2.5-flash", input="Hello?")
    assert response.output_text == GREETING
    assert locations(gemini) == [PRIMARY, "us-east5"]
    assert all(seen.path.endswith("/chat/completions") for seen in gemini.seen)


def test_each_call_starts_at_the_primary_again(gemini: VertexServer) -> None:
    gemini.reply(exhausted())
    with VertexOpenAI(**options(gemini)) as client:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY, "us-east5", PRIMARY]


def test_a_5xx_after_a_switch_is_retried_where_it_was(gemini: VertexServer) -> None:
    gemini.reply(exhausted(), Reply(503, {"error": {"code": 503, "status": "UNAVAILABLE"}}, headers=FAST))
    with VertexOpenAI(**options(gemini)) as client:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY, "us-east5", "us-east5"]


def test_retries_left_after_the_last_location_wrap_around_to_the_primary(gemini: VertexServer) -> None:
    gemini.reply(exhausted(), exhausted(), exhausted())
    with VertexOpenAI(**options(gemini, max_retries=3)) as client:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY, "us-east5", "global", PRIMARY]


@pytest.mark.parametrize("mode", MODES)
def test_every_location_exhausted_raises_rate_limit_error_naming_each(
    gemini: VertexServer, mode: Mode
) -> None:
    gemini.reply(exhausted(), exhausted(True), exhausted())
    with EitherClient(mode, **options(gemini)) as client, pytest.raises(openai.RateLimitError) as caught:
        client.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY, "us-east5", "global"]
    message = str(caught.value)
    assert "Resource exhausted" in message
    assert "429 RESOURCE_EXHAUSTED from each location tried: us-central1, us-east5, global" in message
    assert STATIC_TOKEN not in message


def test_retries_that_run_out_first_name_the_locations_not_reached(gemini: VertexServer) -> None:
    gemini.reply(exhausted(), exhausted())
    with (
        VertexOpenAI(**options(gemini, max_retries=1)) as client,
        pytest.raises(openai.RateLimitError) as caught,
    ):
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY, "us-east5"]
    assert "tried: us-central1, us-east5; not reached: global (raise max_retries=" in str(caught.value)


def test_an_error_at_a_fallback_names_the_way_it_came(gemini: VertexServer) -> None:
    not_found = {"error": {"code": 404, "message": "Publisher Model was not found.", "status": "NOT_FOUND"}}
    gemini.reply(exhausted(), Reply(404, not_found))
    with VertexOpenAI(**options(gemini)) as client, pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert "locations tried: us-central1, us-east5; the last one answered this" in str(caught.value)


class PerCallServer:
    """Answers 429 RESOURCE_EXHAUSTED to the first attempt of each call whose prompt starts with "move",
    then completions; records (prompt, location) of each request, so concurrent calls can be told apart."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []
        self.server = _Server(self._handle)
        self.base_url = f"{self.server.url}/v1/projects/test-project/locations/{PRIMARY}/endpoints/openapi"

    def _handle(self, handler: BaseHTTPRequestHandler, raw: bytes) -> Reply:
        body = json.loads(raw)
        prompt = body["messages"][0]["content"]
        with self.lock:
            first = all(seen != prompt for seen, _ in self.seen)
            self.seen.append((prompt, location_of(handler.path) or ""))
        if first and prompt.startswith("move"):
            return exhausted()
        time.sleep(0.01)  # keep calls overlapping
        return gemini_reply(body)

    def where(self, prompt: str) -> list[str]:
        return [location for seen, location in self.seen if seen == prompt]


@pytest.fixture
def per_call() -> Iterator[PerCallServer]:
    server = PerCallServer()
    yield server
    server.server.close()


def prompts(count: int) -> list[str]:
    return [f"{'move' if n % 2 else 'stay'} {n}" for n in range(count)]


def test_concurrent_threads_keep_their_own_calls_apart(per_call: PerCallServer) -> None:
    client = VertexOpenAI(
        access_token=STATIC_TOKEN, base_url=per_call.base_url, fallback_locations=["global"]
    )

    def call(prompt: str) -> None:
        client.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": prompt}]
        )

    with client, ThreadPoolExecutor(8) as pool:
        list(pool.map(call, prompts(16)))
    for prompt in prompts(16):
        assert per_call.where(prompt) == ([PRIMARY, "global"] if prompt.startswith("move") else [PRIMARY])


def test_concurrent_tasks_keep_their_own_calls_apart(per_call: PerCallServer) -> None:
    async def run() -> None:
        client = AsyncVertexOpenAI(
            access_token=STATIC_TOKEN, base_url=per_call.base_url, fallback_locations=["global"]
        )
        async with client:
            await asyncio.gather(
                *(
                    client.chat.completions.create(
                        model="gemini-2.5-flash", messages=[{"role": "user", "content": prompt}]
                    )
                    for prompt in prompts(16)
                )
            )

    asyncio.run(run())
    for prompt in prompts(16):
        assert per_call.where(prompt) == ([PRIMARY, "global"] if prompt.startswith("move") else [PRIMARY])


# --- when it does not fail over ---
def test_other_routes_stay_where_they_are_made(gemini: VertexServer) -> None:
    # a batch prediction job (or any route that is not inference) belongs to its location
    gemini.reply(exhausted(), Reply(200, {"name": "job"}))
    with VertexOpenAI(**options(gemini)) as client:
        client.post("/batchPredictionJobs", cast_to=object, body={})
    assert locations(gemini) == [PRIMARY, PRIMARY]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500, 503])
def test_no_failover_on_other_statuses(gemini: VertexServer, status: int) -> None:
    # the body even says RESOURCE_EXHAUSTED: only a 429 moves the call
    body = {"error": {"code": status, "message": "RESOURCE_EXHAUSTED (not a quota error)", "status": "X"}}
    gemini.reply(*[Reply(status, body, headers=FAST)] * 3)
    with VertexOpenAI(**options(gemini)) as client, pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert caught.value.status_code == status
    retried = 3 if status >= 500 else 1  # openai retries 5xx (twice), here at the same location
    assert locations(gemini) == [PRIMARY] * retried
    assert "failover" not in str(caught.value)


def test_a_429_that_is_not_resource_exhausted_is_retried_in_place(gemini: VertexServer) -> None:
    # a 429 without Google's RESOURCE_EXHAUSTED (a proxy's, a gateway's) is no regional quota signal
    gemini.reply(Reply(429, text="Too Many Requests", content_type="text/plain", headers=FAST))
    with VertexOpenAI(**options(gemini)) as client:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY, PRIMARY]


def test_without_fallback_locations_a_429_is_retried_in_place(gemini: VertexServer) -> None:
    gemini.reply(exhausted(), exhausted(), exhausted())
    client = VertexOpenAI(access_token=STATIC_TOKEN, base_url=base_url(gemini))
    with client, pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY] * 3 and "failover" not in str(caught.value)


def test_a_partner_model_skips_locations_it_is_not_served_in(gemini: VertexServer) -> None:
    # Llama 4 Maverick is documented in us-east5 only: global is skipped, us-east5 tried
    gemini.reply(exhausted())
    with VertexOpenAI(**options(gemini, fallback_locations=["global", "us-east5"])) as client:
        client.chat.completions.create(
            model="llama-4-maverick-17b-128e-instruct-maas", messages=MESSAGES, max_tokens=10
        )
    assert locations(gemini) == [PRIMARY, "us-east5"]


def test_no_fallback_left_for_a_partner_model_says_so(gemini: VertexServer) -> None:
    gemini.reply(exhausted(), exhausted(), exhausted())
    with VertexOpenAI(**options(gemini)) as client, pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="llama-3.3-70b-instruct-maas", messages=MESSAGES)
    assert locations(gemini) == [PRIMARY] * 3  # openai's retries, at the only location that serves it
    message = str(caught.value)
    assert "skipped: us-east5 (meta/llama-3.3-70b-instruct-maas is documented in us-central1)" in message
    assert "no fallback location can serve this request" in message


def test_a_context_cache_keeps_the_call_in_its_location(gemini: VertexServer) -> None:
    cache = "projects/test-project/locations/us-central1/cachedContents/123"
    gemini.reply(exhausted(), exhausted(), exhausted())
    with VertexOpenAI(**options(gemini)) as client, pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(
            model="gemini-2.5-flash", messages=MESSAGES, extra_body=gemini_options(cached_content=cache)
        )
    assert locations(gemini) == [PRIMARY] * 3
    assert f"the context cache {cache} is bound to its own location" in str(caught.value)


def test_flex_is_served_on_global_only_so_regions_are_skipped(server: VertexServer) -> None:
    server.responder = gemini_reply
    server.reply(exhausted(), exhausted(), exhausted())
    url = base_url(server, "global")
    client = VertexOpenAI(access_token=STATIC_TOKEN, base_url=url, fallback_locations=["us-east5"])
    with client, pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES, service_tier="flex")
    assert locations(server) == ["global"] * 3
    assert "us-east5 (service_tier='flex' is served on global only)" in str(caught.value)


# --- the log ---
def test_each_switch_is_logged_once_at_info_without_a_token(
    gemini: VertexServer, caplog: pytest.LogCaptureFixture
) -> None:
    gemini.reply(exhausted(), exhausted())
    caplog.set_level(logging.DEBUG)
    with VertexOpenAI(**options(gemini)) as client:
        client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    ours = [r for r in caplog.records if r.name == "vertex_openai" and "fallback_locations" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in ours] == [
        (logging.INFO, "429 RESOURCE_EXHAUSTED from location us-central1; the next attempt goes to us-east5 "
         "(fallback_locations)"),
        (logging.INFO, "429 RESOURCE_EXHAUSTED from location us-east5; the next attempt goes to global "
         "(fallback_locations)"),
    ]  # fmt: skip
    assert STATIC_TOKEN not in caplog.text


# --- Google's hosts ---
@pytest.mark.parametrize(
    ("url", "location", "expected"),
    [
        (
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/openapi",
            "us-east5",
            "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/endpoints/openapi",
        ),
        (
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/openapi",
            "global",
            "https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi",
        ),
        (
            "https://aiplatform.googleapis.com/v1beta1/projects/p/locations/global/endpoints/openapi",
            "europe-west4",
            "https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/p/locations/europe-west4/endpoints/openapi",
        ),
        (
            "https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi",
            "eu",
            "https://aiplatform.eu.rep.googleapis.com/v1/projects/p/locations/eu/endpoints/openapi",
        ),
        (  # :predict, absolute
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/text-embedding-005:predict",
            "us-east5",
            "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/google/models/text-embedding-005:predict",
        ),
        (  # Private Service Connect: the {location}-aiplatform prefix is swapped
            "https://us-central1-aiplatform-vertexpsc.p.googleapis.com/v1/projects/p/locations/us-central1/endpoints/openapi",
            "us-east5",
            "https://us-east5-aiplatform-vertexpsc.p.googleapis.com/v1/projects/p/locations/us-east5/endpoints/openapi",
        ),
        (
            "https://us-central1-aiplatform-vertexpsc.p.googleapis.com/v1/projects/p/locations/us-central1/endpoints/openapi",
            "global",
            "https://aiplatform-vertexpsc.p.googleapis.com/v1/projects/p/locations/global/endpoints/openapi",
        ),
        (
            "https://aiplatform-vertexpsc.p.googleapis.com/v1/projects/p/locations/global/endpoints/openapi",
            "us-east5",
            "https://us-east5-aiplatform-vertexpsc.p.googleapis.com/v1/projects/p/locations/us-east5/endpoints/openapi",
        ),
        (  # a gateway or local server: only the path changes; port and prefix kept
            "http://127.0.0.1:8080/gw/v1/projects/p/locations/us-central1/endpoints/openapi",
            "global",
            "http://127.0.0.1:8080/gw/v1/projects/p/locations/global/endpoints/openapi",
        ),
        (
            "https://llm.example.com/v1/projects/p/locations/us-central1/endpoints/openapi/chat?x=1",
            "us-east5",
            "https://llm.example.com/v1/projects/p/locations/us-east5/endpoints/openapi/chat?x=1",
        ),
    ],
)  # fmt: skip
def test_the_url_rule(url: str, location: str, expected: str) -> None:
    assert for_location(url, location) == expected
    assert location_of(expected) == location


def test_the_url_rule_needs_a_location_segment() -> None:
    with pytest.raises(ValueError, match="no /locations/"):
        for_location("https://gw.example.com/openai/v1", "us-east5")


class QuotaTransport(http.BaseTransport, http.AsyncBaseTransport):
    """In memory, per host: `us-central1-aiplatform` answers 429 RESOURCE_EXHAUSTED, others a completion."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []  # (url, authorization)

    def handle_request(self, request: http.Request) -> http.Response:
        self.seen.append((str(request.url), request.headers.get("authorization", "")))
        if request.url.host.startswith("us-central1-"):
            return http.Response(429, json=EXHAUSTED_BODY, headers=FAST)
        return http.Response(200, json=gemini_reply(json.loads(request.content)).json_body)

    async def handle_async_request(self, request: http.Request) -> http.Response:
        await request.aread()
        return self.handle_request(request)


@pytest.mark.parametrize("mode", MODES)
def test_google_hosts_are_swapped_and_each_fallback_origin_is_signed(mode: Mode) -> None:
    transport = QuotaTransport()
    sender = http.Client(transport=transport) if mode == "sync" else http.AsyncClient(transport=transport)
    with EitherClient(
        mode,
        access_token=STATIC_TOKEN,
        project="p",
        location=PRIMARY,
        fallback_locations=["global"],
        http_client=sender,
    ) as client:
        assert (
            client.create(model="gemini-2.5-flash", messages=MESSAGES).choices[0].message.content == GREETING
        )
    assert transport.seen == [
        (
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/openapi/chat/completions",
            f"Bearer {STATIC_TOKEN}",
        ),
        (
            "https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi/chat/completions",
            f"Bearer {STATIC_TOKEN}",
        ),
    ]  # fmt: skip


def test_absolute_urls_may_go_to_the_fallback_origins_only() -> None:
    transport = QuotaTransport()
    with VertexOpenAI(
        access_token=STATIC_TOKEN,
        project="p",
        location=PRIMARY,
        fallback_locations=["global"],
        http_client=http.Client(transport=transport),
        max_retries=0,
    ) as client:
        to_global = "https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi/chat/completions"
        answer: Any = client.post(
            to_global, cast_to=object, body={"model": "google/gemini-2.5-flash", "messages": MESSAGES}
        )
        assert answer["choices"][0]["message"]["content"] == GREETING
        with pytest.raises(openai.OpenAIError, match="Refusing to send Google credentials"):
            client.post("https://us-east5-aiplatform.googleapis.com/v1/x", cast_to=object, body={})
    assert transport.seen == [(to_global, f"Bearer {STATIC_TOKEN}")]  # fmt: skip


# --- construction, copies, doctor ---
@pytest.mark.parametrize(
    ("value", "error", "says"),
    [
        ("us-east5", TypeError, "must be a list of Vertex AI locations"),
        ({"us-east5"}, TypeError, "must be a list of Vertex AI locations"),
        (["us-east5", 5], TypeError, "must hold location names"),
        (["US East"], ValueError, "not a Vertex AI location"),
        (["us-east5-"], ValueError, "not a Vertex AI location"),
        (["us-east5", "global", "us-east5"], ValueError, "'us-east5' more than once"),
        (["us-central1"], ValueError, "must not name the client's own location 'us-central1'"),
    ],
)
def test_bad_values_are_refused_naming_the_argument(value: Any, error: type[Exception], says: str) -> None:
    for kind in (VertexOpenAI, AsyncVertexOpenAI):
        with pytest.raises(error, match="fallback_locations") as caught:
            kind(access_token=STATIC_TOKEN, project="p", location=PRIMARY, fallback_locations=value)
        assert says in str(caught.value)


def test_the_primary_is_refused_wherever_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        ValueError, match="fallback_locations must not name the client's own location 'global'"
    ):
        VertexOpenAI(access_token=STATIC_TOKEN, project="p", fallback_locations=["global"])  # the default
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
    with pytest.raises(ValueError, match=r"fallback_locations .* 'europe-west4'"):
        VertexOpenAI(access_token=STATIC_TOKEN, project="p", fallback_locations=["europe-west4"])
    from_url = "http://127.0.0.1:9/v1/projects/p/locations/us-east5/endpoints/openapi"
    with pytest.raises(ValueError, match=r"fallback_locations .* 'us-east5'"):
        VertexOpenAI(access_token=STATIC_TOKEN, base_url=from_url, fallback_locations=["us-east5"])


def test_a_base_url_without_a_location_or_a_deployed_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match=r"fallback_locations needs a base URL with a /locations/"):
        VertexOpenAI(
            access_token=STATIC_TOKEN, base_url="https://gw.example.com/openai", fallback_locations=["global"]
        )
    with pytest.raises(ValueError, match="fallback_locations works on the shared endpoints/openapi route"):
        VertexOpenAI(
            access_token=STATIC_TOKEN,
            project="p",
            location=PRIMARY,
            endpoint_id="1234",
            fallback_locations=["global"],
        )


def test_copies_keep_change_and_clear_the_list() -> None:
    client = VertexOpenAI(
        access_token=STATIC_TOKEN, project="p", location=PRIMARY, fallback_locations=["us-east5"]
    )
    assert client.vertex_options.fallback_locations == ("us-east5",)
    assert client.copy().vertex_options.fallback_locations == ("us-east5",)
    assert client.with_options(fallback_locations=("global", "eu")).vertex_options.fallback_locations == (
        "global",
        "eu",
    )
    assert client.copy(fallback_locations=[]).vertex_options.fallback_locations == ()
    assert "fallback_locations=('us-east5',)" in repr(client)
    with pytest.raises(
        ValueError, match="fallback_locations must not name the client's own location 'us-east5'"
    ):
        client.copy(location="us-east5")  # moving to a fallback: say which list to change


def test_doctor_shows_the_list(local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--fallback-locations", "us-east5,europe-west4"]) == 0
    assert "fallbacks      us-east5, europe-west4\n" in capsys.readouterr().out
    assert main(["doctor", "--json", "--fallback-locations", "us-east5, europe-west4"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["fallback_locations"] == ["us-east5", "europe-west4"]
    assert main(["doctor", "--json"]) == 0
    assert "fallback_locations" not in json.loads(capsys.readouterr().out)


def test_doctor_refuses_a_bad_list_naming_the_argument(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["doctor", "--json", "--fallback-locations", "us-east5,global"]) == 1
    )  # global: the client's own
    (check,) = json.loads(capsys.readouterr().out)["checks"]
    assert check["name"] == "configuration" and not check["ok"]
    assert "fallback_locations" in check["detail"] and "'global'" in check["detail"]
