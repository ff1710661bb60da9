"""Chat request bodies: the rules the pipeline's `history` and `gemini_options` steps apply.

- Gemini options: the client's defaults deep-merged with the call's, all at the documented place
  `"extra_body": {"google": {...}}` (the seed form `extra_body={"google": {...}}` is moved there);
- history: assistant messages passed back as openai objects keep every field the server sent
  (thought signatures included) but lose what only openai-python adds (`parsed`,
  `parsed_arguments`, a tool call's stream `index`), which are no request fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._util import JSONObject, deep_merge
from ..gemini import REASONING_EFFORT_BUDGETS


def split_google(extra_body: Mapping[str, object]) -> tuple[JSONObject, JSONObject]:
    """(`google` fields, everything else) of an `extra_body=` value, from either place they are put."""
    rest = dict(extra_body)
    google: JSONObject = {}
    seed = rest.get("google")
    if isinstance(seed, Mapping):  # the seed form, as Google's JSON examples read
        del rest["google"]
        google = deep_merge(google, seed)
    inner = rest.get("extra_body")
    if isinstance(inner, Mapping) and isinstance(inner.get("google"), Mapping):
        inner = dict(inner)
        google = deep_merge(google, inner.pop("google"))
        if inner:
            rest["extra_body"] = inner
        else:
            del rest["extra_body"]
    return google, rest


def default_google_fields(options: Mapping[str, object] | None) -> JSONObject:
    """Validate a client's `default_gemini_options` (a `gemini_options()` value) into its google fields."""
    if options is None:
        return {}
    google, rest = split_google(options)
    if rest:
        raise ValueError(
            "default_gemini_options takes the value gemini_options() returns, "
            f"i.e. {{'extra_body': {{'google': {{...}}}}}}; unexpected keys: {', '.join(map(str, rest))}."
        )
    return google


def without_client_fields(messages: object) -> list[object] | None:
    """`messages` without what only openai-python adds to assistant messages passed back as its objects
    (`parsed`, `parsed_arguments`, a tool call's stream `index`), or None when nothing is to drop."""
    if not isinstance(messages, list):
        return None
    for message in messages:  # a loop, not any(...): this runs on every chat call
        if _has_client_fields(message):
            return [_without_client_fields(m) for m in messages]
    return None


def _has_client_fields(message: object) -> bool:
    if not isinstance(message, Mapping) or message.get("role") != "assistant":
        return False
    calls = message.get("tool_calls")
    return "parsed" in message or (isinstance(calls, list) and any(_call_has_client_fields(c) for c in calls))


def _call_has_client_fields(call: object) -> bool:
    if not isinstance(call, Mapping):
        return False
    function = call.get("function")
    return "index" in call or (isinstance(function, Mapping) and "parsed_arguments" in function)


def _without_client_fields(message: object) -> object:
    if not isinstance(message, Mapping) or not _has_client_fields(message):
        return message
    cleaned = {k: v for k, v in message.items() if k != "parsed"}
    calls = cleaned.get("tool_calls")
    if isinstance(calls, list):
        cleaned["tool_calls"] = [_call_without_client_fields(c) for c in calls]
    return cleaned


def _call_without_client_fields(call: object) -> object:
    if not isinstance(call, Mapping):
        return call
    cleaned = {k: v for k, v in call.items() if k != "index"}
    function = cleaned.get("function")
    if isinstance(function, Mapping):
        cleaned["function"] = {k: v for k, v in function.items() if k != "parsed_arguments"}
    return cleaned


def with_google_fields(
    body: Mapping[str, object], extra: Mapping[str, object], default_google: Mapping[str, object]
) -> JSONObject:
    """A call's `extra_body` with the client's default Gemini options deep-merged under the call's own,
    all at the documented place (`"extra_body": {"google": {...}}`)."""
    google, rest = split_google(extra)
    reasoning = body.get("reasoning_effort") is not None or rest.get("reasoning_effort") is not None
    if reasoning and "thinking_config" in google:
        budgets = ", ".join(f"{effort}={budget}" for effort, budget in REASONING_EFFORT_BUDGETS.items())
        raise ValueError(
            "Vertex takes either reasoning_effort or a thinking_config, not both: drop one of them "
            f"(reasoning_effort maps to these thinking budgets: {budgets})."
        )
    if reasoning and "thinking_config" in default_google:  # the call's reasoning_effort beats the default
        default_google = {k: v for k, v in default_google.items() if k != "thinking_config"}
    google = deep_merge(default_google, google)
    if google:
        inner = rest.get("extra_body")
        rest["extra_body"] = {**(inner if isinstance(inner, Mapping) else {}), "google": google}
    return rest
