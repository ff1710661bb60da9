"""A client's Vertex options: declared once, here, as one typed, frozen object checked when made.

The constructors keep explicit keyword-only signatures (for users' IDEs), but take the options from
this declaration (`VertexOptions.of`), `copy()` / `with_options()` derive a new one with `changed`
(`dataclasses.replace`, so a copy is checked by the same rules) and hand it back as constructor
keywords (`arguments`), and the client's repr shows what differs from the defaults (`describe`).
`tests/test_options.py` fails when a declared option is missing from a constructor or `copy()`.
Adding an option: a field here (with its check in `__post_init__`), the keyword in both constructors
and `copy()`, and its behaviour where it applies. Every check names the argument.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._pipeline._maas import ModelTable, PartnerModel
from ._pipeline._tiers import check_tier
from ._transport._endpoint import API_VERSIONS, is_location

_M = TypeVar("_M")
_T = TypeVar("_T")

__all__ = ["OPTION_NAMES", "VertexOptions", "check_max_retries", "check_mapping", "check_timeout"]


@dataclass(frozen=True)
class VertexOptions:
    """Where a client sends requests and how it shapes them (credentials live in its token source)."""

    project: str | None = None
    location: str | None = None
    api_version: str = "v1"
    endpoint_id: str | None = None
    base_url: str | None = None
    model_aliases: Mapping[str, str] = field(default_factory=dict)
    default_gemini_options: Mapping[str, object] | None = None
    default_service_tier: str | None = None
    partner_models: tuple[PartnerModel, ...] = ()
    #: Google's placeholder signature for unsigned tool calls of a Gemini 3 turn (other models' calls)
    placeholder_signatures: bool = True
    #: tool call ids that carry the call's thought signature (`call_<hex>_ts1...`), so a history kept
    #: anywhere (a database, another process) still holds it; False: short random ids
    signature_ids: bool = True
    #: `gs://bucket/prefix` for batch files (`client.files` / `client.batches`); None: env
    #: VERTEX_OPENAI_BATCH_BUCKET when used
    batch_bucket: str | None = None
    #: locations tried in turn after a 429 RESOURCE_EXHAUSTED (within openai's retries; see `_failover`)
    fallback_locations: tuple[str, ...] = ()

    @classmethod
    def of(cls, arguments: Mapping[str, Any]) -> VertexOptions:
        """The options among a constructor's arguments (its `locals()`): each declared field by name."""
        return cls(**{name: arguments[name] for name in OPTION_NAMES})

    def arguments(self) -> dict[str, object]:
        """These options as constructor keywords."""
        return {name: getattr(self, name) for name in OPTION_NAMES}

    def describe(self) -> str:
        """`name=value` for each option that differs from its default (for a client's repr)."""
        defaults = VertexOptions()
        shown = [f"{n}={getattr(self, n)!r}" for n in _SHOWN if getattr(self, n) != getattr(defaults, n)]
        return ", ".join(shown)

    def __post_init__(self) -> None:
        models: object = self.partner_models
        if isinstance(models, (str, PartnerModel)) or (
            models is not None and not isinstance(models, Iterable)
        ):
            raise TypeError(f"partner_models must be a list of PartnerModel, not {type(models).__name__}.")
        object.__setattr__(self, "partner_models", tuple(self.partner_models or ()))
        if self.model_aliases is None:
            object.__setattr__(self, "model_aliases", {})
        for name in ("project", "location", "endpoint_id", "base_url", "batch_bucket"):
            _optional_text(getattr(self, name), name)
        if self.batch_bucket is not None and not self.batch_bucket.startswith("gs://"):
            raise ValueError(f"batch_bucket={self.batch_bucket!r} must be a gs://bucket[/prefix] URI.")
        for name in ("placeholder_signatures", "signature_ids"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, not {type(getattr(self, name)).__name__}.")
        if not isinstance(self.api_version, str) or self.api_version not in API_VERSIONS:
            raise ValueError(
                f"api_version={self.api_version!r} is not supported; use one of {', '.join(API_VERSIONS)}."
            )
        aliases = check_mapping(
            self.model_aliases, "model_aliases", "a mapping of model names to model names"
        )
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in (aliases or {}).items()):
            raise TypeError("model_aliases must map model names (str) to Vertex model names (str).")
        object.__setattr__(self, "model_aliases", dict(aliases or {}))
        check_mapping(
            self.default_gemini_options, "default_gemini_options", "the value gemini_options() returns"
        )
        check_tier(self.default_service_tier, location=None, argument="default_service_tier")
        object.__setattr__(self, "partner_models", ModelTable(self.partner_models).extra)
        object.__setattr__(
            self, "fallback_locations", _fallback_locations(self.fallback_locations, self.location)
        )

    def changed(self, changes: Mapping[str, object]) -> VertexOptions:
        """These options with the given ones changed (None keeps a value; `copy()`'s rule). Moving to
        another project, location, API version or endpoint drops an explicit `base_url` unless a new
        one is given."""
        given: dict[str, Any] = {name: value for name, value in changes.items() if value is not None}
        unknown = set(given) - set(OPTION_NAMES)
        if unknown:
            raise TypeError(f"unknown Vertex options: {', '.join(sorted(unknown))}")
        if "base_url" not in given and any(
            n in given for n in ("project", "location", "api_version", "endpoint_id")
        ):
            given["base_url"] = None
        return dataclasses.replace(self, **given)  # each value checked again in __post_init__


def _optional_text(value: object, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {type(value).__name__}.")
    if not value.strip():
        raise ValueError(f"{name} must not be empty; leave it out (None) to use the default.")


def _fallback_locations(value: object, location: str | None) -> tuple[str, ...]:
    """`fallback_locations` as a tuple: a list or tuple of distinct locations other than `location`."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            "fallback_locations must be a list of Vertex AI locations such as ['us-east5', 'global'], "
            f"not {type(value).__name__}."
        )
    for item in value:
        if not isinstance(item, str):
            raise TypeError(f"fallback_locations must hold location names (str), not {type(item).__name__}.")
        if not is_location(item):
            raise ValueError(
                f"fallback_locations holds {item!r}, which is not a Vertex AI location; use 'global', a "
                "region such as 'us-east5', or the multi-regions 'us' / 'eu'."
            )
    if len(set(value)) != len(value):
        twice = sorted({item for item in value if value.count(item) > 1})
        raise ValueError(f"fallback_locations names {', '.join(map(repr, twice))} more than once.")
    if location is not None and location in value:
        raise ValueError(
            f"fallback_locations must not name the client's own location {location!r} (it is tried first)."
        )
    return tuple(value)


def check_mapping(value: _M, name: str, expected: str) -> _M:
    """`value` if it is None or a mapping; else a TypeError naming `name`."""
    if value is not None and not isinstance(value, Mapping):
        raise TypeError(f"{name} must be {expected}, not {type(value).__name__}.")
    return value


def check_timeout(timeout: _T) -> _T:
    """openai's `timeout`: seconds >= 0, an httpx Timeout, None (no limit) or NOT_GIVEN."""
    if isinstance(timeout, bool) or (isinstance(timeout, (int, float)) and timeout < 0):
        raise ValueError(f"timeout={timeout!r} must be a number of seconds >= 0, an httpx.Timeout, or None.")
    if timeout is not None and not isinstance(timeout, (int, float)) and not hasattr(timeout, "read"):
        import openai

        if not isinstance(timeout, openai.NotGiven):
            raise TypeError(
                f"timeout must be seconds (float), an httpx.Timeout or None, not {type(timeout).__name__}."
            )
    return timeout


def check_max_retries(max_retries: object) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries={max_retries!r} must be a whole number >= 0.")
    return max_retries


#: The declared options, in order: what the constructors, `copy()` and `VertexOptions.of` take.
OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(VertexOptions))
_SHOWN = tuple(n for n in OPTION_NAMES if n not in ("project", "location", "base_url"))  # repr shows those
