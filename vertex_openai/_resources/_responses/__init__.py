"""The Responses API on Vertex AI: a local bridge from openai's `client.responses` to chat completions."""

from ._request import UnsupportedParameterError
from ._resources import AsyncResponses, Responses, UnknownResponseError, served_on_responses
from ._store import DEFAULT_MAX_RESPONSES, ConversationStore, InMemoryConversationStore, StoredResponse

__all__ = [
    "DEFAULT_MAX_RESPONSES",
    "AsyncResponses",
    "ConversationStore",
    "InMemoryConversationStore",
    "Responses",
    "StoredResponse",
    "UnknownResponseError",
    "UnsupportedParameterError",
    "served_on_responses",
]
