"""The request pipeline: what the client changes in each attempt before openai builds the request.

openai builds every attempt from a fresh copy of the call's options and hands it to the client
(`_compat` `_prepare_options`). `Pipeline.prepare` first does what every attempt needs: an absolute
URL to another origin (not a fallback location's) is refused, checked once per URL, and an attempt
whose HTTP client would follow redirects is told not to (the Google token never follows one; the
HTTP client openai makes for a Vertex client is set not to follow them). Then it runs the steps of
the attempt's plan, in `STEPS` order. A step changes the attempt's options by replacing values,
never by mutating what the caller passed in. The steps, in order:

| step | routes | rule lives in |
| --- | --- | --- |
| `model` | every | `_model`: aliases, publisher, partner ids (the one model rule) |
| `history` | chat | `_body.without_client_fields`: fields only openai-python adds |
| `gemini_options` | chat | `_body.with_google_fields`: client defaults + the call's `extra_body` |
| `signatures` | chat | `_signatures.restore_tool_signatures`: memory, carrier ids, placeholders |
| `schemas` | chat, Gemini | `_schema.gemini_schemas`: JSON Schema in the form Gemini accepts |
| `reasoning_effort` | chat, Gemini | `gemini.check_reasoning_effort`: values the model accepts |
| `partner_notes` | chat, partner | `_maas.ModelTable.check_request`: warnings such as Llama 4's max_tokens |
| `service_tier` | every | `_tiers.apply_service_tier`: the tier as headers (the default on chat) |
| `failover` | every | `_failover.Failover.route`: the attempt's location after a 429 RESOURCE_EXHAUSTED |
| `telemetry` | every | `_telemetry.annotate_span`: the current GenAI span says Vertex (if one is open) |

A plan is worked out on first sight of an attempt's kind and kept: its route, the model the body
names (resolved once: `Plan.model`), on chat the body's shape, and whether OpenTelemetry is imported
(`telemetry` only then: `Step.traced`). It holds only the steps with
work to do: a step that names its models (`Step.models`) is left out for others (`model` when the
name is already the wire name, `schemas` and `reasoning_effort` for models other than Gemini,
`partner_notes` for models other than partners'), and on chat a step that says when it has work
(`Step.wanted`) is left out without it: `history` and `signatures` only when the messages hold a reply
(an assistant or tool message: not on a first turn); `schemas`, `reasoning_effort` and
`service_tier` only when the body has their keys (`service_tier` also for an `extra_body` or a client
default tier); `gemini_options` only for an `extra_body` or client defaults. A first turn of
`google/gemini-2.5-flash` runs no step at all (no `Attempt` is made); `failover` is in every plan
only with fallback locations.

To add a step: write it as a function of `(Attempt, Setup)` next to its rule, or here when it only
adapts a rule to the options, and put it in `STEPS` with its routes, the models it concerns
(`models`; none: every model) and, for chat, when it has work (`replies`, `keys`, `extra_body`,
`by_default`; none: every attempt).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, NamedTuple

import openai

from .._compat import FinalRequestOptions
from .._transport._endpoint import Endpoint, origin
from .._util import JSONObject, remember
from ..gemini import check_reasoning_effort
from . import _body, _telemetry, _tiers
from ._failover import Failover
from ._maas import ModelTable
from ._model import ModelResolver, ResolvedModel
from ._schema import gemini_schemas
from ._signatures import SignatureMemory, restore_tool_signatures

__all__ = ["STEPS", "Attempt", "Pipeline", "Plan", "Route", "Setup", "route_of"]

Route = Literal["chat", "embeddings", "responses", "other"]
_URL_CACHE_SIZE = 256  # distinct request URLs a client remembers the route of
_PLAN_CACHE_SIZE = 512  # distinct kinds of attempt (see `Pipeline.prepare`) a client keeps a plan for
_ROUTES: tuple[tuple[str, Route], ...] = (
    ("chat/completions", "chat"),
    ("embeddings", "embeddings"),
    ("responses", "responses"),
)


def route_of(url: str) -> Route:
    """The route an openai request path is for (`chat/completions` -> `chat`, ...)."""
    path = url.split("?", 1)[0].rstrip("/")
    for suffix, route in _ROUTES:
        if path.endswith(suffix):
            return route
    return "other"


@dataclass(frozen=True)
class Setup:
    """What the steps read from the client; fixed when the client is made."""

    endpoint: Endpoint
    resolve: ModelResolver
    table: ModelTable
    default_google: JSONObject  # the client's default Gemini options, at their wire place
    memory: SignatureMemory | None  # thought signatures received (None: turned off)
    placeholder_signatures: bool  # Google's placeholder for unsigned calls of a Gemini 3 turn
    service_tier: str | None  # the client's default tier for chat calls
    default_timeout: bool  # the client's timeout is openai's default (Flex may then take 30 minutes)
    failover: Failover | None = None  # `fallback_locations`: where each attempt goes (None: no failover)

    @property
    def origin(self) -> tuple[str, str, int]:
        return origin(self.endpoint.base_url)

    @cached_property
    def origins(self) -> frozenset[tuple[str, str, int]]:
        """The origins requests may go to: the base URL's, and each fallback location's."""
        return self.failover.origins if self.failover is not None else frozenset({self.origin})


@dataclass(slots=True)
class Attempt:
    """One attempt's request options, with what the pipeline found out about them."""

    options: FinalRequestOptions
    route: Route
    body: Mapping[str, object] | None  # `options.json_data` when it is a JSON object (kept in step)
    model: ResolvedModel | None = None  # the model the body names, as the client resolves it
    location: str | None = None  # the attempt's location, with failover on (None: the client's)

    def replace_body(self, body: Mapping[str, object]) -> None:
        if body is not self.body:
            self.body = self.options.json_data = body


def _body_of(options: FinalRequestOptions) -> Mapping[str, object] | None:
    body = options.json_data
    return body if type(body) is dict or isinstance(body, Mapping) else None  # (a dict: no ABC check)


def _checked_origin(url: str, setup: Setup) -> None:
    # A relative URL always joins onto the base URL; only an absolute one can leave its origin.
    if "://" in url and origin(url) not in setup.origins:
        raise openai.OpenAIError(
            f"Refusing to send Google credentials to {url}: this client only talks to "
            f"{setup.endpoint.base_url}."
        )


# --- the steps ---
def _model(attempt: Attempt, setup: Setup) -> None:
    body, model = attempt.body, attempt.model
    if body is not None and model is not None and body.get("model") != model.wire:
        attempt.replace_body({**body, "model": model.wire})


def _history(attempt: Attempt, setup: Setup) -> None:
    body = attempt.body
    if body is not None:
        messages = _body.without_client_fields(body.get("messages"))
        if messages is not None:
            attempt.replace_body({**body, "messages": messages})


def _gemini_options(attempt: Attempt, setup: Setup) -> None:
    extra = attempt.options.extra_json
    if extra is not None and not isinstance(extra, Mapping):
        raise TypeError(
            f"extra_body must be a mapping (e.g. gemini_options(...)), not {type(extra).__name__}."
        )
    body = attempt.body
    if body is not None and (extra or setup.default_google):
        attempt.options.extra_json = _body.with_google_fields(body, extra or {}, setup.default_google)


def _signatures(attempt: Attempt, setup: Setup) -> None:
    body = attempt.body
    if body is not None:
        generation = attempt.model.gemini_generation if attempt.model is not None else None
        gemini3 = generation is not None and generation >= 3
        attempt.replace_body(
            restore_tool_signatures(
                body, setup.memory, gemini3=gemini3, placeholders=setup.placeholder_signatures
            )
        )


def _schemas(attempt: Attempt, setup: Setup) -> None:
    body = attempt.body
    model = attempt.model
    if body is not None and model is not None and model.is_gemini:
        attempt.replace_body(gemini_schemas(body))


def _reasoning_effort(attempt: Attempt, setup: Setup) -> None:
    body = attempt.body
    model = attempt.model
    if body is not None and model is not None and model.is_gemini:
        attempt.replace_body(check_reasoning_effort(body, model.wire))


def _partner_notes(attempt: Attempt, setup: Setup) -> None:
    body = attempt.body
    if body is not None and attempt.model is not None and attempt.model.partner is not None:
        setup.table.check_request(attempt.model.wire, body)


def _service_tier(attempt: Attempt, setup: Setup) -> None:
    _tiers.apply_service_tier(
        attempt.options,
        default_tier=setup.service_tier if attempt.route == "chat" else None,
        location=setup.endpoint.location,
        default_timeout=setup.default_timeout,
    )
    if attempt.options.json_data is not attempt.body:
        attempt.body = _body_of(attempt.options)  # the tier left the body


def _failover(attempt: Attempt, setup: Setup) -> None:
    if setup.failover is not None:
        inference = attempt.route != "other"
        attempt.location = setup.failover.route(attempt.options, attempt.model, inference)


def _telemetry_step(attempt: Attempt, setup: Setup) -> None:
    url = attempt.options.url
    model = attempt.model
    _telemetry.annotate_span(
        url=url if "://" in url else setup.endpoint.base_url,
        project=setup.endpoint.project,
        location=attempt.location or setup.endpoint.location,
        model=model.wire if model is not None else None,
        requested_model=model.requested if model is not None else None,
    )


_PROMPT_ROLES = frozenset({"system", "developer", "user"})


def _has_replies(messages: object) -> bool:
    """Whether chat `messages` hold a message other than a prompt's (an assistant's, a tool's)."""
    if not isinstance(messages, list):
        return True  # not ours to judge: every step looks
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in _PROMPT_ROLES:
            return True
    return False


class Step(NamedTuple):
    """A step, its routes and models, and when it has something to do in a chat body (a plan leaves it
    out else)."""

    name: str
    routes: frozenset[Route] | None  # None: every route
    run: Callable[[Attempt, Setup], None]
    models: Callable[[ResolvedModel | None], bool] | None = None  # the models it concerns (None: every)
    traced: bool = False  # only once OpenTelemetry's API is imported (a span may be open)
    replies: bool = False  # only when the messages hold a reply (an assistant or a tool message)
    # What calls for the step (none declared: every attempt): one of these body keys, ...
    keys: frozenset[str] = frozenset()
    extra_body: bool = False  # ... the call's `extra_body`, ...
    by_default: Callable[[Setup], bool] | None = None  # ... or the client's defaults

    def wanted(self, setup: Setup, replies: bool, keys: frozenset[str], extra_body: bool) -> bool:
        """Whether this chat step has work in a body with `keys` (of the steps' keys) and, per
        `replies`, a reply in its messages, the call having an `extra_body` or not."""
        if self.replies and not replies:
            return False
        if not self.keys and not self.extra_body and self.by_default is None:
            return True
        return (
            not self.keys.isdisjoint(keys)
            or (self.extra_body and extra_body)
            or (self.by_default is not None and self.by_default(setup))
        )


def _renamed(model: ResolvedModel | None) -> bool:
    return model is not None and model.wire != model.requested


def _gemini(model: ResolvedModel | None) -> bool:
    return model is not None and model.is_gemini


def _partner(model: ResolvedModel | None) -> bool:
    return model is not None and model.partner is not None


def _has_google(setup: Setup) -> bool:
    return bool(setup.default_google)


def _has_default_tier(setup: Setup) -> bool:
    return setup.service_tier is not None


_CHAT: frozenset[Route] = frozenset({"chat"})
STEPS: tuple[Step, ...] = (
    Step("model", None, _model, models=_renamed),
    Step("history", _CHAT, _history, replies=True),
    Step("gemini_options", _CHAT, _gemini_options, extra_body=True, by_default=_has_google),
    Step("signatures", _CHAT, _signatures, replies=True),
    Step("schemas", _CHAT, _schemas, models=_gemini, keys=frozenset({"tools", "response_format"})),
    Step("reasoning_effort", _CHAT, _reasoning_effort, models=_gemini, keys=frozenset({"reasoning_effort"})),
    Step("partner_notes", _CHAT, _partner_notes, models=_partner),
    Step(
        "service_tier",
        None,
        _service_tier,
        keys=frozenset({"service_tier"}),
        extra_body=True,
        by_default=_has_default_tier,
    ),
    Step("failover", None, _failover),
    Step("telemetry", None, _telemetry_step, traced=True),
)

#: What picks a chat attempt's plan: a reply in its messages, the steps' keys its body has, an extra_body.
ChatShape = tuple[bool, frozenset[str], bool]


class Plan(NamedTuple):
    """What one kind of attempt gets: the model its body names, resolved, and the steps with work."""

    model: ResolvedModel | None
    steps: tuple[Callable[[Attempt, Setup], None], ...]


class Pipeline:
    """Runs `steps` (default `STEPS`) over each attempt's options, once per attempt."""

    def __init__(self, setup: Setup, steps: tuple[Step, ...] = STEPS) -> None:
        self.setup = setup
        # failover is a step only when the client has fallback locations
        self.steps = tuple(step for step in steps if step.run is not _failover or setup.failover is not None)
        self._chat_keys = frozenset().union(
            *(step.keys for step in self.steps if step.routes is None or "chat" in step.routes)
        )
        self._routes: dict[str, Route] = {}  # per URL openai asks for (its origin checked): its route
        # per kind of attempt (route, model named, chat shape, traced): its plan, worked out on first sight
        self._plans: dict[tuple[Route, str | None, ChatShape | None, bool], Plan] = {}

    def prepare(self, options: FinalRequestOptions, follows_redirects: bool = True) -> FinalRequestOptions:
        """Shape one attempt's options (openai's copy for that attempt) and return them; an HTTP client
        that `follows_redirects` is told not to for this attempt."""
        url = options.url
        route = self._routes.get(url)
        if route is None:
            route = self._route(url)
        body = _body_of(options)
        requested: str | None = None
        shape: ChatShape | None = None
        if body is not None:
            model = body.get("model")
            requested = model if isinstance(model, str) else None
            if route == "chat":
                shape = (
                    _has_replies(body.get("messages")),
                    self._chat_keys.intersection(body),
                    options.extra_json is not None,
                )
        key = (route, requested, shape, _telemetry.TRACE_MODULE in sys.modules)
        plan = self._plans.get(key)
        if plan is None:
            plan = remember(self._plans, key, self.plan(*key), _PLAN_CACHE_SIZE)
        if follows_redirects:
            options.follow_redirects = False  # the Google token never follows a redirect
        if plan.steps:
            attempt = Attempt(options, route, body, plan.model)
            for step in plan.steps:
                step(attempt, self.setup)
        return options

    def plan(self, route: Route, model: str | None, shape: ChatShape | None, traced: bool) -> Plan:
        """The plan of an attempt on `route` whose body names `model` (None: none) and, on chat, has
        `shape` (None: every chat step), OpenTelemetry imported or not (`traced`): the steps left out
        would change nothing (`Step.wanted`, `Step.models`, `Step.traced`)."""
        resolved = self.setup.resolve(model) if model is not None else None
        steps = tuple(
            step.run
            for step in self.steps
            if (step.routes is None or route in step.routes)
            and (step.models is None or step.models(resolved))
            and (shape is None or step.wanted(self.setup, *shape))
            and (traced or not step.traced)
        )
        return Plan(resolved, steps)

    def _route(self, url: str) -> Route:
        """The route of a URL openai asks for, once its origin is checked (a URL to another is refused
        on every attempt: never remembered)."""
        _checked_origin(url, self.setup)
        return remember(self._routes, url, route_of(url), _URL_CACHE_SIZE)
