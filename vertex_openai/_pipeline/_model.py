"""The one model rule: what the caller wrote -> the model Vertex is asked for.

Every surface (chat, embeddings, models, the Responses bridge, 404 hints, Batch, failover) resolves
a model name here, so an alias or a partner id means the same everywhere:

1. `model_aliases` first (an Azure deployment name, a short name of the user's);
2. on the shared `endpoints/openapi` route: an explicit `publisher/name` stays; a bare id the partner
   table documents gets its publisher (`llama-3.3-70b-instruct-maas` -> `meta/...`); a bare `gemini-*`
   gets `google/`; any other bare id is Google's (its wire form is left as written);
3. on a self-deployed endpoint the name is sent as written (after aliases): the endpoint decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .._util import remember
from ._maas import ModelTable, PartnerModel

__all__ = ["GOOGLE", "RESPONSES_PUBLISHERS", "ModelResolver", "ResolvedModel", "gemini_generation"]

GOOGLE = "google"
#: Publishers whose models Vertex serves on its own `/responses` route (no bridging to chat).
RESPONSES_PUBLISHERS = ("xai",)
_CACHE_SIZE = 256  # distinct names a client resolves; past it the cache is cleared (names are few)


@dataclass(frozen=True)
class ResolvedModel:
    """A model as one client resolves it."""

    requested: str  # what the caller wrote
    wire: str  # what the request body carries (`google/gemini-2.5-flash`, `meta/...`, or as written)
    publisher: str  # `google` for bare ids
    name: str  # without the publisher
    partner: PartnerModel | None  # the table's entry, when it documents the model
    openapi_route: bool  # resolved for the shared route (else a self-deployed endpoint)

    @property
    def id(self) -> str:
        """`publisher/name` (what `models.retrieve()` and Batch name)."""
        return f"{self.publisher}/{self.name}"

    @cached_property
    def is_google(self) -> bool:
        return self.publisher == GOOGLE and not self.name.endswith("-maas")

    @cached_property
    def is_gemini(self) -> bool:
        return self.is_google and self.name.startswith("gemini")

    @cached_property
    def gemini_generation(self) -> int | None:
        """3 for `gemini-3-pro-preview`, 2 for `gemini-2.5-flash`, None for other models."""
        return gemini_generation(self.name) if self.is_gemini else None

    @property
    def embedding_model(self) -> str | None:
        """The `:predict` model id when this is a Google model on the shared route, else None."""
        return self.name if self.openapi_route and self.is_google else None

    @property
    def served_on_responses(self) -> bool:
        """Whether Vertex serves this model on its own `/responses` route (no bridging then)."""
        return self.publisher in RESPONSES_PUBLISHERS


def gemini_generation(model: str) -> int | None:
    """3 for `google/gemini-3-pro-preview` (or a bare `gemini-3-...`), 2 for `gemini-2.5-flash`, None for
    other models. Also for model names Vertex sends back (a response's `model`), which need no resolving."""
    publisher, slash, name = model.rpartition("/")
    if slash and publisher.rsplit("/", 1)[-1] != GOOGLE:
        return None
    if not name.startswith("gemini-") or name.endswith("-maas"):
        return None
    head = name[len("gemini-") :].split("-", 1)[0].split(".", 1)[0]
    return int(head) if head.isdigit() else None


class ModelResolver:
    """Resolves model names for one client (aliases, partner table, route); cached, thread-safe."""

    def __init__(self, aliases: Mapping[str, str], table: ModelTable, *, openapi_route: bool) -> None:
        self.aliases = aliases
        self.table = table
        self.openapi_route = openapi_route
        self._cache: dict[str, ResolvedModel] = {}

    def __call__(self, model: str) -> ResolvedModel:
        found = self._cache.get(model)
        if found is None:
            found = remember(self._cache, model, self._resolve(model), _CACHE_SIZE)
        return found

    def _resolve(self, model: str) -> ResolvedModel:
        wanted = self.aliases.get(model, model)
        publisher, slash, name = wanted.partition("/")
        partner = self.table.find(wanted)
        if slash:
            wire = wanted
        elif not self.openapi_route:
            publisher, name, wire = GOOGLE, wanted, wanted
        elif partner is not None and partner.publisher != GOOGLE:
            publisher, name, wire = partner.publisher, wanted, partner.id
        else:
            publisher, name = GOOGLE, wanted
            wire = f"{GOOGLE}/{wanted}" if wanted.startswith("gemini") else wanted
        return ResolvedModel(
            requested=model,
            wire=wire,
            publisher=publisher,
            name=name,
            partner=partner,
            openapi_route=self.openapi_route,
        )
