"""Usage as the bill sees it: Vertex's cached and thinking token counts, in openai's usage fields.

Vertex's OpenAI-compatible endpoint counts thinking apart from the answer: `completion_tokens`
leaves thinking out and `total_tokens = prompt + completion + thinking` (the recordings: 35 + 12,
total 109). OpenAI's usage counts reasoning inside `completion_tokens`
(`completion_tokens_details.reasoning_tokens` is a part of it) and `total = prompt + completion`,
and cost tools price `completion_tokens` at the output rate, which is how Google bills thinking.
`bill_usage` rewrites one response's usage in place so that it reads as OpenAI's does:

- `prompt_tokens_details.cached_tokens`: the cached-content count, from the first of: openai's own
  field, Google's `cachedContentTokenCount` / `cached_content_token_count`. Google's prompt count
  includes the cached tokens, as OpenAI's does: `prompt_tokens` is left as it is.
- `completion_tokens_details.reasoning_tokens`: the thinking count, from the first of: openai's own
  field, Google's `thoughtsTokenCount` / `thoughts_token_count`; with neither, the tokens that
  `total_tokens` counts beyond prompt + completion (less any reported tool-use prompt tokens).
- the gap `total - prompt - completion`: Google's tool-use prompt tokens
  (`toolUsePromptTokenCount`, billed as input) move into `prompt_tokens`, the thinking tokens into
  `completion_tokens`, each at most what the gap holds, so prompt + completion adds up to the
  unchanged `total_tokens`. An answer whose counts already add up keeps them (applying the rule
  twice changes nothing).

Google's counts are read where the endpoint may put them: in `usage` itself, in
`usage.extra_properties.google` / `usage.extra_content.google`, in the body's
`extra_content.google`, and in a `usage_metadata` / `usageMetadata` object in any of these or at
the top of the body.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

__all__ = ["bill_usage"]

#: Google's count names (camel case as in its REST JSON, snake case as in its Python types), by kind
_NAMES = {
    "cachedContentTokenCount": "cached",
    "cached_content_token_count": "cached",
    "thoughtsTokenCount": "thoughts",
    "thoughts_token_count": "thoughts",
    "toolUsePromptTokenCount": "tool_prompt",
    "tool_use_prompt_token_count": "tool_prompt",
}
#: usage keys of openai's own (nothing of Google's to read) and body keys that may hold Google's counts
_OPENAI_KEYS = frozenset(
    {
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "prompt_tokens_details",
        "completion_tokens_details",
    }
)
_BODY_KEYS = frozenset({"extra_content", "usage_metadata", "usageMetadata"})
_METADATA = ("usage_metadata", "usageMetadata")


def bill_usage(body: object) -> None:
    """Rewrite the `usage` of a chat completion or chunk (raw JSON) in place; see the module docstring.

    Anything that is not a dict with a dict `usage` is left alone."""
    if not isinstance(body, dict) or not isinstance(usage := body.get("usage"), dict):
        return
    if usage.keys() <= _OPENAI_KEYS and _BODY_KEYS.isdisjoint(body):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if (
            type(prompt) is int
            and type(completion) is int
            and prompt >= 0
            and completion >= 0
            and usage.get("total_tokens") == prompt + completion
        ):
            return  # the common case: counts that add up, nothing of Google's to read (every stream chunk)
    prompt = _count(usage.get("prompt_tokens"))
    completion = _count(usage.get("completion_tokens"))
    total = _count(usage.get("total_tokens"))
    google = _google_counts(body, usage)

    prompt_details = usage.get("prompt_tokens_details")
    cached = _count(prompt_details.get("cached_tokens")) if isinstance(prompt_details, dict) else None
    if cached is None:
        cached = google.get("cached")
        if cached is not None:
            usage["prompt_tokens_details"] = {**_dict(prompt_details), "cached_tokens": cached}

    completion_details = usage.get("completion_tokens_details")
    reasoning = (
        _count(completion_details.get("reasoning_tokens")) if isinstance(completion_details, dict) else None
    )
    reported_reasoning = reasoning is not None
    if reasoning is None:
        reasoning = google.get("thoughts")

    if prompt is None or completion is None or total is None:
        if reasoning is not None and not reported_reasoning:
            usage["completion_tokens_details"] = {**_dict(completion_details), "reasoning_tokens": reasoning}
        return
    gap = total - prompt - completion
    if gap > 0:
        tool_prompt = min(google.get("tool_prompt", 0), gap)
        gap -= tool_prompt
        usage["prompt_tokens"] = prompt + tool_prompt
        if reasoning is None:
            reasoning = gap
        usage["completion_tokens"] = completion + min(reasoning, gap)
    if reasoning is not None and not reported_reasoning:
        usage["completion_tokens_details"] = {**_dict(completion_details), "reasoning_tokens": reasoning}


def _places(body: Mapping[str, object], usage: Mapping[str, object]) -> Iterator[Mapping[str, object]]:
    """Where Google's counts may sit, in the order they are read."""
    for place in (
        usage,
        _google(usage.get("extra_properties")),
        _google(usage.get("extra_content")),
        _google(body.get("extra_content")),
        body,
    ):
        if place is None:
            continue
        if place is not body:
            yield place
        for key in _METADATA:
            metadata = place.get(key)
            if isinstance(metadata, Mapping):
                yield metadata


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _google(extra: object) -> Mapping[str, object] | None:
    google = extra.get("google") if isinstance(extra, Mapping) else None
    return google if isinstance(google, Mapping) else None


def _google_counts(body: Mapping[str, object], usage: Mapping[str, object]) -> dict[str, int]:
    """Google's counts by kind; the first place (in `_places` order) that has a kind wins."""
    counts: dict[str, int] = {}
    for place in _places(body, usage):
        for name, kind in _NAMES.items():
            if name in place and kind not in counts:
                count = _count(place[name])
                if count is not None:
                    counts[kind] = count
    return counts


def _count(value: object) -> int | None:
    """A token count: a non-negative int (Google's JSON may send int64 counts as strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and value >= 0 else None
