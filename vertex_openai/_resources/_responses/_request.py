"""Request translation: a Responses call's parameters -> one `chat.completions.create` call.

Pure: no I/O. Everything that Vertex cannot express is refused before sending, naming the parameter.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import openai

from ..._util import JSONObject, OpenAIKwargs, deep_merge, field
from ._common import decode_carrier

__all__ = ["THOUGHT_MARKER", "Bridged", "UnsupportedParameterError", "to_chat"]

#: The tag thought summaries are asked in when `reasoning.summary` is set.
THOUGHT_MARKER = "think"

# Responses parameters with no chat equivalent that only tune OpenAI's own service: dropped.
_IGNORED = frozenset(
    {"include", "prompt_cache_key", "prompt_cache_retention", "safety_identifier", "stream_options"}
)
_PASSED = frozenset({"extra_headers", "extra_query", "timeout"})
_HANDLED = frozenset(
    {
        "model", "input", "instructions", "tools", "tool_choice", "text", "reasoning", "max_output_tokens",
        "temperature", "top_p", "parallel_tool_calls", "metadata", "user", "service_tier", "store",
        "stream", "previous_response_id", "extra_body", "background", "truncation",
    }
)  # fmt: skip
_WHY = {
    "background": "background responses need OpenAI's server-side job queue",
    "prompt": "prompt templates live on OpenAI's platform",
    "conversation": "conversations live on OpenAI's platform; use previous_response_id with store=True",
    "max_tool_calls": "Vertex has no limit on built-in tool calls",
    "top_logprobs": "Vertex's chat endpoint does not return log probabilities",
    "truncation": "Vertex does not truncate history for you",
}
_EFFORT_LEVEL = {"none": "MINIMAL", "minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH"}
_EFFORT_BUDGET = {"none": 0, "minimal": 512, "low": 1024, "medium": 8192, "high": 24576}
_WEB_SEARCH = ("web_search", "web_search_preview")


class UnsupportedParameterError(openai.OpenAIError, ValueError):
    """A Responses parameter (or part of one) that cannot be expressed on Vertex; nothing was sent."""

    def __init__(self, parameter: str, why: str) -> None:
        super().__init__(f"responses: {parameter} is not supported on Vertex AI ({why}).")
        self.parameter = parameter


@dataclass(frozen=True)
class Bridged:
    """One translated call: the chat call's arguments, the conversation so far, and what the
    Response echoes back from the request."""

    chat: OpenAIKwargs
    history: tuple[JSONObject, ...]  # chat messages without the instructions, new input included
    echo: JSONObject
    summaries: bool  # thought summaries were asked for (`reasoning.summary`)


def to_chat(params: OpenAIKwargs, history: Sequence[JSONObject] = ()) -> Bridged:
    """Translate a Responses call (only given parameters) that continues `history` (chat messages)."""
    _refuse_unknown(params)
    model = params.get("model")
    if not isinstance(model, str):
        raise UnsupportedParameterError("model", "a model name (str) is required")
    if "input" not in params:
        raise UnsupportedParameterError("input", "a string or a list of input items is required")
    new = input_messages(params["input"])
    messages = list(history) + new
    instructions = params.get("instructions")
    if instructions is not None:
        if not isinstance(instructions, str):
            raise UnsupportedParameterError("instructions", "only a string is supported")
        messages.insert(0, {"role": "system", "content": instructions})

    chat: JSONObject = {"model": model, "messages": messages}
    chat.update({k: params[k] for k in _PASSED if k in params})
    for name, target in (
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("parallel_tool_calls", "parallel_tool_calls"),
        ("service_tier", "service_tier"),
        ("max_output_tokens", "max_completion_tokens"),
    ):
        if name in params:
            chat[target] = params[name]
    tools, web_search = chat_tools(params.get("tools") or ())
    if tools:
        chat["tools"] = tools
    if web_search:
        chat["web_search_options"] = {}
    if "tool_choice" in params:
        chat["tool_choice"] = chat_tool_choice(params["tool_choice"])
    text = params.get("text") or {}
    if field(text, "verbosity") is not None:
        raise UnsupportedParameterError("text.verbosity", "Gemini has no verbosity setting")
    response_format = chat_response_format(field(text, "format"))
    if response_format is not None:
        chat["response_format"] = response_format
    google, summaries = thinking(params.get("reasoning"), model)
    if "effort" in google:
        chat["reasoning_effort"] = google.pop("effort")
    extra_body = dict(params.get("extra_body") or {})
    if google:
        extra_body = deep_merge({"extra_body": {"google": google}}, extra_body)
    if extra_body:
        chat["extra_body"] = extra_body

    echo = {
        "model": model,
        "instructions": instructions,
        "metadata": params.get("metadata"),
        "user": params.get("user"),
        "temperature": params.get("temperature"),
        "top_p": params.get("top_p"),
        "max_output_tokens": params.get("max_output_tokens"),
        "parallel_tool_calls": params.get("parallel_tool_calls", True),
        "previous_response_id": params.get("previous_response_id"),
        "reasoning": dict(params["reasoning"]) if params.get("reasoning") else None,
        "service_tier": params.get("service_tier"),
        "store": params.get("store", True),
        "text": {"format": _plain(field(text, "format")) or {"type": "text"}},
        "tool_choice": _plain(params.get("tool_choice", "auto")),
        "tools": [_echo_tool(t) for t in params.get("tools") or ()],
        "truncation": "disabled",
    }
    return Bridged(chat, tuple(list(history) + new), echo, summaries)


def _refuse_unknown(params: Mapping[str, object]) -> None:
    for name, value in params.items():
        if name in _IGNORED or name in _PASSED:
            continue
        if (name == "background" and value is False) or (name == "truncation" and value == "disabled"):
            continue
        if name not in _HANDLED or name in ("background", "truncation"):
            raise UnsupportedParameterError(name, _WHY.get(name, "it has no counterpart in chat completions"))


def input_messages(value: object) -> list[JSONObject]:
    """Responses `input` (a string or items) as chat messages; an assistant turn's items (message,
    function calls, reasoning) become one assistant message carrying its thought signatures."""
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    if not isinstance(value, Iterable) or isinstance(value, (bytes, Mapping)):
        raise UnsupportedParameterError("input", "expected a string or a list of items")
    messages: list[JSONObject] = []
    turn: _AssistantTurn | None = None
    for index, item in enumerate(value):
        where = f"input[{index}]"
        kind = field(item, "type") or ("message" if field(item, "role") else None)
        role = field(item, "role")
        if kind in ("function_call", "reasoning") or (kind == "message" and role == "assistant"):
            turn = turn or _AssistantTurn()
            turn.add(kind, item, where)
            continue
        if turn is not None:
            messages.append(turn.message())
            turn = None
        if kind == "message":
            messages.append(_message(role, field(item, "content"), where))
        elif kind == "function_call_output":
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": field(item, "call_id"),
                    "content": _tool_output(field(item, "output"), f"{where}.output"),
                }
            )
        else:
            raise UnsupportedParameterError(
                f"{where}.type={kind!r}",
                "only message, function_call, function_call_output and reasoning items "
                "can be sent to chat completions",
            )
    if turn is not None:
        messages.append(turn.message())
    return messages


class _AssistantTurn:
    def __init__(self) -> None:
        self.text: list[str] = []
        self.calls: list[JSONObject] = []
        self.message_extra: object = None
        self.call_extras: JSONObject = {}

    def add(self, kind: str, item: object, where: str) -> None:
        if kind == "reasoning":
            carried = decode_carrier(field(item, "encrypted_content"))
            if carried is not None:
                message_extra, calls = carried
                self.message_extra = self.message_extra or message_extra
                self.call_extras.update(calls)
        elif kind == "function_call":
            self.calls.append(
                {
                    "id": field(item, "call_id"),
                    "type": "function",
                    "function": {"name": field(item, "name"), "arguments": field(item, "arguments") or ""},
                }
            )
        else:
            content = field(item, "content")
            if isinstance(content, str):
                self.text.append(content)
            else:
                for number, part in enumerate(content or ()):
                    if field(part, "type") in ("output_text", "input_text", "text"):
                        self.text.append(field(part, "text") or "")
                    elif field(part, "type") != "refusal":
                        raise UnsupportedParameterError(
                            f"{where}.content[{number}].type={field(part, 'type')!r}",
                            "an assistant message sends only text",
                        )

    def message(self) -> JSONObject:
        message: JSONObject = {"role": "assistant", "content": "".join(self.text) or None}
        if self.calls:
            for call in self.calls:
                extra = self.call_extras.get(str(call["id"]))
                if extra:
                    call["extra_content"] = extra
            message["tool_calls"] = self.calls
        if self.message_extra:
            message["extra_content"] = self.message_extra
        return message


def _message(role: object, content: object, where: str) -> JSONObject:
    if role == "developer":
        role = "system"
    if role not in ("user", "system"):
        raise UnsupportedParameterError(
            f"{where}.role={role!r}", "roles are user, system, developer, assistant"
        )
    if isinstance(content, str):
        return {"role": role, "content": content}
    given_parts = content if isinstance(content, Iterable) else ()
    parts = [_part(part, f"{where}.content[{n}]") for n, part in enumerate(given_parts)]
    if role == "system":
        if any(p["type"] != "text" for p in parts):
            raise UnsupportedParameterError(
                f"{where}.content", "system and developer messages take text only"
            )
        return {"role": "system", "content": "".join(str(p["text"]) for p in parts)}
    return {"role": role, "content": parts}


def _part(part: object, where: str) -> JSONObject:
    kind = field(part, "type")
    if kind in ("input_text", "output_text", "text"):
        return {"type": "text", "text": field(part, "text") or ""}
    if kind == "input_image":
        if field(part, "file_id"):
            raise UnsupportedParameterError(
                f"{where}.file_id", "OpenAI file ids do not exist on Vertex; pass image_url"
            )
        url = field(part, "image_url")
        if not url:
            raise UnsupportedParameterError(
                f"{where}.image_url", "an image URL, data URL or gs:// URI is required"
            )
        image: JSONObject = {"url": url}
        detail = field(part, "detail")
        if detail and detail != "auto":
            image["detail"] = detail
        return {"type": "image_url", "image_url": image}
    if kind == "input_file":
        if field(part, "file_id"):
            raise UnsupportedParameterError(
                f"{where}.file_id", "OpenAI file ids do not exist on Vertex; pass file_data"
            )
        url = field(part, "file_url") or _data_url(field(part, "file_data"), field(part, "filename"))
        if not url:
            raise UnsupportedParameterError(f"{where}", "an input_file needs file_data or file_url")
        return {"type": "image_url", "image_url": {"url": url}}  # Vertex reads any MIME type as a blob
    raise UnsupportedParameterError(
        f"{where}.type={kind!r}", "content parts are input_text, input_image, input_file"
    )


def _data_url(data: object, filename: object) -> str | None:
    if not isinstance(data, str) or not data:
        return None
    if data.startswith("data:"):
        return data
    mime = mimetypes.guess_type(filename)[0] if isinstance(filename, str) else None
    return f"data:{mime or 'application/octet-stream'};base64,{data}"


def _tool_output(output: object, where: str) -> str:
    if isinstance(output, str):
        return output
    texts = []
    for number, part in enumerate(output if isinstance(output, Iterable) else ()):
        if field(part, "type") != "input_text":
            raise UnsupportedParameterError(f"{where}[{number}]", "a chat tool message carries text only")
        texts.append(field(part, "text") or "")
    return "".join(texts)


def chat_tools(tools: Iterable[object]) -> tuple[list[JSONObject], bool]:
    """(chat function tools, whether Google Search grounding was asked for)."""
    out: list[JSONObject] = []
    web_search = False
    for index, tool in enumerate(tools):
        kind = field(tool, "type")
        if kind == "function":
            function: JSONObject = {"name": field(tool, "name")}
            for key in ("description", "parameters", "strict"):
                if field(tool, key) is not None:
                    function[key] = field(tool, key)
            out.append({"type": "function", "function": function})
        elif isinstance(kind, str) and kind.startswith(_WEB_SEARCH):
            web_search = True
        else:
            raise UnsupportedParameterError(
                f"tools[{index}].type={kind!r}",
                "Vertex runs function tools and web_search (Google Search grounding); OpenAI's hosted "
                "tools do not exist there",
            )
    return out, web_search


def chat_tool_choice(choice: object) -> object:
    if choice in ("none", "auto", "required"):
        return choice
    if field(choice, "type") == "function":
        return {"type": "function", "function": {"name": field(choice, "name")}}
    raise UnsupportedParameterError(
        f"tool_choice={_plain(choice)!r}", "use none, auto, required or a function"
    )


def chat_response_format(fmt: object) -> JSONObject | None:
    kind = field(fmt, "type")
    if fmt is None or kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind == "json_schema":
        schema: JSONObject = {"name": field(fmt, "name"), "schema": field(fmt, "schema")}
        for key in ("description", "strict"):
            if field(fmt, key) is not None:
                schema[key] = field(fmt, key)
        return {"type": "json_schema", "json_schema": schema}
    raise UnsupportedParameterError(
        f"text.format.type={kind!r}", "formats are text, json_object, json_schema"
    )


def thinking(reasoning: object, model: str) -> tuple[JSONObject, bool]:
    """Gemini fields for `reasoning`: {"effort": ...} alone (-> `reasoning_effort`), or, when thought
    summaries are asked for, a `thinking_config` with `include_thoughts` and the tag marker."""
    if not reasoning:
        return {}, False
    effort, summary = (
        field(reasoning, "effort"),
        field(reasoning, "summary") or field(reasoning, "generate_summary"),
    )
    if summary is None:
        return ({"effort": effort} if effort is not None else {}), False
    config: JSONObject = {"include_thoughts": True}
    if effort is not None:
        effort = "high" if effort == "xhigh" else effort
        if "gemini-3" in model:
            config["thinking_level"] = _EFFORT_LEVEL.get(effort, "HIGH")
        else:
            config["thinking_budget"] = _EFFORT_BUDGET.get(effort, 24576)
    return {"thinking_config": config, "thought_tag_marker": THOUGHT_MARKER}, True


def _plain(value: object) -> object:
    """A request value (TypedDict or openai model) as plain data, for echoing in the Response."""
    dump = getattr(value, "model_dump", None)
    return dump(exclude_none=True) if callable(dump) else value


def _echo_tool(tool: object) -> JSONObject:
    plain = _plain(tool)
    echoed: JSONObject = dict(plain) if isinstance(plain, Mapping) else {}
    if echoed.get("type") == "function":
        echoed.setdefault("parameters", {})
        echoed.setdefault("strict", False)  # Vertex does not enforce strict schemas
    return echoed
