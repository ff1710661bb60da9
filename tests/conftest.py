from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness
import pytest
from fakes import STATIC_TOKEN, TokenServer, VertexServer, new_private_key_pem, service_account_info
from google.auth.compute_engine import _metadata
from google.oauth2 import service_account
from hypothesis import HealthCheck, settings

# Property tests run the same examples on every run and every machine, cold or warm: no example
# database (a fresh checkout has none), a seed derived from each test. Timing checks are off: the
# first test in a run that draws Unicode text pays for Hypothesis's one-off Unicode tables (about
# 1-3 s, cached in .hypothesis/ afterwards), which trips the too_slow health check and a deadline on
# a cold checkout only, in whichever property test happens to run first. Timing goals live in
# benchmarks/. HYPOTHESIS_PROFILE=explore searches new random examples (with a database) instead.
settings.register_profile(
    "repeatable",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

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


def _loopback(address: object) -> bool:
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

    def connect(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise OSError(f"test tried to reach {address!r}: only loopback is allowed")
        real_connect(sock, address)

    def getaddrinfo(host: bytes | str | None, *args: Any, **kwargs: Any) -> Any:
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
    credentials: service_account.Credentials = service_account.Credentials.from_service_account_info(sa_info)
    return credentials


@pytest.fixture
def server() -> Iterator[VertexServer]:
    """A Vertex-like endpoint that takes only fakes.STATIC_TOKEN (no token server behind it)."""
    srv = VertexServer(accept={STATIC_TOKEN})
    yield srv
    srv.close()


@pytest.fixture
def local_google(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_key_pem: str
) -> Iterator[harness.LocalGoogle]:
    """Google, played locally: ADC, a token server and a Gemini-like Vertex endpoint (harness.py)."""
    local = harness.start(monkeypatch, tmp_path, private_key_pem)
    yield local
    harness.stop(local)
