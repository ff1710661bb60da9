"""Partner and open models served as a service (MaaS) on Vertex AI's OpenAI-compatible route.

A small table, each entry citing the Google page that documents it. It gives a bare documented id
(`llama-3.3-70b-instruct-maas`) its publisher (`meta/llama-3.3-70b-instruct-maas`), names the
locations Google documents for a model when Vertex answers 404, and carries per-model notes (Llama 4
answers with empty text unless `max_tokens` is sent: the client warns, it does not invent a limit).

The table is data: extend it with `PartnerModel(...)` entries through the client's `partner_models=`
option (or `model_aliases=` for a plain rename). Locations are as documented when the entry was
written; Google adds locations over time, so they are used for hints, never to refuse a request.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["PARTNER_MODELS", "PartnerModel"]

_LLAMA = "https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/llama/use-llama"
_DEEPSEEK = "https://cloud.google.com/vertex-ai/generative-ai/docs/maas/deepseek"
_EMBEDDINGS = "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations"

_GENAI_REGIONS = (
    "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west4",
    "northamerica-northeast1", "southamerica-east1", "europe-west1", "europe-north1", "europe-west3",
    "europe-west2", "europe-southwest1", "europe-west8", "europe-west4", "europe-west9", "europe-central2",
    "europe-west6", "asia-east1", "asia-east2", "asia-south1", "asia-northeast3", "asia-southeast1",
    "australia-southeast1", "asia-northeast1", "me-west1",
)  # fmt: skip


@dataclass(frozen=True)
class PartnerModel:
    """One model Vertex serves: its id as chat calls take it, where Google documents it, and notes."""

    id: str  # `publisher/model`, e.g. "meta/llama-3.3-70b-instruct-maas"
    locations: tuple[str, ...] = ()  # documented locations; () when the page names none
    source: str = ""  # the Google page that documents the model
    notes: str = ""
    needs_max_tokens: bool = False  # answers with empty text unless max_tokens is sent

    @property
    def publisher(self) -> str:
        return self.id.partition("/")[0]

    @property
    def name(self) -> str:
        return self.id.partition("/")[2]


PARTNER_MODELS: tuple[PartnerModel, ...] = (
    PartnerModel(
        "meta/llama-4-maverick-17b-128e-instruct-maas",
        ("us-east5",),
        _LLAMA,
        "Llama 4 answers with empty text unless max_tokens is sent.",
        needs_max_tokens=True,
    ),
    PartnerModel(
        "meta/llama-4-scout-17b-16e-instruct-maas",
        ("us-east5",),
        _LLAMA,
        "Llama 4 answers with empty text unless max_tokens is sent.",
        needs_max_tokens=True,
    ),
    PartnerModel("meta/llama-3.3-70b-instruct-maas", ("us-central1",), _LLAMA),
    PartnerModel(
        "meta/llama-3.2-90b-vision-instruct-maas",
        ("us-central1",),
        _LLAMA,
        "With an image, the image must come first in the prompt, and only one image.",
    ),
    PartnerModel("meta/llama-3.1-405b-instruct-maas", ("us-central1",), _LLAMA),
    PartnerModel("meta/llama-3.1-70b-instruct-maas", ("us-central1",), _LLAMA),
    PartnerModel("meta/llama-3.1-8b-instruct-maas", ("us-central1",), _LLAMA),
    PartnerModel(
        "deepseek-ai/deepseek-v3.1-maas",
        ("us-west2",),
        _DEEPSEEK,
        "Thinking and non-thinking modes; thoughts arrive in reasoning_content.",
    ),
    PartnerModel(
        "deepseek-ai/deepseek-r1-0528-maas",
        ("us-central1",),
        _DEEPSEEK,
        "Thoughts arrive in reasoning_content.",
    ),
    # Google's embedding models (native :predict route, see _embeddings); not served on `global`.
    PartnerModel("google/text-embedding-005", _GENAI_REGIONS, _EMBEDDINGS),
    PartnerModel("google/text-multilingual-embedding-002", _GENAI_REGIONS, _EMBEDDINGS),
    PartnerModel("google/gemini-embedding-001", _GENAI_REGIONS, _EMBEDDINGS, "One text per request."),
)


class ModelTable:
    """Look-ups over the built-in table and a client's own entries (which win)."""

    def __init__(self, extra: Iterable[PartnerModel] = ()) -> None:
        if isinstance(extra, (str, PartnerModel)) or not isinstance(extra, Iterable):
            raise TypeError("partner_models must be a list of PartnerModel entries.")
        self.extra = tuple(extra)
        entries = [*PARTNER_MODELS, *self.extra]
        for entry in entries:
            if not isinstance(entry, PartnerModel) or entry.id.count("/") != 1:
                raise ValueError(
                    f"partner_models entries must be PartnerModel('publisher/model', ...), got {entry!r}."
                )
        self.by_id: Mapping[str, PartnerModel] = {entry.id: entry for entry in entries}
        self.by_name: Mapping[str, PartnerModel] = {entry.name: entry for entry in entries}
        self._warned: set[str] = set()

    def find(self, model: str) -> PartnerModel | None:
        return self.by_id.get(model) or (self.by_name.get(model) if "/" not in model else None)

    def full_name(self, model: str) -> str:
        """`model` with its publisher prefix when it is a bare id the table documents."""
        entry = self.by_name.get(model) if "/" not in model else None
        return entry.id if entry is not None and entry.publisher != "google" else model

    def check_request(self, model: str, body: Mapping[str, object]) -> None:
        """Warn (once per model) about a request the model will answer badly."""
        entry = self.find(model)
        if entry is None or not entry.needs_max_tokens or entry.id in self._warned:
            return
        if body.get("max_tokens") is None and body.get("max_completion_tokens") is None:
            self._warned.add(entry.id)
            warnings.warn(
                f"{entry.id} answers with empty text unless max_tokens is sent: pass max_tokens=... "
                f"(see {entry.source}).",
                UserWarning,
                stacklevel=2,
            )

    def location_hint(self, model: str, location: str | None) -> str | None:
        """For a 404: the locations Google documents for `model`, and how to use one."""
        entry = self.find(model)
        if entry is None or not entry.locations or location in entry.locations:
            return None
        where = ", ".join(entry.locations[:6]) + (", ..." if len(entry.locations) > 6 else "")
        return (
            f"{entry.id} is documented in {where} (not {location!r}; {entry.source}): use "
            f"client.with_options(location={entry.locations[0]!r})."
        )


DEFAULT_TABLE = ModelTable()
