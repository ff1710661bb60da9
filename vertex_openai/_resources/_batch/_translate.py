"""OpenAI batch lines <-> Vertex batch prediction lines, one line at a time (memory does not grow with
the file).

Input: an OpenAI line `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}` becomes,
for Gemini, `{"request": GenerateContentRequest}` with the `custom_id` in the request's `labels` (the
one place Google documents to come back in each prediction line); for partner models it stays an
OpenAI line, with the model as Vertex names it. What Gemini cannot express is refused with the line
number and the field (`InputError`), before anything is uploaded.

Output: each prediction line (`{"request", "response", "status"}`) becomes an OpenAI output line
`{"id", "custom_id", "response": {"status_code", "request_id", "body": chat.completion}, "error"}`;
a failed line (a `status` text, or a prompt blocked with no candidates) goes to the error results.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import blake2b
from typing import Literal

from ..._pipeline._model import ResolvedModel
from ..._util import JSONObject
from ._ids import pack_label, unpack_label

__all__ = ["InputError", "InputSummary", "completion_of", "result_lines", "translate_input"]

CHAT_URL = "/v1/chat/completions"
EMBEDDINGS_URL = "/v1/embeddings"
CUSTOM_ID_LABEL = "openai_custom_id"
MAX_CUSTOM_ID = 512  # characters; a custom_id travels base32-encoded in at most 64 labels of 63 characters
MAX_ERRORS = 10  # problems listed in one InputError

#: Thinking budgets for `reasoning_effort` on Gemini 2.x, as Google documents the mapping.
_BUDGETS = {"none": 0, "minimal": 1024, "low": 1024, "medium": 8192, "high": 24576}
_LEVELS = {"minimal": "LOW", "low": "LOW", "medium": "HIGH", "high": "HIGH"}  # Gemini 3
_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}
_REASONS = {
    "Bad Request": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "Not Found": 404,
    "Too Many Requests": 429,
    "Internal Server Error": 500,
    "Service Unavailable": 503,
    "Gateway Timeout": 504,
}
_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[^,;]*)*;base64,(?P<data>.*)", re.DOTALL)
_GOOGLE_FIELDS = ("thinking_config", "safety_settings", "cached_content")
_THINKING_KEYS = {
    "thinking_budget": "thinkingBudget",
    "include_thoughts": "includeThoughts",
    "thinking_level": "thinkingLevel",
}
_SAFETY_KEYS = {"category": "category", "threshold": "threshold", "method": "method"}


class InputError(ValueError):
    """A batch input file Vertex cannot run; `problems` are `(line number, message)` pairs."""

    def __init__(self, file_id: str, problems: Sequence[tuple[int, str]], more: bool = False) -> None:
        self.file_id = file_id
        self.problems = list(problems)
        listed = "; ".join(f"line {line}: {message}" for line, message in self.problems)
        tail = " (and more)" if more else ""
        super().__init__(
            f"input_file_id={file_id!r} cannot run on Vertex AI batch prediction: {listed}{tail}. "
            "No batch was created."
        )

    @property
    def line(self) -> int:
        """The first line with a problem (1-based)."""
        return self.problems[0][0]


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class InputSummary:
    """What a validated input file holds."""

    model: ResolvedModel | None = None
    requests: int = 0
    gemini: bool = True
    digests: array[int] = field(default_factory=lambda: array("Q"), repr=False)  # 8 bytes per custom_id


def _digest(custom_id: str) -> int:
    return int.from_bytes(blake2b(custom_id.encode(), digest_size=8).digest(), "big")


# --- input ---------------------------------------------------------------------------------------
def translate_input(
    lines: Iterable[bytes],
    write: Callable[[bytes], object],
    *,
    file_id: str,
    endpoint: str,
    resolve: Callable[[str], ResolvedModel],
) -> InputSummary:
    """Check every line of an OpenAI batch file and `write` its Vertex form; InputError on any problem.

    One model per file (as OpenAI requires), unique `custom_id`s, one JSON object per line whose `url`
    is the batch's `endpoint`. Duplicates are found from 8-byte digests (the only per-line memory)."""
    if endpoint == EMBEDDINGS_URL:
        raise ValueError(
            "endpoint='/v1/embeddings': Vertex AI batch prediction takes embeddings in another input and "
            "output format, which this SDK does not translate yet; call client.embeddings.create, which "
            "splits and sends large inputs for you."
        )
    if endpoint != CHAT_URL:
        raise ValueError(f"endpoint={endpoint!r} is not supported on Vertex AI; use {CHAT_URL!r}.")
    summary = InputSummary()
    problems: list[tuple[int, str]] = []
    more = False
    number = 0
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            write(_translate_line(raw, summary, resolve))
        except _Refused as refused:
            if len(problems) == MAX_ERRORS:
                more = True
                break
            problems.append((number, refused.message))
    if not problems and summary.requests == 0:
        problems.append((max(number, 1), "the file has no requests"))
    if problems:
        raise InputError(file_id, problems, more)
    return summary


def duplicate_lines(lines: Iterable[bytes], digests: set[int]) -> list[tuple[int, str]]:
    """(line, message) for the lines whose custom_id digest is in `digests` (a second pass, errors only)."""
    seen: dict[str, int] = {}
    found: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        custom_id = json.loads(raw).get("custom_id")
        if isinstance(custom_id, str) and _digest(custom_id) in digests:
            if custom_id in seen:
                found.append((number, f"custom_id {custom_id!r} is also used on line {seen[custom_id]}"))
                if len(found) == MAX_ERRORS:
                    break
            seen.setdefault(custom_id, number)
    return found


def repeated_digests(digests: array[int]) -> set[int]:
    ordered = sorted(digests)
    return {a for a, b in itertools.pairwise(ordered) if a == b}


def _translate_line(raw: bytes, summary: InputSummary, resolve: Callable[[str], ResolvedModel]) -> bytes:
    try:
        line = json.loads(raw)
    except ValueError as exc:
        raise _Refused(f"not valid JSON ({exc.args[0] if exc.args else exc})") from None
    if not isinstance(line, dict):
        raise _Refused("not a JSON object")
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        raise _Refused("custom_id must be a non-empty string")
    if len(custom_id) > MAX_CUSTOM_ID:
        raise _Refused(f"custom_id is longer than {MAX_CUSTOM_ID} characters")
    if line.get("method", "POST") != "POST":
        raise _Refused(f"method={line.get('method')!r}; batch requests are POST")
    if line.get("url") != CHAT_URL:
        raise _Refused(f"url={line.get('url')!r} differs from the batch's endpoint {CHAT_URL!r}")
    extra = sorted(set(line) - {"custom_id", "method", "url", "body"})
    if extra:
        raise _Refused(f"unknown field {extra[0]!r} (a line has custom_id, method, url, body)")
    body = line.get("body")
    if not isinstance(body, dict):
        raise _Refused("body must be a JSON object (the chat completion request)")
    model_name = body.get("model")
    if not isinstance(model_name, str) or not model_name:
        raise _Refused("body.model must be a model name")
    model = resolve(model_name)
    if summary.model is None:
        summary.model = model
        summary.gemini = model.is_gemini
    elif model.id != summary.model.id:
        raise _Refused(
            f"body.model={model_name!r} differs from {summary.model.requested!r} on an earlier line; "
            "a batch runs one model"
        )
    summary.requests += 1
    summary.digests.append(_digest(custom_id))
    if not model.is_gemini:
        forwarded = {
            "custom_id": custom_id,
            "method": "POST",
            "url": CHAT_URL,
            "body": {**body, "model": model.id},
        }
        return _dumps(forwarded)
    return _dumps({"request": gemini_request(body, custom_id, model)})


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def gemini_request(body: Mapping[str, object], custom_id: str, model: ResolvedModel) -> JSONObject:
    """A chat completion request body as Vertex's GenerateContentRequest (for one batch line)."""
    request: JSONObject = {}
    config: JSONObject = {}
    labels = pack_label(CUSTOM_ID_LABEL, custom_id)
    names: dict[str, str] = {}  # tool_call_id -> function name, for the tool messages that answer
    for key, value in body.items():
        if value is None or key in ("model", "messages"):
            continue
        handler = _BODY_FIELDS.get(key)
        if handler is None:
            raise _Refused(f"body.{key} cannot be expressed in a Vertex AI batch request for Gemini")
        handler(value, config, request, labels, model)
    contents, system = _contents(body.get("messages"), names)
    request["contents"] = contents
    if system:
        request["systemInstruction"] = {"parts": system}
    if config:
        request["generationConfig"] = config
    if len(labels) > 64:
        raise _Refused("custom_id and body.metadata need more than the 64 labels a Vertex request carries")
    request["labels"] = labels
    return request


_Handler = Callable[[object, JSONObject, JSONObject, dict[str, str], ResolvedModel], None]


def _number(name: str, key: str, *, integer: bool = False) -> _Handler:
    def put(
        value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
    ) -> None:
        if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
            raise _Refused(f"body.{name} must be a {'whole number' if integer else 'number'}")
        config[key] = value

    return put


def _flag(name: str, key: str) -> _Handler:
    def put(
        value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
    ) -> None:
        if not isinstance(value, bool):
            raise _Refused(f"body.{name} must be true or false")
        config[key] = value

    return put


def _only(name: str, allowed: tuple[object, ...], why: str) -> _Handler:
    def check(
        value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
    ) -> None:
        if value not in allowed:
            raise _Refused(f"body.{name}={value!r}: {why}")

    return check


def _stop(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise _Refused("body.stop must be a string or a list of strings")
    config["stopSequences"] = stops


def _response_format(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return
    if kind == "json_object":
        config["responseMimeType"] = "application/json"
        return
    if kind == "json_schema":
        assert isinstance(value, dict)
        spec = value.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        if not isinstance(schema, dict):
            raise _Refused("body.response_format.json_schema.schema must be a JSON schema object")
        config["responseMimeType"] = "application/json"
        config["responseJsonSchema"] = schema
        return
    raise _Refused(f"body.response_format.type={kind!r} is not one of text, json_object, json_schema")


def _reasoning(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    if not isinstance(value, str) or value not in _BUDGETS:
        raise _Refused(f"body.reasoning_effort={value!r} is not one of {', '.join(_BUDGETS)}")
    thinking = config.setdefault("thinkingConfig", {})
    assert isinstance(thinking, dict)
    if (model.gemini_generation or 0) >= 3:
        if value == "none":
            raise _Refused("body.reasoning_effort='none': Gemini 3 models always think")
        thinking["thinkingLevel"] = _LEVELS[value]
    else:
        thinking["thinkingBudget"] = _BUDGETS[value]


def _tools(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    if not isinstance(value, list):
        raise _Refused("body.tools must be a list")
    declarations: list[JSONObject] = []
    for n, tool in enumerate(value):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(function, dict):
            kind = tool.get("type") if isinstance(tool, dict) else None
            raise _Refused(f"body.tools[{n}].type={kind!r}: only function tools can be expressed")
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise _Refused(f"body.tools[{n}].function.name must be a string")
        declaration: JSONObject = {"name": name}
        if isinstance(function.get("description"), str):
            declaration["description"] = function["description"]
        if function.get("parameters") is not None:
            declaration["parametersJsonSchema"] = function["parameters"]
        declarations.append(declaration)
    request["tools"] = [{"functionDeclarations": declarations}]


def _tool_choice(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    modes = {"auto": "AUTO", "none": "NONE", "required": "ANY"}
    if isinstance(value, str) and value in modes:
        calling: JSONObject = {"mode": modes[value]}
    elif (
        isinstance(value, dict) and isinstance(value.get("function"), dict) and value["function"].get("name")
    ):
        calling = {"mode": "ANY", "allowedFunctionNames": [value["function"]["name"]]}
    else:
        raise _Refused(f"body.tool_choice={value!r} is not auto, none, required or a function")
    request["toolConfig"] = {"functionCallingConfig": calling}


def _parallel(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    if value is not True:
        raise _Refused("body.parallel_tool_calls=false: Gemini may always call several functions at once")


def _metadata(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    if not isinstance(value, dict):
        raise _Refused("body.metadata must be an object of strings")
    for key, text in value.items():
        if (
            not re.fullmatch(r"[a-z][a-z0-9_-]{0,62}", key)
            or not isinstance(text, str)
            or key.startswith("openai_")
        ):
            raise _Refused(
                f"body.metadata key {key!r}: Vertex request labels need lowercase keys "
                "([a-z][a-z0-9_-]*, not starting with openai_) and string values"
            )
        labels.update(pack_label(key, text))


def _user(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    if not isinstance(value, str):
        raise _Refused("body.user must be a string")
    labels.update(pack_label("openai_user", value))


def _modalities(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    if value != ["text"]:
        raise _Refused(f"body.modalities={value!r}: batch lines translate text answers only")


def _extra_body(
    value: object, config: JSONObject, request: JSONObject, labels: dict[str, str], model: ResolvedModel
) -> None:
    google = value.get("google") if isinstance(value, dict) else None
    if not isinstance(value, dict) or set(value) - {"google"} or not isinstance(google, dict):
        raise _Refused("body.extra_body may only hold {'google': {...}} (gemini_options())")
    for key, option in google.items():
        if key == "thinking_config" and isinstance(option, dict):
            thinking = config.setdefault("thinkingConfig", {})
            assert isinstance(thinking, dict)
            thinking.update(_renamed(option, _THINKING_KEYS, "body.extra_body.google.thinking_config"))
        elif key == "safety_settings" and isinstance(option, list):
            request["safetySettings"] = [
                _renamed(rule, _SAFETY_KEYS, f"body.extra_body.google.safety_settings[{n}]")
                for n, rule in enumerate(option)
            ]
        elif key == "cached_content" and isinstance(option, str):
            request["cachedContent"] = option
        else:
            raise _Refused(
                f"body.extra_body.google.{key} cannot be expressed in a batch request "
                f"(batch lines take {', '.join(_GOOGLE_FIELDS)})"
            )


def _renamed(value: object, names: Mapping[str, str], where: str) -> JSONObject:
    if not isinstance(value, dict):
        raise _Refused(f"{where} must be an object")
    out: JSONObject = {}
    for key, item in value.items():
        if key not in names:
            raise _Refused(f"{where}.{key} is not one of {', '.join(names)}")
        out[names[key]] = item
    return out


_BODY_FIELDS: dict[str, _Handler] = {
    "max_tokens": _number("max_tokens", "maxOutputTokens", integer=True),
    "max_completion_tokens": _number("max_completion_tokens", "maxOutputTokens", integer=True),
    "temperature": _number("temperature", "temperature"),
    "top_p": _number("top_p", "topP"),
    "n": _number("n", "candidateCount", integer=True),
    "seed": _number("seed", "seed", integer=True),
    "presence_penalty": _number("presence_penalty", "presencePenalty"),
    "frequency_penalty": _number("frequency_penalty", "frequencyPenalty"),
    "logprobs": _flag("logprobs", "responseLogprobs"),
    "top_logprobs": _number("top_logprobs", "logprobs", integer=True),
    "stop": _stop,
    "response_format": _response_format,
    "reasoning_effort": _reasoning,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "parallel_tool_calls": _parallel,
    "metadata": _metadata,
    "user": _user,
    "modalities": _modalities,
    "extra_body": _extra_body,
    "stream": _only("stream", (False,), "a batch answers whole completions, not streams"),
    "store": _only("store", (False,), "Vertex AI does not store chat completions"),
}


def _contents(messages: object, names: dict[str, str]) -> tuple[list[JSONObject], list[JSONObject]]:
    if not isinstance(messages, list) or not messages:
        raise _Refused("body.messages must be a non-empty list")
    contents: list[JSONObject] = []
    system: list[JSONObject] = []
    for n, message in enumerate(messages):
        where = f"body.messages[{n}]"
        if not isinstance(message, dict):
            raise _Refused(f"{where} must be an object")
        role = message.get("role")
        unknown = sorted(set(message) - {"role", "content", "name", "tool_calls", "tool_call_id", "refusal"})
        if unknown:
            raise _Refused(f"{where}.{unknown[0]} cannot be expressed in a Vertex AI batch request")
        content = message.get("content")
        if role in ("system", "developer"):
            system.extend(_parts(content, f"{where}.content", text_only=True))
        elif role == "user":
            contents.append({"role": "user", "parts": _parts(content, f"{where}.content")})
        elif role == "assistant":
            parts = _parts(content, f"{where}.content", text_only=True) if content else []
            parts += _calls(message.get("tool_calls"), f"{where}.tool_calls", names)
            if not parts:
                raise _Refused(f"{where} has neither content nor tool_calls")
            contents.append({"role": "model", "parts": parts})
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in names:
                raise _Refused(f"{where}.tool_call_id={call_id!r} answers no earlier assistant tool call")
            assert isinstance(call_id, str)
            text = (
                content
                if isinstance(content, str)
                else "".join(str(p["text"]) for p in _parts(content, f"{where}.content", text_only=True))
            )
            part: JSONObject = {"functionResponse": {"name": names[call_id], "response": _tool_result(text)}}
            last = contents[-1] if contents else None
            if last is not None and last["role"] == "user" and _all_responses(last["parts"]):
                parts_list = last["parts"]
                assert isinstance(parts_list, list)
                parts_list.append(part)
            else:
                contents.append({"role": "user", "parts": [part]})
        else:
            raise _Refused(f"{where}.role={role!r} is not system, developer, user, assistant or tool")
    if not contents:
        raise _Refused("body.messages has no user message")
    return contents, system


def _all_responses(parts: object) -> bool:
    return isinstance(parts, list) and all(isinstance(p, dict) and "functionResponse" in p for p in parts)


def _tool_result(text: str) -> JSONObject:
    try:
        value = json.loads(text)
    except ValueError:
        return {"content": text}
    return value if isinstance(value, dict) else {"content": value}


def _calls(calls: object, where: str, names: dict[str, str]) -> list[JSONObject]:
    if calls is None:
        return []
    if not isinstance(calls, list):
        raise _Refused(f"{where} must be a list")
    parts: list[JSONObject] = []
    for n, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if (
            not isinstance(call, dict)
            or not isinstance(function, dict)
            or not isinstance(function.get("name"), str)
        ):
            raise _Refused(f"{where}[{n}] must be a function call with a name")
        try:
            args = json.loads(function.get("arguments") or "{}")
        except (TypeError, ValueError):
            raise _Refused(f"{where}[{n}].function.arguments is not a JSON object") from None
        if not isinstance(args, dict):
            raise _Refused(f"{where}[{n}].function.arguments is not a JSON object")
        if isinstance(call.get("id"), str):
            names[call["id"]] = function["name"]
        part: JSONObject = {"functionCall": {"name": function["name"], "args": args}}
        extra = call.get("extra_content")
        google = extra.get("google") if isinstance(extra, dict) else None
        if isinstance(google, dict) and isinstance(google.get("thought_signature"), str):
            part["thoughtSignature"] = google["thought_signature"]
        parts.append(part)
    return parts


def _parts(content: object, where: str, *, text_only: bool = False) -> list[JSONObject]:
    if isinstance(content, str):
        return [{"text": content}]
    if not isinstance(content, list) or not content:
        raise _Refused(f"{where} must be a string or a non-empty list of parts")
    parts: list[JSONObject] = []
    for n, item in enumerate(content):
        kind = item.get("type") if isinstance(item, dict) else None
        here = f"{where}[{n}]"
        if kind == "text" and isinstance(item, dict) and isinstance(item.get("text"), str):
            parts.append({"text": item["text"]})
        elif text_only:
            raise _Refused(f"{here}.type={kind!r}: only text parts can be expressed here")
        elif kind == "image_url" and isinstance(item, dict) and isinstance(item.get("image_url"), dict):
            parts.append(_media(item["image_url"].get("url"), f"{here}.image_url.url"))
        elif kind == "input_audio" and isinstance(item, dict) and isinstance(item.get("input_audio"), dict):
            audio = item["input_audio"]
            if not isinstance(audio.get("data"), str) or audio.get("format") not in ("wav", "mp3"):
                raise _Refused(f"{here}.input_audio needs base64 data and format wav or mp3")
            parts.append({"inlineData": {"mimeType": f"audio/{audio['format']}", "data": audio["data"]}})
        elif kind == "file" and isinstance(item, dict) and isinstance(item.get("file"), dict):
            if "file_data" not in item["file"]:
                raise _Refused(
                    f"{here}.file: only inline file_data (a data: URL) can be expressed, not file_id"
                )
            parts.append(_media(item["file"]["file_data"], f"{here}.file.file_data"))
        else:
            raise _Refused(f"{here}.type={kind!r} cannot be expressed in a Vertex AI batch request")
    return parts


def _media(url: object, where: str) -> JSONObject:
    if not isinstance(url, str):
        raise _Refused(f"{where} must be a string")
    found = _DATA_URL.fullmatch(url)
    if found:
        return {"inlineData": {"mimeType": found["mime"], "data": found["data"]}}
    if url.startswith(("gs://", "https://", "http://")):
        mime, _ = mimetypes.guess_type(url.split("?", 1)[0])
        if mime is None:
            raise _Refused(f"{where}: the MIME type of {url[:80]!r} cannot be told from its name")
        return {"fileData": {"fileUri": url, "mimeType": mime}}
    raise _Refused(f"{where} must be a data: URL, gs:// or http(s):// URL")


# --- output --------------------------------------------------------------------------------------
ResultKind = Literal["output", "errors"]


def result_lines(
    predictions: Iterable[bytes], kind: ResultKind, *, model: str, batch: str
) -> Iterator[bytes]:
    """OpenAI batch output (`kind="output"`) or error (`"errors"`) lines of Vertex prediction lines."""
    for number, raw in enumerate(predictions):
        if not raw.strip():
            continue
        line = json.loads(raw)
        custom_id, request_id, body, status = _result(line, model)
        failed = status != 200
        if failed != (kind == "errors"):
            continue
        yield _dumps(
            {
                "id": f"batch_req_{batch[-12:]}_{number}" if not request_id else f"batch_req_{request_id}",
                "custom_id": custom_id,
                "response": {"status_code": status, "request_id": request_id, "body": body},
                "error": None,
            }
        )


def _result(line: object, model: str) -> tuple[str | None, str, JSONObject, int]:
    """(custom_id, request id, body, HTTP-like status) of one prediction line."""
    if not isinstance(line, dict):
        return None, "", _error_body(500, "a prediction line is not a JSON object"), 500
    request = line.get("request")
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str) and isinstance(request, dict):
        labels = request.get("labels")
        custom_id = (
            unpack_label(labels, CUSTOM_ID_LABEL) if isinstance(labels, dict) else request.get("custom_id")
        )
    custom_id = custom_id if isinstance(custom_id, str) else None
    status = line.get("status")
    response = line.get("response")
    if isinstance(status, str) and status:
        code = _status_code(status)
        return custom_id, "", _error_body(code, status), code
    if not isinstance(response, dict):
        return custom_id, "", _error_body(500, "Vertex AI wrote no response for this request"), 500
    if "choices" in response:  # a partner model answers in the OpenAI format already
        return custom_id, str(response.get("id") or ""), response, 200
    if not response.get("candidates"):
        feedback = response.get("promptFeedback")
        reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
        message = f"The prompt was blocked ({reason})." if reason else "Vertex AI returned no candidates."
        return (
            custom_id,
            str(response.get("responseId") or ""),
            _error_body(400, message, "content_filter"),
            400,
        )
    completion = completion_of(response, model)
    return custom_id, str(completion["id"]), completion, 200


def _status_code(status: str) -> int:
    head = status.split(":", 1)[0].strip()
    if head in _REASONS:
        return _REASONS[head]
    found = re.search(r'"code"\s*:\s*(\d{3})', status)
    return int(found[1]) if found else 500


def _error_body(code: int, message: str, kind: str | None = None) -> JSONObject:
    return {
        "error": {
            "message": message,
            "type": kind or ("invalid_request_error" if code < 500 else "server_error"),
            "code": code,
        }
    }


def completion_of(response: Mapping[str, object], model: str) -> JSONObject:
    """A GenerateContentResponse as an OpenAI `chat.completion` (model and usage from the answer)."""
    choices: list[JSONObject] = []
    candidates = response.get("candidates")
    for n, candidate in enumerate(candidates if isinstance(candidates, list) else []):
        if not isinstance(candidate, dict):
            continue
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        texts: list[str] = []
        thoughts: list[str] = []
        calls: list[JSONObject] = []
        for part in parts if isinstance(parts, list) else []:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("functionCall"), dict):
                call = part["functionCall"]
                entry: JSONObject = {
                    "id": f"call_{n}_{len(calls)}",
                    "type": "function",
                    "function": {"name": call.get("name"), "arguments": json.dumps(call.get("args") or {})},
                }
                if isinstance(part.get("thoughtSignature"), str):
                    entry["extra_content"] = {"google": {"thought_signature": part["thoughtSignature"]}}
                calls.append(entry)
            elif isinstance(part.get("text"), str):
                (thoughts if part.get("thought") is True else texts).append(part["text"])
        message: JSONObject = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
        if calls:
            message["tool_calls"] = calls
        if thoughts:
            message["reasoning_content"] = "".join(thoughts)
        reason = candidate.get("finishReason")
        finish = "tool_calls" if calls else _FINISH.get(reason, "stop") if isinstance(reason, str) else "stop"
        index = candidate.get("index")
        choices.append(
            {
                "index": index if isinstance(index, int) else n,
                "message": message,
                "finish_reason": finish,
                "logprobs": None,
            }
        )
    answer_model = response.get("modelVersion")
    completion: JSONObject = {
        "id": str(response.get("responseId") or ""),
        "object": "chat.completion",
        "created": _epoch(response.get("createTime")),
        "model": answer_model if isinstance(answer_model, str) and answer_model else model,
        "choices": choices,
    }
    usage = response.get("usageMetadata")
    if isinstance(usage, dict):
        completion["usage"] = _usage(usage)
    return completion


def _count(usage: Mapping[str, object], key: str) -> int:
    value = usage.get(key)
    try:
        return int(value) if isinstance(value, (int, str)) else 0
    except ValueError:
        return 0


def _usage(usage: Mapping[str, object]) -> JSONObject:
    prompt = _count(usage, "promptTokenCount")
    thoughts = _count(usage, "thoughtsTokenCount")
    completion = _count(usage, "candidatesTokenCount") + thoughts
    total = _count(usage, "totalTokenCount") or prompt + completion
    out: JSONObject = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}
    if thoughts:
        out["completion_tokens_details"] = {"reasoning_tokens": thoughts}
    cached = _count(usage, "cachedContentTokenCount")
    if cached:
        out["prompt_tokens_details"] = {"cached_tokens": cached}
    return out


def _epoch(value: object) -> int:
    if not isinstance(value, str):
        return 0
    try:
        return int(datetime.fromisoformat(_iso(value)).timestamp())
    except ValueError:
        return 0


def _iso(value: str) -> str:
    """RFC 3339 with up to nanoseconds and `Z` as `datetime.fromisoformat` reads it on Python 3.10."""
    value = value.replace("Z", "+00:00")
    head, dot, rest = value.partition(".")
    if not dot:
        return value
    zone = rest.lstrip("0123456789")
    digits = rest[: len(rest) - len(zone)]
    return f"{head}.{digits[:6].ljust(6, '0')}{zone}"


def epoch(value: object) -> int | None:
    """Seconds since the epoch of an RFC 3339 time Vertex sends, or None."""
    return _epoch(value) or None
