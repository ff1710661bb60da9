"""The one option list (`_options.VertexOptions`): every declared option is taken by both constructors
and by `copy()`, with matching defaults; checked with errors naming it; kept by copies; shown in repr.

A new field in `VertexOptions` fails these tests until the constructors and `copy()` take it and a
wrong value for it is listed in `WRONG` below.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from fakes import STATIC_TOKEN

from vertex_openai import AsyncVertexOpenAI, PartnerModel, VertexOpenAI, gemini_options
from vertex_openai._options import OPTION_NAMES, VertexOptions

BASE = "http://127.0.0.1:9/v1/projects/p/locations/us-central1/endpoints/openapi"

#: A wrong value for each option, and the error it gets (the message names the option).
WRONG: dict[str, tuple[object, type[Exception]]] = {
    "project": (5, TypeError),
    "location": ("", ValueError),
    "api_version": ("v9", ValueError),
    "endpoint_id": (5, TypeError),
    "base_url": (5, TypeError),
    "model_aliases": (["gpt-4o"], TypeError),
    "default_gemini_options": ("high", TypeError),
    "default_service_tier": ("turbo", ValueError),
    "partner_models": ("meta/llama", TypeError),
    "placeholder_signatures": ("yes", TypeError),
    "signature_ids": (1, TypeError),
    "batch_bucket": ("my-bucket", ValueError),
    "fallback_locations": ("us-east5", TypeError),
}

#: A value other than the default for each option (what a round trip through copy() must keep).
CHANGED: dict[str, object] = {
    "model_aliases": {"gpt-4o": "gemini-2.5-flash"},
    "default_gemini_options": gemini_options(thinking_config={"thinking_budget": 128}),
    "default_service_tier": "provisioned",
    "partner_models": [PartnerModel("acme/widget-1-maas", locations=("us-central1",))],
    "placeholder_signatures": False,
    "signature_ids": False,
    "batch_bucket": "gs://bucket/batches",
    "fallback_locations": ["us-east5"],
}


def make(**options: Any) -> VertexOpenAI:
    return VertexOpenAI(access_token=STATIC_TOKEN, base_url=BASE, **options)


def parameters(function: Any) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(function).parameters)


@pytest.mark.parametrize("name", OPTION_NAMES)
def test_each_option_is_a_keyword_of_both_constructors_and_copy(name: str) -> None:
    sync, asynchronous = parameters(VertexOpenAI.__init__), parameters(AsyncVertexOpenAI.__init__)
    copy = parameters(VertexOpenAI.copy)
    for found in (sync, asynchronous, copy):
        assert name in found and found[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert sync[name].default == asynchronous[name].default
    assert copy[name].default is None  # copy(): None keeps the client's value
    # the constructor's default means the declared default (None for a mapping or a list)
    declared = VertexOptions()
    assert VertexOptions.of({**declared.arguments(), name: sync[name].default}) == declared


@pytest.mark.parametrize("name", OPTION_NAMES)
def test_each_option_is_checked_naming_it(name: str) -> None:
    assert set(WRONG) >= set(OPTION_NAMES), "list a wrong value for each new option in WRONG"
    value, error = WRONG[name]
    with pytest.raises(error, match=name):
        make(**{name: value})


def test_copy_keeps_every_option_and_changes_only_what_it_is_given() -> None:
    missing = (
        set(OPTION_NAMES) - set(CHANGED) - {"project", "location", "api_version", "endpoint_id", "base_url"}
    )
    assert not missing, f"give {missing} a changed value in CHANGED"
    client = make(**CHANGED)
    options = client.vertex_options
    for name in CHANGED:
        assert getattr(options, name) != getattr(VertexOptions(), name), name
    assert client.copy().vertex_options == options
    assert client.with_options(max_retries=1).vertex_options == options
    copied = client.copy(signature_ids=True)
    assert copied.vertex_options.signature_ids is True
    assert {n for n in OPTION_NAMES if getattr(copied.vertex_options, n) != getattr(options, n)} == {
        "signature_ids"
    }
    moved = client.copy(location="europe-west4", project="p")  # a new location drops the explicit base_url
    assert moved.vertex_options.base_url is None and moved.location == "europe-west4"
    assert "europe-west4-aiplatform.googleapis.com" in str(moved.base_url)


def test_repr_shows_the_options_that_differ_from_their_defaults() -> None:
    plain = repr(VertexOpenAI(access_token=STATIC_TOKEN, base_url=BASE))
    assert "signature_ids" not in plain and "batch_bucket" not in plain
    changed = repr(
        VertexOpenAI(access_token=STATIC_TOKEN, base_url=BASE, signature_ids=False, batch_bucket="gs://b/p")
    )
    assert "signature_ids=False" in changed and "batch_bucket='gs://b/p'" in changed
    assert STATIC_TOKEN not in changed


def test_each_option_is_in_readmes_constructor_table() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("## Constructor", 1)[1].split("| argument |", 1)[1].split("\n\n", 1)[0]
    assert all(f"| `{name}` |" in table for name in OPTION_NAMES), [
        name for name in OPTION_NAMES if f"| `{name}` |" not in table
    ]
