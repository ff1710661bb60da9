"""openai's chat helpers (`parse`, `stream`) wherever the installed openai keeps them.

They live at `client.chat.completions` from openai 1.92.0 on, and only at
`client.beta.chat.completions` before (the floor, 1.83, included). Tests call them through
`chat_helpers(client)`, with the same assertions on every version; user-facing code (examples,
the notebook) is written for current openai and skipped where the installed openai lacks them.
"""

from __future__ import annotations

import re
from typing import cast, overload

import openai
import pytest
from openai.resources.chat import AsyncCompletions, Completions

MOVED_IN = "1.92.0"  # the first openai with chat.completions.parse/stream outside `beta`
HAS_CHAT_HELPERS = hasattr(Completions, "parse") and hasattr(Completions, "stream")
WHY_NOT = (
    f"uses client.chat.completions.parse/stream, which openai {openai.__version__} lacks (they moved "
    f"there in openai {MOVED_IN}; before that they are client.beta.chat.completions.parse/stream)"
)
needs_chat_helpers = pytest.mark.skipif(not HAS_CHAT_HELPERS, reason=WHY_NOT)

_HELPER_CALL = re.compile(r"(?<!beta\.)\bchat\.completions\.(?:parse|stream)\(")


def uses_chat_helpers(source: str) -> bool:
    """True when `source` calls chat.completions.parse() or .stream() (the path openai 1.92 added)."""
    return _HELPER_CALL.search(source) is not None


def chat_helper_marks(source: str) -> list[pytest.MarkDecorator]:
    """Marks for a test running `source`: skipped where openai lacks the helpers it calls."""
    return [needs_chat_helpers] if uses_chat_helpers(source) else []


@overload
def chat_helpers(client: openai.OpenAI) -> Completions: ...
@overload
def chat_helpers(client: openai.AsyncOpenAI) -> AsyncCompletions: ...
def chat_helpers(client: openai.OpenAI | openai.AsyncOpenAI) -> Completions | AsyncCompletions:
    """`client.chat.completions`, or before openai 1.92 `client.beta.chat.completions` (same helpers)."""
    if HAS_CHAT_HELPERS:
        return client.chat.completions
    beta = getattr(client, "beta").chat.completions  # noqa: B009 - openai 2+ has no beta.chat (for mypy)
    return cast("Completions | AsyncCompletions", beta)
