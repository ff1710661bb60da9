"""The signature id: a tool-call id that carries its step's thought signature, statelessly.

Frameworks keep a tool call's `id` (they pair tool results with it) but rebuild the rest of the
call and drop `extra_content`. So a signed tool call received from Gemini is handed to the caller
with an id that carries its signature, and the request path reads it back from there, in any
process, with no memory.

Format (only `[A-Za-z0-9_-]`, URL-safe, versioned):

    call_<24 hex digits>_ts1<kind><payload>
    ^---- short id ----^ ^--^ version 1

- the first 29 characters are an ordinary minted id (`call_` + 24 hex): the *short id*, which is
  what Vertex gets, in the assistant tool call and in the tool result alike (both are rewritten by
  the same pure rule, so they still pair);
- `kind` `b`: the signature was standard padded base64 (what Google sends); the payload is the same
  text in the URL-safe alphabet without padding (same length, exact round trip);
  `kind` `t`: any other text; the payload is its UTF-8 bytes in unpadded URL-safe base64.
- ids longer than `MAX_ID_LENGTH` (8,192) characters are not made: such a call gets a plain id
  (the in-process memory still has its signature).

Signatures are opaque bytes from Google: never logged, never put in an error message.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TypeGuard

__all__ = ["MAX_ID_LENGTH", "SHORT_ID_LENGTH", "decode", "encode", "is_carrier", "short_id"]

#: Longest id the client hands out (characters); longer carriers fall back to a plain id.
MAX_ID_LENGTH = 8192
#: `call_` + 24 hex digits: the id Vertex is sent for a carrier id.
SHORT_ID_LENGTH = 29
_MARK = "_ts1"
_HEAD = SHORT_ID_LENGTH + len(_MARK)
_SHORT = re.compile(r"call_[0-9a-f]{24}")
_STANDARD_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def encode(short: str, signature: str, *, max_length: int = MAX_ID_LENGTH) -> str | None:
    """The carrier id for the minted id `short` and `signature`, or None when it would be longer than
    `max_length` (or `short` is not a minted id)."""
    if not _SHORT.fullmatch(short) or not signature:
        return None
    if _STANDARD_B64.fullmatch(signature):
        carrier = f"{short}{_MARK}b{signature.replace('+', '-').replace('/', '_').rstrip('=')}"
    else:
        text = base64.urlsafe_b64encode(signature.encode("utf-8", "surrogatepass")).decode("ascii")
        carrier = f"{short}{_MARK}t{text.rstrip('=')}"
    return carrier if len(carrier) <= max_length else None


def is_carrier(call_id: object) -> TypeGuard[str]:
    """Whether `call_id` looks like a carrier id (cheap: no decoding)."""
    return (
        isinstance(call_id, str)
        and len(call_id) > _HEAD
        and call_id.startswith(_MARK, SHORT_ID_LENGTH)
        and call_id.startswith("call_")
    )


def short_id(call_id: str) -> str:
    """The id Vertex is sent: the short id of a carrier id, any other id as it is."""
    return call_id[:SHORT_ID_LENGTH] if is_carrier(call_id) else call_id


def decode(call_id: object) -> str | None:
    """The signature a carrier id carries, or None (not a carrier, or damaged)."""
    if not is_carrier(call_id):
        return None
    kind, payload = call_id[_HEAD], call_id[_HEAD + 1 :]
    if len(payload) % 4 == 1:
        return None  # no base64 text has this length: a damaged id
    padded = payload + "=" * (-len(payload) % 4)
    if kind == "b":
        # the alphabet is not checked here (a regex costs more than the rest of the request step):
        # ids only hold `[A-Za-z0-9_-]`, and a damaged signature is Vertex's to refuse, as any other
        return padded.replace("-", "+").replace("_", "/")
    if kind == "t":
        try:
            return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8", "surrogatepass")
        except (binascii.Error, ValueError):
            return None
    return None
