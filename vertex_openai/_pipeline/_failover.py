"""Failover across locations (`fallback_locations=`): after a 429 RESOURCE_EXHAUSTED, the call's next
attempt goes to the next location.

openai's own retry loop does the retrying (its `max_retries` budget, its backoff); this module only
decides where each attempt goes. Three places take part, each a few lines:

- the pipeline's `failover` step (`Failover.route`), once per attempt: the first attempt of a call
  goes to the client's location; an attempt after a 429 RESOURCE_EXHAUSTED goes to the next location
  that can serve the request (wrapping around to the client's location when retries remain), logged
  at INFO once per switch; an attempt after any other failure (5xx, a timeout) stays where it was;
- the auth flow (`_signing.GoogleAuth`), which sees each attempt's answer: a 429 whose body says
  `RESOURCE_EXHAUSTED` marks the call (`Failover.answered`; the body is read only for a 429);
- the error shaping (`Failover.note`): the final error names each location tried, in order, and
  the locations skipped and why.

Per-call state: a `_Call` in a context variable. openai runs a call's attempts, their sends (and so
the auth flow) and its final error in one thread or task, one attempt after the other, and sets the
call's `idempotency_key` once before its retry loop, so the variable holds at most one small `_Call`
per thread or task: made at a call's first attempt (a new key), dropped on a success or the final
error. Nothing is shared between threads or tasks; nothing grows.

Each call starts at the client's location again (no cool-down: Google's quotas refill per minute,
and a remembered "exhausted" would send calls away from a location that has room again).

A fallback location is skipped for a call when it cannot serve it: a partner model (or a Google
embedding model) whose documented locations (`_maas`) leave it out, a context cache (`cached_content`,
bound to its region), a Flex or Priority tier (served on `global` only).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

from .._compat import FinalRequestOptions, http
from .._transport._endpoint import Endpoint, for_location, location_of, origin
from . import _body, _tiers
from ._maas import ModelTable, PartnerModel
from ._model import ResolvedModel

__all__ = ["Failover"]

log = logging.getLogger("vertex_openai")

_EXHAUSTED = b"RESOURCE_EXHAUSTED"
_PREDICT_RE = re.compile(r"/publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/:?]+):predict")


@dataclass
class _Call:
    """One call's attempts so far."""

    key: str  # openai's idempotency key: the same for every attempt of one call
    tried: list[str] = field(default_factory=list)  # the location of each attempt, in order
    exhausted: bool = False  # the last attempt was answered 429 RESOURCE_EXHAUSTED
    order: tuple[str, ...] | None = None  # the locations that can serve this call (worked out once)
    skipped: tuple[str, ...] = ()  # why fallback locations were left out


_CALL: ContextVar[_Call | None] = ContextVar("vertex_openai_failover", default=None)


class Failover:
    """Where each attempt of a call goes, for a client with `fallback_locations`."""

    def __init__(self, endpoint: Endpoint, fallbacks: tuple[str, ...], table: ModelTable) -> None:
        base_url = endpoint.base_url
        primary = location_of(base_url)
        if primary is None:
            raise ValueError(
                f"fallback_locations needs a base URL with a /locations/{{location}}/ segment to swap; "
                f"{base_url} has none (leave base_url out, or give one with the location in its path)."
            )
        if not endpoint.openapi_route:
            raise ValueError(
                "fallback_locations works on the shared endpoints/openapi route: a deployed endpoint "
                "(endpoint_id=, or a base_url to /endpoints/{id}) is served in its own location only."
            )
        if primary in fallbacks or (endpoint.location is not None and endpoint.location in fallbacks):
            raise ValueError(
                f"fallback_locations must not name the client's own location {primary!r} (it is tried first)."
            )
        self.primary = primary
        self.locations: tuple[str, ...] = (primary, *fallbacks)
        self.base_urls = {location: for_location(base_url, location) for location in self.locations}
        self.origins = frozenset(origin(url) for url in self.base_urls.values())
        self._table = table

    # --- the pipeline's step ---
    def route(self, options: FinalRequestOptions, model: ResolvedModel | None, inference: bool) -> str | None:
        """Point one attempt at its location (rewriting `options.url` away from the primary); the
        location, or None for a request that does not fail over: no idempotency key (a GET), or not
        `inference` (chat, embeddings, responses) nor a `:predict` (a batch job stays where it is made)."""
        key = options.idempotency_key
        call = _CALL.get()
        if key is None or not (inference or _PREDICT_RE.search(options.url)):
            if call is not None:
                _CALL.set(None)
            return None
        if call is None or call.key != key:
            call = _Call(key)
            _CALL.set(call)
            location = self.primary
        elif call.exhausted:
            location = self._next(call, options, model)
        else:
            location = call.tried[-1]  # a retry after a 5xx or a timeout stays where it was
        call.exhausted = False
        call.tried.append(location)
        if location != self.primary:
            options.url = self._url(options.url, location)
        return location

    def _next(self, call: _Call, options: FinalRequestOptions, model: ResolvedModel | None) -> str:
        if call.order is None:
            call.order, call.skipped = self._order(options, model)
        previous = call.tried[-1]
        order = call.order
        location = order[(order.index(previous) + 1) % len(order)] if previous in order else order[0]
        if location != previous:
            log.info(
                "429 RESOURCE_EXHAUSTED from location %s; the next attempt goes to %s (fallback_locations)",
                previous,
                location,
            )
        return location

    def _order(
        self, options: FinalRequestOptions, model: ResolvedModel | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the locations that can serve this request, in order; why the others are left out)."""
        google = _google_fields(options.extra_json)
        cache = google.get("cached_content")
        if isinstance(cache, str):
            return (self.primary,), (f"the context cache {cache} is bound to its own location",)
        headers = options.headers if isinstance(options.headers, Mapping) else {}
        shared = {name.lower(): value for name, value in headers.items()}.get(
            _tiers.SHARED_REQUEST_TYPE.lower()
        )
        entry = self._served(options.url, model)
        order = [self.primary]
        skipped = []
        for location in self.locations[1:]:
            if isinstance(shared, str) and location != "global":
                skipped.append(f"{location} (service_tier={shared!r} is served on global only)")
            elif entry is not None and entry.locations and location not in entry.locations:
                skipped.append(f"{location} ({entry.id} is documented in {', '.join(entry.locations[:6])})")
            else:
                order.append(location)
        return tuple(order), tuple(skipped)

    def _served(self, url: str, model: ResolvedModel | None) -> PartnerModel | None:
        """The table's entry for the request's model (the body's, or a `:predict` path's), if any."""
        if model is not None:
            return model.partner
        found = _PREDICT_RE.search(url)
        return self._table.find(f"{found['publisher']}/{found['model']}") if found else None

    def _url(self, url: str, location: str) -> str:
        if "://" in url:  # an absolute URL to one of the client's origins (the `origin` step checked)
            return for_location(url, location)
        return f"{self.base_urls[location]}/{url.lstrip('/')}"

    # --- the auth flow: each attempt's answer ---
    @staticmethod
    def answered(response: http.Response) -> None:
        """After an answer whose body has been read (a 429) or is not needed (< 400)."""
        call = _CALL.get()
        if call is None:
            return
        if response.status_code < 400:
            _CALL.set(None)  # the call succeeded: nothing more to remember
        elif response.status_code == 429 and _EXHAUSTED in response.content:
            call.exhausted = True

    # --- the final error ---
    def note(self, response: http.Response) -> str | None:
        """For a call's final error: each location tried, in order, and what was skipped; None when
        the call never left the client's location and skipped nothing."""
        call = _CALL.get()
        _CALL.set(None)  # the call is over
        if call is None or not call.tried or location_of(str(response.request.url)) != call.tried[-1]:
            return None
        tried = ", ".join(call.tried)
        if response.status_code == 429 and call.exhausted:
            text = f"failover: 429 RESOURCE_EXHAUSTED from each location tried: {tried}"
        elif len(set(call.tried)) > 1:
            text = f"failover: locations tried: {tried}; the last one answered this"
        else:
            return None
        if call.skipped:
            text += f"; skipped: {'; '.join(call.skipped)}"
            if call.order == (self.primary,):
                text += "; no fallback location can serve this request"
        untried = [location for location in call.order or self.locations if location not in call.tried]
        if untried and response.status_code == 429:
            text += f"; not reached: {', '.join(untried)} (raise max_retries= to try them)"
        return text


def _google_fields(extra: object) -> Mapping[str, object]:
    if not isinstance(extra, Mapping):
        return {}
    google, _ = _body.split_google(extra)
    return google
