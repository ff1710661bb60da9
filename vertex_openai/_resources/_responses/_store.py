"""Where `store=True` responses live, so `previous_response_id`, `retrieve` and `delete` work.

The default keeps the last `max_responses` responses in memory, shared by a client and its copies
(oldest evicted first). A server with several processes passes its own `ConversationStore` (any
object with `get`, `put` and `delete`; `StoredResponse.to_dict`/`from_dict` give a JSON form).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from openai.types.responses import Response

from ..._util import JSONObject

__all__ = ["DEFAULT_MAX_RESPONSES", "ConversationStore", "InMemoryConversationStore", "StoredResponse"]

#: How many responses the default store keeps per client (and its copies).
DEFAULT_MAX_RESPONSES = 1000


@dataclass(frozen=True)
class StoredResponse:
    """A stored response and the chat messages of its conversation so far (instructions excluded:
    like OpenAI, a follow-up's `instructions` replace the earlier ones)."""

    response: Response
    messages: tuple[JSONObject, ...]

    def to_dict(self) -> JSONObject:
        """A JSON-ready form, for stores that keep responses outside the process."""
        return {"response": self.response.model_dump(mode="json"), "messages": list(self.messages)}

    @classmethod
    def from_dict(cls, data: JSONObject) -> StoredResponse:
        messages = data["messages"]
        kept = (
            [message for message in messages if isinstance(message, dict)]
            if isinstance(messages, list)
            else []
        )
        if not isinstance(messages, list) or len(kept) != len(messages):
            raise ValueError("a stored response's messages must be a list of JSON objects")
        return cls(Response.model_validate(data["response"]), tuple(kept))


@runtime_checkable
class ConversationStore(Protocol):
    """The interface of a response store. Calls are synchronous and must be thread-safe."""

    def get(self, response_id: str) -> StoredResponse | None:
        """The stored response, or None if unknown (never stored, evicted or deleted)."""
        ...

    def put(self, response_id: str, record: StoredResponse) -> None:
        """Keep `record` under `response_id`."""
        ...

    def delete(self, response_id: str) -> bool:
        """Forget `response_id`; whether it was there."""
        ...


class InMemoryConversationStore:
    """The default store: the newest `max_responses` responses, in this process's memory."""

    def __init__(self, max_responses: int = DEFAULT_MAX_RESPONSES) -> None:
        if not isinstance(max_responses, int) or max_responses < 1:
            raise ValueError(f"max_responses must be a positive int, got {max_responses!r}.")
        self.max_responses = max_responses
        self._records: OrderedDict[str, StoredResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            return self._records.get(response_id)

    def put(self, response_id: str, record: StoredResponse) -> None:
        with self._lock:
            self._records[response_id] = record
            self._records.move_to_end(response_id)
            while len(self._records) > self.max_responses:
                self._records.popitem(last=False)

    def delete(self, response_id: str) -> bool:
        with self._lock:
            return self._records.pop(response_id, None) is not None

    def __len__(self) -> int:
        return len(self._records)
