"""Typed Gemini options, and the `extra_body` wire shape that carries them.

Vertex reads Gemini-only fields from the request body at `"extra_body": {"google": {...}}`. openai's
`extra_body=` argument merges its keys into the top level of the body, so the value to pass is
`{"extra_body": {"google": {...}}}`: `gemini_options()` builds exactly that.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypedDict, TypeVar

__all__ = [
    "GeminiOptions",
    "HarmBlockMethod",
    "HarmBlockThreshold",
    "HarmCategory",
    "SafetySetting",
    "ThinkingConfig",
    "REASONING_EFFORT_BUDGETS",
    "REASONING_EFFORTS",
    "ThinkingLevel",
    "gemini_options",
]

#: The thinking budgets (tokens) Vertex maps OpenAI's `reasoning_effort` to, as Google documents them.
REASONING_EFFORT_BUDGETS: Mapping[str, int] = {"low": 1024, "medium": 8192, "high": 24576}

#: The `reasoning_effort` values each Gemini family accepts, from Google's "Thinking" and OpenAI
#: compatibility pages: (model name prefix, accepted values), the longest matching prefix wins.
#: Gemini 2.5 maps them to thinking budgets (`REASONING_EFFORT_BUDGETS`, `none` -> 0 where thinking can
#: be turned off: Flash and Flash-Lite); Gemini 3 maps them to thinking levels and cannot turn thinking
#: off (`none` refused); 3 Pro has the levels LOW and HIGH (`medium` maps to HIGH), `minimal` exists on
#: Flash models only. Models before 2.5 do not think. A Gemini model not in the table is not checked.
REASONING_EFFORTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("gemini-1.", frozenset()),
    ("gemini-2.0-", frozenset()),
    ("gemini-2.5-pro", frozenset({"low", "medium", "high"})),
    ("gemini-2.5-flash", frozenset({"none", "low", "medium", "high"})),
    ("gemini-3-pro", frozenset({"low", "medium", "high"})),
    ("gemini-3-flash", frozenset({"minimal", "low", "medium", "high"})),
    ("gemini-3.1-pro", frozenset({"low", "medium", "high"})),
    ("gemini-3.1-flash", frozenset({"minimal", "low", "medium", "high"})),
)
_EFFORT_ORDER = ("none", "minimal", "low", "medium", "high")


def accepted_reasoning_efforts(model: str) -> frozenset[str] | None:
    """The `reasoning_effort` values `model` (a name, with or without `google/`) accepts; None when the
    table does not know the model."""
    name = model.rsplit("/", 1)[-1]
    found: tuple[str, frozenset[str]] | None = None
    for prefix, accepted in REASONING_EFFORTS:
        if name.startswith(prefix) and (found is None or len(prefix) > len(found[0])):
            found = (prefix, accepted)
    return found[1] if found is not None else None


def check_reasoning_effort(body: Mapping[str, object], model: str) -> Mapping[str, object]:
    """Request step: `body` unchanged when its `reasoning_effort` is one `model` accepts (or absent, or
    the model unknown to `REASONING_EFFORTS`); else a ValueError naming the model and the accepted
    values, before any request (Vertex would answer 400)."""
    effort = body.get("reasoning_effort")
    if effort is None:
        return body
    accepted = accepted_reasoning_efforts(model)
    if accepted is None or effort in accepted:
        return body
    if not accepted:
        raise ValueError(f"reasoning_effort={effort!r}: {model} does not think; leave reasoning_effort out.")
    values = ", ".join(repr(value) for value in _EFFORT_ORDER if value in accepted)
    raise ValueError(f"reasoning_effort={effort!r} is not accepted by {model}; it accepts {values}.")


class HarmCategory(str, Enum):
    """Safety categories (the `IMAGE_*` ones and `JAILBREAK` exist on Vertex AI only)."""

    HARM_CATEGORY_HATE_SPEECH = "HARM_CATEGORY_HATE_SPEECH"
    HARM_CATEGORY_DANGEROUS_CONTENT = "HARM_CATEGORY_DANGEROUS_CONTENT"
    HARM_CATEGORY_HARASSMENT = "HARM_CATEGORY_HARASSMENT"
    HARM_CATEGORY_SEXUALLY_EXPLICIT = "HARM_CATEGORY_SEXUALLY_EXPLICIT"
    HARM_CATEGORY_CIVIC_INTEGRITY = "HARM_CATEGORY_CIVIC_INTEGRITY"  # deprecated by Google
    HARM_CATEGORY_IMAGE_HATE = "HARM_CATEGORY_IMAGE_HATE"
    HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT = "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT"
    HARM_CATEGORY_IMAGE_HARASSMENT = "HARM_CATEGORY_IMAGE_HARASSMENT"
    HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT = "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT"
    HARM_CATEGORY_JAILBREAK = "HARM_CATEGORY_JAILBREAK"


class HarmBlockThreshold(str, Enum):
    BLOCK_LOW_AND_ABOVE = "BLOCK_LOW_AND_ABOVE"
    BLOCK_MEDIUM_AND_ABOVE = "BLOCK_MEDIUM_AND_ABOVE"
    BLOCK_ONLY_HIGH = "BLOCK_ONLY_HIGH"
    BLOCK_NONE = "BLOCK_NONE"
    OFF = "OFF"


class HarmBlockMethod(str, Enum):
    SEVERITY = "SEVERITY"
    PROBABILITY = "PROBABILITY"


class ThinkingLevel(str, Enum):
    """Gemini 3 and later; Gemini 2.5 models take `thinking_budget` instead."""

    MINIMAL = "MINIMAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


_E = TypeVar("_E", bound=Enum)


def _member(enum: type[_E], value: _E | str, argument: str) -> _E:
    if isinstance(value, enum):
        return value
    try:
        return enum(value.upper() if isinstance(value, str) else value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValueError(f"{argument}={value!r} is not one of: {allowed}.") from None


@dataclass(frozen=True)
class ThinkingConfig:
    """How much a thinking model thinks, and whether thought summaries come back.

    `thinking_budget`: tokens (0 turns thinking off on Flash models, -1 lets the model decide).
    `thinking_level`: Gemini 3+ only; not together with `thinking_budget`.
    """

    thinking_budget: int | None = None
    include_thoughts: bool | None = None
    thinking_level: ThinkingLevel | str | None = None

    def __post_init__(self) -> None:
        budget = self.thinking_budget
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < -1):
            raise ValueError(f"thinking_budget={budget!r} must be a whole number >= 0, or -1 (dynamic).")
        if self.include_thoughts is not None and not isinstance(self.include_thoughts, bool):
            raise ValueError(f"include_thoughts={self.include_thoughts!r} must be True or False.")
        if self.thinking_level is not None:
            level = _member(ThinkingLevel, self.thinking_level, "thinking_level")
            object.__setattr__(self, "thinking_level", level)
            if budget is not None:
                raise ValueError(
                    "Give thinking_level or thinking_budget, not both (Vertex rejects the pair)."
                )

    def to_dict(self) -> dict[str, object]:
        """The JSON object Vertex expects under `google.thinking_config`."""
        out: dict[str, object] = {}
        if self.thinking_budget is not None:
            out["thinking_budget"] = self.thinking_budget
        if self.include_thoughts is not None:
            out["include_thoughts"] = self.include_thoughts
        if isinstance(self.thinking_level, ThinkingLevel):
            out["thinking_level"] = self.thinking_level.value
        return out


@dataclass(frozen=True)
class SafetySetting:
    """One safety rule: block `category` at `threshold` (scored by `method`, PROBABILITY by default)."""

    category: HarmCategory | str
    threshold: HarmBlockThreshold | str
    method: HarmBlockMethod | str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", _member(HarmCategory, self.category, "category"))
        object.__setattr__(self, "threshold", _member(HarmBlockThreshold, self.threshold, "threshold"))
        if self.method is not None:
            object.__setattr__(self, "method", _member(HarmBlockMethod, self.method, "method"))

    def to_dict(self) -> dict[str, str]:
        out = {"category": _value(self.category), "threshold": _value(self.threshold)}
        if self.method is not None:
            out["method"] = _value(self.method)
        return out


def _value(member: Enum | str) -> str:
    return member.value if isinstance(member, Enum) else member


_CACHED_CONTENT_RE = re.compile(r"projects/[^/\s]+/locations/[^/\s]+/cachedContents/[^/\s]+")
_TAG_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


_Built = TypeVar("_Built", "ThinkingConfig", "SafetySetting")


def _built(kind: type[_Built], value: object, argument: str) -> _Built:
    """`value` as a `kind`: the object itself, or one built from a mapping of its fields."""
    if isinstance(value, kind):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{argument} must be a {kind.__name__} or a dict of its fields, not {type(value).__name__}."
        )
    fields = {f.name for f in dataclasses.fields(kind)}
    unknown = [str(key) for key in value if key not in fields]
    if unknown:
        raise TypeError(
            f"{argument} has unknown fields {', '.join(unknown)}; "
            f"{kind.__name__} takes {', '.join(sorted(fields))}."
        )
    return kind(**value)


def check_tag_marker(marker: object, argument: str) -> str:
    """`marker` if it is a tag name such as `think` (`<think>...</think>`); else a ValueError naming
    `argument`."""
    if not isinstance(marker, str) or not _TAG_RE.fullmatch(marker):
        raise ValueError(f"{argument}={marker!r} must be a tag name such as 'think' (no angle brackets).")
    return marker


class GeminiOptions(TypedDict):
    """What `gemini_options()` returns: `**` it into a call, or pass it as `default_gemini_options=`."""

    extra_body: dict[str, object]


def gemini_options(
    *,
    thinking_config: ThinkingConfig | Mapping[str, object] | None = None,
    safety_settings: Iterable[SafetySetting | Mapping[str, object]] | None = None,
    cached_content: str | None = None,
    thought_tag_marker: str | None = None,
    **more_google_fields: object,
) -> GeminiOptions:
    """The value to pass as `extra_body=`, in the documented wire shape.

    >>> gemini_options(thinking_config=ThinkingConfig(thinking_budget=1024))
    {'extra_body': {'google': {'thinking_config': {'thinking_budget': 1024}}}}

    Works with a plain `openai.OpenAI` pointed at Vertex too. Further documented `google` fields
    (`media_resolution`, `stream_function_call_arguments`, ...) pass through as keywords.
    """
    google: dict[str, object] = {}
    if thinking_config is not None:
        google["thinking_config"] = _built(ThinkingConfig, thinking_config, "thinking_config").to_dict()
    if safety_settings is not None:
        if isinstance(safety_settings, (str, Mapping, SafetySetting)):
            raise ValueError("safety_settings must be a list of SafetySetting (or dicts).")
        if not isinstance(safety_settings, Iterable):
            raise TypeError(
                "safety_settings must be a list of SafetySetting (or dicts), "
                f"not {type(safety_settings).__name__}."
            )
        google["safety_settings"] = [
            _built(SafetySetting, rule, "safety_settings[]").to_dict() for rule in safety_settings
        ]
    if cached_content is not None:
        if not isinstance(cached_content, str) or not _CACHED_CONTENT_RE.fullmatch(cached_content):
            raise ValueError(
                f"cached_content={cached_content!r} must be a full resource name: "
                "projects/{project}/locations/{location}/cachedContents/{id}."
            )
        google["cached_content"] = cached_content
    if thought_tag_marker is not None:
        google["thought_tag_marker"] = check_tag_marker(thought_tag_marker, "thought_tag_marker")
    google.update(more_google_fields)
    return {"extra_body": {"google": google}}
