"""Places the command never rewrites, each with the reason a person must look at it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

import libcst as cst

from ._report import Finding
from ._urls import literal


class Migration(Protocol):
    """What the scan reads of `_python._Migration` (a protocol: no import back into `_python`)."""

    @property
    def module(self) -> cst.Module: ...

    @property
    def parents(self) -> Mapping[cst.CSTNode, cst.CSTNode]: ...

    def line(self, node: cst.CSTNode) -> int: ...

    def names(self, node: cst.CSTNode) -> set[str]: ...

    def code(self, node: cst.CSTNode) -> str: ...


_MODULE_CLIENT = (
    "openai.api_key",
    "openai.base_url",
    "openai.api_base",
    "openai.api_type",
    "openai.api_version",
    "openai.azure_endpoint",
    "openai.azure_ad_token_provider",
    "openai.organization",
)
_MODULE_CALLS = (
    "openai.chat.",
    "openai.completions.",
    "openai.embeddings.",
    "openai.responses.",
    "openai.images.",
)
_ZERO_API = (  # openai 0.x module-level resources, removed in openai 1.0
    "openai.ChatCompletion",
    "openai.Completion",
    "openai.Embedding",
    "openai.Image",
    "openai.Moderation",
    "openai.Edit",
    "openai.FineTune",
    "openai.Audio",
    "openai.error",
)
_INTERNALS = re.compile(
    r"_azure_ad_token_provider|_azure_ad_token\b|\.api_key\b|_api_version\b|_azure_endpoint|"
    r"_azure_deployment|\bAzureOpenAI\b"
)
_SCHEMA_KEYS = ("$defs", "$ref", "additionalProperties")

ZERO_API = (
    "openai 0.x API ({name}): removed in openai 1.0, and vertex-openai needs openai>=1.83: build a client, "
    "client = VertexOpenAI(...), and call client.{new}(...) (`openai migrate` rewrites most 0.x calls; "
    "https://github.com/openai/openai-python/discussions/742)"
)
_ZERO_NEW = {
    "ChatCompletion": "chat.completions.create",
    "Completion": "chat.completions.create",
    "Embedding": "embeddings.create",
    "Image": "images.generate",
    "Moderation": "moderations.create",
}
TOOL_LOOP = (
    'finish_reason compared with "tool_calls": Vertex may end a turn that has tool calls with '
    'finish_reason "stop", so this test misses them; test the calls themselves: '
    "`if choice.message.tool_calls:` (a loop: `while response.choices[0].message.tool_calls:`; "
    "in a stream, the accumulated delta.tool_calls)"
)
RESPONSES = (
    "client.responses: VertexOpenAI answers Responses API calls through chat completions (README, "
    "'Responses API'); the call stays as it is, and a parameter Vertex cannot express raises before sending"
)
LEGACY = (
    "legacy completions.create (prompt=): Vertex serves chat completions; move to chat.completions.create"
)
MODULE_CLIENT = (
    "module-level openai client ({name}): build a client instead: client = VertexOpenAI(...) and call "
    "client.chat.completions.create(...)"
)
CONTENT_FILTER = (
    "content_filter handler: Vertex does not raise for blocked content; it answers 200 with "
    "finish_reason='content_filter' (content may be None), so this handler never runs; check finish_reason"
)
INTERNALS = (
    "a test looks at Azure client internals ({what}); VertexOpenAI has none of these: assert on "
    "client.base_url or client.project instead"
)
SCHEMA = (
    "tool schema with {what}: for Gemini models the client sends it in the OpenAPI subset Vertex takes "
    "($ref/$defs inlined, Optional as nullable, annotations and boolean additionalProperties dropped) "
    "and refuses a recursive one before the call; other models get it as written, and strict is sent "
    "as given: test the call with the model you use"
)
REGION_VAR = (
    "GOOGLE_CLOUD_REGION: VertexOpenAI itself reads GOOGLE_CLOUD_LOCATION when location= is not given "
    "(this program passes its own value, which keeps working)"
)


def scan(migration: Migration) -> list[Finding]:
    visitor = _Scan(migration)
    migration.module.visit(visitor)
    return visitor.found


class _Scan(cst.CSTVisitor):
    def __init__(self, migration: Migration) -> None:
        super().__init__()
        self.m = migration
        self.found: list[Finding] = []
        self.schema_lines: set[int] = set()
        self.zero_lines: set[int] = set()

    def _add(self, node: cst.CSTNode, kind: str, message: str) -> None:
        self.found.append(Finding(self.m.line(node), "note" if kind == "note" else "warning", message))

    def visit_Call(self, node: cst.Call) -> None:
        names = self.m.names(node.func)
        code = self.m.code(node.func)
        if any(n.startswith(_MODULE_CALLS) for n in names):
            self._add(node, "warning", MODULE_CLIENT.format(name=code))
        elif re.search(r"\.responses\.\w+$", code):
            self._add(node, "note", RESPONSES)
        elif code.endswith(".completions.create") and not code.endswith("chat.completions.create"):
            self._add(node, "warning", LEGACY)
        if code.endswith("pydantic_function_tool"):
            self._schema(node, "pydantic_function_tool()")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._content_filter(node)
        names = {n for n in self.m.names(node) if any(n == z or n.startswith(z + ".") for z in _ZERO_API)}
        line = self.m.line(node)
        if names and line not in self.zero_lines:
            self.zero_lines.add(line)
            name = min(names, key=len)
            resource = name.split(".")[1]
            self._add(node, "warning", ZERO_API.format(name=name, new=_ZERO_NEW.get(resource, "...")))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        values = [literal(t.comparator) for t in node.comparisons]
        code = self.m.code(node)
        if "finish_reason" in code and (
            "tool_calls" in values or "'tool_calls'" in code or '"tool_calls"' in code
        ):
            self._add(node, "warning", TOOL_LOOP)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        names = self.m.names(node.target)
        for name in names & set(_MODULE_CLIENT):
            self._add(node, "warning", MODULE_CLIENT.format(name=name))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        if "content_filter" in self.m.code(node):
            self._add(node, "warning", CONTENT_FILTER)
            return False
        return True

    def _content_filter(self, node: cst.Attribute) -> None:
        if node.attr.value in ("content_filter_results", "prompt_filter_results"):
            self._add(node, "warning", f"{node.attr.value}: Azure only; Vertex does not send it")

    def visit_Assert(self, node: cst.Assert) -> bool:
        found = _INTERNALS.search(self.m.code(node))
        if found:
            self._add(node, "warning", INTERNALS.format(what=found[0].lstrip(".")))
        return False

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = literal(node)
        if value in _SCHEMA_KEYS:
            self._schema(node, value)
        elif value == "strict":
            parent = self.m.parents.get(node)
            if isinstance(parent, cst.DictElement) and self.m.code(parent.value) == "True":
                self._schema(node, "strict: True")
        elif value == "GOOGLE_CLOUD_REGION":
            self._add(node, "note", REGION_VAR)

    def _schema(self, node: cst.CSTNode, what: str) -> None:
        line = self.m.line(node)
        if line not in self.schema_lines:
            self.schema_lines.add(line)
            self._add(node, "warning", SCHEMA.format(what=what))
