"""One test body for both clients: `mode` picks VertexOpenAI or AsyncVertexOpenAI.

Use with `@pytest.mark.parametrize("mode", MODES)` where a sync test and its async twin would say
the same thing. The async client's calls run on one event loop kept for the client's lifetime, so
a test can make several calls (and change the servers between them) as it would with the sync one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from types import TracebackType
from typing import Any, Literal, TypeVar

from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI

Mode = Literal["sync", "async"]
_T = TypeVar("_T")
MODES: tuple[Mode, ...] = ("sync", "async")


class EitherClient:
    """A VertexOpenAI or an AsyncVertexOpenAI built with the same options, called the same way."""

    def __init__(self, mode: Mode, **options: Any) -> None:
        self.mode = mode
        self.client: VertexOpenAI | AsyncVertexOpenAI
        self._loop: asyncio.AbstractEventLoop | None = None
        if mode == "sync":
            self.client = VertexOpenAI(**options)
        else:
            self.client = AsyncVertexOpenAI(**options)
            self._loop = asyncio.new_event_loop()

    def create(self, *, model: str, messages: Iterable[ChatCompletionMessageParam]) -> ChatCompletion:
        """chat.completions.create(), awaited when the client is async."""
        if isinstance(self.client, VertexOpenAI):
            return self.client.chat.completions.create(model=model, messages=messages)
        assert self._loop is not None
        done = self.client.chat.completions.create(model=model, messages=messages)
        return self._loop.run_until_complete(done)

    def post(self, path: str, *, body: object) -> object:
        """The client's low-level post(), awaited when the client is async."""
        if isinstance(self.client, VertexOpenAI):
            return self.client.post(path, cast_to=object, body=body)
        assert self._loop is not None
        return self._loop.run_until_complete(self.client.post(path, cast_to=object, body=body))

    def run(self, awaitable: Awaitable[_T]) -> _T:
        """Await `awaitable` on the async client's loop (for calls the helpers above do not cover)."""
        assert self._loop is not None, "run() is for the async client"
        return self._loop.run_until_complete(awaitable)

    def close(self) -> None:
        if isinstance(self.client, VertexOpenAI):
            self.client.close()
            return
        assert self._loop is not None
        self._loop.run_until_complete(self.client.close())
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())  # as asyncio.run() does
        self._loop.close()

    def __enter__(self) -> EitherClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
