"""OpenAI routes that Vertex AI's OpenAI-compatible endpoint does not serve, and what to do instead.

The hint is added to the 404 Vertex answers (not raised before sending): a self-deployed endpoint
(vLLM, TGI) does serve some of these routes, and Google may add more.
"""

from __future__ import annotations

import json
import re

from .._compat import http
from .._pipeline._maas import DEFAULT_TABLE, ModelTable
from .._pipeline._tiers import quota_hint

# (route after `endpoints/{id}`, the Vertex way); first match wins
_UNSERVED: tuple[tuple[str, str], ...] = (
    (
        "chat/completions",
        "",  # served: a 404 here is about the model or location, not the route
    ),
    (
        "completions",
        "Vertex serves chat only: use client.chat.completions.create(messages=[{'role': 'user', "
        "'content': prompt}]).",
    ),
    (
        "images",
        "ask an image model for image output with chat: client.chat.completions.create("
        "model='google/gemini-2.5-flash-image', modalities=['image'], ...), then "
        "vertex_openai.response_images(response); image input goes in 'image_url' content parts.",
    ),
    (
        "audio/transcriptions",
        "send the audio to a Gemini model as an 'input_audio' content part and ask for a transcript.",
    ),
    (
        "audio/translations",
        "send the audio to a Gemini model as an 'input_audio' content part and ask for a translation.",
    ),
    (
        "audio",
        "audio input goes to chat as 'input_audio' content parts; speech output is not served on "
        "this endpoint (use Google Cloud Text-to-Speech).",
    ),
    (
        "files",
        "client.files keeps batch input in Cloud Storage (batch_bucket=); for a model to read a file, "
        "put it in the request ('image_url'/'input_audio' parts with data: URIs or gs:// URIs).",
    ),
    (
        "uploads",
        "upload to Cloud Storage and pass gs:// URIs in content parts; the endpoint has no file store.",
    ),
    (
        "batches",
        "client.batches runs batches as Vertex AI batch prediction jobs (batch_bucket=), or use "
        "service_tier='flex' for cheaper latency-tolerant requests.",
    ),
    (
        "moderations",
        "Gemini applies safety filters itself: set them with "
        "vertex_openai.gemini_options(safety_settings=...); blocked answers finish with 'content_filter'.",
    ),
    ("models", "list and retrieve models with client.models.list() / retrieve(); nothing else is served."),
    ("fine_tuning", "tune models with Vertex AI supervised tuning (the tuningJobs API)."),
    (
        "vector_stores",
        "use Vertex AI Vector Search or RAG Engine; embeddings.create works for your own store.",
    ),
    ("assistants", "use chat completions with tools; keep the conversation state yourself."),
    ("threads", "use chat completions and keep the conversation history yourself."),
    ("realtime", "the Live API is served by Vertex's native API, not this endpoint."),
    ("evals", "use the Vertex AI evaluation service."),
    ("containers", "code execution is a native Gemini tool, not served on this endpoint."),
    ("videos", "video generation (Veo) is served by Vertex's native API, not this endpoint."),
)
_ROUTE_RE = re.compile(r"/endpoints/[^/]+/(?P<route>[^?#]*)")


def route_of(path: str) -> str | None:
    """The OpenAI route of a request path on an endpoint (`chat/completions`, `files/abc`, ...)."""
    found = _ROUTE_RE.search(path)
    return found["route"].strip("/") if found else None


def unserved_hint(path: str) -> str | None:
    """What to do instead, when `path` is an OpenAI route Vertex does not serve."""
    route = route_of(path)
    if route is None:
        return None
    for prefix, hint in _UNSERVED:
        if route == prefix or route.startswith(prefix + "/"):
            return (
                f"Vertex AI's OpenAI-compatible endpoint does not serve /{prefix}: {hint}" if hint else None
            )
    return None


_PREDICT_MODEL_RE = re.compile(r"/publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/:]+):predict$")
_LISTING_RE = re.compile(r"/v1beta1/publishers/[^/]+/models")


def _request_model(request: http.Request) -> str | None:
    """The model a request was for: from a `:predict` path, or the JSON body's `model`."""
    found = _PREDICT_MODEL_RE.search(request.url.path)
    if found:
        return f"{found['publisher']}/{found['model']}"
    try:
        body = json.loads(request.content or b"null")
    except (ValueError, RuntimeError):  # not JSON, or a streamed body not read
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


def response_hint(
    response: http.Response, *, location: str | None, table: ModelTable | None = None
) -> str | None:
    """A fix for an error answer that only the request shows: an unserved route, a model documented
    elsewhere, which quota a 429 exhausted, a refused model listing."""
    request = response.request
    status = response.status_code
    if status == 429:
        return quota_hint(request.headers)
    path = request.url.path
    if status == 403 and _LISTING_RE.search(path):
        return (
            "listing publisher models was refused for these credentials: they need Vertex AI access "
            "(e.g. roles/aiplatform.user), and user credentials a quota project (quota_project=... or "
            "GOOGLE_CLOUD_QUOTA_PROJECT), since the listing's path names no project."
        )
    if status != 404:
        return None
    unserved = unserved_hint(path)
    if unserved:
        return unserved
    model = _request_model(request)
    return (table or DEFAULT_TABLE).location_hint(model, location) if model else None
