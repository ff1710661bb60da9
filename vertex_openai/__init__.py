"""vertex-openai: the OpenAI Python client for Gemini on Vertex AI."""

from ._auth import TokenSource
from ._client import AsyncVertexOpenAI, VertexOpenAI
from ._errors import CredentialsNotFoundError, TokenRefreshError, VertexAuthError
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
    "SKIP_THOUGHT_SIGNATURE",
    "AsyncVertexOpenAI",
    "CredentialsNotFoundError",
    "GeneratedImage",
    "HarmBlockMethod",
    "HarmBlockThreshold",
    "HarmCategory",
    "SafetySetting",
    "ThinkingConfig",
    "ThinkingLevel",
    "ThoughtKind",
    "ThoughtSplitter",
    "TokenRefreshError",
    "TokenSource",
    "VertexAuthError",
    "VertexOpenAI",
    "__version__",
    "add_placeholder_signatures",
    "gemini_options",
    "iter_thoughts",
    "response_images",
    "split_thoughts",
]
