"""vertex-openai: the OpenAI Python client for Gemini on Vertex AI."""

from ._client import AsyncVertexOpenAI, VertexOpenAI
from ._errors import CredentialsNotFoundError, TokenRefreshError, VertexAuthError
from ._pipeline._maas import PARTNER_MODELS, PartnerModel
from ._pipeline._signatures import SignatureMemory
from ._pipeline._tiers import ServiceTier, TrafficType, traffic_type
from ._resources._embeddings import EmbeddingTaskType, embedding_options
from ._transport._auth import TokenSource
from ._version import __version__
from .gemini import (
    HarmBlockMethod,
    HarmBlockThreshold,
    HarmCategory,
    SafetySetting,
    ThinkingConfig,
    ThinkingLevel,
    gemini_options,
)
from .media import GeneratedImage, response_images
from .thoughts import (
    SKIP_THOUGHT_SIGNATURE,
    ThoughtKind,
    ThoughtSplitter,
    add_placeholder_signatures,
    iter_thoughts,
    split_thoughts,
)

__all__ = [
    "PARTNER_MODELS",
    "SKIP_THOUGHT_SIGNATURE",
    "AsyncVertexOpenAI",
    "CredentialsNotFoundError",
    "EmbeddingTaskType",
    "GeneratedImage",
    "HarmBlockMethod",
    "HarmBlockThreshold",
    "HarmCategory",
    "PartnerModel",
    "SafetySetting",
    "ServiceTier",
    "SignatureMemory",
    "ThinkingConfig",
    "ThinkingLevel",
    "ThoughtKind",
    "ThoughtSplitter",
    "TokenRefreshError",
    "TokenSource",
    "TrafficType",
    "VertexAuthError",
    "VertexOpenAI",
    "__version__",
    "add_placeholder_signatures",
    "embedding_options",
    "gemini_options",
    "iter_thoughts",
    "response_images",
    "split_thoughts",
    "traffic_type",
]
