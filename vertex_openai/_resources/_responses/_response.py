"""Response translation: a chat completion -> `openai.types.responses.Response` (validated).

Pure: no I/O. Output items come in OpenAI's order (reasoning, message, function calls); Gemini's
thought signatures ride in the reasoning item's `encrypted_content`, so a caller that sends the
output back as input (as openai-agents does) sends them back to Vertex too.
"""

from __future__ import annotations

import time

from openai.types.responses import (
    Response,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseReasoningItem,
)
from openai.types.responses.response_usage import InputTokensDetails

from ..._util import JSONObject, field
from ...thoughts import split_thoughts
from ._common import encode_carrier, extra_field, new_id
from ._request import THOUGHT_MARKER, Bridged

__all__ = ["assistant_message", "build_response", "to_response", "usage"]

# Fields that only some openai majors have (gate by feature: older majors would keep them as extras).
_TEXT_LOGPROBS = "logprobs" in ResponseOutputText.model_fields
_CACHE_WRITE = "cache_write_tokens" in InputTokensDetails.model_fields
_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}
# The output item classes by `type`: each item is validated as its own class. (Validating a list of
# items against openai's union of ~30 item classes costs more than the whole rest of the bridge.)
_ITEMS: dict[str, type[ResponseOutputMessage | ResponseFunctionToolCall | ResponseReasoningItem]] = {
    "message": ResponseOutputMessage,
    "function_call": ResponseFunctionToolCall,
    "reasoning": ResponseReasoningItem,
}


def output_item(item: JSONObject) -> ResponseOutputMessage | ResponseFunctionToolCall | ResponseReasoningItem:
    """An output item as its openai class, validated."""
    return _ITEMS[str(item["type"])].model_validate(item)


def status(finish_reason: object) -> tuple[str, JSONObject | None]:
    """(`status`, `incomplete_details`) for a chat finish reason."""
    reason = _INCOMPLETE.get(finish_reason) if isinstance(finish_reason, str) else None
    return ("incomplete", {"reason": reason}) if reason else ("completed", None)


def usage(chat_usage: object) -> JSONObject | None:
    """Responses usage from chat usage. Vertex's `completion_tokens` may leave thinking out
    (total = prompt + completion + thinking); Responses' `output_tokens` counts it. Usage the client
    already billed (`_usage.bill_usage`: thinking moved into `completion_tokens`) adds up, so nothing
    is counted twice: only tokens the total holds beyond prompt and completion are added."""
    if chat_usage is None:
        return None
    prompt = field(chat_usage, "prompt_tokens") or 0
    completion = field(chat_usage, "completion_tokens") or 0
    total = field(chat_usage, "total_tokens") or 0
    unbilled = max(0, total - prompt - completion)
    reasoning = field(field(chat_usage, "completion_tokens_details"), "reasoning_tokens")
    if reasoning is None:
        reasoning = unbilled
    cached = field(field(chat_usage, "prompt_tokens_details"), "cached_tokens") or 0
    input_details: JSONObject = {"cached_tokens": cached}
    if _CACHE_WRITE:
        input_details["cache_write_tokens"] = 0
    return {
        "input_tokens": prompt,
        "input_tokens_details": input_details,
        "output_tokens": completion + unbilled,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": max(total, prompt + completion + unbilled),
    }


def text_part(text: str) -> JSONObject:
    part: JSONObject = {"type": "output_text", "text": text, "annotations": []}
    if _TEXT_LOGPROBS:
        part["logprobs"] = []
    return part


def message_item(item_id: str, text: str, status: str = "completed") -> JSONObject:
    content = [text_part(text)] if status == "completed" else []
    return {"type": "message", "id": item_id, "role": "assistant", "status": status, "content": content}


def call_item(item_id: str, call_id: str, name: str, arguments: str, status: str = "completed") -> JSONObject:
    return {
        "type": "function_call",
        "id": item_id,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": status,
    }


def reasoning_item(item_id: str, summary: list[str], carrier: str | None = None) -> JSONObject:
    item: JSONObject = {
        "type": "reasoning",
        "id": item_id,
        "summary": [{"type": "summary_text", "text": text} for text in summary],
    }
    if carrier is not None:
        item["encrypted_content"] = carrier
    return item


def has_signature(extra: object) -> bool:
    return isinstance(extra, dict) and any(
        isinstance(v, dict) and "thought_signature" in v for v in extra.values()
    )


def carrier_for(message_extra: object, call_extras: JSONObject) -> str | None:
    """The `encrypted_content` for an assistant turn, if anything in it needs to go back to Vertex."""
    if has_signature(message_extra) or any(has_signature(e) for e in call_extras.values()):
        return encode_carrier(message_extra, call_extras)
    return None


def assistant_message(text: str, calls: list[JSONObject], message_extra: object) -> JSONObject:
    """The assistant turn as it goes back to Vertex in a later request (stored conversations)."""
    message: JSONObject = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    if message_extra:
        message["extra_content"] = message_extra
    return message


def build_response(
    bridged: Bridged,
    *,
    response_id: str,
    created_at: float,
    output: list[JSONObject],
    status: str,
    incomplete_details: JSONObject | None,
    usage: JSONObject | None,
) -> Response:
    echo = {k: v for k, v in bridged.echo.items() if k != "store"}
    response = Response.model_validate(
        {
            **echo,
            "id": response_id,
            "object": "response",
            "created_at": created_at,
            "output": [],
            "status": status,
            "incomplete_details": incomplete_details,
            "usage": usage,
            "error": None,
        }
    )
    response.output = [output_item(item) for item in output]
    return response


def to_response(completion: object, bridged: Bridged) -> tuple[Response, JSONObject]:
    """(the Response, the assistant message to remember) for a non-streamed chat completion."""
    choices = field(completion, "choices") or []
    choice = choices[0] if choices else None
    message = field(choice, "message")
    text = field(message, "content") or ""
    thoughts = ""
    if bridged.summaries:
        thoughts, text = split_thoughts(text, THOUGHT_MARKER)
    message_extra = extra_field(message, "extra_content")
    calls: list[JSONObject] = []
    call_items: list[tuple[str, str, str]] = []  # (call id, name, arguments)
    call_extras: JSONObject = {}
    for call in field(message, "tool_calls") or ():
        function = field(call, "function")
        call_id: str = field(call, "id") or new_id("call")  # Gemini sends "" ids
        name: str = field(function, "name") or ""
        arguments: str = field(function, "arguments") or ""
        chat_call: JSONObject = {
            "id": call_id,
            "type": "function",
            "function": {"name": name, "arguments": arguments},
        }
        extra = extra_field(call, "extra_content")
        if extra:
            chat_call["extra_content"] = call_extras[call_id] = extra
        calls.append(chat_call)
        call_items.append((call_id, name, arguments))

    output: list[JSONObject] = []
    carrier = carrier_for(message_extra, call_extras)
    if thoughts or carrier:
        output.append(reasoning_item(new_id("rs"), [thoughts] if thoughts else [], carrier))
    if text or not calls:
        output.append(message_item(new_id("msg"), text))
    for call_id, name, arguments in call_items:
        output.append(call_item(new_id("fc"), call_id, name, arguments))
    state, incomplete = status(field(choice, "finish_reason"))
    response = build_response(
        bridged,
        response_id=new_id("resp"),
        created_at=field(completion, "created") or time.time(),
        output=output,
        status=state,
        incomplete_details=incomplete,
        usage=usage(field(completion, "usage")),
    )
    return response, assistant_message(text, calls, message_extra)
