"""Small rules several modules share: a leaf module, importing nothing of the package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias, TypeVar, cast

#: A JSON object as the client reads and writes request and response bodies.
JSONObject: TypeAlias = "dict[str, object]"

#: Keyword arguments for one of openai's typed methods, built from JSON at run time: their values
#: are not known statically (the one place untyped values meet openai's signatures).
OpenAIKwargs: TypeAlias = "dict[str, Any]"


def deep_merge(base: Mapping[str, object], override: Mapping[str, object]) -> JSONObject:
    """A new dict: `override` wins key by key, nested dicts are merged, neither input is changed."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def field(obj: object, *names: str) -> Any:  # a JSON value or an openai object's attribute: unknown
    """`obj[name]` of a mapping, `obj.name` of an object (openai objects and their dicts alike): the
    first of `names` that is present and not None, else None (never raises)."""
    for name in names:
        found = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if found is not None:
            return found
    return None


_T = TypeVar("_T")


def typed_as(original: _T, implementation: object) -> _T:
    """`implementation`, typed as `original`: an override that keeps the overridden attribute's type
    (openai's method signatures differ by major; the override takes their keywords as given)."""
    return cast("_T", implementation)


_K = TypeVar("_K")
_V = TypeVar("_V")


def remember(cache: dict[_K, _V], key: _K, value: _V, limit: int) -> _V:
    """Keep `value` under `key` in a cache of at most `limit` entries (cleared when full: what it holds
    is few and cheap to work out again) and return it. A dict's clear and set are atomic: a racing
    reader works its value out again."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value
