"""Runs user-facing code (examples, README blocks, the notebook, the CLI) as written, offline.

Application Default Credentials point at a generated service-account key whose token_uri is the
local token server, GOOGLE_CLOUD_PROJECT is set, and the client's resolved base URL is moved from
Google's host to the local Vertex-like server, which answers like Gemini (fake_gemini.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from fake_gemini import gemini_reply
from fakes import TokenServer, VertexServer, service_account_info

from vertex_openai import _client
from vertex_openai._transport._endpoint import Endpoint, resolve_endpoint

ROOT = Path(__file__).resolve().parents[1]

# The same redirection, as code for a notebook kernel (another process); format with root=...
KERNEL_SETUP = """
import dataclasses, re, vertex_openai._client as _c
_real = _c.resolve_endpoint
def _local(**kwargs):
    endpoint = _real(**kwargs)
    return dataclasses.replace(endpoint, base_url=re.sub(r"^https://[^/]+", {root!r}, endpoint.base_url))
_c.resolve_endpoint = _local
"""


@dataclass
class LocalGoogle:
    tokens: TokenServer
    vertex: VertexServer
    key_file: Path
    env: dict[str, str]


def redirect(monkeypatch: pytest.MonkeyPatch, root: str) -> None:
    """Every client built from now on sends to `root` instead of Google's host."""

    def local(**kwargs: Any) -> Endpoint:
        endpoint = resolve_endpoint(**kwargs)
        return replace(endpoint, base_url=re.sub(r"^https://[^/]+", root, endpoint.base_url))

    monkeypatch.setattr(_client, "resolve_endpoint", local)  # where the client looks it up


def start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_key_pem: str) -> LocalGoogle:
    tokens = TokenServer()
    vertex = VertexServer(tokens)
    vertex.responder = gemini_reply
    key = tmp_path / "service-account.json"
    key.write_text(json.dumps(service_account_info(tokens.token_uri, private_key_pem)))
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(key), "GOOGLE_CLOUD_PROJECT": "test-project"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    redirect(monkeypatch, vertex.root)
    return LocalGoogle(tokens, vertex, key, env)


def stop(local: LocalGoogle) -> None:
    local.vertex.close()
    local.tokens.close()
