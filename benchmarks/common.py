"""What every scenario shares: the in-memory Vertex endpoint, real credentials, the contenders.

Contenders, where the installed openai has them:
- `plain`: `openai.OpenAI` with a static key (the floor: no Google auth at all);
- `vertex-openai`: this SDK;
- `openai-provider`: `openai.providers.vertex` (openai >= 3.36) with the same credentials and base URL;
- `refresher-proxy`: a proxy in the style of Google's refresher sample, written from its
  description: refresh on attribute access when the credentials are not `valid`.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import google.auth.transport.requests
import openai
from google.oauth2 import service_account

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import TokenServer, completion, new_private_key_pem, service_account_info  # noqa: E402

from vertex_openai import AsyncVertexOpenAI, VertexOpenAI  # noqa: E402
from vertex_openai._transport._auth import CLOUD_PLATFORM_SCOPE  # noqa: E402

OPENAI_MAJOR = int(openai.__version__.split(".")[0])
http: Any = importlib.import_module("httpx2" if OPENAI_MAJOR >= 3 else "httpx")  # what openai talks through
BASE_URL = "https://aiplatform.googleapis.com/v1/projects/bench-project/locations/global/endpoints/openapi"
MODEL = "google/gemini-2.5-flash"
MESSAGES = [{"role": "user", "content": "Say hello"}]
COMPLETION = json.dumps(completion()).encode()


def keep_google_auth_offline() -> None:
    """google-auth >= 2.6x starts a "regional access boundary" lookup to iamcredentials.googleapis.com
    from `before_request` (which openai's provider calls). Nothing here may leave the machine."""
    target = service_account.Credentials
    if hasattr(target, "_maybe_start_regional_access_boundary_refresh"):
        target._maybe_start_regional_access_boundary_refresh = lambda self, request, url: None  # type: ignore[attr-defined]


class Endpoint:
    """An in-memory Vertex endpoint (openai's own transport interface): no sockets, no noise."""

    def __init__(
        self, latency: float = 0.0, body: bytes = COMPLETION, content_type: str = "application/json"
    ):
        self.latency = latency
        self.body = body
        self.content_type = content_type
        self.requests = 0
        self.tokens: list[str] = []
        self._lock = threading.Lock()

    def _respond(self, request: Any) -> Any:
        with self._lock:
            self.requests += 1
            self.tokens.append(request.headers.get("authorization", ""))
        return http.Response(200, content=self.body, headers={"content-type": self.content_type})

    def _handle(self, request: Any) -> Any:
        if self.latency:
            time.sleep(self.latency)
        return self._respond(request)

    async def _ahandle(self, request: Any) -> Any:
        if self.latency:
            await asyncio.sleep(self.latency)
        return self._respond(request)

    def client(self) -> Any:
        return http.Client(transport=http.MockTransport(self._handle))

    def aclient(self) -> Any:
        return http.AsyncClient(transport=http.MockTransport(self._ahandle))


class Google:
    """A local token server and service-account credentials whose token_uri points at it."""

    def __init__(self, private_key_pem: str | None = None) -> None:
        self.tokens = TokenServer()
        self.info = service_account_info(self.tokens.token_uri, private_key_pem or new_private_key_pem())

    def credentials(self) -> Any:
        """Fresh credentials (no token yet), scoped as every contender would scope them."""
        return service_account.Credentials.from_service_account_info(self.info, scopes=[CLOUD_PLATFORM_SCOPE])

    def close(self) -> None:
        self.tokens.close()


class RefresherProxy:
    """Google's refresher pattern: an object (not an OpenAI client) that refreshes in `__getattr__`."""

    def __init__(self, client: Any, credentials: Any) -> None:
        self.client = client
        self.creds = credentials

    def __getattr__(self, name: str) -> Any:
        if not self.creds.valid:
            self.creds.refresh(google.auth.transport.requests.Request())
            self.client.api_key = self.creds.token
        return getattr(self.client, name)


def has_provider() -> bool:
    try:
        importlib.import_module("openai.providers.vertex")
    except ImportError:
        return False
    return True


def contenders(endpoint: Endpoint, google: Google, *, use_async: bool = False) -> dict[str, Any]:
    """One client per contender, each with its own fresh credentials and the same transport."""
    make = endpoint.aclient if use_async else endpoint.client
    plain_cls = openai.AsyncOpenAI if use_async else openai.OpenAI
    vertex_cls = AsyncVertexOpenAI if use_async else VertexOpenAI
    out: dict[str, Any] = {
        "plain": plain_cls(api_key="static-key", base_url=BASE_URL, http_client=make()),
        "vertex-openai": vertex_cls(base_url=BASE_URL, credentials=google.credentials(), http_client=make()),
    }
    if has_provider():
        from openai.providers.vertex import vertex

        provider = vertex(credentials=google.credentials(), base_url=BASE_URL)
        out["openai-provider"] = plain_cls(provider=provider, http_client=make())  # type: ignore[call-arg]
        # google-auth's own fix for the blocking refresh: refresh in the background from STALE on
        nonblocking = google.credentials()
        nonblocking.with_non_blocking_refresh()  # sets the flag on these credentials (returns None)
        provider = vertex(credentials=nonblocking, base_url=BASE_URL)
        out["openai-provider-nonblocking"] = plain_cls(provider=provider, http_client=make())  # type: ignore[call-arg]
    out["refresher-proxy"] = RefresherProxy(
        plain_cls(api_key="not-yet", base_url=BASE_URL, http_client=make()), google.credentials()
    )
    return out
