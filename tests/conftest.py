from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fakes import TokenServer, VertexServer, new_private_key_pem, service_account_info
from google.auth.compute_engine import _metadata
from google.oauth2 import service_account

_ENV = (
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_QUOTA_PROJECT",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_CUSTOM_HEADERS",
)


def _loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # AF_UNIX and friends
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reaches past 127.0.0.1, and no developer's own Google or OpenAI settings leak in."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise OSError(f"test tried to reach {address!r}: only loopback is allowed")
        return real_connect(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, bytes):
            host = host.decode()
        if host is not None and not _loopback(host):
            raise socket.gaierror(f"test tried to resolve {host!r}: only loopback is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_GCE_CHECK", "true")  # google-auth: never probe the metadata server ...
    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)  # ... which it reads once, at import
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path_factory.mktemp("gcloud")))  # no developer ADC


@pytest.fixture(scope="session")
def private_key_pem() -> str:
    return new_private_key_pem()


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    server = TokenServer()
    yield server
    server.close()


@pytest.fixture
def vertex(token_server: TokenServer) -> Iterator[VertexServer]:
    server = VertexServer(token_server)
    yield server
    server.close()


@pytest.fixture
def sa_info(token_server: TokenServer, private_key_pem: str) -> dict[str, str]:
    return service_account_info(token_server.token_uri, private_key_pem)


@pytest.fixture
def sa_credentials(sa_info: dict[str, str]) -> service_account.Credentials:
    return service_account.Credentials.from_service_account_info(sa_info)


@pytest.fixture
def local_google(monkeypatch: pytest.MonkeyPatch, tmp_path, private_key_pem: str):
    """Google, played locally: ADC, a token server and a Gemini-like Vertex endpoint (harness.py)."""
    import harness

    local = harness.start(monkeypatch, tmp_path, private_key_pem)
    yield local
    harness.stop(local)
