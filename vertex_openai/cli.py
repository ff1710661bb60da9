"""The `vertex-openai` command (also `python -m vertex_openai`).

    vertex-openai doctor [--call MODEL] [--json]   what the client resolves, and why it fails
    vertex-openai chat "prompt" [--model M] [--thinking low|medium|high] [--show-thoughts]
    vertex-openai migrate PATH... [--write] [--diff] [--json] [--quiet]   OpenAI-library code to VertexOpenAI

Both take `--project`, `--location`, `--base-url` and `--debug`; `vertex-openai --version`.
`doctor --fallback-locations us-east5,global` also checks and shows the client's `fallback_locations`.
Exit codes: 0 success; 1 a check, the token or the call failed; 2 wrong usage; 130 interrupted.
A failure is one line on stderr (`--debug` adds the traceback); the library keeps raising as usual.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import platform
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeAlias

import openai

from ._client import VertexOpenAI
from ._errors import NO_CREDENTIALS_FIX, CredentialsNotFoundError, TokenRefreshError, VertexAuthError, hint
from ._resources._batch._cli import add_batch_command, check_bucket
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
        origins = Origins.of(
            getattr(args, "project", None), getattr(args, "location", None), getattr(args, "base_url", None)
        )
        sys.stderr.write(f"error: {diagnose(exc, origins=origins).line()}\n")
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
    add_batch_command(
        commands,
        common,
        lambda args: VertexOpenAI(project=args.project, location=args.location, base_url=args.base_url),
    )
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
    command.add_argument(
        "--fallback-locations",
        metavar="LOC[,LOC...]",
        type=_locations,
        help="the client's fallback_locations (tried after a 429 RESOURCE_EXHAUSTED), to check and show",
    )
    command.add_argument(
        "--batch",
        action="store_true",
        help="also check the batch bucket (batch_bucket / VERTEX_OPENAI_BATCH_BUCKET): write, read, delete",
    )
    command.set_defaults(
        run=lambda args: doctor(
            args.project,
            args.location,
            base_url=args.base_url,
            call=args.call,
            as_json=args.json,
            batch=args.batch,
            fallback_locations=args.fallback_locations,
        )
    )


def _locations(value: str) -> list[str]:
    """`us-east5,global` as a list (each name is checked by the client, naming fallback_locations)."""
    return [part.strip() for part in value.split(",") if part.strip()]


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


# --- where each value came from ---
# Vertex AI locations (https://cloud.google.com/vertex-ai/docs/general/locations and the Generative AI
# locations page). Google adds regions: a name not listed is refused only when it is close to one that is.
KNOWN_LOCATIONS = (
    "global",
    "us",
    "eu",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "southamerica-east1",
    "southamerica-west1",
    "europe-central2",
    "europe-north1",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "me-central1",
    "me-central2",
    "me-west1",
    "africa-south1",
)
_OPTION = {"project": "--project", "location": "--location", "base_url": "--base-url"}
_VARIABLE = {"project": "GOOGLE_CLOUD_PROJECT", "location": "GOOGLE_CLOUD_LOCATION"}


@dataclass(frozen=True)
class Origins:
    """Where project, location and base URL came from: an option, a variable, or neither (None)."""

    given: dict[str, str] = field(default_factory=dict)  # name -> option or variable

    @classmethod
    def of(cls, project: str | None, location: str | None, base_url: str | None) -> Origins:
        given: dict[str, str] = {}
        for name, value in (("project", project), ("location", location), ("base_url", base_url)):
            if value is not None:
                given[name] = _OPTION[name]
            elif name in _VARIABLE and os.environ.get(_VARIABLE[name]):
                given[name] = _VARIABLE[name]
        return cls(given)

    def of_value(self, name: str) -> str | None:
        return self.given.get(name)

    def correct(self, name: str, value: str, right: str = "") -> str:
        """How to correct `name` where it was set (`right`: the value to put there, when known)."""
        origin = self.given.get(name)
        example = right or {"project": "my-project", "location": "us-central1"}.get(name, "...")
        if origin is None:
            return f"pass {_OPTION[name]} {example}" + (
                f" or set {_VARIABLE[name]}={example}" if name in _VARIABLE else ""
            )
        if origin.startswith("--"):
            return f"pass {origin} {example} instead of {value!r}"
        return f"set {origin}={example} (it holds {value!r}), or pass {_OPTION[name]} to override it"


def credentials_origin() -> tuple[str, Path] | None:
    """(where, path) of the credentials file Application Default Credentials reads, if any."""
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if key_file:
        return "GOOGLE_APPLICATION_CREDENTIALS", Path(key_file)
    config = os.environ.get("CLOUDSDK_CONFIG") or (
        os.path.join(os.environ.get("APPDATA", ""), "gcloud")
        if os.name == "nt"
        else os.path.expanduser("~/.config/gcloud")
    )
    well_known = Path(config) / "application_default_credentials.json"
    return ("gcloud's application-default credentials file", well_known) if well_known.is_file() else None


def origin_text(found: tuple[str, Path]) -> str:
    """`GOOGLE_APPLICATION_CREDENTIALS=/path`, or `gcloud's ... file /path`."""
    return f"{found[0]}={found[1]}" if found[0].isupper() else f"{found[0]} {found[1]}"


def location_problem(location: str, origins: Origins) -> Problem | None:
    """An unknown location close to a known one: almost surely a typo, with a did-you-mean."""
    if location in KNOWN_LOCATIONS:
        return None
    close = difflib.get_close_matches(location, KNOWN_LOCATIONS, n=1, cutoff=0.8)
    if not close:
        return None
    origin = origins.of_value("location")
    return Problem(
        f"unknown location {location!r}"
        + (f" (from {origin})" if origin else "")
        + f": did you mean {close[0]!r}?",
        origins.correct("location", location, close[0]),
    )


# --- who the credentials are: workload identity federation, impersonation, quota project ---
_POOL = re.compile(
    r"//iam\.googleapis\.com/projects/(?P<number>[^/]+)/locations/[^/]+/workloadIdentityPools/(?P<pool>[^/]+)"
    r"/providers/(?P<provider>[^/]+)"
)


@dataclass(frozen=True)
class Principal:
    """What kind of credential, and who: never a secret (emails, pool names, project IDs)."""

    kind: str | None = None
    name: str | None = None  # the identity the token is for (service account, pool provider, user)
    impersonates: str | None = None  # the service account a token is minted for, when one is
    member: str | None = None  # the IAM member that must hold roles on `impersonates` / the quota project
    pool: str | None = None  # workload identity federation: the provider's resource name
    quota_project: str | None = None
    quota_project_source: str | None = None

    def report(self) -> JSONObject:
        out: JSONObject = {}
        for key in ("kind", "name", "impersonates", "quota_project_source"):
            value = getattr(self, key)
            if value is not None:
                out[{"kind": "credential_type", "name": "principal"}.get(key, key)] = value
        return out

    def token_fix(self, said: str) -> str | None:
        """The fix for the typical failure of this kind of credential, or None."""
        refused_impersonation = "impersonated credentials" in said or "getaccesstoken" in said
        if refused_impersonation and self.impersonates:
            member = self.member or "the calling principal"
            return (
                f"{member} may not mint tokens for {self.impersonates}: grant it Service Account Token "
                f"Creator (roles/iam.serviceAccountTokenCreator) on that service account "
                f"(`gcloud iam service-accounts add-iam-policy-binding {self.impersonates} "
                f"--member={member} --role=roles/iam.serviceAccountTokenCreator`), and check that the "
                "IAM Service Account Credentials API is enabled"
            )
        if self.pool and ("error code" in said or "invalid_grant" in said or "invalid_target" in said):
            return (
                f"the Security Token Service refused the exchange for {self.pool}: check that the provider's "
                "issuer and allowed audiences match the subject token, that its attribute condition admits "
                "this workload, and that the subject token is current "
                f"(`gcloud iam workload-identity-pools providers describe {self.pool}`)"
            )
        return None

    def quota_fix(self, exc: BaseException, quota_project: str | None) -> str | None:
        """A 403 because the principal may not bill the quota project (serviceusage.services.use)."""
        if not isinstance(exc, openai.APIStatusError) or exc.status_code != 403 or not quota_project:
            return None
        said = (exc.message + " " + json.dumps(exc.body, default=str)).lower()
        if "serviceusage" not in said and "user_project_denied" not in said:
            return None
        member = self.member or "this principal"
        where = self.quota_project_source or "the credentials"
        return (
            f"{member} may not use quota project {quota_project!r} (from {where}): grant it Service Usage "
            f"Consumer (roles/serviceusage.serviceUsageConsumer, permission serviceusage.services.use) on "
            f"{quota_project}, or bill another project (quota_project=..., GOOGLE_CLOUD_QUOTA_PROJECT, or "
            "`gcloud auth application-default set-quota-project`)"
        )


def principal_of(credentials: object) -> Principal:
    """The kind and principal of google-auth credentials, read from their public attributes and the
    credentials file Application Default Credentials read (for what the object does not expose)."""
    if credentials is None:
        return Principal()
    module = type(credentials).__module__
    email = getattr(credentials, "service_account_email", None)
    email = email if isinstance(email, str) and email and email != "default" else None
    quota = getattr(credentials, "quota_project_id", None)
    quota = quota if isinstance(quota, str) and quota else None
    quota_source = None
    if quota:
        found = credentials_origin()
        quota_source = (
            "GOOGLE_CLOUD_QUOTA_PROJECT"
            if os.environ.get("GOOGLE_CLOUD_QUOTA_PROJECT") == quota
            else origin_text(found)
            if found
            else "the credentials"
        )
    base = {"quota_project": quota, "quota_project_source": quota_source}
    info = getattr(credentials, "info", None)
    if isinstance(info, dict) and info.get("type") == "external_account":
        pool = _POOL.search(str(info.get("audience", "")))
        name = (
            f"workload identity pool {pool['pool']}, provider {pool['provider']} (project {pool['number']})"
            if pool
            else str(info.get("audience", ""))
        )
        member = (
            f"principalSet://iam.googleapis.com/projects/{pool['number']}/locations/global/"
            f"workloadIdentityPools/{pool['pool']}/*"
            if pool
            else None
        )
        resource = pool[0].removeprefix("//iam.googleapis.com/") if pool else None
        return Principal(
            "workload identity federation (external_account)", name, email, member, resource, **base
        )
    if module.startswith("google.auth.impersonated_credentials"):
        source = _source_principal()
        member = (
            (f"serviceAccount:{source}" if source.endswith(".gserviceaccount.com") else f"user:{source}")
            if source
            else None
        )
        return Principal("impersonated service account", source, email, member, **base)
    if module.startswith("google.oauth2.service_account"):
        return Principal(
            "service account key", email, None, f"serviceAccount:{email}" if email else None, **base
        )
    if module.startswith("google.oauth2.credentials"):
        account = getattr(credentials, "account", None)
        account = account if isinstance(account, str) and account else None
        return Principal("user login", account, None, f"user:{account}" if account else None, **base)
    if module.startswith("google.auth.compute_engine"):
        return Principal("Compute Engine metadata server", email, None, None, **base)
    return Principal(f"{module}.{type(credentials).__qualname__}", email, **base)


def _source_principal() -> str | None:
    """The source account of an impersonated_service_account credentials file."""
    found = credentials_origin()
    try:
        info = json.loads(found[1].read_text(encoding="utf-8")) if found else None
    except (OSError, ValueError):
        return None
    source = info.get("source_credentials") if isinstance(info, dict) else None
    if not isinstance(source, dict):
        return None
    email = source.get("client_email") or source.get("account")
    return email if isinstance(email, str) and email else None


def _said(exc: TokenRefreshError) -> str:
    cause = exc.__cause__ or exc.__context__
    return (" ".join(str(part) for part in getattr(cause, "args", ())) + " " + exc.reason).lower()


# --- causes and fixes ---
_REJECTED_TOKEN_FIX = (
    "Vertex rejected a freshly obtained token too: use OAuth credentials with the cloud-platform scope "
    "(a service-account key, or `gcloud auth application-default login`), not an API key or an ID "
    "token, for an account that is enabled"
)


def diagnose(exc: BaseException, *, location: str | None = None, origins: Origins | None = None) -> Problem:
    """The cause of a failure in one line, and the fix that matches it (naming where the value that
    caused it came from: an option, a variable or a file)."""
    origins = origins if origins is not None else Origins()
    if isinstance(exc, CredentialsNotFoundError):
        if isinstance(exc.__cause__, OSError) and exc.__cause__.filename is not None:
            return _file_problem(exc.__cause__)
        return _no_credentials(exc)
    if isinstance(exc, TokenRefreshError):
        return _token_failed(exc)
    if isinstance(exc, OSError) and exc.filename is not None:
        return _file_problem(exc)
    if isinstance(exc, openai.APIConnectionError):
        return _not_connected(exc)
    if isinstance(exc, openai.APIStatusError):
        detail = exc.message.split(" (hint: ", 1)[0]  # the hint the library added is the fix here
        if exc.status_code == 401:  # the library's 401 hint sends people here: say what to do instead
            return Problem(detail, _REJECTED_TOKEN_FIX)
        return Problem(detail, hint(exc.status_code, exc.message, location=location))
    if isinstance(exc, ValueError):  # the library names the argument that cannot work
        return _bad_value(_one_line(exc), origins)
    return Problem(f"{type(exc).__name__}: {_one_line(exc)}")


def _bad_value(message: str, origins: Origins) -> Problem:
    """A value the library refused: where it was set, and how to correct it there."""
    name = next((n for n in ("base_url", "location", "project") if message.startswith(n)), None)
    if name is None:
        if message.startswith("No Google Cloud project"):
            return Problem(message, "pass --project my-project, or set GOOGLE_CLOUD_PROJECT=my-project")
        return Problem(message, "correct the value named in the message")
    quoted = re.match(rf"{name}=('[^']*'|\"[^\"]*\")", message)
    value = quoted[1][1:-1] if quoted else ""
    origin = origins.of_value(name)
    if name == "project" and origin is None:  # the credentials' own project
        found = credentials_origin()
        where = origin_text(found) if found else "Application Default Credentials"
        return Problem(
            f"{message.rstrip('.')} (from {where})",
            "pass --project my-project, or set GOOGLE_CLOUD_PROJECT=my-project (the project ID)",
        )
    detail = message.rstrip(".") + (f" (from {origin})" if origin else "")
    close = difflib.get_close_matches(value.strip().lower(), KNOWN_LOCATIONS, n=1, cutoff=0.8)
    fix = origins.correct(name, value, close[0] if name == "location" and close else "")
    if name == "project":
        fix += " (the project ID, not its display name: `gcloud projects list` shows it)"
    return Problem(detail, fix)


def _file_problem(exc: OSError) -> Problem:
    """A file that could not be read, named with the variable that points at it."""
    path = str(exc.filename)
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    what = exc.strerror or type(exc).__name__
    if key_file and os.path.abspath(key_file) == os.path.abspath(path):
        if os.path.isdir(key_file):
            inside = sorted(p.name for p in Path(key_file).glob("*.json"))[:3]
            return Problem(
                f"GOOGLE_APPLICATION_CREDENTIALS={key_file}: a folder, not a key file",
                "point GOOGLE_APPLICATION_CREDENTIALS at the JSON key file itself"
                + (f" (in that folder: {', '.join(inside)})" if inside else "")
                + ", or unset it to use your `gcloud auth application-default login`",
            )
        return Problem(
            f"GOOGLE_APPLICATION_CREDENTIALS={key_file}: {what}",
            "make the key file readable by this user, or point GOOGLE_APPLICATION_CREDENTIALS at another",
        )
    return Problem(f"{path}: {what}", "check that the file exists and this user can read it")


def _no_credentials(exc: CredentialsNotFoundError) -> Problem:
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    reason = _whole_reason(exc)
    if not key_file:
        found = credentials_origin()
        if found is not None and reason:  # gcloud's own file is there and broken
            return Problem(
                f"{found[0]} {found[1]}: {reason}",
                "run `gcloud auth application-default login` again (it writes that file anew)",
            )
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


def _whole_reason(exc: CredentialsNotFoundError) -> str:
    """google-auth's reason in full: the library keeps 300 characters, which can end mid-word."""
    import google.auth.exceptions

    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, google.auth.exceptions.DefaultCredentialsError) and cause.args:
        text = ": ".join(str(a).rstrip(".") for a in cause.args).strip()
        return text.splitlines()[0] if text else exc.reason
    return _whole_words(exc.reason)


def _whole_words(text: str, limit: int = 300) -> str:
    """`text` as is, or (when a library cut it at `limit`) up to its last whole word, marked."""
    if len(text) < limit or " " not in text:
        return text
    return text[: text.rindex(" ")] + " [...]"


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
    found = credentials_origin()
    where = f" (credentials from {origin_text(found)})" if found else ""
    reason = _whole_words(exc.reason)
    return Problem(f"Could not get an access token from {exc.credential_type}: {reason}{where}", fix)


def _not_connected(exc: openai.APIConnectionError) -> Problem:
    url = exc.request.url
    where = f"{url.host}:{url.port}" if url.port else str(url.host)
    cause = exc.__cause__ or exc.__context__
    why = _one_line(cause) if cause is not None else ""
    what = "timed out" if isinstance(exc, openai.APITimeoutError) else "could not connect"
    fix = "check network access to that host (proxy, firewall, DNS), or --base-url"
    if _is_psc(str(url)):
        fix = (
            "a Private Service Connect endpoint is reached only from its VPC network (a private DNS zone for "
            "p.googleapis.com points its name at the endpoint's internal IP): run this where that network is "
            "reachable (a VM in it, VPN or Interconnect), check the endpoint name in --base-url "
            "(`gcloud compute forwarding-rules list --global`), and the DNS zone"
        )
    return Problem(f"{what} to {where}" + (f": {why}" if why and why != str(exc) else ""), fix)


def _is_psc(url: str) -> bool:
    return _host(url).endswith(".p.googleapis.com")


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower()


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
    batch: bool = False,
    fallback_locations: Sequence[str] | None = None,
) -> int:
    """Print what the client would resolve and each failure with its cause and fix (`batch`: also
    check the batch bucket; `fallback_locations`: the client's, checked and shown)."""
    report: JSONObject = {}
    checks: list[Check] = []
    origins = Origins.of(project, location, base_url)
    client: VertexOpenAI | None = None
    problem = _before_the_client(project, location, base_url)
    if problem is not None:
        checks.append(_check(problem[0], problem[1]))
    else:
        try:
            client = VertexOpenAI(
                project=project,
                location=location,
                base_url=base_url,
                max_retries=0,
                fallback_locations=fallback_locations,
            )
        except CredentialsNotFoundError as exc:
            checks.append(_check("credentials", diagnose(exc)))
        except OSError as exc:  # a credentials file that cannot be read (a folder, no permission)
            checks.append(_check("credentials", diagnose(exc)))
        except ValueError as exc:
            checks.append(_check("configuration", diagnose(exc, origins=origins)))
    if client is not None:
        endpoint = client.vertex_endpoint  # the resolved endpoint, with its project source
        report.update(
            project=endpoint.project,
            project_source=endpoint.project_source,
            location=endpoint.location,
            location_source=origins.of_value("location") or ("base_url" if base_url else "default"),
            base_url=str(client.base_url),
        )
        if client.vertex_options.fallback_locations:
            report["fallback_locations"] = list(client.vertex_options.fallback_locations)
        if _is_psc(str(client.base_url)):
            report["endpoint"] = f"Private Service Connect ({_host(str(client.base_url))})"
        where = location_problem(client.location, origins) if base_url is None and client.location else None
        if where is not None:
            checks.append(_check("location", where))
        checks.append(_token_check(client, report))
        if call and all(check.ok for check in checks):
            checks.append(_call_check(client, call, origins))
        if batch and all(check.ok for check in checks):
            bucket = check_bucket(client)
            report["batch"] = bucket.as_dict()
            checks.append(Check("batch bucket", bucket.ok, f"{bucket.bucket or '(none)'}: {bucket.detail}"))
    report["checks"] = [asdict(check) for check in checks]
    report["ok"] = all(check.ok for check in checks)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(report, checks, sys.stdout)
    return 0 if report["ok"] else 1


def _check(name: str, problem: Problem) -> Check:
    return Check(name, False, problem.detail, problem.fix)


def _before_the_client(
    project: str | None, location: str | None, base_url: str | None
) -> tuple[str, Problem] | None:
    """What is wrong before a client can be built: an empty option, a key-file variable naming a folder."""
    for name, value in (("project", project), ("location", location), ("base_url", base_url)):
        if value is not None and not value.strip():
            option = _OPTION[name]
            default = (
                f"{_VARIABLE[name]} or the default"
                if name in _VARIABLE
                else "the URL built from project and location"
            )
            return "configuration", Problem(
                f"{option} is empty ({value!r})",
                f"give {option} a value, or leave {option} out to use {default}",
            )
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if key_file and os.path.isdir(key_file):
        error = IsADirectoryError(21, "Is a directory", key_file)
        return "credentials", diagnose(error)
    return None


def _token_check(client: VertexOpenAI, report: JSONObject) -> Check:
    source = client.token_source
    try:
        source.token()
    except (CredentialsNotFoundError, OSError) as exc:
        report["credentials"] = None
        return _check("token", diagnose(exc))
    except VertexAuthError as exc:
        report["credentials"] = source.describe()
        who = principal_of(getattr(source, "credentials", None))
        report.update(who.report())
        problem = diagnose(exc)
        if isinstance(exc, TokenRefreshError):
            problem = Problem(problem.detail, who.token_fix(_said(exc)) or problem.fix)
        return _check("token", problem)
    report["credentials"] = source.describe()
    report.update(principal_of(getattr(source, "credentials", None)).report())
    report["quota_project"] = source.quota_project
    expiry = getattr(getattr(source, "credentials", None), "expiry", None)
    report["token_expiry"] = expiry.isoformat() + "Z" if isinstance(expiry, dt.datetime) else None
    if isinstance(expiry, dt.datetime):
        minutes = int((expiry - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)).total_seconds() // 60)
        return Check("token", True, f"obtained; expires in {minutes} min")
    return Check("token", True, "obtained")


def _call_check(client: VertexOpenAI, model: str, origins: Origins) -> Check:
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Reply with OK."}])
    except (openai.APIStatusError, openai.APIConnectionError) as exc:
        problem = diagnose(exc, location=client.location, origins=origins)
        status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
        billing = principal_of(getattr(client.token_source, "credentials", None)).quota_fix(
            exc, client.token_source.quota_project
        )
        if billing is not None:
            return _check("call", Problem(problem.detail, billing))
        name, value = ("project", client.project) if status == 403 else ("location", client.location)
        origin = origins.of_value(name) or ("the credentials" if name == "project" else "the default")
        if status in (403, 404) and value:
            problem = Problem(problem.detail, f"{problem.fix}; {name} {value!r} came from {origin}")
        return _check("call", problem)
    return Check("call", True, f"{model} answered")


def _print_report(report: JSONObject, checks: list[Check], out: TextIO) -> None:
    color = out.isatty() and not os.environ.get("NO_COLOR")
    paint = {True: "\033[32m", False: "\033[31m"}
    labels = {"credential_type": "kind", "fallback_locations": "fallbacks"}
    names: tuple[str, ...] = ("project", "location", "fallback_locations", "base_url", "endpoint")
    names = (*names, "credentials", "credential_type", "principal")
    for name in (*names, "impersonates", "quota_project", "token_expiry"):
        if name in report:
            value = report[name]
            source = report.get(f"{name}_source")
            if source and value is not None and name in ("project", "location", "quota_project"):
                value = f"{value} (from {'--' + name if source == 'argument' else source})"
            if name == "fallback_locations" and isinstance(value, list):
                value = ", ".join(map(str, value))
            label = labels.get(name, name.replace("_", " "))
            out.write(f"{label:14} {value if value is not None else 'none'}\n")
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
