"""Every python block of docs/frameworks.md runs as written, against the Vertex-shaped local server,
in the venv that has its framework (blocks importing a module not installed here are not collected)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import harness
import pytest
from integrations.vertex_shape import SENT_MODEL, VertexShape

DOC = Path(__file__).resolve().parents[2] / "docs" / "frameworks.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def imports(block: str) -> list[str]:
    """The modules a block imports that are not the standard library, pydantic or vertex_openai."""
    names = re.findall(r"^(?:from|import) ([\w.]+)", block, flags=re.M)
    return [str(name) for name in names if name.split(".")[0] not in {"asyncio", "pydantic", "vertex_openai"}]


def framework(block: str) -> str:
    """The first of `imports(block)`: the framework a block shows."""
    found = imports(block)
    assert found, f"no framework import in:\n{block}"
    return found[0]


def installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


RUNNABLE = [
    pytest.param(block, id=f"{number}-{framework(block)}")
    for number, block in enumerate(BLOCKS)
    if all(installed(name) for name in imports(block))  # every module it imports (an instrumentor too)
]


def test_every_block_names_a_framework() -> None:
    assert len(BLOCKS) >= 8
    assert all(framework(block) for block in BLOCKS)


@pytest.mark.parametrize("block", RUNNABLE)
def test_block_runs(
    block: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_key_pem: str
) -> None:
    local = harness.start(monkeypatch, tmp_path, private_key_pem)  # ADC key file, GOOGLE_CLOUD_PROJECT
    gemini = VertexShape()
    local.vertex.responder = gemini
    try:
        exec(compile(block, str(DOC), "exec"), {"__name__": "docs_frameworks"})
    finally:
        harness.stop(local)
        if "OpenAIInstrumentor().instrument()" in block:  # process-wide: leave none behind
            importlib.import_module(
                "opentelemetry.instrumentation.openai_v2"
            ).OpenAIInstrumentor().uninstrument()
    assert gemini.bodies, "the block sent nothing to Vertex"
    assert all(body["model"] == SENT_MODEL for body in gemini.bodies)
