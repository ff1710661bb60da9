"""The per-call and import-time fast paths keep their meaning: `import vertex_openai` leaves the
Responses bridge and Batch unimported until used, a first turn skips only the steps about replies,
and a token source's `current()` gives a token only when nothing needs refreshing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fakes import STATIC_TOKEN

from vertex_openai import VertexOpenAI
from vertex_openai._pipeline._steps import STEPS, _has_replies
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


def test_a_first_turn_skips_only_the_steps_about_replies() -> None:
    client = VertexOpenAI(access_token=STATIC_TOKEN, project="p", location="us-central1")
    pipeline = client._vertex.pipeline
    skipped = {step.run for step in STEPS if step.replies}
    assert {step.name for step in STEPS if step.replies} == {"history", "signatures"}
    assert set(pipeline._plan["chat"]) - set(pipeline._first_turn) == skipped


def test_current_is_the_static_token_and_none_by_default() -> None:
    assert StaticTokenSource("tok", quota_project=None).current() == "tok"

    class Provider(TokenSource):
        def token(self, timeout: float | None = None) -> str:
            return "fresh"

        def describe(self) -> str:
            return "test"

    source = Provider()
    assert source.current() is None and source.cold() is False
