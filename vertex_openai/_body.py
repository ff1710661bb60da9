"""Request shaping: what the client changes in a request before it is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def model_name(model: str, *, aliases: Mapping[str, str], openapi_route: bool) -> str:
    """The model name Vertex expects: aliases first, then `gemini-x` -> `google/gemini-x` on `openapi`."""
    model = aliases.get(model, model)
    if openapi_route and "/" not in model and model.startswith("gemini"):
        return f"google/{model}"
    return model


def shape_options(options: Any, *, aliases: Mapping[str, str], openapi_route: bool) -> Any:
    """Shape openai's per-attempt `FinalRequestOptions` (a copy: never mutate shared values in place)."""
    options.follow_redirects = False  # the Google token never follows a redirect
    body = options.json_data
    if isinstance(body, Mapping) and isinstance(body.get("model"), str):
        model = model_name(body["model"], aliases=aliases, openapi_route=openapi_route)
        if model != body["model"]:
            options.json_data = {**body, "model": model}
    return options
