"""Tool-call ids and thought-signature memory: what frameworks drop, the client puts back.

Ids. Gemini sends tool calls with `id: ""` (or none). Frameworks key tool results by that id
(openai-agents refuses empty ones), so the client gives every such call a fresh id,
`call_` + 24 hex digits, in non-streamed answers and on the first delta of a streamed call. A signed
call's id also carries its thought signature (`_sigid`: `call_<24 hex>_ts1...`), because the id is
the one part of a tool call every framework keeps; on the way out, such an id goes to Vertex in its
short form (`call_<24 hex>`), in the assistant tool call and the tool result alike. Other ids go back
as the caller sends them: Google's compatibility layer accepts ids it did not produce (recorded
traffic shows client-made ids such as `pyd_ai_...` answered with 200).

Signatures. Gemini 3 rejects a tool-call turn whose thought signature is missing (a 400), and
many frameworks rebuild assistant tool calls as `{type, id, function}`, dropping `extra_content`.
A request's signatures are put back by `restore_tool_signatures`, in this order:
1. the memory: each client remembers the signed `extra_content` of every tool call and assistant
   message it receives (streamed or not): matched by tool-call id, else by (function name,
   arguments), arguments compared as JSON values, so a framework that re-serializes them still
   matches. Shared by a client and its copies, thread-safe, and bounded: at most `MAX_ENTRIES`
   (1,024) entries and `MAX_BYTES` (2 MiB) counted as each entry's JSON text plus `ENTRY_OVERHEAD`
   bytes (keys are 16-byte digests, never the arguments); least recently used entries go first.
   `remember_signatures=False` turns it off; `remember_signatures=SignatureMemory()` passed to
   several clients (a framework's sync and async client) gives them one memory;
2. the id: a call still unsigned gets the signature its carrier id holds (any process, no state;
   independent of the memory, so `remember_signatures=False` keeps it);
3. on Gemini 3 only, each tool-call step of the current turn (after the last user message: the only
   turn Vertex checks) still unsigned gets Google's documented placeholder
   (`PLACEHOLDER_SIGNATURE`) on its first call: history from another model, or ids a framework
   replaced. Google says placeholders lower quality; the step takes `placeholders=False`.
Signatures are opaque bytes from Google: this module never logs them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from .._util import JSONObject, deep_merge
from . import _sigid, _usage

__all__ = [
    "MAX_BYTES",
    "MAX_ENTRIES",
    "SignatureMemory",
    "mint_call_id",
    "repair_completion",
]

MAX_ENTRIES = 1024
MAX_BYTES = 2 * 1024 * 1024
#: what one entry costs besides its JSON text: key digest, dict slot, string header (generous)
ENTRY_OVERHEAD = 256
#: Google's documented placeholder signature for tool calls no Gemini model signed (see `thoughts`).
PLACEHOLDER_SIGNATURE = "skip_thought_signature_validator"


def mint_call_id() -> str:
    """A new tool-call id in OpenAI's style: `call_` + 24 random hex digits."""
    return "call_" + secrets.token_hex(12)


def signed(part: object) -> bool:
    """Whether a message or tool call (a dict) carries a thought signature, wherever Gemini puts one."""
    if not isinstance(part, dict):  # JSON bodies are dicts (`dict` checks cost less than `Mapping`'s)
        return False
    extra = part.get("extra_content")
    if isinstance(extra, dict):
        for vendor in ("google", "vertex"):
            fields = extra.get(vendor)
            if isinstance(fields, dict) and fields.get("thought_signature"):
                return True
    return bool(part.get("thought_signature"))


def _canonical_arguments(arguments: object) -> str:
    """Arguments as one canonical JSON text, so `{"a":1}` and `{"a": 1}` match."""
    if isinstance(arguments, str):
        try:
            value = json.loads(arguments)
        except ValueError:
            return arguments
    else:
        value = arguments
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(arguments)


def _digest(*parts: str) -> bytes:
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _call_keys(call: Mapping[str, object]) -> list[bytes]:
    """Keys a tool call is found by: its id (when it has one), then its name and arguments."""
    keys = []
    call_id = call.get("id")
    if isinstance(call_id, str) and call_id:
        keys.append(_digest("id", call_id))
    function = call.get("function")
    if isinstance(function, Mapping) and isinstance(function.get("name"), str):
        keys.append(_digest("call", function["name"], _canonical_arguments(function.get("arguments"))))
    return keys


def _message_key(message: Mapping[str, object]) -> bytes | None:
    """A message is found by its text and its calls' names and arguments (ids may be rewritten)."""
    content = message.get("content")
    calls = message.get("tool_calls")
    parts = [content if isinstance(content, str) else ""]
    if isinstance(calls, list):
        for call in calls:
            function = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(function, Mapping):
                parts += [str(function.get("name")), _canonical_arguments(function.get("arguments"))]
    if parts == [""]:
        return None  # nothing to tell it apart
    return _digest("message", *parts)


class SignatureMemory:
    """The signed `extra_content` a client received, by tool-call id and by (name, arguments).

    Bounded by `max_entries` and `max_bytes` (each entry costs its JSON text plus `ENTRY_OVERHEAD`);
    least recently used entries are evicted first. Safe to share between threads, copies and
    clients: pass one to `remember_signatures=` of the sync and the async client a framework uses,
    so a conversation continued by the other client keeps its signatures.
    """

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries={max_entries!r} must be at least 1.")
        if max_bytes < 1:
            raise ValueError(f"max_bytes={max_bytes!r} must be at least 1.")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[bytes, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes counted against `max_bytes` right now."""
        return self._bytes

    # --- recording what arrives ---
    def remember_message(self, message: Mapping[str, object]) -> None:
        """Remember the signed `extra_content` of an assistant message and of each of its tool calls."""
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            for call in calls:
                if isinstance(call, Mapping) and signed(call):
                    extra = call.get("extra_content")
                    if not isinstance(
                        extra, Mapping
                    ):  # a top-level `thought_signature` (one gateway's shape)
                        extra = {"google": {"thought_signature": signature_of(call)}}
                    self._put(_call_keys(call), extra)
        if signed(message) and isinstance(message.get("extra_content"), Mapping):
            key = _message_key(message)
            if key is not None:
                self._put([key], message["extra_content"])

    def _put(self, keys: list[bytes], extra_content: object) -> None:
        try:
            text = json.dumps(extra_content, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):
            return
        cost = len(text) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        with self._lock:
            for key in keys:
                old = self._entries.pop(key, None)
                if old is not None:
                    self._bytes -= len(old) + ENTRY_OVERHEAD
                self._entries[key] = text
                self._bytes += cost
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted) + ENTRY_OVERHEAD

    def _get(self, keys: list[bytes]) -> JSONObject | None:
        with self._lock:
            for key in keys:
                text = self._entries.get(key)
                if text is not None:
                    self._entries.move_to_end(key)
                    value = json.loads(text)  # a fresh copy: callers may change it
                    return value if isinstance(value, dict) else None
        return None

    # --- re-attaching on the way out ---
    def restore(self, messages: Sequence[object]) -> list[object] | None:
        """A copy of `messages` with remembered signatures put back where they are missing, or None
        when nothing changes (the caller keeps its list). Only assistant messages are touched."""
        out: list[object] | None = None
        for position, message in enumerate(messages):
            if not (isinstance(message, Mapping) and message.get("role") == "assistant"):
                continue
            restored = self._restore_message(message)
            if restored is not None:
                if out is None:
                    out = list(messages)
                out[position] = restored
        return out

    def _restore_message(self, message: Mapping[str, object]) -> JSONObject | None:
        calls = message.get("tool_calls")
        new_calls: list[object] | None = None
        if isinstance(calls, list):
            for position, call in enumerate(calls):
                if not isinstance(call, Mapping) or signed(call):
                    continue
                extra = self._get(_call_keys(call))
                if extra is not None:
                    if new_calls is None:
                        new_calls = list(calls)
                    new_calls[position] = {**call, "extra_content": _merged(extra, call.get("extra_content"))}
        new_extra = None
        if not signed(message) and not (new_calls or _any_signed(calls)):
            key = _message_key(message)
            new_extra = self._get([key]) if key is not None else None
        if new_calls is None and new_extra is None:
            return None
        restored = dict(message)
        if new_calls is not None:
            restored["tool_calls"] = new_calls
        if new_extra is not None:
            restored["extra_content"] = _merged(new_extra, message.get("extra_content"))
        return restored


def _any_signed(calls: object) -> bool:
    return isinstance(calls, list) and any(signed(call) for call in calls)


def _merged(remembered: JSONObject, given: object) -> JSONObject:
    """The remembered `extra_content` under what the caller gave (the caller's fields win)."""
    return deep_merge(remembered, given) if isinstance(given, Mapping) else remembered


def signature_of(part: object) -> str | None:
    """The thought signature a message or tool call (a dict) carries, wherever Gemini puts it."""
    if not isinstance(part, Mapping):
        return None
    extra = part.get("extra_content")
    if isinstance(extra, Mapping):
        for vendor in ("google", "vertex"):
            fields = extra.get(vendor)
            if isinstance(fields, Mapping):
                value = fields.get("thought_signature")
                if isinstance(value, str) and value:
                    return value
    value = part.get("thought_signature")
    return value if isinstance(value, str) and value else None


def call_id_for(call: Mapping[str, object], step_signature: str | None, *, signature_ids: bool) -> str:
    """The id for a received tool call that came without one (Gemini sends `""`): a carrier id when the
    call (or, for the first call of a step, its message) is signed and `signature_ids` is on, else a
    minted one. Ids the server gives are kept as they are."""
    given = call.get("id")
    signature = signature_of(call) or step_signature
    if signature_ids and signature is not None:
        carrier = _sigid.encode(mint_call_id(), signature)
        if carrier is not None:
            return carrier
    return given if isinstance(given, str) and given else mint_call_id()


#: The keys of an assistant message that carry nothing to repair or remember (no tool calls, no
#: signature): a message of only these keys is passed by at once (most answers). Any other key
#: (`tool_calls`, `extra_content`, `thought_signature`, one Google adds later) takes the full path.
_PLAIN_MESSAGE_KEYS = frozenset({"role", "content", "refusal", "annotations", "audio", "reasoning_content"})


def repair_completion(data: object, memory: SignatureMemory | None, *, signature_ids: bool = True) -> object:
    """A non-streamed chat completion as received (raw JSON): ids for id-less tool calls (carrier ids,
    see `_sigid`, for signed ones when `signature_ids`), then its signatures remembered. Changes
    `data` in place and returns it; anything else passes through."""
    if not isinstance(data, dict) or data.get("object") == "chat.completion.chunk":
        return data  # stream chunks are repaired by `_stream`
    _usage.bill_usage(data)  # cached and thinking counts where openai reads them
    choices = data.get("choices")
    if not isinstance(choices, list):
        return data
    for choice in choices:
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict) or _PLAIN_MESSAGE_KEYS.issuperset(message):
            continue
        if message.get("role", "assistant") != "assistant":
            continue
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            step_signature = signature_of(message)  # the 2025 shape: on the message, for its first call
            for call in calls:
                if isinstance(call, dict) and not call.get("id"):
                    call["id"] = call_id_for(call, step_signature, signature_ids=signature_ids)
                step_signature = None
        if memory is not None:
            memory.remember_message(message)
    return data


def restore_tool_signatures(
    body: Mapping[str, object], memory: SignatureMemory | None, *, gemini3: bool, placeholders: bool = True
) -> Mapping[str, object]:
    """Step: thought signatures back into a chat request's assistant turns, and short ids on the wire.

    1. the memory (this process's, when kept) puts back what a framework dropped;
    2. carrier ids (`_sigid`): a tool call still unsigned gets the signature its id carries; every
       carrier id, in assistant tool calls and tool results alike, goes to Vertex as its short id;
    3. on Gemini 3 (`gemini3`) with `placeholders`: each tool-call step of the current turn (after the
       last user message) still unsigned gets Google's placeholder on its first call.
    Returns `body` itself when nothing changes (requests without tool calls: one scan, no decoding).
    """
    messages = body.get("messages")
    if not isinstance(messages, list):
        return body
    out: list[object] | None = None
    if memory is not None and len(memory):
        out = memory.restore(messages)
    current = out if out is not None else messages
    if _has_tool_messages(current):
        carried = _from_ids(current)
        if carried is not None:
            out = current = carried
        if gemini3 and placeholders:
            placed = _placeholders(current)
            if placed is not None:
                out = placed
    return body if out is None else {**body, "messages": out}


def _has_tool_messages(messages: list[object]) -> bool:
    for message in messages:  # a loop, not any(...): this runs on every chat call
        if isinstance(message, dict) and (message.get("tool_calls") or message.get("tool_call_id")):
            return True
    return False


def _from_ids(messages: list[object]) -> list[object] | None:
    out: list[object] | None = None
    for position, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        new: Mapping[str, object] | None = None
        calls = message.get("tool_calls")
        if message.get("role") == "assistant" and isinstance(calls, list):
            new_calls = [_call_from_id(call) for call in calls]
            if any(a is not b for a, b in zip(new_calls, calls, strict=True)):
                new = {**message, "tool_calls": new_calls}
        elif message.get("role") == "tool" and _sigid.is_carrier(message.get("tool_call_id")):
            new = {**message, "tool_call_id": _sigid.short_id(str(message["tool_call_id"]))}
        if new is not None:
            if out is None:
                out = list(messages)
            out[position] = new
    return out


def _call_from_id(call: object) -> object:
    if not isinstance(call, dict) or not _sigid.is_carrier(call.get("id")):
        return call
    call_id = str(call["id"])
    new = {**call, "id": _sigid.short_id(call_id)}
    if not signed(call):
        signature = _sigid.decode(call_id)
        if signature is not None:
            new["extra_content"] = _merged(
                {"google": {"thought_signature": signature}}, call.get("extra_content")
            )
    return new


def _placeholders(messages: list[object]) -> list[object] | None:
    """Google's placeholder on the first call of each unsigned tool-call step after the last user message."""
    last_user = max(
        (i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "user"), default=-1
    )
    out: list[object] | None = None
    for position in range(last_user + 1, len(messages)):
        message = messages[position]
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        calls = message.get("tool_calls")
        if not isinstance(calls, list) or not calls or not isinstance(calls[0], dict):
            continue
        if signed(message) or _any_signed(calls):
            continue
        first = calls[0]
        placed = {
            **first,
            "extra_content": _merged(
                {"google": {"thought_signature": PLACEHOLDER_SIGNATURE}}, first.get("extra_content")
            ),
        }
        if out is None:
            out = list(messages)
        out[position] = {**message, "tool_calls": [placed, *calls[1:]]}
    return out
