"""OpenTelemetry's openai instrumentor (opentelemetry-instrumentation-openai-v2) over `VertexOpenAI`:
spans say Vertex AI (provider, host, the model sent, project, location) in both GenAI convention
versions, name the usage, and never carry a Google token, in any attribute or event.

The instrumentor reads `OTEL_SEMCONV_STABILITY_OPT_IN` once per process: this process runs the
default conventions and `test_latest_conventions_in_a_process_of_their_own` runs this file's other
tests again in a process with `gen_ai_latest_experimental`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from integrations.vertex_shape import GREETING, MODEL, SENT_MODEL, Google, require

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI

require("opentelemetry.instrumentation.openai_v2")

from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor  # noqa: E402
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = OpenAIInstrumentor()  # one per process: instrumented already (docs test) or not
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    instrumentor.instrument(tracer_provider=provider)  # the snippet of docs/frameworks.md
    yield exporter
    instrumentor.uninstrument()


def dump(span: ReadableSpan) -> str:
    events = [{"name": e.name, "attributes": dict(e.attributes or {})} for e in span.events]
    return json.dumps({"attributes": dict(span.attributes or {}), "events": events}, default=str)


def test_spans_carry_no_token(google: Google, spans: InMemorySpanExporter) -> None:
    client, aclient = google.client(), google.async_client()
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
    google.rollover()
    stream = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == GREETING
    google.rollover()
    asyncio.run(aclient.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}]))

    finished = spans.get_finished_spans()
    assert len(finished) == 3
    for span in finished:
        attributes = dict(span.attributes or {})
        assert attributes["gen_ai.request.model"] == SENT_MODEL  # the model sent
        assert attributes["gcp.vertex_ai.requested_model"] == MODEL
        assert attributes["gen_ai.response.model"] == SENT_MODEL
        assert attributes["gen_ai.usage.input_tokens"] == google.gemini.last_usage["prompt_tokens"]
        text = dump(span)
        assert "ya29." not in text and "Bearer" not in text
        for token in google.tokens.issued:
            assert token not in text
    assert [b["model"] for b in google.bodies] == [SENT_MODEL] * 3
    google.assert_rolled_over()


LATEST = "gen_ai_latest_experimental" in os.environ.get("OTEL_SEMCONV_STABILITY_OPT_IN", "")
REGION = "us-central1"  # Google's embedding models are served in regions, not on `global`
HI: Any = [{"role": "user", "content": "Hi"}]


def regional(google: Google) -> str:
    return f"{google.vertex.root}/v1/projects/test-project/locations/{REGION}/endpoints/openapi"


def says_vertex(span: ReadableSpan, google: Google, model: str, requested: str) -> None:
    attributes = dict(span.attributes or {})
    assert attributes["gen_ai.provider.name"] == "gcp.vertex_ai", span.name
    if LATEST:
        assert "gen_ai.system" not in attributes
    else:
        assert attributes["gen_ai.system"] == "gcp.vertex_ai"
    host, port = google.vertex.root.removeprefix("http://").split(":")
    assert (attributes["server.address"], attributes["server.port"]) == (host, int(port))
    assert attributes["gen_ai.request.model"] == model
    assert attributes["gcp.vertex_ai.requested_model"] == requested
    assert (attributes["gcp.project_id"], attributes["gcp.vertex_ai.location"]) == ("test-project", REGION)


def test_chat_spans_say_vertex(google: Google, spans: InMemorySpanExporter) -> None:
    """Sync, async, streamed and not: the alias the caller used, the model sent."""
    aliases = {"pro": SENT_MODEL}
    client = VertexOpenAI(credentials=google.credentials, base_url=regional(google), model_aliases=aliases)
    aclient = AsyncVertexOpenAI(
        credentials=google.credentials, base_url=regional(google), model_aliases=aliases
    )
    client.chat.completions.create(model="pro", messages=HI)
    stream = client.chat.completions.create(model="pro", messages=HI, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == GREETING

    async def main() -> str:
        await aclient.chat.completions.create(model="pro", messages=HI)
        astream = await aclient.chat.completions.create(model="pro", messages=HI, stream=True)
        return "".join([c.choices[0].delta.content or "" async for c in astream if c.choices])

    assert asyncio.run(main()) == GREETING
    finished = spans.get_finished_spans()
    assert len(finished) == 4
    for span in finished:
        says_vertex(span, google, SENT_MODEL, "pro")
        assert (
            dict(span.attributes or {})["gen_ai.usage.input_tokens"]
            == google.gemini.last_usage["prompt_tokens"]
        )
    assert [b["model"] for b in google.bodies] == [SENT_MODEL] * 4


def test_embedding_spans_say_vertex(google: Google, spans: InMemorySpanExporter) -> None:
    """Google's embedding models (answered on `:predict`) get the span plain openai's embeddings get."""
    client = VertexOpenAI(credentials=google.credentials, base_url=regional(google))
    aclient = AsyncVertexOpenAI(credentials=google.credentials, base_url=regional(google))
    one = client.embeddings.create(model="text-embedding-005", input="hello")
    many = asyncio.run(aclient.embeddings.create(model="text-embedding-005", input=["a b", "c d e"]))
    assert len(one.data) == 1 and len(many.data) == 2
    assert [s.path.rsplit("/", 1)[-1] for s in google.vertex.seen[-2:]] == ["text-embedding-005:predict"] * 2
    finished = spans.get_finished_spans()
    assert [dict(s.attributes or {})["gen_ai.operation.name"] for s in finished] == ["embeddings"] * 2
    for span in finished:
        says_vertex(span, google, "google/text-embedding-005", "text-embedding-005")
    assert dict(finished[1].attributes or {})["gen_ai.usage.input_tokens"] == many.usage.prompt_tokens


def test_latest_conventions_in_a_process_of_their_own() -> None:
    """The tests above again, with `gen_ai.provider.name` written by the instrumentor when each span ends."""
    here = Path(__file__)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(here), "-k", "not own"],
        capture_output=True,
        text=True,
        cwd=here.parents[2],
        env={**os.environ, "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental"},
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "3 passed" in run.stdout
