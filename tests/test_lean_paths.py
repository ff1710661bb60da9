"""The per-call and import-time fast paths keep their meaning: `import vertex_openai` leaves the
Responses bridge and Batch unimported until used, a first turn skips only the steps about replies,
and a token source's `current()` gives a token only when nothing needs refreshing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fakes import STATIC_TOKEN

from vertex_openai import VertexOpenAI
from vertex_openai._compat import FinalRequestOptions
from vertex_openai._pipeline._steps import STEPS, Attempt, _has_replies
from vertex_openai._transport._auth import StaticTokenSource, TokenSource


def test_import_leaves_the_responses_bridge_and_batch_for_first_use() -> None:
    code = (
        "import sys, vertex_openai\n"
        "lazy = ('vertex_openai._resources._responses', 'vertex_openai._resources._batch', "
        "'vertex_openai._resources._models', 'openai.lib.streaming.responses')\n"
        "heavy = [m for m in sys.modules if m.startswith(lazy)]\n"
        "print(heavy)\n"
        "client = vertex_openai.VertexOpenAI(access_token='t', project='p', location='us-central1')\n"
        "client.responses, client.batches, client.models\n"
        "print(lazy[0] in sys.modules, lazy[1] in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "True True"]


@pytest.mark.parametrize(
    ("messages", "replies"),
    [
        ([{"role": "system", "content": "s"}, {"role": "user", "content": "u"}], False),
        ([{"role": "developer", "content": "d"}, {"role": "user", "content": "u"}], False),
        ([{"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}], True),
        ([{"role": "user", "content": "u"}, {"role": "tool", "tool_call_id": "c", "content": "r"}], True),
        ([{"role": "user", "content": "u"}, "not a message"], True),
        ("not a list", True),
    ],
)
def test_a_first_turn_is_told_from_one_with_replies(messages: object, replies: bool) -> None:
    assert _has_replies(messages) is replies


def _planned(client: VertexOpenAI, body: dict[str, object], *, extra_body: bool = False) -> set[str]:
    """The steps the pipeline planned for one chat attempt with `body` (through `prepare` itself)."""
    pipeline = client._vertex.pipeline
    pipeline._chat_plans.clear()
    options = FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=body)
    if extra_body:
        options.extra_json = {}
    pipeline.prepare(options)
    (runs,) = pipeline._chat_plans.values()
    return {step.name for step in STEPS if step.run in runs}


PROMPT: list[object] = [{"role": "user", "content": "u"}]
REPLY: list[object] = [*PROMPT, {"role": "assistant", "content": "a"}, {"role": "user", "content": "v"}]
ALWAYS = {"origin", "model", "partner_notes", "telemetry"}


def test_a_chat_plan_leaves_out_only_the_steps_with_nothing_to_do() -> None:
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="global")
    assert {step.name for step in STEPS if step.replies} == {"history", "signatures"}
    assert _planned(client, {"model": "m", "messages": PROMPT}) == ALWAYS
    assert _planned(client, {"model": "m", "messages": REPLY}) == ALWAYS | {"history", "signatures"}
    assert _planned(client, {"messages": PROMPT, "tools": []}) == ALWAYS | {"schemas"}
    assert _planned(client, {"messages": PROMPT, "response_format": {}}) == ALWAYS | {"schemas"}
    assert _planned(client, {"messages": PROMPT, "reasoning_effort": "low"}) == ALWAYS | {"reasoning_effort"}
    assert _planned(client, {"messages": PROMPT, "service_tier": "flex"}) == ALWAYS | {"service_tier"}
    with_extra = ALWAYS | {"gemini_options", "service_tier"}
    assert _planned(client, {"messages": PROMPT}, extra_body=True) == with_extra


def test_client_defaults_keep_their_steps_in_every_chat_plan() -> None:
    client = VertexOpenAI(
        access_token=STATIC_TOKEN,
        project="p",
        location="global",
        default_gemini_options={"extra_body": {"google": {"thinking_config": {"thinking_budget": 0}}}},
        default_service_tier="flex",
    )
    assert _planned(client, {"messages": PROMPT}) == ALWAYS | {"gemini_options", "service_tier"}


def test_a_step_left_out_would_have_changed_nothing() -> None:
    """What a plan leaves out is a no-op on such a body: the full plan shapes the same options."""
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="us-central1")
    pipeline = client._vertex.pipeline
    body = {"model": "gemini-2.5-flash", "messages": PROMPT}
    options = FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=body)
    lean = pipeline.prepare(options.model_copy())
    full = options.model_copy()
    attempt = Attempt(full, "chat", body)
    for run in pipeline._plan["chat"]:
        run(attempt, pipeline.setup)
    assert lean.model_dump() == full.model_dump()


def test_current_is_the_static_token_and_none_by_default() -> None:
    assert StaticTokenSource("tok", quota_project=None).current() == "tok"

    class Provider(TokenSource):
        def token(self, timeout: float | None = None) -> str:
            return "fresh"

        def describe(self) -> str:
            return "test"

    source = Provider()
    assert source.current() is None and source.cold() is False
