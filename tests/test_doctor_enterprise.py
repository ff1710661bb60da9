"""`vertex-openai doctor` with enterprise credentials (issue 20, item 4): workload identity federation
(`external_account`), impersonated service accounts, a quota project, Private Service Connect hosts.

Driven through the real google-auth code: its identity-pool credentials exchange a subject token at a
local Security Token Service and mint the service account's token at a local IAM Credentials API; its
impersonated credentials get their source token from the local OAuth token server. Vertex (local)
accepts only tokens these stand-ins issued.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import google.auth.iam as google_iam
import openai
import pytest
from fake_gemini import gemini_reply
from fakes import Reply, TokenServer, VertexServer, _Server, service_account_info
from harness import redirect

import vertex_openai._client
import vertex_openai._transport._endpoint
from vertex_openai._compat import http
from vertex_openai.cli import diagnose, main

PROJECT_NUMBER = "123456789012"
POOL = f"projects/{PROJECT_NUMBER}/locations/global/workloadIdentityPools/ci-pool"
AUDIENCE = f"//iam.googleapis.com/{POOL}/providers/github"
POOL_MEMBER = f"principalSet://iam.googleapis.com/{POOL}/*"
TARGET = "deployer@test-project.iam.gserviceaccount.com"
SOURCE = "vertex-test@test-project.iam.gserviceaccount.com"  # fakes.service_account_info's account
SUBJECT_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl"


@dataclass
class Google:
    """Security Token Service and IAM Credentials API on one loopback server, beside the OAuth token
    server and Vertex. Each answers like Google's, or with the error set in `sts_error` / `iam_error`."""

    tokens: TokenServer
    vertex: VertexServer
    root: str = ""
    sts_error: tuple[int, dict[str, Any]] | None = None
    iam_error: tuple[int, dict[str, Any]] | None = None
    exchanges: list[str] = field(default_factory=list)  # subject tokens the STS saw
    minted_for: list[str] = field(default_factory=list)  # service accounts the IAM API minted for
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> Reply:
        if handler.path == "/v1/token":
            return self._exchange(body)
        if handler.path.endswith(":generateAccessToken"):
            caller = handler.headers.get("Authorization", "").removeprefix("Bearer ")
            return self._mint(handler.path, caller)
        return Reply(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})

    def _exchange(self, body: bytes) -> Reply:
        from urllib.parse import parse_qs

        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with self.lock:
            self.exchanges.append(form.get("subject_token", ""))
        if self.sts_error is not None:
            return Reply(*self.sts_error)
        if form.get("audience") != AUDIENCE or form.get("subject_token") != SUBJECT_TOKEN:
            return Reply(400, {"error": "invalid_request", "error_description": "unexpected exchange"})
        token = self._issue("sts")
        return Reply(
            200,
            {
                "access_token": token,
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "token_type": "Bearer",
                "expires_in": 3600,
            },
        )

    def _mint(self, path: str, caller: str) -> Reply:
        if caller not in self.vertex.accept and caller not in self.tokens.issued:
            return Reply(401, {"error": {"code": 401, "message": "bad caller", "status": "UNAUTHENTICATED"}})
        target = path.rsplit("/", 1)[1].removesuffix(":generateAccessToken")
        with self.lock:
            self.minted_for.append(target)
        if self.iam_error is not None:
            return Reply(*self.iam_error)
        expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        return Reply(
            200, {"accessToken": self._issue("iam"), "expireTime": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}
        )

    def _issue(self, kind: str) -> str:
        with self.lock:
            token = f"ya29.{kind}-{len(self.vertex.accept)}-{'z' * 40}"
            self.vertex.accept.add(token)
        return token


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Google]:
    tokens = TokenServer()
    vertex = VertexServer(tokens)
    vertex.responder = gemini_reply
    state = Google(tokens, vertex)
    server = _Server(state.handle)
    state.root = server.url
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    monkeypatch.delenv("GOOGLE_CLOUD_QUOTA_PROJECT", raising=False)
    redirect(monkeypatch, vertex.root)
    yield state
    server.close()
    vertex.close()
    tokens.close()


def use_file(monkeypatch: pytest.MonkeyPatch, path: Path, info: dict[str, Any]) -> Path:
    path.write_text(json.dumps(info))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    return path


def workload_identity(google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **extra: str) -> Path:
    subject = tmp_path / "github-oidc-token"
    subject.write_text(SUBJECT_TOKEN)
    info: dict[str, Any] = {
        "type": "external_account",
        "audience": AUDIENCE,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": f"{google.root}/v1/token",
        "credential_source": {"file": str(subject)},
        "service_account_impersonation_url": (
            f"{google.root}/v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken"
        ),
        **extra,
    }
    return use_file(monkeypatch, tmp_path / "wif-config.json", info)


def impersonation(
    google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_key_pem: str
) -> Path:
    # google-auth reads no IAM endpoint from an impersonated_service_account file: it calls Google's,
    # whose address it keeps in one constant, pointed here at the local IAM Credentials API.
    endpoint = f"{google.root}/v1/projects/-/serviceAccounts/{{}}:generateAccessToken"
    monkeypatch.setattr(google_iam, "_IAM_ENDPOINT", endpoint)
    info = {
        "type": "impersonated_service_account",
        "service_account_impersonation_url": (
            f"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken"
        ),
        "source_credentials": service_account_info(google.tokens.token_uri, private_key_pem),
        "delegates": [],
    }
    return use_file(monkeypatch, tmp_path / "impersonation.json", info)


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", "--json", *args])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, report


# -- workload identity federation ------------------------------------------------------------------------


def test_workload_identity_federation_names_pool_and_service_account_and_works(
    google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workload_identity(google, tmp_path, monkeypatch)
    code, report = doctor(capsys, "--call", "google/gemini-2.5-flash")
    assert code == 0, report
    assert report["credential_type"] == "workload identity federation (external_account)"
    assert (
        report["principal"] == f"workload identity pool ci-pool, provider github (project {PROJECT_NUMBER})"
    )
    assert report["impersonates"] == TARGET
    assert google.exchanges == [SUBJECT_TOKEN] and google.minted_for == [TARGET]
    (seen,) = google.vertex.seen
    assert seen.headers["authorization"].startswith("Bearer ya29.iam-")  # the minted token reached Vertex
    assert SUBJECT_TOKEN not in json.dumps(report)


def test_workload_identity_sts_refusal_is_diagnosed(
    google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workload_identity(google, tmp_path, monkeypatch)
    google.sts_error = (
        400,
        {
            "error": "invalid_grant",
            "error_description": "The audience in ID Token [https://token.actions.githubusercontent.com] "
            "does not match the expected audience.",
        },
    )
    code, report = doctor(capsys, "--call", "google/gemini-2.5-flash")
    token = report["checks"][-1]
    assert code == 1 and token["name"] == "token" and token["ok"] is False
    assert "does not match the expected audience" in token["detail"]
    assert token["fix"].startswith(
        f"the Security Token Service refused the exchange for {POOL}/providers/github"
    )
    assert "create a new key" not in token["fix"] and not google.minted_for and not google.vertex.seen


def test_workload_identity_without_token_creator_is_diagnosed(
    google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workload_identity(google, tmp_path, monkeypatch)
    google.iam_error = (
        403,
        {
            "error": {
                "code": 403,
                "message": "Permission 'iam.serviceAccounts.getAccessToken' denied on resource "
                "(or it may not exist).",
                "status": "PERMISSION_DENIED",
            }
        },
    )
    code, report = doctor(capsys)
    token = report["checks"][-1]
    assert code == 1 and token["ok"] is False and google.minted_for == [TARGET]
    assert f"{POOL_MEMBER} may not mint tokens for {TARGET}" in token["fix"]
    assert "roles/iam.serviceAccountTokenCreator" in token["fix"]
    assert f"--member={POOL_MEMBER}" in token["fix"]


# -- impersonated service accounts ---------------------------------------------------------------------


def test_impersonated_service_account_names_source_and_target_and_works(
    google: Google,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    private_key_pem: str,
) -> None:
    impersonation(google, tmp_path, monkeypatch, private_key_pem)
    code, report = doctor(capsys, "--call", "google/gemini-2.5-flash")
    assert code == 0, report
    assert report["credential_type"] == "impersonated service account"
    assert report["principal"] == SOURCE and report["impersonates"] == TARGET
    assert len(google.tokens.issued) == 1 and google.minted_for == [TARGET]  # source token, then minted
    assert "PRIVATE KEY" not in json.dumps(report)


def test_impersonation_without_token_creator_is_diagnosed(
    google: Google,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    private_key_pem: str,
) -> None:
    impersonation(google, tmp_path, monkeypatch, private_key_pem)
    google.iam_error = (
        403,
        {
            "error": {
                "code": 403,
                "message": "Permission 'iam.serviceAccounts.getAccessToken' denied on resource "
                "(or it may not exist).",
                "status": "PERMISSION_DENIED",
            }
        },
    )
    code, report = doctor(capsys)
    token = report["checks"][-1]
    assert code == 1 and token["ok"] is False
    assert token["fix"].startswith(f"serviceAccount:{SOURCE} may not mint tokens for {TARGET}: grant it")
    assert "roles/iam.serviceAccountTokenCreator" in token["fix"]


# -- quota project ----------------------------------------------------------------------------------------

USER_PROJECT_DENIED = [
    {
        "error": {
            "code": 403,
            "message": "Caller does not have required permission to use project billing-project. Grant the "
            "caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the "
            "serviceusage.services.use permission, and then retry.",
            "status": "PERMISSION_DENIED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "USER_PROJECT_DENIED"}
            ],
        }
    }
]


@pytest.mark.parametrize("where", ["file", "variable"])
def test_quota_project_without_service_usage_is_diagnosed(
    where: str,
    google: Google,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if where == "file":
        path = workload_identity(google, tmp_path, monkeypatch, quota_project_id="billing-project")
        origin = f"GOOGLE_APPLICATION_CREDENTIALS={path}"
    else:
        workload_identity(google, tmp_path, monkeypatch)
        monkeypatch.setenv("GOOGLE_CLOUD_QUOTA_PROJECT", "billing-project")
        origin = "GOOGLE_CLOUD_QUOTA_PROJECT"
    google.vertex.reply(Reply(403, USER_PROJECT_DENIED))
    code, report = doctor(capsys, "--call", "google/gemini-2.5-flash")
    call = report["checks"][-1]
    assert code == 1 and call["name"] == "call" and call["ok"] is False
    assert report["quota_project"] == "billing-project" and report["quota_project_source"] == origin
    assert google.vertex.seen[-1].headers["x-goog-user-project"] == "billing-project"
    assert call["fix"].startswith(
        f"{POOL_MEMBER} may not use quota project 'billing-project' (from {origin}): grant it Service Usage "
        "Consumer (roles/serviceusage.serviceUsageConsumer"
    )


def test_a_denied_call_without_a_quota_project_keeps_its_own_fix(
    google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workload_identity(google, tmp_path, monkeypatch)
    google.vertex.reply(Reply(403, USER_PROJECT_DENIED))
    _, report = doctor(capsys, "--call", "google/gemini-2.5-flash")
    assert (
        "quota project" not in report["checks"][-1]["fix"]
        and "x-goog-user-project" not in google.vertex.seen[-1].headers
    )


# -- Private Service Connect ------------------------------------------------------------------------------

PSC = "https://aiplatform-vpc1.p.googleapis.com/v1/projects/test-project/locations/us-central1/endpoints/openapi"


def test_private_service_connect_host_is_named(
    google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workload_identity(google, tmp_path, monkeypatch)
    # the client's own URL, not the local server's: no request goes to Vertex without --call
    monkeypatch.setattr(
        vertex_openai._client, "resolve_endpoint", vertex_openai._transport._endpoint.resolve_endpoint
    )
    code, report = doctor(capsys, "--base-url", PSC)
    assert code == 0 and report["endpoint"] == "Private Service Connect (aiplatform-vpc1.p.googleapis.com)"
    assert report["location"] == "us-central1" and report["base_url"].startswith(PSC)


def test_private_service_connect_unreachable_gets_the_vpc_fix() -> None:
    request = http.Request("POST", PSC + "/chat/completions")
    error = openai.APIConnectionError(request=request)
    error.__cause__ = http.ConnectError("[Errno -2] Name or service not known")
    problem = diagnose(error)
    assert (
        problem.detail
        == "could not connect to aiplatform-vpc1.p.googleapis.com: [Errno -2] Name or service not known"
    )
    assert problem.fix is not None and "reached only from its VPC network" in problem.fix
    other = openai.APIConnectionError(request=http.Request("POST", "https://aiplatform.googleapis.com/v1"))
    assert "VPC" not in (diagnose(other).fix or "")


def test_the_text_report_shows_kind_principal_and_quota_project_origin(
    google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workload_identity(google, tmp_path, monkeypatch, quota_project_id="billing-project")
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "kind           workload identity federation (external_account)" in lines
    assert (
        f"principal      workload identity pool ci-pool, provider github (project {PROJECT_NUMBER})" in lines
    )
    assert f"impersonates   {TARGET}" in lines
    assert f"quota project  billing-project (from GOOGLE_APPLICATION_CREDENTIALS={path})" in lines
