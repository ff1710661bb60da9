"""Every example script runs, offline, against the local stand-ins for Google (harness.py)."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest
from fake_gemini import GREETING, SIGNATURE
from harness import ROOT, LocalGoogle
from helpers_api import chat_helper_marks

EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

# what each script must print (the fake Gemini answers from the request, see fake_gemini.py)
EXPECTED = {
    "quickstart.py": [GREETING],
    "streaming.py": [GREETING, "final message role: assistant"],
    "async_concurrent.py": ["19 " + GREETING],
    "thinking.py": ["reasoning_effort=low: " + GREETING, "tokens: 20 in, 20 out (8 thinking), 40 total"],
    "thought_tags.py": ["thoughts: Thinking it over carefully.", "answer: " + GREETING, "--- thought ---"],
    "function_calling.py": ["calling get_weather({'city': 'Paris'})", "The tools said: 18°C."],
    "image_understanding.py": [GREETING],
    "audio_input.py": [GREETING],
    "structured_output.py": ["City(name='example', country='example', population=1)"],
    "safety_settings.py": [GREETING],
    "context_cache.py": [GREETING, "prompt tokens: 20"],
    "search_grounding.py": [GREETING],
    "image_generation.py": ["saved generated-0.png"],
    "model_garden_endpoint.py": ["/locations/us-central1/endpoints/1234567890/", GREETING],
    "embeddings.py": ["3 vectors of 256 dimensions, 28 tokens", GREETING],
    "partner_models.py": [
        "meta/llama-4-maverick-17b-128e-instruct-maas: us-east5",
        f"meta/llama-4-maverick-17b-128e-instruct-maas -> {GREETING}",
        "available: google/gemini-2.5-flash",
    ],
    "service_tier.py": [GREETING, "served as: not reported"],
}


def test_every_example_is_checked() -> None:
    assert {path.name for path in EXAMPLES} == set(EXPECTED)


@pytest.mark.parametrize(
    "path",
    [pytest.param(path, id=path.name, marks=chat_helper_marks(path.read_text())) for path in EXAMPLES],
)
def test_example_runs(
    path: Path,
    local_google: LocalGoogle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path)])
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    for expected in EXPECTED[path.name]:
        assert expected in out
    assert local_google.tokens.requests == 1  # one token for the whole script, however many calls


def test_examples_send_what_vertex_expects(
    local_google: LocalGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["example"])
    for name in ("function_calling.py", "safety_settings.py", "image_understanding.py"):
        runpy.run_path(str(ROOT / "examples" / name), run_name="__main__")
    bodies = [seen.json for seen in local_google.vertex.seen]
    loop = bodies[1]  # function calling, second turn: the signature went back
    assert loop["messages"][1]["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == SIGNATURE
    safety = [b["extra_body"]["google"]["safety_settings"] for b in bodies[2:4]]
    assert [len(rules) for rules in safety] == [2, 1]
    image_parts = [b["messages"][0]["content"][1]["image_url"]["url"] for b in bodies[4:6]]
    assert image_parts[0].startswith("data:image/png;base64,") and image_parts[1].startswith("gs://")
    assert all(b["model"].startswith("google/") for b in bodies)
    assert json.dumps(bodies)  # all JSON-serialisable, as sent
