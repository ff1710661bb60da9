"""`_telemetry`: the span an instrumentor opened for a call ends saying Vertex AI, in both GenAI
convention versions; nothing of OpenTelemetry is imported when it is not installed.

The spans here are OpenTelemetry SDK spans opened as openai instrumentors open theirs (openai-v2
2.4b0: `start_as_current_span` with `gen_ai.system` under the default conventions; `start_span` +
`attach`, and `gen_ai.provider.name` written again right before `end()`, under
`gen_ai_latest_experimental`). The real instrumentor over the client:
tests/integrations/test_opentelemetry.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import context, trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from vertex_openai._pipeline._telemetry import PROVIDER, annotate_span, traced_create

URL = "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-proj/locations/europe-west4/endpoints/openapi"
VERTEX = {
    "gen_ai.provider.name": "gcp.vertex_ai",
    "server.address": "europe-west4-aiplatform.googleapis.com",
    "gen_ai.request.model": "google/gemini-2.5-flash",
    "gcp.vertex_ai.requested_model": "flash",
    "gcp.project_id": "my-proj",
    "gcp.vertex_ai.location": "europe-west4",
}
MODEL = "google/gemini-2.5-flash"
OPENAI = {
    "gen_ai.operation.name": "chat",
    "server.address": "api.openai.com",
    "gen_ai.request.model": "flash",
}


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


def tracer(exporter: InMemorySpanExporter, *, sampled: bool = True) -> trace.Tracer:
    provider = TracerProvider(sampler=None if sampled else ALWAYS_OFF)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("instrumentor")


def annotate(url: str = URL, location: str = "europe-west4") -> None:
    annotate_span(
        url=url,
        project="my-proj",
        location=location,
        model="google/gemini-2.5-flash",
        requested_model="flash",
    )


def only(exporter: InMemorySpanExporter) -> ReadableSpan:
    (span,) = exporter.get_finished_spans()
    return span


def test_default_conventions_span_says_vertex(exporter: InMemorySpanExporter) -> None:
    """gen_ai.system (the instrumentor's default) becomes gcp.vertex_ai, and the response attributes
    the instrumentor writes after the request stay."""
    with tracer(exporter).start_as_current_span(
        "chat flash", attributes={**OPENAI, "gen_ai.system": "openai"}, end_on_exit=False
    ) as span:
        annotate()
        span.set_attribute("gen_ai.response.model", "gemini-2.5-flash")
        span.set_attribute("gen_ai.system", "openai")  # written again after the request
        span.end()
    attributes = dict(only(exporter).attributes or {})
    assert {k: attributes.get(k) for k in VERTEX} == VERTEX
    assert attributes["gen_ai.system"] == PROVIDER == "gcp.vertex_ai"
    assert attributes["gen_ai.response.model"] == "gemini-2.5-flash"
    assert "end" not in vars(span)  # the span's own end again: no reference cycle left behind


def test_latest_conventions_provider_written_at_the_end_is_overridden(exporter: InMemorySpanExporter) -> None:
    span = tracer(exporter).start_span("chat flash")  # bare, as opentelemetry-util-genai opens it
    token = context.attach(trace.set_span_in_context(span))
    try:
        annotate()
    finally:
        context.detach(token)
    span.set_attributes({**OPENAI, "gen_ai.provider.name": "openai"})  # all at the end
    span.end()
    attributes = dict(only(exporter).attributes or {})
    assert {k: attributes.get(k) for k in VERTEX} == VERTEX
    assert "gen_ai.system" not in attributes  # the newer conventions do not use it


def test_a_later_attempt_replaces_host_and_location(exporter: InMemorySpanExporter) -> None:
    with tracer(exporter).start_as_current_span("chat flash", attributes=OPENAI):
        annotate()
        annotate(
            "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/endpoints/openapi",
            "global",
        )
    attributes = dict(only(exporter).attributes or {})
    assert attributes["server.address"] == "aiplatform.googleapis.com"
    assert attributes["gcp.vertex_ai.location"] == "global"
    assert attributes["gen_ai.request.model"] == "google/gemini-2.5-flash"


def test_a_local_port_is_recorded(exporter: InMemorySpanExporter) -> None:
    with tracer(exporter).start_as_current_span("chat"):
        annotate_span(url="http://127.0.0.1:8123/v1/x", project=None, location=None, model=None)
    attributes = dict(only(exporter).attributes or {})
    assert (attributes["server.address"], attributes["server.port"]) == ("127.0.0.1", 8123)
    assert "gcp.project_id" not in attributes and "gen_ai.request.model" not in attributes


def test_the_programs_own_span_is_left_alone(exporter: InMemorySpanExporter) -> None:
    """No instrumentor: the current span is the program's (a web request's), not a GenAI one."""
    attributes = {"http.request.method": "GET", "server.address": "shop.example.com"}
    with tracer(exporter).start_as_current_span("GET /cart", attributes=attributes) as span:
        annotate()
        assert "end" not in vars(span)
    assert dict(only(exporter).attributes or {}) == attributes


def test_spans_not_recording_are_left_alone(exporter: InMemorySpanExporter) -> None:
    annotate()  # no span at all
    with tracer(exporter, sampled=False).start_as_current_span("chat") as span:
        assert not span.is_recording()
        annotate()
        assert "end" not in vars(span)
    assert exporter.get_finished_spans() == ()


def test_traced_create_without_an_instrumentor_annotates_the_current_span(
    exporter: InMemorySpanExporter,
) -> None:
    calls: list[str] = []

    def plain_create() -> None:  # openai's create, unwrapped
        raise AssertionError("not called")

    def run() -> int:
        calls.append("run")
        return 7

    with tracer(exporter).start_as_current_span("embeddings"):
        where = {"url": URL, "project": "my-proj", "location": "europe-west4"}
        result = traced_create(plain_create, object(), {"model": "flash"}, run, **where, model=MODEL)
    assert result == 7 and calls == ["run"]
    attributes = dict(only(exporter).attributes or {})
    assert {k: attributes.get(k) for k in VERTEX} == VERTEX


NO_OPENTELEMETRY = """
import importlib.abc, sys

asked = []

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            asked.append(name)  # even an import attempt that is caught counts
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None

sys.meta_path.insert(0, Blocker())
from fakes import STATIC_TOKEN, VertexServer
from vertex_openai import VertexOpenAI
from vertex_openai._pipeline._telemetry import annotate_span

server = VertexServer(accept={STATIC_TOKEN})
try:
    client = VertexOpenAI(base_url=server.base_url, access_token=STATIC_TOKEN, max_retries=0)
    hi = [{"role": "user", "content": "hi"}]
    answer = client.chat.completions.create(model="gemini-2.5-flash", messages=hi)
    stream = client.chat.completions.create(model="gemini-2.5-flash", messages=hi, stream=True)
    list(stream)
    annotate_span(url=server.base_url, project="p", location="global", model="google/gemini-2.5-flash")
finally:
    server.close()
loaded = sorted(m for m in sys.modules if m == "opentelemetry" or m.startswith("opentelemetry."))
print("LOADED", loaded, "ASKED", asked, answer.choices[0].message.content is not None)
"""


def test_nothing_of_opentelemetry_is_imported_when_it_cannot_be() -> None:
    tests = str(Path(__file__).parent)
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(NO_OPENTELEMETRY)],
        capture_output=True,
        text=True,
        cwd=tests,
        env={**os.environ, "PYTHONPATH": tests},
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "LOADED [] ASKED [] True" in run.stdout, run.stdout
