"""OpenTelemetry's openai instrumentor (opentelemetry-instrumentation-openai-v2) over `VertexOpenAI`:
spans name the model and the usage, and never carry a Google token, in any attribute or event."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from integrations.vertex_shape import GREETING, MODEL, SENT_MODEL, Google, require

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
        assert attributes["gen_ai.request.model"] == MODEL
        assert attributes["gen_ai.response.model"] == SENT_MODEL
        assert attributes["gen_ai.usage.input_tokens"] == google.gemini.last_usage["prompt_tokens"]
        text = dump(span)
        assert "ya29." not in text and "Bearer" not in text
        for token in google.tokens.issued:
            assert token not in text
    assert [b["model"] for b in google.bodies] == [SENT_MODEL] * 3
    google.assert_rolled_over()
