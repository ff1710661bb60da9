"""A client's Vertex options: one typed, frozen object, checked once when it is made.

`copy()` / `with_options()` derive a new one with `dataclasses.replace`, so a copy is checked by
the same rules. Every check names the argument and the type it expects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ._endpoint import API_VERSIONS
from ._maas import ModelTable, PartnerModel
from ._tiers import check_tier

_M = TypeVar("_M")
_T = TypeVar("_T")

__all__ = ["VertexOptions", "check_max_retries", "check_mapping", "check_timeout"]


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

    def __post_init__(self) -> None:
        for name in ("project", "location", "endpoint_id", "base_url"):
            _optional_text(getattr(self, name), name)
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

    def changed(
        self,
        *,
        project: str | None = None,
        location: str | None = None,
        api_version: str | None = None,
        endpoint_id: str | None = None,
        base_url: str | None = None,
        model_aliases: Mapping[str, str] | None = None,
        default_gemini_options: Mapping[str, object] | None = None,
        default_service_tier: str | None = None,
        partner_models: Iterable[PartnerModel] | None = None,
    ) -> VertexOptions:
        """These options with the given ones changed (None keeps a value). Moving to another project,
        location, API version or endpoint drops an explicit `base_url` unless a new one is given."""
        moved = any(value is not None for value in (project, location, api_version, endpoint_id))
        return dataclasses.replace(
            self,
            project=self.project if project is None else project,
            location=self.location if location is None else location,
            api_version=self.api_version if api_version is None else api_version,
            endpoint_id=self.endpoint_id if endpoint_id is None else endpoint_id,
            base_url=base_url if base_url is not None else None if moved else self.base_url,
            model_aliases=self.model_aliases if model_aliases is None else model_aliases,
            default_gemini_options=default_gemini_options or self.default_gemini_options,
            default_service_tier=default_service_tier or self.default_service_tier,
            partner_models=self.partner_models if partner_models is None else tuple(partner_models),
        )


def _optional_text(value: object, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {type(value).__name__}.")
    if not value.strip():
        raise ValueError(f"{name} must not be empty; leave it out (None) to use the default.")


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
