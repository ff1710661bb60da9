"""What a resource (embeddings, models, responses, files, batches) needs from its client.

The client hands each resource this small typed view when it makes it, so no resource reads the
client's private state. Implemented by `_client._Vertex`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ._options import VertexOptions
    from ._pipeline._model import ResolvedModel
    from ._resources._responses._store import ConversationStore
    from ._transport._auth import TokenSource
    from ._transport._endpoint import Endpoint

__all__ = ["ClientContext"]


class ClientContext(Protocol):
    """A client's resolved target, options, credentials and model rule."""

    @property
    def options(self) -> VertexOptions:
        """The Vertex options the client was built with."""
        ...

    @property
    def endpoint(self) -> Endpoint:
        """Where requests go (base URL, project, location, route)."""
        ...

    @property
    def token_source(self) -> TokenSource:
        """The client's Google access tokens (shared with its copies)."""
        ...

    def resolve(self, model: str) -> ResolvedModel:
        """`model` as this client sends it (aliases, publisher, route): the one model rule."""
        ...

    @property
    def responses_store(self) -> ConversationStore:
        """The Responses bridge's store, shared with the client's copies."""
        ...

    def use_responses_store(self, store: ConversationStore) -> None:
        """Replace the Responses bridge's store (for the client and its copies)."""
        ...
