"""The per-call and import-time fast paths keep their meaning: `import vertex_openai` leaves the
Responses bridge and Batch unimported until used, a first turn skips only the steps about replies,
a plan leaves out the steps about other models, and a token source's `current()` gives a token only
when nothing needs refreshing."""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Mapping

import pytest
from fakes import STATIC_TOKEN

from vertex_openai import VertexOpenAI
from vertex_openai._compat import FinalRequestOptions
from vertex_openai._pipeline._steps import STEPS, Attempt, _has_replies
from vertex_openai._pipeline._telemetry import TRACE_MODULE
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


def _planned(
    client: VertexOpenAI,
    body: Mapping[str, object],
    *,
    extra_body: bool = False,
    url: str = "/chat/completions",
) -> set[str]:
    """The steps the pipeline planned for one attempt with `body` (through `prepare` itself)."""
    pipeline = client._vertex.pipeline
    pipeline._plans.clear()
    options = FinalRequestOptions.construct(method="post", url=url, json_data=body)
    if extra_body:
        options.extra_json = {}
    pipeline.prepare(options)
    ((_, runs),) = pipeline._plans.values()
    return {step.name for step in STEPS if step.run in runs}


PROMPT: list[object] = [{"role": "user", "content": "u"}]
REPLY: list[object] = [*PROMPT, {"role": "assistant", "content": "a"}, {"role": "user", "content": "v"}]
ALWAYS: set[str] = set()  # a first turn of a model named as on the wire has nothing to shape
GEMINI = "google/gemini-2.5-flash"  # already its wire name: no `model` step


@pytest.fixture(autouse=True)
def untraced(monkeypatch: pytest.MonkeyPatch) -> None:
    """These plans are for a process without OpenTelemetry (other tests may have imported it)."""
    monkeypatch.delitem(sys.modules, TRACE_MODULE, raising=False)


def test_the_telemetry_step_is_planned_once_opentelemetry_is_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="global")
    assert _planned(client, {"model": GEMINI, "messages": PROMPT}) == set()
    imported = types.ModuleType(TRACE_MODULE)  # as far as the plan looks: it is imported
    called: list[str] = []

    def get_current_span() -> object:
        called.append("span")
        return types.SimpleNamespace(is_recording=bool)  # not recording: nothing to annotate

    imported.get_current_span = get_current_span  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, TRACE_MODULE, imported)
    assert _planned(client, {"model": GEMINI, "messages": PROMPT}) == {"telemetry"}
    assert called == ["span"]  # the step ran and asked for the current span


def test_a_chat_plan_leaves_out_only_the_steps_with_nothing_to_do() -> None:
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="global")
    assert {step.name for step in STEPS if step.replies} == {"history", "signatures"}
    assert _planned(client, {"model": GEMINI, "messages": PROMPT}) == ALWAYS
    assert _planned(client, {"model": GEMINI, "messages": REPLY}) == ALWAYS | {"history", "signatures"}
    assert _planned(client, {"model": GEMINI, "messages": PROMPT, "tools": []}) == ALWAYS | {"schemas"}
    formatted = {"model": GEMINI, "messages": PROMPT, "response_format": {}}
    assert _planned(client, formatted) == ALWAYS | {"schemas"}
    effort = {"model": GEMINI, "messages": PROMPT, "reasoning_effort": "low"}
    assert _planned(client, effort) == ALWAYS | {"reasoning_effort"}
    assert _planned(client, {"messages": PROMPT, "service_tier": "flex"}) == ALWAYS | {"service_tier"}
    with_extra = ALWAYS | {"gemini_options", "service_tier"}
    assert _planned(client, {"messages": PROMPT}, extra_body=True) == with_extra


def test_a_plan_leaves_out_the_steps_about_other_models() -> None:
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="global")
    # a bare Gemini name is renamed (`google/...`); a partner's id gets its publisher and its notes
    assert _planned(client, {"model": "gemini-2.5-flash", "messages": PROMPT}) == ALWAYS | {"model"}
    partner = {"model": "llama-3.3-70b-instruct-maas", "messages": PROMPT}
    assert _planned(client, partner) == ALWAYS | {"model", "partner_notes"}
    # Gemini's schema and reasoning-effort rules are not asked for another model's body
    other = {"model": "meta/llama-3.3-70b-instruct-maas", "messages": PROMPT, "tools": []}
    other["reasoning_effort"] = "low"
    assert _planned(client, other) == ALWAYS | {"partner_notes"}
    # other routes: the model step when the name changes, nothing of chat's (no chat shape: every step
    # of the route, as `service_tier`)
    embed = {"model": "gemini-embedding-001", "input": "x"}
    assert _planned(client, embed, url="/embeddings") == ALWAYS | {"model", "service_tier"}
    assert _planned(client, {"input": "x"}, url="/embeddings") == ALWAYS | {"service_tier"}


def test_a_plan_is_kept_per_model_named() -> None:
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="global")
    pipeline = client._vertex.pipeline
    pipeline._plans.clear()
    for model in ("gemini-2.5-flash", GEMINI, "gemini-2.5-flash"):
        options = FinalRequestOptions.construct(
            method="post", url="/chat/completions", json_data={"model": model, "messages": PROMPT}
        )
        assert pipeline.prepare(options).json_data == {"model": GEMINI, "messages": PROMPT}
    assert len(pipeline._plans) == 2


def test_an_attempt_is_told_not_to_follow_redirects_when_its_http_client_would() -> None:
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="global")
    assert client._client.follow_redirects is False  # the HTTP client openai made for it
    for follows in (True, False):
        options = FinalRequestOptions.construct(method="post", url="/chat/completions", json_data={})
        client._vertex.pipeline.prepare(options, follows)
        assert options.follow_redirects is (False if follows else None)  # None: the client's own (False)


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
    full.follow_redirects = False  # (`prepare` turns redirects off on every attempt, before any step)
    attempt = Attempt(full, "chat", body, pipeline.setup.resolve("gemini-2.5-flash"))
    for step in pipeline.steps:  # every chat step, whatever its models and wants
        if step.routes is None or "chat" in step.routes:
            step.run(attempt, pipeline.setup)
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
