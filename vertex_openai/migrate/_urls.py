"""The URL a program builds for openai's `base_url`: literal text and the expressions between it.

A URL spelled as an f-string, with `.format(...)`, by concatenation or through a variable is read
into pieces; `vertex_target` then says, with certainty or not at all, which Vertex AI endpoint it names.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Union

import libcst as cst

Piece = Union[str, cst.BaseExpression]  # noqa: UP007  # a runtime alias on Python 3.10
# A name's assigned values in its scope (every assignment), or None when one is not a plain `name = value`.
Values = Callable[[cst.Name], "list[cst.BaseExpression] | None"]

_URL = re.compile(
    r"https://(?P<host>[^/]+)/(?P<version>[^/]+)/projects/(?P<project>[^/]+)"
    r"/locations/(?P<location>[^/]+)/endpoints/(?P<endpoint>[^/]+?)/?"
)
_SLOT = re.compile(r"\x00(\d+)\x00")
_ROUTE_SUFFIX = re.compile(r"/chat/completions/?\??\Z")
GLOBAL_HOST = "aiplatform.googleapis.com"
_REGIONAL = re.compile(r"(?P<region>[a-z0-9-]+|\x00\d+\x00)-aiplatform\.googleapis\.com")
_ENDPOINT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def literal(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (implicit concatenation included), else None."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def pieces(node: cst.BaseExpression, values: Values, depth: int = 0) -> list[Piece]:
    """`node` as literal text and opaque expressions, following single-assignment names."""
    text = literal(node)
    if text is not None:
        return [text]
    if isinstance(node, cst.FormattedString):
        return _fstring(node)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return pieces(node.left, values, depth) + pieces(node.right, values, depth)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    ):
        template = literal(node.func.value)
        if template is not None:
            formatted = _format(template, node.args)
            if formatted is not None:
                return formatted
    if isinstance(node, cst.Name) and depth < 3:
        assigned = values(node)
        if assigned is not None and len(assigned) == 1:
            followed = pieces(assigned[0], values, depth + 1)
            if any(isinstance(p, str) and "://" in p for p in followed):
                return followed  # a URL kept in a variable; names inside stay names
    return [node]


def _fstring(node: cst.FormattedString) -> list[Piece]:
    out: list[Piece] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            out.append(_unescape(part.value, node.prefix))
        elif (
            isinstance(part, cst.FormattedStringExpression)
            and part.conversion is None
            and part.format_spec is None
            and part.equal is None
        ):
            out.append(part.expression)
        else:
            out.append(cst.Name("__opaque__"))  # never matches a group on its own terms
    return out


def _unescape(text: str, prefix: str) -> str:
    if "r" in prefix.lower() or "\\" not in text:
        return text.replace("{{", "{").replace("}}", "}")
    value = ast.literal_eval('"' + text.replace('"', '\\"') + '"')
    return str(value).replace("{{", "{").replace("}}", "}")


def _format(template: str, args: Sequence[cst.Arg]) -> list[Piece] | None:
    positional = [a.value for a in args if a.keyword is None and not a.star]
    named = {a.keyword.value: a.value for a in args if a.keyword is not None}
    if any(a.star for a in args):
        return None
    out: list[Piece] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for text, field, spec, conversion in parsed:
        if text:
            out.append(text)
        if field is None:
            continue
        if spec or conversion:
            return None
        if field == "":
            if auto >= len(positional):
                return None
            out.append(positional[auto])
            auto += 1
        elif field.isdigit() and int(field) < len(positional):
            out.append(positional[int(field)])
        elif field in named:
            out.append(named[field])
        else:
            return None
    return out


@dataclass(frozen=True)
class VertexTarget:
    """What a recognised Vertex URL says, as values to hand to `VertexOpenAI(...)`."""

    project: Piece
    location: Piece
    api_version: Piece | None  # None: v1, the default
    endpoint_id: Piece | None  # None: the shared `openapi` route
    # "exact": project/location/... give the same URL. "base_url": only base_url=<the expression> does.
    fidelity: Literal["exact", "base_url"]
    reason: str = ""


def same(a: Piece, b: Piece) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return cst.Module([]).code_for_node(a) == cst.Module([]).code_for_node(b)


def known_value(piece: Piece, values: Values) -> str | None:
    """A piece's string value when it is a literal or a name with one literal assignment."""
    if isinstance(piece, str):
        return piece
    text = literal(piece)
    if text is not None:
        return text
    if isinstance(piece, cst.Name):
        assigned = values(piece)
        if assigned is not None and len(assigned) == 1:
            return literal(assigned[0])
    return None


def is_vertex_url(parts: Sequence[Piece]) -> bool:
    text = "".join(p for p in parts if isinstance(p, str))
    return "/endpoints/" in text and "/projects/" in text and "/locations/" in text


def vertex_target(parts: Sequence[Piece], values: Values) -> VertexTarget | None:
    """The endpoint a URL names, or None when it is not a Vertex AI OpenAI-compatible URL."""
    slots: list[cst.BaseExpression] = []
    template = ""
    for part in parts:
        if isinstance(part, str):
            template += part
        else:
            template += f"\x00{len(slots)}\x00"
            slots.append(part)
    suffix = _ROUTE_SUFFIX.search(template)
    if suffix is not None:  # `.../endpoints/openapi/chat/completions?`: openai appends the route itself
        template = template[: suffix.start()]
    found = _URL.fullmatch(template)
    if found is None:
        return None

    def group(name: str) -> Piece | None:
        text = found[name]
        if "\x00" not in text:
            return text
        slot = _SLOT.fullmatch(text)
        return slots[int(slot[1])] if slot else None

    project, location, version, endpoint = (group(g) for g in ("project", "location", "version", "endpoint"))
    if project is None or location is None or version is None or endpoint is None:
        return _base_url("the URL mixes text and expressions inside one path segment")

    version_value = known_value(version, values)
    if version_value not in ("v1", "v1beta1"):
        return _base_url(f"API version {version_value or 'from an expression'} is not v1 or v1beta1")
    api_version: Piece | None = None if version == "v1" else version

    endpoint_value = known_value(endpoint, values)
    endpoint_id: Piece | None
    if endpoint_value == "openapi":
        endpoint_id = None
    elif endpoint_value is not None and not _ENDPOINT_ID.fullmatch(endpoint_value):
        return _base_url(f"endpoint {endpoint_value!r} is not an endpoint ID")
    else:
        endpoint_id = endpoint

    problem = _host_problem(found["host"], slots, location, values)
    if problem and suffix is not None:
        return None  # base_url= as written would reach .../chat/completions/chat/completions
    if problem:
        return _base_url(problem)
    return VertexTarget(project, location, api_version, endpoint_id, "exact")


def has_route_suffix(parts: Sequence[Piece]) -> bool:
    return _ROUTE_SUFFIX.search("".join(p if isinstance(p, str) else "\x00" for p in parts)) is not None


def _base_url(reason: str) -> VertexTarget:
    return VertexTarget("", "", None, None, "base_url", reason)


def _host_problem(host: str, slots: list[cst.BaseExpression], location: Piece, values: Values) -> str:
    """Why `VertexOpenAI(location=...)` would not pick this host ("" when it would)."""
    location_value = known_value(location, values)
    if location_value in ("us", "eu"):
        return f"the multi-region {location_value!r} is served from its own host"
    slot = _SLOT.fullmatch(host)
    if slot is not None:  # an `api_host` variable: every value it may take must be the one we would pick
        node = slots[int(slot[1])]
        assigned = values(node) if isinstance(node, cst.Name) else None
        if not assigned:
            return "the host comes from an expression whose values are not known"
        texts = ["".join(_host_text(value, slots, values)) for value in assigned]
        if len(texts) == 2 and GLOBAL_HOST in texts:  # Google's notebook: global host, else the regional one
            (other,) = [t for t in texts if t != GLOBAL_HOST]
            return _host_problem(other, slots, location, values)
        for value in assigned:
            problem = _host_problem("".join(_host_text(value, slots, values)), slots, location, values)
            if problem:
                return problem
        return ""
    if host == GLOBAL_HOST:
        if location_value == "global":
            return ""
        return "the global host with a location that is not known to be 'global'"
    regional = _REGIONAL.fullmatch(host)
    if regional is None:
        return f"the host {host!r} is not one VertexOpenAI builds"
    region = regional["region"]
    region_slot = _SLOT.fullmatch(region)
    if region_slot is not None:
        return "" if same(slots[int(region_slot[1])], location) else "the host's region is not the location"
    return "" if location_value == region else "the host's region is not the location"


def _host_text(value: cst.BaseExpression, slots: list[cst.BaseExpression], values: Values) -> list[str]:
    out = []
    for part in pieces(value, values):
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(f"\x00{len(slots)}\x00")
            slots.append(part)
    return out
