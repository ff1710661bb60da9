"""Local stand-ins for Google: an OAuth token server and a Vertex-like chat endpoint on 127.0.0.1.

Both run the real HTTP stack (google-auth's requests transport, openai's httpx client) against
loopback sockets, so every byte the SDK sends can be checked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import openai
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# The one token the `server` fixture's endpoint accepts (tests that need no token server).
STATIC_TOKEN = "ya29.static-test-token"

# Google's documented 401 body for a rejected access token (vertex-facts.md section 7).
UNAUTHENTICATED_401 = [
    {
        "error": {
            "code": 401,
            "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential.",
            "status": "UNAUTHENTICATED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                    "metadata": {"method": "google.cloud.aiplatform.v1.PredictionService.ChatCompletions"},
                }
            ],
        }
    }
]


def completion(text: str = "Hello!", model: str = "google/gemini-2.5-flash") -> dict[str, Any]:
    """A chat completion in the shape Vertex returns (ids and usage as Google sends them)."""
    return {
        "choices": [{"finish_reason": "stop", "index": 0, "message": {"content": text, "role": "assistant"}}],
        "created": 1748902366,
        "id": "3iE-aNK3EIGJz7IPt_mYoAs",
        "model": model,
        "object": "chat.completion",
        "usage": {"completion_tokens": 3, "prompt_tokens": 4, "total_tokens": 7},
    }


@dataclass
class Reply:
    status: int = 200
    json_body: Any = None
    text: str | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops SYNs from bursts of clients (1 s retransmits)


class _Server:
    def __init__(self, handle: Callable[[BaseHTTPRequestHandler, bytes], Reply]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = handle(self, body)
                payload = (reply.text if reply.text is not None else json.dumps(reply.json_body)).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = _HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class TokenServer:
    """An OAuth 2 token endpoint: counts grants, can be slowed, gated or made to fail."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started = 0
        self.issued: list[str] = []
        self.grants: list[dict[str, list[str]]] = []
        self.timeline: list[tuple[float, float]] = []  # (start, end) of each grant, time.perf_counter()
        self.delay = 0.0
        self.gate: threading.Event | None = None
        self.expires_in = 3599
        self.fail_with: tuple[int, dict[str, Any]] | None = None
        self.mint: Callable[[int], str] | None = None  # the access token of grant N (default: a valid one)
        self.server = _Server(self._handle)
        self.token_uri = f"{self.server.url}/token"

    @property
    def requests(self) -> int:
        return self.started

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> Reply:
        start = time.perf_counter()
        reply = self._grant(body)
        with self.lock:
            self.timeline.append((start, time.perf_counter()))
        return reply

    def _grant(self, body: bytes) -> Reply:
        with self.lock:
            self.started += 1
            number = self.started
            self.grants.append(parse_qs(body.decode()))
        if self.gate is not None:
            self.gate.wait(30)
        if self.delay:
            time.sleep(self.delay)
        if self.fail_with is not None:
            status, error = self.fail_with
            return Reply(status, error)
        token = self.mint(number) if self.mint is not None else f"ya29.local-token-{number}-{'x' * 40}"
        with self.lock:
            self.issued.append(token)
        return Reply(200, {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"})

    def close(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.server.close()


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


class VertexServer:
    """A Vertex-like OpenAI-compatible endpoint that accepts only tokens the token server issued."""

    def __init__(self, tokens: TokenServer | None = None, accept: set[str] | None = None) -> None:
        self.tokens = tokens
        self.accept = accept if accept is not None else set()
        self.revoked: set[str] = set()
        self.reject_all = False
        self.seen: list[Seen] = []
        self.replies: list[Reply] = []
        self.responder: Callable[[Any], Reply] | None = (
            None  # answers from the request when no reply is queued
        )
        self.lock = threading.Lock()
        self.server = _Server(self._handle)
        self.root = self.server.url
        self.base_url = f"{self.root}/v1/projects/test-project/locations/global/endpoints/openapi"

    def reply(self, *replies: Reply) -> None:
        """Queue replies for the next requests (after the auth check); default: a completion."""
        with self.lock:
            self.replies.extend(replies)

    def _valid(self, token: str) -> bool:
        if self.reject_all or token in self.revoked:
            return False
        issued = self.tokens.issued if self.tokens is not None else []
        return token in self.accept or token in issued

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> Reply:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        seen = Seen(handler.command, handler.path, headers, json.loads(body) if body else None)
        with self.lock:
            self.seen.append(seen)
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if not self._valid(token):
            return Reply(
                401,
                UNAUTHENTICATED_401,
                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
        from fake_native import native_reply  # :predict and the publisher-model listing (fake_native.py)

        native = native_reply(seen)
        if native is not None:
            return native
        if self.responder is not None:
            return self.responder(self.seen[-1].json)
        return Reply(200, completion())

    @property
    def tokens_seen(self) -> list[str]:
        return [s.headers.get("authorization", "").removeprefix("Bearer ") for s in self.seen]

    def close(self) -> None:
        self.server.close()


def error_body(error: openai.APIStatusError) -> dict[str, Any]:
    """The JSON object an API error carries (openai types `body` as `object`)."""
    assert isinstance(error.body, dict), error.body
    return error.body


def service_account_info(token_uri: str, private_key_pem: str) -> dict[str, str]:
    return {
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": "0123456789abcdef",
        "private_key": private_key_pem,
        "client_email": "vertex-test@test-project.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": token_uri,
    }


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def chat_stream(client: Any) -> Any:
    """`client.chat.completions.stream`; before openai 1.92, the `beta` one (helpers_api.chat_helpers)."""
    from helpers_api import chat_helpers

    return chat_helpers(client).stream
