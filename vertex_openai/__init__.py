"""vertex-openai: the OpenAI Python client for Gemini on Vertex AI."""

from ._auth import TokenSource
from ._client import AsyncVertexOpenAI, VertexOpenAI
from ._errors import CredentialsNotFoundError, TokenRefreshError, VertexAuthError
from ._version import __version__

__all__ = [
    "AsyncVertexOpenAI",
    "CredentialsNotFoundError",
    "TokenRefreshError",
    "TokenSource",
    "VertexAuthError",
    "VertexOpenAI",
    "__version__",
]
