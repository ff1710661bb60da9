"""The `vertex-openai` command (also `python -m vertex_openai`).

    vertex-openai doctor [--call MODEL] [--json]   what the client resolves, and why it fails
    vertex-openai chat "prompt" [--model M] [--thinking low|medium|high] [--show-thoughts]
    vertex-openai migrate PATH... [--write] [--diff] [--json]   move OpenAI-library code to VertexOpenAI

Both take `--project`, `--location`, `--base-url` and `--debug`; `vertex-openai --version`.
Exit codes: 0 success; 1 a check, the token or the call failed; 2 wrong usage; 130 interrupted.
A failure is one line on stderr (`--debug` adds the traceback); the library keeps raising as usual.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TextIO, TypeAlias

import openai

from ._client import VertexOpenAI
from ._errors import NO_CREDENTIALS_FIX, CredentialsNotFoundError, TokenRefreshError, VertexAuthError, hint
from ._util import JSONObject
from ._version import __version__
from .gemini import REASONING_EFFORT_BUDGETS, ThinkingConfig, gemini_options
from .thoughts import iter_thoughts

DEFAULT_MODEL = "google/gemini-2.5-flash"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


@dataclass(frozen=True)
class Problem:
    """What went wrong, in one line, and what to do about it."""

    detail: str
    fix: str | None = None

    def line(self) -> str:
        return self.detail + (f" (fix: {self.fix})" if self.fix else "")


# --- the command line ---
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the command's last word: one line, the traceback only when asked
        if getattr(args, "debug", False):
            traceback.print_exc()
        sys.stderr.write(f"error: {diagnose(exc).line()}\n")
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vertex-openai",
        description="Check and use Gemini on Vertex AI through the OpenAI library.",
        epilog="Exit codes: 0 success, 1 a check or call failed, 2 wrong usage.",
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common_options()
    for add in (_add_doctor, _add_chat, _add_migrate):  # one `_add_<command>(commands, common)` each
        add(commands, common)
    return parser


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", help="Google Cloud project (default: GOOGLE_CLOUD_PROJECT, then ADC)")
    common.add_argument("--location", help="Vertex AI location (default: GOOGLE_CLOUD_LOCATION, then global)")
    common.add_argument(
        "--base-url",
        metavar="URL",
        help="the whole base URL (dedicated endpoint, Private Service Connect, a local server); "
        "wins over --project and --location",
    )
    common.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    return common


_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # add_subparsers()


def _add_doctor(commands: _Commands, common: argparse.ArgumentParser) -> None:
    command = commands.add_parser(
        "doctor", parents=[common], help="show what the client resolves and check that a token can be had"
    )
    command.add_argument("--call", metavar="MODEL", help="also make one tiny request to MODEL")
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.set_defaults(
        run=lambda args: doctor(
            args.project, args.location, base_url=args.base_url, call=args.call, as_json=args.json
        )
    )


def _add_chat(commands: _Commands, common: argparse.ArgumentParser) -> None:
    command = commands.add_parser("chat", parents=[common], help="stream an answer to a prompt")
    command.add_argument("prompt")
    command.add_argument("--model", default=DEFAULT_MODEL, help=f"model (default {DEFAULT_MODEL})")
    command.add_argument(
        "--thinking", choices=list(REASONING_EFFORT_BUDGETS), help="how much the model may think"
    )
    command.add_argument("--show-thoughts", action="store_true", help="print thought summaries apart")
    command.set_defaults(
        run=lambda args: chat(
            args.prompt,
            model=args.model,
            thinking=args.thinking,
            show_thoughts=args.show_thoughts,
            project=args.project,
            location=args.location,
            base_url=args.base_url,
        )
    )


def _add_migrate(commands: _Commands, common: argparse.ArgumentParser) -> None:
    from . import migrate  # light: libcst is imported only when the command runs

    command = commands.add_parser(
        "migrate",
        help="move code that uses the OpenAI library (Google's snippet, Azure, OpenAI) to VertexOpenAI",
        description=migrate.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    migrate.add_arguments(command)
    command.set_defaults(run=migrate.run)


def _version() -> str:
    return f"vertex-openai {__version__} (openai {openai.__version__}, Python {platform.python_version()})"


# --- causes and fixes ---
_REJECTED_TOKEN_FIX = (
    "Vertex rejected a freshly obtained token too: use OAuth credentials with the cloud-platform scope "
    "(a service-account key, or `gcloud auth application-default login`), not an API key or an ID "
    "token, for an account that is enabled"
)


def diagnose(exc: BaseException, *, location: str | None = None) -> Problem:
    """The cause of a failure in one line, and the fix that matches it."""
    if isinstance(exc, CredentialsNotFoundError):
        return _no_credentials(exc)
    if isinstance(exc, TokenRefreshError):
        return _token_failed(exc)
    if isinstance(exc, openai.APIConnectionError):
        return _not_connected(exc)
    if isinstance(exc, openai.APIStatusError):
        detail = exc.message.split(" (hint: ", 1)[0]  # the hint the library added is the fix here
        if exc.status_code == 401:  # the library's 401 hint sends people here: say what to do instead
            return Problem(detail, _REJECTED_TOKEN_FIX)
        return Problem(detail, hint(exc.status_code, exc.message, location=location))
    if isinstance(exc, ValueError):  # the library names the argument that cannot work
        message = _one_line(exc)
        if "project" in message:
            return Problem(message, "pass --project, or set GOOGLE_CLOUD_PROJECT")
        return Problem(message, "correct the value named in the message")
    return Problem(f"{type(exc).__name__}: {_one_line(exc)}")


def _no_credentials(exc: CredentialsNotFoundError) -> Problem:
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    reason = exc.reason
    if not key_file:
        return Problem("no Google credentials found", NO_CREDENTIALS_FIX)
    # The variable is set: the key file is the cause, and setting the variable is not the fix.
    detail = f"GOOGLE_APPLICATION_CREDENTIALS={key_file}: {reason or 'the key file could not be used'}"
    if not os.path.exists(key_file):
        fix = "correct the path in GOOGLE_APPLICATION_CREDENTIALS, or unset it"
    else:
        fix = (
            "point GOOGLE_APPLICATION_CREDENTIALS at a key file as downloaded "
            "(JSON, IAM > Service accounts > Keys), or unset it"
        )
    fix += " to use your `gcloud auth application-default login`"
    return Problem(detail, fix)


def _token_failed(exc: TokenRefreshError) -> Problem:
    """Network, revoked grant, missing permission: each its own fix (from google-auth's own error)."""
    import google.auth.exceptions

    cause = exc.__cause__ or exc.__context__
    said = " ".join(str(part) for part in getattr(cause, "args", ())).lower() + " " + exc.reason.lower()
    user_login = "oauth2.credentials" in exc.credential_type or "external_account_authorized_user" in (
        exc.credential_type
    )
    if (
        isinstance(cause, google.auth.exceptions.TransportError)
        or "could not reach" in said
        or "did not answer" in said
    ):
        fix = "check network access to the token endpoint (proxy, firewall, DNS); the credentials may be fine"
    elif "invalid_grant" in said:
        fix = (
            "the login expired or was revoked: run `gcloud auth application-default login` again"
            if user_login
            else "the key was deleted or disabled, or this machine's clock is wrong: create a new key "
            "(IAM > Service accounts > Keys) and check the clock"
        )
    elif "permission" in said or "403" in said:
        fix = (
            "the principal lacks a permission the credentials need (for impersonation: "
            "roles/iam.serviceAccountTokenCreator on the target service account)"
        )
    else:
        fix = "check that these credentials are still valid; `--debug` shows the full error"
    return Problem(str(exc), fix)


def _not_connected(exc: openai.APIConnectionError) -> Problem:
    url = exc.request.url
    where = f"{url.host}:{url.port}" if url.port else str(url.host)
    cause = exc.__cause__ or exc.__context__
    why = _one_line(cause) if cause is not None else ""
    what = "timed out" if isinstance(exc, openai.APITimeoutError) else "could not connect"
    return Problem(
        f"{what} to {where}" + (f": {why}" if why and why != str(exc) else ""),
        "check network access to that host (proxy, firewall, DNS), or --base-url",
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(part) for part in exc.args if isinstance(part, str)) or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


# --- doctor ---
def doctor(
    project: str | None,
    location: str | None,
    *,
    base_url: str | None = None,
    call: str | None = None,
    as_json: bool = False,
) -> int:
    """Print what the client would resolve and each failure with its cause and fix."""
    report: JSONObject = {}
    checks: list[Check] = []
    try:
        client: VertexOpenAI | None = VertexOpenAI(
            project=project, location=location, base_url=base_url, max_retries=0
        )
    except CredentialsNotFoundError as exc:
        checks.append(_check("credentials", diagnose(exc)))
        client = None
    except ValueError as exc:
        checks.append(_check("configuration", diagnose(exc)))
        client = None
    if client is not None:
        endpoint = client._vertex.endpoint  # this package's own resolved endpoint, with its project source
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


def _check(name: str, problem: Problem) -> Check:
    return Check(name, False, problem.detail, problem.fix)


def _token_check(client: VertexOpenAI, report: JSONObject) -> Check:
    source = client.token_source
    try:
        source.token()
    except CredentialsNotFoundError as exc:
        report["credentials"] = None
        return _check("token", diagnose(exc))
    except VertexAuthError as exc:
        report["credentials"] = source.describe()
        return _check("token", diagnose(exc))
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
    except (openai.APIStatusError, openai.APIConnectionError) as exc:
        return _check("call", diagnose(exc, location=client.location))
    return Check("call", True, f"{model} answered")


def _print_report(report: JSONObject, checks: list[Check], out: TextIO) -> None:
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
    base_url: str | None = None,
) -> int:
    """Stream an answer to stdout; with `show_thoughts`, thought summaries come first, set apart.

    Failures propagate; `main` turns them into one line on stderr.
    """
    options: dict[str, Any] = {}
    if show_thoughts:
        config = ThinkingConfig(
            include_thoughts=True, thinking_budget=REASONING_EFFORT_BUDGETS.get(thinking or "")
        )
        options["extra_body"] = gemini_options(thinking_config=config, thought_tag_marker="think")
    elif thinking:
        options["reasoning_effort"] = thinking
    client = VertexOpenAI(project=project, location=location, base_url=base_url)
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": prompt}], stream=True, **options
    )
    _print_stream(iter_thoughts(stream, "think"), sys.stdout, show_thoughts=show_thoughts)
    return 0


def _print_stream(pieces: Iterable[tuple[str, str]], out: TextIO, *, show_thoughts: bool) -> None:
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
