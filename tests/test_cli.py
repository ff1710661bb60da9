"""The `vertex-openai` command: doctor and chat."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fake_gemini import GREETING
from fakes import Reply

from vertex_openai.cli import main


def test_doctor_with_no_credentials_at_all(capsys) -> None:
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL credentials: no Google credentials found" in out
    assert "gcloud auth application-default login" in out and "GOOGLE_APPLICATION_CREDENTIALS" in out


def test_doctor_with_a_project_but_no_credentials(capsys, monkeypatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-project")
    assert main(["doctor", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["project"] == "my-project" and report["project_source"] == "GOOGLE_CLOUD_PROJECT"
    assert (
        report["base_url"]
        == "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/endpoints/openapi/"
    )
    assert report["checks"] == [
        {
            "name": "token",
            "ok": False,
            "detail": "no Google credentials found",
            "fix": "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a "
            "service-account key file",
        }
    ]


def test_doctor_all_good_with_a_call(local_google, capsys) -> None:
    assert main(["doctor", "--call", "google/gemini-2.5-flash"]) == 0
    out = capsys.readouterr().out
    assert "project        test-project (from GOOGLE_CLOUD_PROJECT)" in out
    assert "vertex-test@test-project.iam.gserviceaccount.com" in out
    assert "ok   token: obtained; expires in 59 min" in out
    assert "ok   call: google/gemini-2.5-flash answered" in out
    assert "ya29.local-token" not in out  # the token itself is never printed
    assert local_google.vertex.seen[0].json["messages"] == [{"role": "user", "content": "Reply with OK."}]


def test_doctor_explains_a_denied_call(local_google, capsys) -> None:
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
    assert main(["doctor", "--call", "gemini-2.5-flash", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    call = report["checks"][-1]
    assert call["ok"] is False and "aiplatform.endpoints.predict" in call["detail"]
    assert "roles/aiplatform.user" in call["fix"]


def test_doctor_reports_bad_configuration(capsys) -> None:
    assert main(["doctor", "--project", "p1", "--location", "Mars Base"]) == 1
    assert "FAIL configuration: location='Mars Base' is not a Vertex AI location" in capsys.readouterr().out


def test_chat_streams_the_answer(local_google, capsys) -> None:
    assert main(["chat", "Say hello", "--thinking", "low"]) == 0
    assert capsys.readouterr().out == GREETING + "\n"
    body = local_google.vertex.seen[-1].json
    assert (
        body["stream"] is True
        and body["reasoning_effort"] == "low"
        and body["model"] == "google/gemini-2.5-flash"
    )


def test_chat_shows_thoughts_apart(local_google, capsys) -> None:
    assert main(["chat", "Say hello", "--show-thoughts", "--thinking", "high"]) == 0
    out = capsys.readouterr().out
    assert out == f"[Thinking]\nThinking it over carefully.\n[Answer]\n{GREETING}\n"
    google = local_google.vertex.seen[-1].json["extra_body"]["google"]
    assert google["thinking_config"] == {"thinking_budget": 24576, "include_thoughts": True}


def test_chat_error_exit_code(capsys) -> None:
    assert main(["chat", "hi", "--project", "p1"]) == 1
    assert "No Google credentials found" in capsys.readouterr().err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["chat"])
    assert caught.value.code == 2


def test_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vertex_openai", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "doctor" in done.stdout and "Exit codes" in done.stdout
