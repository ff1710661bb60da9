"""What the request and response translations share: ids, "given" values, the signature carrier."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Mapping

from openai import NotGiven, Omit

from ..._util import JSONObject, field

#: Prefix of the `encrypted_content` of the `reasoning` items that carry Gemini's thought signatures.
CARRIER_PREFIX = "vertex-openai.signatures.v1:"


def given(value: object) -> bool:
    """Whether a keyword argument was really given (openai marks left-out ones NOT_GIVEN / omit)."""
    return value is not None and not isinstance(value, (NotGiven, Omit))


def new_id(prefix: str) -> str:
    """A unique id in OpenAI's style (`resp_...`, `msg_...`, `fc_...`, `rs_...`, `call_...`): 24 hex
    digits, as the client mints tool-call ids. Ids need to be unique, not secret: `random`'s own
    generator is seeded from os.urandom and reseeded in a forked child."""
    return f"{prefix}_{random.getrandbits(96):024x}"


def extra_field(obj: object, name: str) -> object:
    """Like `field`, for a field openai's types do not declare (`extra_content`): read from the
    model's extras directly (a missing attribute of a pydantic model is slow to ask for)."""
    if type(obj) is dict:
        return obj.get(name)
    extras = getattr(obj, "__pydantic_extra__", None)
    if isinstance(extras, dict):
        return extras.get(name)
    return field(obj, name)


def encode_carrier(message_extra: object, calls: Mapping[str, object]) -> str:
    """The `encrypted_content` that carries an assistant turn's `extra_content` (thought signatures)
    through the caller's own history: by tool call id, and the message's own."""
    payload = {"message": message_extra, "tool_calls": dict(calls)}
    return CARRIER_PREFIX + base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def decode_carrier(value: object) -> tuple[object, JSONObject] | None:
    """(message `extra_content`, {call id: `extra_content`}) from `encode_carrier`'s value, else None."""
    if not isinstance(value, str) or not value.startswith(CARRIER_PREFIX):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(value[len(CARRIER_PREFIX) :]))
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("tool_calls"), dict):
        return None
    return payload.get("message"), payload["tool_calls"]
