"""Service tiers: OpenAI's `service_tier=` as the request headers Vertex AI reads.

Vertex ignores a `service_tier` body field; it picks the throughput tier from two headers:

- `"priority"` / `"flex"`: `X-Vertex-AI-LLM-Request-Type: shared` and
  `X-Vertex-AI-LLM-Shared-Request-Type: priority|flex` (Priority PayGo and Flex PayGo; `global` only);
- `"provisioned"` (and OpenAI's `"scale"`): `X-Vertex-AI-LLM-Request-Type: dedicated` (Provisioned
  Throughput only: a 429 when it is used up, no spill-over);
- `"default"` / `"auto"`: nothing (Provisioned Throughput first when the project has it, then shared).

The served tier comes back in `usage.extra_properties.google.traffic_type` (`traffic_type()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import openai
from openai import NotGiven

from .._compat import FinalRequestOptions
from .._util import field

__all__ = ["ServiceTier", "TrafficType", "traffic_type"]

ServiceTier = Literal["auto", "default", "flex", "priority", "provisioned", "scale"]
TrafficType = Literal["ON_DEMAND", "ON_DEMAND_FLEX", "ON_DEMAND_PRIORITY", "PROVISIONED_THROUGHPUT"]
SERVICE_TIERS: tuple[str, ...] = get_args(ServiceTier)

REQUEST_TYPE = "X-Vertex-AI-LLM-Request-Type"
SHARED_REQUEST_TYPE = "X-Vertex-AI-LLM-Shared-Request-Type"
#: Vertex lets a Flex request run up to 30 minutes; openai's default timeout is 10.
FLEX_TIMEOUT_SECONDS = 1800.0
_GLOBAL_ONLY = ("flex", "priority")


def check_tier(tier: object, *, location: str | None, argument: str = "service_tier") -> str | None:
    """`tier` if Vertex can serve it at `location`; an error naming `argument` otherwise."""
    if tier is None:
        return None
    if tier not in SERVICE_TIERS:
        raise ValueError(f"{argument}={tier!r} is not one of {', '.join(map(repr, SERVICE_TIERS))}.")
    if tier in _GLOBAL_ONLY and location is not None and location != "global":
        raise ValueError(
            f"{argument}={tier!r} is served only on location='global' (Vertex AI's {tier.title()} PayGo), "
            f"not {location!r}: use client.with_options(location='global'), or another tier."
        )
    return str(tier)


def tier_headers(tier: object, *, location: str | None) -> dict[str, str]:
    """The headers that select `tier` on Vertex AI (none for `default`/`auto`/None); raises before sending."""
    tier = check_tier(tier, location=location)
    if tier in _GLOBAL_ONLY:
        return {REQUEST_TYPE: "shared", SHARED_REQUEST_TYPE: str(tier)}
    if tier in ("provisioned", "scale"):
        return {REQUEST_TYPE: "dedicated"}
    return {}


def apply_service_tier(
    options: FinalRequestOptions, *, default_tier: str | None, location: str | None, default_timeout: bool
) -> None:
    """Shape openai's per-attempt request options: the body's `service_tier` (else `default_tier`, which
    the pipeline gives chat calls) becomes headers, and leaves the body; Flex gets a 30-minute timeout
    unless the call or the client set one (`default_timeout`: the client's timeout is openai's default)."""
    body = options.json_data
    extra = options.extra_json  # extra_body={"service_tier": "provisioned"} wins
    # (`is not None` first: most calls have no extra_body, and an ABC isinstance costs more)
    in_body = body is not None and isinstance(body, Mapping) and "service_tier" in body
    in_extra = extra is not None and isinstance(extra, Mapping) and "service_tier" in extra
    if default_tier is None and not in_body and not in_extra:
        return  # no tier anywhere: nothing to do (most calls)
    tier: object = default_tier
    if in_body and isinstance(body, Mapping):
        if body["service_tier"] is not None:
            tier = body["service_tier"]
        options.json_data = {key: value for key, value in body.items() if key != "service_tier"}
    if in_extra and isinstance(extra, Mapping):
        if extra["service_tier"] is not None:
            tier = extra["service_tier"]
        options.extra_json = {key: value for key, value in extra.items() if key != "service_tier"}
    headers = tier_headers(tier, location=location)
    if headers:
        own = options.headers if isinstance(options.headers, Mapping) else {}
        taken = {name.lower() for name in own}
        options.headers = {**{k: v for k, v in headers.items() if k.lower() not in taken}, **own}
    if tier == "flex" and default_timeout and isinstance(options.timeout, NotGiven):
        options.timeout = openai.Timeout(FLEX_TIMEOUT_SECONDS, connect=5.0)


def traffic_type(completion_or_usage: object) -> str | None:
    """The tier Vertex served a response with (`ON_DEMAND`, `ON_DEMAND_FLEX`, `ON_DEMAND_PRIORITY`,
    `PROVISIONED_THROUGHPUT`), from a completion, a stream chunk, its `usage`, or their dicts; None
    when the response does not say."""
    usage = field(completion_or_usage, "usage") or completion_or_usage
    google = field(field(usage, "extra_properties", "extraProperties"), "google")
    value = field(google, "traffic_type", "trafficType")
    return value if isinstance(value, str) else None


def quota_hint(request_headers: Mapping[str, str]) -> str:
    """What a 429 means, from the tier headers the request was sent with."""
    sent = {name.lower(): value.lower() for name, value in request_headers.items()}
    if sent.get(REQUEST_TYPE.lower()) == "dedicated":
        return (
            "the Provisioned Throughput quota is used up (the request asked for dedicated capacity only); "
            "buy more throughput, or drop service_tier='provisioned' to spill over to shared capacity."
        )
    shared = sent.get(SHARED_REQUEST_TYPE.lower())
    if shared in _GLOBAL_ONLY:
        return (
            f"the shared {shared.title()} PayGo capacity is exhausted; retry later with backoff "
            "(openai retries 429s: raise max_retries=), or send without service_tier."
        )
    return (
        "the shared pay-as-you-go capacity or your project's quota is exhausted; retry later with backoff "
        "(raise max_retries=), use service_tier='flex' for work that can wait (location='global'), or "
        "Provisioned Throughput for guaranteed capacity."
    )
