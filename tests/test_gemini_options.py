"""Typed Gemini options, and how the client places them in the request body."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import openai
import pytest
from fakes import STATIC_TOKEN, VertexServer
from hypothesis import given
from hypothesis import strategies as st
from openai.types.chat import ChatCompletionMessageParam

from vertex_openai import (
    HarmBlockMethod,
    HarmBlockThreshold,
    HarmCategory,
    SafetySetting,
    ThinkingConfig,
    VertexOpenAI,
    gemini_options,
)
from vertex_openai._util import deep_merge

TOKEN = STATIC_TOKEN  # the one the `server` fixture (conftest.py) accepts
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


def test_gemini_options_wire_shape() -> None:
    options = gemini_options(
        thinking_config=ThinkingConfig(thinking_budget=1024, include_thoughts=True),
        safety_settings=[
            SafetySetting(category=HarmCategory.HARM_CATEGORY_HARASSMENT, threshold="BLOCK_ONLY_HIGH"),
            {"category": "HARM_CATEGORY_JAILBREAK", "threshold": "OFF", "method": "SEVERITY"},
        ],
        cached_content="projects/p1/locations/us-central1/cachedContents/123",
        thought_tag_marker="think",
        media_resolution="MEDIA_RESOLUTION_LOW",
    )
    assert options == {
        "extra_body": {
            "google": {
                "thinking_config": {"thinking_budget": 1024, "include_thoughts": True},
                "safety_settings": [
                    {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"},
                    {"category": "HARM_CATEGORY_JAILBREAK", "threshold": "OFF", "method": "SEVERITY"},
                ],
                "cached_content": "projects/p1/locations/us-central1/cachedContents/123",
                "thought_tag_marker": "think",
                "media_resolution": "MEDIA_RESOLUTION_LOW",
            }
        }
    }


def test_thinking_level_and_enums() -> None:
    assert ThinkingConfig(thinking_level="high").to_dict() == {"thinking_level": "HIGH"}
    assert SafetySetting(
        "HARM_CATEGORY_HATE_SPEECH", HarmBlockThreshold.BLOCK_NONE, HarmBlockMethod.PROBABILITY
    ).to_dict() == {
        "category": "HARM_CATEGORY_HATE_SPEECH",
        "threshold": "BLOCK_NONE",
        "method": "PROBABILITY",
    }
    assert ThinkingConfig(thinking_budget=-1).to_dict() == {"thinking_budget": -1}
    assert ThinkingConfig(thinking_budget=0).to_dict() == {"thinking_budget": 0}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SafetySetting("HARM_CATEGORY_SPAM", "BLOCK_NONE"), "HARM_CATEGORY_HATE_SPEECH"),
        (lambda: SafetySetting("HARM_CATEGORY_HARASSMENT", "BLOCK_SOME"), "BLOCK_ONLY_HIGH"),
        (lambda: SafetySetting("HARM_CATEGORY_HARASSMENT", "OFF", method="LOUDNESS"), "SEVERITY"),
        (lambda: ThinkingConfig(thinking_level="LOW", thinking_budget=10), "not both"),
        (lambda: ThinkingConfig(thinking_level="EXTREME"), "MINIMAL"),
        (lambda: ThinkingConfig(thinking_budget=-2), "-1"),
        (lambda: ThinkingConfig(thinking_budget=True), ">= 0"),
        (lambda: gemini_options(cached_content="my-cache"), "cachedContents"),
        (lambda: gemini_options(thought_tag_marker="<think>"), "tag name"),
        # a mapping where a list belongs: wrong on purpose, as an untyped caller could write it
        (lambda: gemini_options(safety_settings={"category": "x"}), "list"),  # type: ignore[dict-item]
        (lambda: gemini_options(thinking_config={"thinking_level": "LOW", "thinking_budget": 5}), "not both"),
    ],
)
def test_bad_values_fail_when_built(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def sent_google(server: VertexServer) -> dict[str, Any]:
    google: dict[str, Any] = server.seen[-1].json["extra_body"]["google"]
    return google


def test_works_with_a_plain_openai_client(server: VertexServer) -> None:
    plain = openai.OpenAI(base_url=server.base_url, api_key=TOKEN)
    plain.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=MESSAGES,
        extra_body=gemini_options(thinking_config=ThinkingConfig(thinking_budget=0)),
    )
    assert sent_google(server) == {"thinking_config": {"thinking_budget": 0}}


def test_client_defaults_merge_with_the_call(server: VertexServer) -> None:
    company = gemini_options(
        safety_settings=[SafetySetting("HARM_CATEGORY_HARASSMENT", "BLOCK_LOW_AND_ABOVE")],
        thinking_config=ThinkingConfig(thinking_budget=512, include_thoughts=True),
    )
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN, default_gemini_options=company)
    client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert sent_google(server) == company["extra_body"]["google"]

    per_call = gemini_options(thinking_config=ThinkingConfig(thinking_budget=2048))
    per_call["extra_body"]["labels"] = {"team": "ml"}  # an unrelated extra_body key
    client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=MESSAGES,
        extra_body={**per_call, "top_k": 5},
    )
    body = server.seen[-1].json
    assert body["extra_body"]["google"] == {
        "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_LOW_AND_ABOVE"}],
        "thinking_config": {"thinking_budget": 2048, "include_thoughts": True},
    }
    assert body["extra_body"]["labels"] == {"team": "ml"} and body["top_k"] == 5
    assert company == gemini_options(  # the defaults were not changed by the merge
        safety_settings=[SafetySetting("HARM_CATEGORY_HARASSMENT", "BLOCK_LOW_AND_ABOVE")],
        thinking_config=ThinkingConfig(thinking_budget=512, include_thoughts=True),
    )


def test_seed_form_is_moved_to_the_documented_place(server: VertexServer) -> None:
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN)
    client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=MESSAGES,
        extra_body={"google": {"thinking_config": {"include_thoughts": True}}},
    )
    body = server.seen[-1].json
    assert "google" not in body
    assert body["extra_body"] == {"google": {"thinking_config": {"include_thoughts": True}}}


def test_reasoning_effort_with_thinking_config_fails_before_sending(server: VertexServer) -> None:
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN)
    with pytest.raises(ValueError, match="reasoning_effort or a thinking_config"):
        client.chat.completions.create(
            model="gemini-2.5-flash",
            messages=MESSAGES,
            reasoning_effort="low",
            extra_body=gemini_options(thinking_config=ThinkingConfig(thinking_budget=10)),
        )
    assert server.seen == []


def test_reasoning_effort_of_a_call_beats_a_default_thinking_config(server: VertexServer) -> None:
    defaults = gemini_options(thinking_config=ThinkingConfig(thinking_budget=10), cached_content=None)
    client = VertexOpenAI(base_url=server.base_url, access_token=TOKEN, default_gemini_options=defaults)
    client.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES, reasoning_effort="high")
    body = server.seen[-1].json
    assert body["reasoning_effort"] == "high" and "extra_body" not in body


def test_default_options_must_be_gemini_options() -> None:
    with pytest.raises(ValueError, match="gemini_options"):
        VertexOpenAI(project="p1", access_token=TOKEN, default_gemini_options={"thinking_config": {}})


def test_copy_keeps_or_replaces_the_defaults(server: VertexServer) -> None:
    client = VertexOpenAI(
        base_url=server.base_url,
        access_token=TOKEN,
        default_gemini_options=gemini_options(thought_tag_marker="t"),
    )
    client.with_options(timeout=3).chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert sent_google(server) == {"thought_tag_marker": "t"}
    other = client.copy(default_gemini_options=gemini_options(thought_tag_marker="u"))
    other.chat.completions.create(model="gemini-2.5-flash", messages=MESSAGES)
    assert sent_google(server) == {"thought_tag_marker": "u"}


# --- deep merge, as a property ---
keys = st.sampled_from(["a", "b", "c", "thinking_config", "safety_settings"])
leaves = st.one_of(st.integers(), st.text(max_size=3), st.booleans(), st.lists(st.integers(), max_size=2))
trees = st.recursive(
    leaves, lambda children: st.dictionaries(keys, children, min_size=1, max_size=4), max_leaves=12
)
dicts = st.dictionaries(keys, trees, max_size=4)


def leaves_of(tree: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in tree.items():
        path = (*prefix, key)
        if isinstance(value, dict) and value:
            out.update(leaves_of(value, path))
        else:
            out[path] = value
    return out


@given(dicts, dicts)
def test_merge_lets_the_override_win_key_by_key(base: dict[str, Any], override: dict[str, Any]) -> None:
    before = copy.deepcopy((base, override))
    merged = deep_merge(base, override)
    assert (base, override) == before  # neither input changed
    merged_leaves = leaves_of(merged)
    for path, value in leaves_of(override).items():
        assert merged_leaves[path] == value
    for path, value in leaves_of(base).items():
        overridden = any(path[: len(p)] == p or p[: len(path)] == path for p in leaves_of(override))
        if not overridden:
            assert merged_leaves[path] == value
