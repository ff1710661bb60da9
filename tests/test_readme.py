"""README's Python examples run as written (against local stand-ins for Google)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import ROOT, LocalGoogle

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(
    code: str,
    local_google: LocalGoogle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    assert local_google.vertex.seen, "the example made no request"
    assert all(
        s.headers["authorization"].startswith("Bearer ya29.local-token") for s in local_google.vertex.seen
    )
    out = capsys.readouterr().out
    assert out or list(tmp_path.glob("*.png"))
