"""The recordings the tests replay live in the repository, each with its provenance."""

from __future__ import annotations

import re

import pytest
from recordings import RECORDINGS, load

NAMES = sorted(path.name for path in RECORDINGS.glob("*.json"))
README = (RECORDINGS / "README.md").read_text(encoding="utf-8")


def test_recordings_are_in_the_repository() -> None:
    assert NAMES == [
        "gemini-compat-stream-text.json",
        "gemini-compat-stream-tool-call.json",
        "gemini-compat-tool-call-thought-signature.json",
        "vertex-token-refresh-and-400.json",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_each_recording_names_its_source_and_the_readme_lists_it(name: str) -> None:
    source = load(name)["source"]
    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{7,40} \S.*", source), source
    repository_at_commit = source.split(" ", 1)[0]
    assert f"| `{name}` | {repository_at_commit} |" in README
