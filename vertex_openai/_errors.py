"""Errors: the SDK's own exceptions, and Vertex error bodies made to read like OpenAI's."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import openai

from ._compat import http
from ._pipeline._maas import ModelTable
from ._transport._routes import response_hint

__all__ = [
    "CredentialsNotFoundError",
    "TokenRefreshError",
    "VertexAuthError",
]


class VertexAuthError(openai.OpenAIError):
    """Getting a Google access token failed. Nothing was sent to Vertex AI."""


#: How to give the client credentials (the one text for the library and the command).
NO_CREDENTIALS_FIX = (
    "`gcloud auth application-default login` (your user account); "
    "GOOGLE_APPLICATION_CREDENTIALS=/path/to/key.json (a service account key file); "
    "or pass credentials=..., token_provider=... or access_token=... to the client"
)


class CredentialsNotFoundError(VertexAuthError):
    """No Google credentials were passed and Application Default Credentials found none."""

    def __init__(self, reason: str = "") -> None:
        self.reason = reason  # google-auth's cause (e.g. a key file that is missing), or ""
        detail = f" ({reason})" if reason else ""
        super().__init__(f"No Google credentials found{detail}. Fix it with one of: {NO_CREDENTIALS_FIX}.")


class TokenRefreshError(VertexAuthError):
    """The credentials could not produce an access token. The message says which and why."""

    def __init__(self, credential_type: str, reason: str) -> None:
        self.credential_type = credential_type
        self.reason = reason
        super().__init__(f"Could not get an access token from {credential_type}: {reason}")


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret replaced by `<redacted>`."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "<redacted>")
    return text


def vertex_error(body: object) -> Mapping[str, object] | None:
    """The error object of a Vertex error body: `[{"error": {...}}]` or `{"error": {...}}`."""
    if isinstance(body, list) and body and isinstance(body[0], Mapping):
        body = body[0]
    error = body.get("error") if isinstance(body, Mapping) else None
    return error if isinstance(error, Mapping) else None


def hint(status: int, message: str, *, location: str | None, reason: str | None = None) -> str | None:
    """A short fix for the errors people hit most on this endpoint."""
    if "Malformed publisher model name" in message:
        return "use a 'publisher/model' name such as 'google/gemini-2.5-flash'."
    if "aiplatform.endpoints.predict" in message:
        return (
            "the principal lacks 'aiplatform.endpoints.predict'; grant it the Vertex AI User role "
            "(roles/aiplatform.user) on the project."
        )
    if "thought_signature" in message:
        return (
            "pass the assistant message back unchanged (it carries extra_content.google.thought_signature), "
            "or use vertex_openai.add_placeholder_signatures() on history from another model."
        )
    if "API keys are not supported" in message:
        return "this endpoint takes OAuth access tokens, not API keys."
    if status == 404 and location not in (None, "global") and "model" in message.lower():
        return f"newer models are often served only on location='global', not {location!r}."
    if status == 401:
        why = f" ({reason})" if reason else ""
        return f"the access token was rejected{why}; run `vertex-openai doctor` to check your credentials."
    return None


def _reason(error: Mapping[str, object]) -> str | None:
    """The `reason` of Google's ErrorInfo detail, e.g. ACCESS_TOKEN_TYPE_UNSUPPORTED."""
    details = error.get("details")
    for detail in details if isinstance(details, list) else ():
        reason = detail.get("reason") if isinstance(detail, Mapping) else None
        if isinstance(reason, str):
            return reason
    return None


_E = TypeVar("_E", bound=openai.APIStatusError)


def shape_status_error(
    make: Callable[..., _E],
    err_msg: str,
    *,
    body: object,
    response: http.Response,
    location: str | None,
    models: ModelTable | None = None,
    note: str | None = None,
) -> _E:
    """Build openai's status error from a Vertex body: unwrapped, with Google's message and a hint
    (`note`: what else the message says, such as the locations failover tried)."""
    error = vertex_error(body)
    by_request = response_hint(response, location=location, table=models)  # route, model, tier
    after = f" ({note})" if note else ""
    if error is None:
        text = f"{err_msg} (hint: {by_request})" if by_request else err_msg
        return make(text + after, body=body, response=response)
    message = str(error.get("message") or error.get("status") or "")
    text = f"Error code: {response.status_code} - {message}"
    fix = by_request or hint(response.status_code, message, location=location, reason=_reason(error))
    if fix:
        text += f" (hint: {fix})"
    return make(text + after, body=error, response=response)
