"""Through the public clients: the span open around a call ends saying Vertex AI (provider, host, the
model sent after aliases, project, location), sync and async, streamed and not, embeddings too.

The span is opened as openai instrumentors open theirs (current during the call, ended after the
answer or the stream; under the newer conventions `gen_ai.provider.name` is written again right
before `end()`). These tests need the client to run the pipeline's telemetry step on every attempt
and `:predict` embeddings to go through `_telemetry.traced_create`; with the real instrumentor:
tests/integrations/test_opentelemetry.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fakes import STATIC_TOKEN, Reply, VertexServer, completion
from modes import MODES, Mode
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI

REGION = "us-central1"
HI: Any = [{"role": "user", "content": "hi"}]
ALIASES = {"flash": "google/gemini-2.5-flash"}


@pytest.fixture
def tracer() -> Iterator[tuple[trace.Tracer, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider.get_tracer("instrumentor"), exporter
    provider.shutdown()


def client_for(mode: Mode, server: VertexServer, **options: Any) -> VertexOpenAI | AsyncVertexOpenAI:
    cls = VertexOpenAI if mode == "sync" else AsyncVertexOpenAI
    base_url = f"{server.root}/v1/projects/test-project/locations/{REGION}/endpoints/openapi"
    return cls(base_url=base_url, access_token=STATIC_TOKEN, model_aliases=ALIASES, **options)


def call(mode: Mode, client: VertexOpenAI | AsyncVertexOpenAI, method: str, **arguments: Any) -> Any:
    """`client.<method>(**arguments)`, a stream read to its end, sync or async."""
    if isinstance(client, VertexOpenAI):
        target: Any = client
        for name in method.split("."):
            target = getattr(target, name)
        answer = target(**arguments)
        return list(answer) if arguments.get("stream") else answer

    async def main() -> Any:
        target: Any = client
        for name in method.split("."):
            target = getattr(target, name)
        answer = await target(**arguments)
        return [c async for c in answer] if arguments.get("stream") else answer

    return asyncio.run(main())


def instrumented(
    tracer: tuple[trace.Tracer, InMemorySpanExporter], latest: bool, run: Any
) -> dict[str, object]:
    """`run()` under a span opened as an openai instrumentor opens it; the finished span's attributes."""
    tracer_, exporter = tracer
    key = "gen_ai.provider.name" if latest else "gen_ai.system"
    attributes = {key: "openai", "server.address": "api.openai.com", "gen_ai.request.model": "flash"}
    with tracer_.start_as_current_span("chat flash", attributes=attributes, end_on_exit=False) as span:
        run()
    span.set_attribute(key, "openai")  # written again as the span ends (the newer conventions)
    span.end()
    (finished,) = exporter.get_finished_spans()
    return dict(finished.attributes or {})


def assert_vertex(attributes: dict[str, object], server: VertexServer, model: str, requested: str) -> None:
    host, port = server.root.removeprefix("http://").split(":")
    assert attributes["gen_ai.provider.name"] == "gcp.vertex_ai"
    assert (attributes["server.address"], attributes["server.port"]) == (host, int(port))
    assert (attributes["gen_ai.request.model"], attributes["gcp.vertex_ai.requested_model"]) == (
        model,
        requested,
    )
    assert (attributes["gcp.project_id"], attributes["gcp.vertex_ai.location"]) == ("test-project", REGION)


@pytest.mark.parametrize("latest", [False, True], ids=["gen_ai.system", "gen_ai.provider.name"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("mode", MODES)
def test_chat_span_says_vertex(
    mode: Mode,
    stream: bool,
    latest: bool,
    server: VertexServer,
    tracer: tuple[trace.Tracer, InMemorySpanExporter],
) -> None:
    client = client_for(mode, server)
    attributes = instrumented(
        tracer,
        latest,
        lambda: call(mode, client, "chat.completions.create", model="flash", messages=HI, stream=stream),
    )
    assert_vertex(attributes, server, "google/gemini-2.5-flash", "flash")
    assert ("gen_ai.system" in attributes) is not latest
    if not latest:
        assert attributes["gen_ai.system"] == "gcp.vertex_ai"
    assert server.seen[-1].json["model"] == "google/gemini-2.5-flash"


def test_a_retried_call_keeps_the_attributes(
    server: VertexServer, tracer: tuple[trace.Tracer, InMemorySpanExporter]
) -> None:
    server.reply(
        Reply(503, {"error": {"code": 503, "message": "busy", "status": "UNAVAILABLE"}}),
        Reply(200, completion()),
    )
    client = client_for("sync", server, max_retries=1)
    attributes = instrumented(
        tracer, True, lambda: call("sync", client, "chat.completions.create", model="flash", messages=HI)
    )
    assert len(server.seen) == 2
    assert_vertex(attributes, server, "google/gemini-2.5-flash", "flash")


@pytest.mark.parametrize("mode", MODES)
def test_predict_embeddings_span_says_vertex(
    mode: Mode, server: VertexServer, tracer: tuple[trace.Tracer, InMemorySpanExporter]
) -> None:
    client = client_for(mode, server)
    attributes = instrumented(
        tracer,
        False,
        lambda: call(mode, client, "embeddings.create", model="text-embedding-005", input=["a b", "c"]),
    )
    assert server.seen[-1].path.endswith("text-embedding-005:predict")
    assert_vertex(attributes, server, "google/text-embedding-005", "text-embedding-005")
