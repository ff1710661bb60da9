"""Telemetry that says Vertex: the GenAI span an OpenTelemetry instrumentor opened for a call names
Vertex AI, the host, the model sent, the project and the location.

Instrumentors of openai (`opentelemetry-instrumentation-openai-v2`, and others following the GenAI
semantic conventions) wrap openai's resource methods and open a span around each call; they label
it `openai` and some write that label again when the span ends (openai-v2 2.4b0 under
`OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`), after anything set during the request.
So `annotate_span`, called once per attempt while the instrumentor's span is current (a GenAI span:
see `_is_gen_ai`; any other current span, such as a web server's, is left alone), sets the
attributes at once AND wraps that span's `end` so they are written again just before the span
ends: whatever the instrumentor sets in between, at the end or not, the Vertex values are the last
written, in every convention version, for sync, async and streamed calls (a stream's span ends with
the stream). The span itself, its processors and exporters are untouched.

Attributes (`ATTRIBUTES` below):
- `gen_ai.provider.name` = `gcp.vertex_ai`; `gen_ai.system` = `gcp.vertex_ai` too when the span
  carries the older attribute (conventions before 1.37, the instrumentor's default);
- `server.address` / `server.port`: the Vertex host the attempt went to (port only when not 443);
- `gen_ai.request.model`: the model sent (after aliases, `google/gemini-2.5-flash`), and
  `gcp.vertex_ai.requested_model` the name the caller gave when it differs;
- `gcp.project_id`, `gcp.vertex_ai.location`: the Google Cloud project and Vertex location (no
  GenAI convention names them; `cloud.*` describes where the instrumented program itself runs).

Cost: nothing is imported. If `opentelemetry.trace` is not in `sys.modules`, no instrumentor can
have opened a span, and the call returns after one dict lookup; with OpenTelemetry loaded but no
span recording, after `get_current_span().is_recording()`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Mapping
from typing import Final, Protocol, TypeVar
from urllib.parse import urlsplit

__all__ = ["ATTRIBUTES", "PROVIDER", "TRACE_MODULE", "annotate_span", "traced_create"]

_T = TypeVar("_T")

PROVIDER: Final = "gcp.vertex_ai"
#: OpenTelemetry's tracing API: until it is imported, no instrumentor can have opened a span.
TRACE_MODULE: Final = "opentelemetry.trace"
#: `gen_ai.operation.name` values of the calls the client makes (a GenAI span's name starts with one)
_OPERATIONS = frozenset({"chat", "embeddings", "text_completion", "generate_content"})


class ATTRIBUTES:
    """The span attribute names this module writes."""

    PROVIDER_NAME: Final = "gen_ai.provider.name"
    SYSTEM: Final = "gen_ai.system"  # the name before GenAI conventions 1.37
    SERVER_ADDRESS: Final = "server.address"
    SERVER_PORT: Final = "server.port"
    REQUEST_MODEL: Final = "gen_ai.request.model"
    REQUESTED_MODEL: Final = "gcp.vertex_ai.requested_model"
    PROJECT: Final = "gcp.project_id"
    LOCATION: Final = "gcp.vertex_ai.location"


def annotate_span(
    *,
    url: str,
    project: str | None,
    location: str | None,
    model: str | None,
    requested_model: str | None = None,
) -> None:
    """Mark the current span (an instrumentor's, around an openai call) as a Vertex AI call.

    `url`: the URL the attempt goes to (or the client's base URL); `model`: the model sent;
    `requested_model`: the name the caller passed. Call once per attempt, inside the call: a later
    attempt (a retry, another location) replaces what an earlier one wrote. No-op, importing
    nothing, when OpenTelemetry is not loaded or the current span is not recording."""
    trace = sys.modules.get(TRACE_MODULE)
    if trace is None:
        return
    span = trace.get_current_span()
    if not span.is_recording() or not _is_gen_ai(span):
        return
    attributes = _attributes(url, project, location, model, requested_model)
    ending = getattr(span, "end", None)
    if isinstance(ending, _EndWithVertex):
        ending.attributes = {**ending.attributes, **attributes}  # a later attempt of the same call
    else:
        ending = _EndWithVertex(span, attributes)
        # the instance attribute shadows the class's `end` for this span only; a span type without an
        # instance dict gets the attributes once, below
        with contextlib.suppress(AttributeError, TypeError):
            span.end = ending
    ending.apply()


def traced_create(
    create: object,
    instance: object,
    arguments: Mapping[str, object],
    run: Callable[[], _T],
    *,
    url: str,
    project: str | None,
    location: str | None,
    model: str,
) -> _T:
    """`run()` inside the span an instrumentor opens around openai's `create`, for calls the client
    answers without running openai's `create` (Google embedding models on `:predict`).

    `create`: openai's method as the resource sees it (`super().create`), wrapped by an instrumentor
    or not; `arguments`: the call's keyword arguments, which the instrumentor reads (model, encoding
    format, dimensions: values not given are left out); the other arguments as for `annotate_span`
    (`model`: the model sent; the caller's is `arguments["model"]`). The span gets the Vertex
    attributes before `run()` starts, on the calling thread (requests sent from a thread pool do not
    see the span). Async: `run` returns an awaitable, and so does this.
    """
    requested = arguments.get("model")

    def annotate() -> None:
        requested_model = requested if isinstance(requested, str) else None
        annotate_span(
            url=url, project=project, location=location, model=model, requested_model=requested_model
        )

    wrapper = getattr(create, "_self_wrapper", None)  # the wrapper function of a wrapt FunctionWrapper
    if not callable(wrapper):
        annotate()
        return run()

    def inside(*args: object, **kwargs: object) -> _T:
        annotate()
        return run()

    from openai import NotGiven, Omit  # here: the module itself imports nothing beyond the standard library

    given = {k: v for k, v in arguments.items() if v is not None and not isinstance(v, (NotGiven, Omit))}
    result: _T = wrapper(inside, instance, (), given)
    return result


class _Span(Protocol):
    """What is used of an OpenTelemetry span (the API is not imported: it may not be installed)."""

    end: Callable[..., None]

    def set_attributes(self, attributes: Mapping[str, object]) -> None: ...


class _EndWithVertex:
    """A span's `end`, writing the Vertex attributes right before the span's own `end`."""

    def __init__(self, span: _Span, attributes: dict[str, object]) -> None:
        self.span = span
        self.end: Callable[..., None] = span.end
        self.attributes = attributes

    def apply(self) -> None:
        span = self.span
        attributes = self.attributes
        current: object = getattr(span, "attributes", None)
        if not isinstance(current, Mapping) or ATTRIBUTES.SYSTEM in current:
            attributes = {**attributes, ATTRIBUTES.SYSTEM: PROVIDER}
        span.set_attributes(attributes)

    def __call__(self, end_time: int | None = None) -> None:
        try:
            self.apply()
        finally:
            with contextlib.suppress(AttributeError):
                del self.span.end  # the class's `end` again; no reference cycle left behind
            self.end(end_time)


def _is_gen_ai(span: object) -> bool:
    """An instrumentor's GenAI span, not the program's own (a web request's server span stays as it
    is): it carries `gen_ai.*` attributes already (openai-v2's default conventions), or its name is
    `{operation} {model}` (the newer conventions open the span bare and write attributes at the end)."""
    attributes: object = getattr(span, "attributes", None)
    if isinstance(attributes, Mapping) and any(str(key).startswith("gen_ai.") for key in attributes):
        return True
    name: object = getattr(span, "name", None)
    return isinstance(name, str) and name.split(" ", 1)[0] in _OPERATIONS


def _attributes(
    url: str, project: str | None, location: str | None, model: str | None, requested_model: str | None
) -> dict[str, object]:
    attributes: dict[str, object] = {ATTRIBUTES.PROVIDER_NAME: PROVIDER}
    parts = urlsplit(url)
    if parts.hostname:
        attributes[ATTRIBUTES.SERVER_ADDRESS] = parts.hostname
        port = parts.port
        if port is not None and port != 443:
            attributes[ATTRIBUTES.SERVER_PORT] = port
    if model:
        attributes[ATTRIBUTES.REQUEST_MODEL] = model
        if requested_model and requested_model != model:
            attributes[ATTRIBUTES.REQUESTED_MODEL] = requested_model
    if project:
        attributes[ATTRIBUTES.PROJECT] = project
    if location:
        attributes[ATTRIBUTES.LOCATION] = location
    return attributes
