"""The Responses bridge's public names: the store interface and the errors.

`VertexOpenAI().responses` answers openai's Responses calls with Gemini through chat completions (see
README, "Responses API"). With `store=True` (the default) responses are kept for
`previous_response_id`, `responses.retrieve` and `responses.delete` in a store shared by a client and
its copies: by default the newest `DEFAULT_MAX_RESPONSES` in memory. A server with several processes
assigns its own: `client.responses.store = MyStore()`, any object with `get`, `put` and `delete`
(`ConversationStore`); `StoredResponse.to_dict()` / `from_dict()` give a JSON form to keep.
"""

from ._resources._responses import (
    DEFAULT_MAX_RESPONSES,
    ConversationStore,
    InMemoryConversationStore,
    StoredResponse,
    UnknownResponseError,
    UnsupportedParameterError,
    served_on_responses,
)

__all__ = [
    "DEFAULT_MAX_RESPONSES",
    "ConversationStore",
    "InMemoryConversationStore",
    "StoredResponse",
    "UnknownResponseError",
    "UnsupportedParameterError",
    "served_on_responses",
]
