"""The `vertex-openai` command: doctor and chat, their causes and fixes, their options."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import google.auth
import google.auth.exceptions
import google.oauth2.credentials
import openai
import pytest
from fake_gemini import GREETING
from fakes import Reply
from harness import LocalGoogle

from vertex_openai._errors import NO_CREDENTIALS_FIX
from vertex_openai._version import __version__
from vertex_openai.cli import main


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _doctor_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", "--json", *args])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, report


def test_doctor_with_no_credentials_at_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL credentials: no Google credentials found" in out
    assert "gcloud auth application-default login" in out and "GOOGLE_APPLICATION_CREDENTIALS" in out


def test_doctor_with_a_project_but_no_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-project")
    code, report = _doctor_json(capsys)
    assert code == 1
    assert report["project"] == "my-project" and report["project_source"] == "GOOGLE_CLOUD_PROJECT"
    assert (
        report["base_url"]
        == "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/endpoints/openapi/"
    )
    assert report["checks"] == [
        {"name": "token", "ok": False, "detail": "no Google credentials found", "fix": NO_CREDENTIALS_FIX}
    ]


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (None, "was not found"),
        ("this is not JSON", "is not a valid json file"),
        ('{"type": "service_account", "client_email": "a@b.c"}', "missing fields"),
    ],
    ids=["missing", "not-json", "broken"],
)
def test_doctor_names_the_real_cause_of_a_bad_key_file(
    content: str | None,
    cause: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    key = tmp_path / "key.json"
    if content is not None:
        key.write_text(content)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    code, report = _doctor_json(capsys, "--project", "p1")
    assert code == 1
    [check] = report["checks"]
    assert check["detail"].startswith(f"GOOGLE_APPLICATION_CREDENTIALS={key}: ")
    assert cause in check["detail"] and "('" not in check["detail"]  # google-auth's words, not a tuple repr
    assert "no Google credentials found" not in check["detail"]
    # The variable is already set: the fix is about its file, never "set GOOGLE_APPLICATION_CREDENTIALS".
    assert "set GOOGLE_APPLICATION_CREDENTIALS" not in check["fix"]
    assert ("correct the path" in check["fix"]) is (content is None)


def test_doctor_network_failure_to_the_token_endpoint_is_not_a_login_problem(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    info = json.loads(local_google.key_file.read_text())
    info["token_uri"] = f"http://127.0.0.1:{_closed_port()}/token"
    local_google.key_file.write_text(json.dumps(info))
    code, report = _doctor_json(capsys)
    assert code == 1
    token = report["checks"][-1]
    assert token["name"] == "token" and token["ok"] is False
    assert "could not reach the token endpoint" in token["detail"]
    assert "network" in token["fix"] and "login" not in token["fix"]


def test_doctor_revoked_service_account_key(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    local_google.tokens.fail_with = (
        400,
        {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
    )
    code, report = _doctor_json(capsys)
    token = report["checks"][-1]
    assert code == 1 and token["ok"] is False
    assert "invalid_grant" in token["detail"]
    assert "create a new key" in token["fix"] and "gcloud" not in token["fix"]


def test_doctor_revoked_user_login(
    local_google: LocalGoogle,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    user = tmp_path / "adc.json"
    user.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "client.apps.googleusercontent.com",
                "client_secret": "not-a-real-secret",
                "refresh_token": "1//not-a-real-refresh-token",
                "token_uri": local_google.tokens.token_uri,
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(user))
    # Recent google-auth ignores a user file's token_uri and always uses Google's: point that at ours.
    monkeypatch.setattr(
        google.oauth2.credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", local_google.tokens.token_uri
    )
    local_google.tokens.fail_with = (
        400,
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    )
    code, report = _doctor_json(capsys)
    token = report["checks"][-1]
    assert code == 1 and token["ok"] is False
    assert "gcloud auth application-default login" in token["fix"]
    assert "not-a-real" not in json.dumps(report)  # neither the refresh token nor the client secret


def test_doctor_all_good_with_a_call(local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--call", "google/gemini-2.5-flash"]) == 0
    out = capsys.readouterr().out
    assert "project        test-project (from GOOGLE_CLOUD_PROJECT)" in out
    assert "vertex-test@test-project.iam.gserviceaccount.com" in out
    assert "ok   token: obtained; expires in 59 min" in out
    assert "ok   call: google/gemini-2.5-flash answered" in out
    assert "ya29.local-token" not in out  # the token itself is never printed
    assert local_google.vertex.seen[0].json["messages"] == [{"role": "user", "content": "Reply with OK."}]


def test_doctor_explains_a_denied_call(local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]) -> None:
    denied = [
        {
            "error": {
                "code": 403,
                "message": "Permission 'aiplatform.endpoints.predict' denied",
                "status": "PERMISSION_DENIED",
            }
        }
    ]
    local_google.vertex.reply(Reply(403, denied))
    code, report = _doctor_json(capsys, "--call", "gemini-2.5-flash")
    call = report["checks"][-1]
    assert code == 1 and call["ok"] is False
    assert call["detail"] == "Error code: 403 - Permission 'aiplatform.endpoints.predict' denied"
    assert "roles/aiplatform.user" in call["fix"]


def test_doctor_explains_a_rejected_token_without_sending_you_to_doctor(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    local_google.vertex.reject_all = True  # every token the token server gives is refused
    code, report = _doctor_json(capsys, "--call", "gemini-2.5-flash")
    token, call = report["checks"][-2:]
    assert code == 1 and token["ok"] is True and call["ok"] is False
    assert call["detail"].startswith("Error code: 401 - ")
    assert "ACCESS_TOKEN_TYPE_UNSUPPORTED" not in call["detail"]  # the library's hint is not repeated
    assert "doctor" not in call["fix"] and "cloud-platform" in call["fix"]
    assert len(local_google.vertex.seen) == 2  # the call and its one retry with a fresh token


def test_doctor_names_host_and_cause_when_vertex_cannot_be_reached(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _closed_port()
    code, report = _doctor_json(
        capsys, "--base-url", f"http://127.0.0.1:{port}/v1", "--call", "gemini-2.5-flash"
    )
    call = report["checks"][-1]
    assert code == 1 and call["name"] == "call" and call["ok"] is False
    assert call["detail"].startswith(f"could not connect to 127.0.0.1:{port}: ")
    assert call["detail"] != f"could not connect to 127.0.0.1:{port}: Connection error."
    assert "network" in call["fix"]


def test_doctor_reports_bad_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--project", "p1", "--location", "Mars Base"]) == 1
    assert "FAIL configuration: location='Mars Base' is not a Vertex AI location" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["doctor", "chat"])
def test_project_location_and_base_url_reach_the_request(
    command: str, local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    tail = ["--call", "gemini-2.5-flash"] if command == "doctor" else ["hi"]
    assert main([command, "--project", "other-project", "--location", "europe-west4", *tail]) == 0
    assert local_google.vertex.seen[-1].path.startswith(
        "/v1/projects/other-project/locations/europe-west4/endpoints/openapi/chat/completions"
    )
    base = f"{local_google.vertex.root}/v1beta1/projects/psc/locations/us-east5/endpoints/12345"
    assert main([command, "--base-url", base, *tail]) == 0
    assert (
        local_google.vertex.seen[-1].path
        == "/v1beta1/projects/psc/locations/us-east5/endpoints/12345/chat/completions"
    )
    capsys.readouterr()


def test_chat_streams_the_answer(local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "Say hello", "--thinking", "low"]) == 0
    assert capsys.readouterr().out == GREETING + "\n"
    body = local_google.vertex.seen[-1].json
    assert (
        body["stream"] is True
        and body["reasoning_effort"] == "low"
        and body["model"] == "google/gemini-2.5-flash"
    )


def test_chat_shows_thoughts_apart(local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "Say hello", "--show-thoughts", "--thinking", "high"]) == 0
    out = capsys.readouterr().out
    assert out == f"[Thinking]\nThinking it over carefully.\n[Answer]\n{GREETING}\n"
    google = local_google.vertex.seen[-1].json["extra_body"]["google"]
    assert google["thinking_config"] == {"thinking_budget": 24576, "include_thoughts": True}


def test_chat_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "hi", "--project", "p1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: no Google credentials found (fix: ")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_chat_connection_error_names_the_host_and_debug_shows_the_traceback(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _closed_port()
    args = ["chat", "hi", "--base-url", f"http://127.0.0.1:{port}/v1"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: could not connect to 127.0.0.1:{port}: ") and err.count("\n") == 1
    assert main([*args, "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and openai.APIConnectionError.__name__ in err
    assert err.splitlines()[-1].startswith(f"error: could not connect to 127.0.0.1:{port}")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith(
        f"vertex-openai {__version__} (openai {openai.__version__}, Python "
    )


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["chat"])
    assert caught.value.code == 2


def test_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vertex_openai", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "doctor" in done.stdout and "Exit codes" in done.stdout


# -- doctor on real set-ups: every error says where the bad value came from, and the fix --------------


def test_doctor_key_file_variable_pointing_at_a_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "sa-key.json").write_text("{}")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path))
    for args in ([], ["--project", "p1"]):
        code, report = _doctor_json(capsys, *args)
        [check] = report["checks"]
        assert code == 1 and check["name"] == "credentials"
        assert check["detail"] == f"GOOGLE_APPLICATION_CREDENTIALS={tmp_path}: a folder, not a key file"
        assert "at the JSON key file itself (in that folder: sa-key.json)" in check["fix"]
    assert main(["chat", "hi", "--project", "p1"]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith(f"error: GOOGLE_APPLICATION_CREDENTIALS={tmp_path}: a folder") and err.count("\n") == 1
    )


@pytest.mark.parametrize(
    ("args", "env", "fix"),
    [
        (["--location", "us-centrall1"], {}, "pass --location us-central1 instead of 'us-centrall1'"),
        (
            [],
            {"GOOGLE_CLOUD_LOCATION": "us-centrall1"},
            "set GOOGLE_CLOUD_LOCATION=us-central1 (it holds 'us-centrall1'), "
            "or pass --location to override it",
        ),
    ],
    ids=["option", "variable"],
)
def test_doctor_location_typo_gets_a_did_you_mean_not_a_network_fix(
    args: list[str],
    env: dict[str, str],
    fix: str,
    local_google: LocalGoogle,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, report = _doctor_json(capsys, *args, "--call", "gemini-2.5-flash")
    location = next(c for c in report["checks"] if c["name"] == "location")
    origin = args[0] if args else "GOOGLE_CLOUD_LOCATION"
    assert code == 1 and location["ok"] is False
    assert (
        location["detail"] == f"unknown location 'us-centrall1' (from {origin}): did you mean 'us-central1'?"
    )
    assert location["fix"] == fix and "network" not in location["fix"]
    assert report["location_source"] == origin
    assert not local_google.vertex.seen  # no call to a host that does not exist


def test_doctor_accepts_a_location_far_from_every_known_one(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _doctor_json(capsys, "--location", "mars-north1")
    assert code == 0 and [c["name"] for c in report["checks"]] == ["token"]  # Google adds regions


@pytest.mark.parametrize(
    ("args", "env", "fix"),
    [
        (
            [],
            {"GOOGLE_CLOUD_PROJECT": "My Project"},
            "set GOOGLE_CLOUD_PROJECT=my-project (it holds 'My Project'), or pass --project to override it",
        ),
        (["--project", "My Project"], {}, "pass --project my-project instead of 'My Project'"),
    ],
    ids=["variable", "option"],
)
def test_doctor_bad_project_names_where_it_was_set(
    args: list[str],
    env: dict[str, str],
    fix: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, report = _doctor_json(capsys, *args)
    [check] = report["checks"]
    origin = args[0] if args else "GOOGLE_CLOUD_PROJECT"
    assert code == 1 and check["name"] == "configuration"
    assert check["detail"].startswith("project='My Project' is not a Google Cloud project ID")
    assert check["detail"].endswith(f"(from {origin})")
    assert check["fix"].startswith(fix) and "gcloud projects list" in check["fix"]


@pytest.mark.parametrize("option", ["--project", "--location", "--base-url"])
def test_doctor_empty_option(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _doctor_json(capsys, option, "")
    [check] = report["checks"]
    assert code == 1 and check["detail"] == f"{option} is empty ('')"
    assert check["fix"].startswith(f"give {option} a value, or leave {option} out to use ")
    assert "None" not in check["fix"]


def test_doctor_bad_private_key_message_is_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = tmp_path / "key.json"
    key.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "p1",
                "private_key_id": "1",
                "private_key": "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8w\n"
                "-----END PRIVATE KEY-----\n",
                "client_email": "sa@p1.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    code, report = _doctor_json(capsys)
    [check] = report["checks"]
    assert code == 1 and check["detail"].startswith(f"GOOGLE_APPLICATION_CREDENTIALS={key}: ")
    default: Callable[[], object] = google.auth.default  # google-auth's own reading of the variable
    with pytest.raises(google.auth.exceptions.DefaultCredentialsError) as raised:
        default()
    said = ": ".join(str(a).rstrip(".") for a in raised.value.args).splitlines()[0]
    assert len(said) > 300  # longer than the library keeps: the check shows it whole
    assert check["detail"] == f"GOOGLE_APPLICATION_CREDENTIALS={key}: {said}"
    assert "MIIBVQ" not in json.dumps(report)  # the key itself is never shown


def test_doctor_long_token_error_is_cut_between_words(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    words = [f"word{n}" for n in range(120)]
    local_google.tokens.fail_with = (400, {"error": "invalid_grant", "error_description": " ".join(words)})
    code, report = _doctor_json(capsys)
    token = report["checks"][-1]
    assert code == 1 and token["ok"] is False
    said = token["detail"].split("invalid_grant", 1)[1]
    shown = [w.strip(":,.'\"{}") for w in said.replace("[...]", "").split()]
    assert all(w in words or not w.startswith("word") for w in shown), shown
    assert f"(credentials from GOOGLE_APPLICATION_CREDENTIALS={local_google.key_file})" in token["detail"]


def test_doctor_denied_call_names_where_the_project_came_from(
    local_google: LocalGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    denied = [{"error": {"code": 403, "message": "Permission denied", "status": "PERMISSION_DENIED"}}]
    local_google.vertex.reply(Reply(403, denied))
    code, report = _doctor_json(capsys, "--call", "gemini-2.5-flash")
    call = report["checks"][-1]
    assert code == 1 and call["fix"].endswith("; project 'test-project' came from GOOGLE_CLOUD_PROJECT")


def test_doctor_names_gclouds_own_file_when_it_is_broken(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    adc = tmp_path / "application_default_credentials.json"
    adc.write_text("not JSON at all")
    code, report = _doctor_json(capsys, "--project", "p1")
    token = report["checks"][-1]
    assert code == 1 and token["ok"] is False
    assert token["detail"].startswith(f"gcloud's application-default credentials file {adc}: ")
    assert "is not a valid json file" in token["detail"]
    assert token["fix"] == "run `gcloud auth application-default login` again (it writes that file anew)"


def test_doctor_malformed_location_gets_the_close_known_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _doctor_json(capsys, "--project", "p1", "--location", "US-Central1")
    [check] = report["checks"]
    assert code == 1 and check["detail"].endswith("(from --location)")
    assert check["fix"] == "pass --location us-central1 instead of 'US-Central1'"
