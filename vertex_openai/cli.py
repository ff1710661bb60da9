"""The `vertex-openai` command (also `python -m vertex_openai`).

    vertex-openai doctor [--call MODEL] [--json]   what the client resolves, and why it fails
    vertex-openai chat "prompt" [--model M] [--thinking low|medium|high] [--show-thoughts]

Exit codes: 0 success; 1 a check, the token or the call failed; 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, TextIO

import openai

from ._client import VertexOpenAI
from ._errors import CredentialsNotFoundError, VertexAuthError
from .gemini import ThinkingConfig, gemini_options
from .thoughts import iter_thoughts

DEFAULT_MODEL = "google/gemini-2.5-flash"
_BUDGETS = {"low": 1024, "medium": 8192, "high": 24576}  # what reasoning_effort maps to on Vertex
_NO_CREDENTIALS_FIX = (
    "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a "
    "service-account key file"
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return doctor(args.project, args.location, call=args.call, as_json=args.json)
    return chat(
        args.prompt,
        model=args.model,
        thinking=args.thinking,
        show_thoughts=args.show_thoughts,
        project=args.project,
        location=args.location,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vertex-openai",
        description="Check and use Gemini on Vertex AI through the OpenAI library.",
        epilog="Exit codes: 0 success, 1 a check or call failed, 2 wrong usage.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", help="Google Cloud project (default: GOOGLE_CLOUD_PROJECT, then ADC)")
    common.add_argument("--location", help="Vertex AI location (default: GOOGLE_CLOUD_LOCATION, then global)")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor_cmd = commands.add_parser(
        "doctor", parents=[common], help="show what the client resolves and check that a token can be had"
    )
    doctor_cmd.add_argument("--call", metavar="MODEL", help="also make one tiny request to MODEL")
    doctor_cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    chat_cmd = commands.add_parser("chat", parents=[common], help="stream an answer to a prompt")
    chat_cmd.add_argument("prompt")
    chat_cmd.add_argument("--model", default=DEFAULT_MODEL, help=f"model (default {DEFAULT_MODEL})")
    chat_cmd.add_argument("--thinking", choices=sorted(_BUDGETS), help="how much the model may think")
    chat_cmd.add_argument("--show-thoughts", action="store_true", help="print thought summaries apart")
    return parser


# --- doctor ---
def doctor(
    project: str | None, location: str | None, *, call: str | None = None, as_json: bool = False
) -> int:
    """Print what the client would resolve and each failure with its cause and fix."""
    report: dict[str, Any] = {}
    checks: list[Check] = []
    try:
        client = VertexOpenAI(project=project, location=location, max_retries=0)
    except CredentialsNotFoundError:
        checks.append(Check("credentials", False, "no Google credentials found", _NO_CREDENTIALS_FIX))
        client = None
    except ValueError as exc:
        checks.append(Check("configuration", False, str(exc), _config_fix(str(exc))))
        client = None
    if client is not None:
        endpoint = client._vertex.endpoint
        report.update(
            project=endpoint.project,
            project_source=endpoint.project_source,
            location=endpoint.location,
            base_url=str(client.base_url),
        )
        checks.append(_token_check(client, report))
        if call and checks[-1].ok:
            checks.append(_call_check(client, call))
    report["checks"] = [asdict(check) for check in checks]
    report["ok"] = all(check.ok for check in checks)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(report, checks, sys.stdout)
    return 0 if report["ok"] else 1


def _token_check(client: VertexOpenAI, report: dict[str, Any]) -> Check:
    source = client.token_source
    try:
        source.token()
    except CredentialsNotFoundError:
        report["credentials"] = None
        return Check("token", False, "no Google credentials found", _NO_CREDENTIALS_FIX)
    except VertexAuthError as exc:
        report["credentials"] = source.describe()
        return Check(
            "token", False, str(exc), "check that these credentials are still valid (re-run the login)"
        )
    report["credentials"] = source.describe()
    report["quota_project"] = source.quota_project
    expiry = getattr(getattr(source, "credentials", None), "expiry", None)
    report["token_expiry"] = expiry.isoformat() + "Z" if isinstance(expiry, dt.datetime) else None
    if isinstance(expiry, dt.datetime):
        minutes = int((expiry - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)).total_seconds() // 60)
        return Check("token", True, f"obtained; expires in {minutes} min")
    return Check("token", True, "obtained")


def _call_check(client: VertexOpenAI, model: str) -> Check:
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Reply with OK."}])
    except openai.APIStatusError as exc:
        return Check("call", False, exc.message, _status_fix(exc.status_code))
    except openai.APIConnectionError as exc:
        return Check("call", False, f"could not connect: {exc}", "check network access to the base URL")
    return Check("call", True, f"{model} answered")


def _status_fix(status: int) -> str:
    return {
        400: "see the hint in the message; model names are 'publisher/model'",
        401: "the token was rejected: log in again, or check the credentials' scopes",
        403: "grant the Vertex AI User role (roles/aiplatform.user) and enable the Vertex AI API",
        404: "check the model name, and try --location global (new models are often served there only)",
        429: "quota exhausted: wait, or ask for more quota for this model and location",
    }.get(status, "retry later; if it persists, check the Vertex AI status page")


def _config_fix(message: str) -> str:
    if "project" in message:
        return "pass --project, or set GOOGLE_CLOUD_PROJECT"
    return "correct the value named in the message"


def _print_report(report: dict[str, Any], checks: list[Check], out: TextIO) -> None:
    color = out.isatty() and not os.environ.get("NO_COLOR")
    paint = {True: "\033[32m", False: "\033[31m"}
    for name in ("project", "location", "base_url", "credentials", "quota_project", "token_expiry"):
        if name in report:
            value = report[name]
            if name == "project" and report.get("project_source"):
                value = f"{value} (from {report['project_source']})"
            out.write(f"{name.replace('_', ' '):14} {value if value is not None else 'none'}\n")
    for check in checks:
        mark = ("ok" if check.ok else "FAIL").ljust(4)
        if color:
            mark = f"{paint[check.ok]}{mark}\033[0m"
        out.write(f"{mark} {check.name}: {check.detail}\n")
        if check.fix:
            out.write(f"     fix: {check.fix}\n")


# --- chat ---
def chat(
    prompt: str,
    *,
    model: str = DEFAULT_MODEL,
    thinking: str | None = None,
    show_thoughts: bool = False,
    project: str | None = None,
    location: str | None = None,
) -> int:
    """Stream an answer to stdout; with `show_thoughts`, thought summaries come first, set apart."""
    options: dict[str, Any] = {}
    if show_thoughts:
        config = ThinkingConfig(include_thoughts=True, thinking_budget=_BUDGETS.get(thinking or ""))
        options["extra_body"] = gemini_options(thinking_config=config, thought_tag_marker="think")
    elif thinking:
        options["reasoning_effort"] = thinking
    try:
        client = VertexOpenAI(project=project, location=location)
        stream = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": prompt}], stream=True, **options
        )
        _print_stream(iter_thoughts(stream, "think"), sys.stdout, show_thoughts=show_thoughts)
    except (openai.OpenAIError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


def _print_stream(pieces: Any, out: TextIO, *, show_thoughts: bool) -> None:
    color = out.isatty() and not os.environ.get("NO_COLOR")
    current = None
    for kind, text in pieces:
        if kind == "thought" and not show_thoughts:
            continue
        if kind != current and show_thoughts:
            label = "Thinking" if kind == "thought" else "Answer"
            out.write(("\n" if current else "") + (f"\033[1m{label}\033[0m\n" if color else f"[{label}]\n"))
        current = kind
        out.write(f"\033[2m{text}\033[0m" if color and kind == "thought" else text)
        out.flush()
    out.write("\n")
