"""Python source: find the OpenAI clients a program builds and rewrite the ones recognised with certainty."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar, cast

import libcst as cst
from libcst.metadata import (
    Assignment,
    CodeRange,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)
from typing_extensions import override

from . import _cleanup, _leftovers, _warnings
from ._env import env_read
from ._meta import qualified_names
from ._report import MARKER, Finding, line_map
from ._urls import (
    Piece,
    VertexTarget,
    has_route_suffix,
    is_vertex_url,
    known_value,
    literal,
    pieces,
    vertex_target,
)

Flavour = Literal["openai", "azure"]
_CLASSES: dict[str, tuple[bool, Flavour]] = {  # qualified name -> (async, flavour)
    "openai.OpenAI": (False, "openai"),
    "openai.AsyncOpenAI": (True, "openai"),
    "openai.Client": (False, "openai"),
    "openai.AsyncClient": (True, "openai"),
    "openai.AzureOpenAI": (False, "azure"),
    "openai.AsyncAzureOpenAI": (True, "azure"),
    "openai.lib.azure.AzureOpenAI": (False, "azure"),
    "openai.lib.azure.AsyncAzureOpenAI": (True, "azure"),
}
_KEEP = ("timeout", "max_retries", "default_headers", "default_query", "http_client")
_DROP = frozenset(
    {"api_key", "base_url", "organization", "project", "websocket_base_url", "webhook_secret"}
    | {"api_version", "azure_endpoint", "azure_ad_token_provider", "azure_ad_token", "azure_deployment"}
)
_PLACEHOLDER_MODEL = "google/gemini-2.5-flash"
_GPT = re.compile(r"(gpt-[\w.:-]+|chatgpt-[\w.-]+|o[1-4](-mini|-pro)?(-\d{4}-\d{2}-\d{2})?)")
_OPENAI_BASE = re.compile(r"https://api\.openai\.com(/v1)?/?")
_NOT_UNDERSTOOD = (
    "a Vertex-like base_url not understood; not rewritten: replace the client by hand with "
    "VertexOpenAI(project=..., location=...) for an .../endpoints/openapi URL (add api_version='v1beta1' "
    "or endpoint_id=... when the URL has them), or VertexOpenAI(base_url=...) with the URL up to the "
    "endpoint, without /chat/completions"
)
# the openai module and its clients (not `vertex_openai` / `VertexOpenAI`), the old client's variables,
# and a marker an earlier run left
_TRIGGER = re.compile(r"\bopenai\b|\b(?:Async)?(?:Azure)?OpenAI\b|OPENAI_|" + re.escape(MARKER))


@dataclass
class _Call:
    node: cst.Call
    is_async: bool
    flavour: Flavour
    line: int


@dataclass
class _Plan:
    replace: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    remove: set[cst.CSTNode] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)  # the Vertex classes the new code uses


def uses_openai(code: str) -> bool:
    return _TRIGGER.search(code) is not None


def migrate_source(code: str, path: Path | None = None) -> tuple[str, list[Finding]]:
    """The rewritten source and what was found; the source unchanged when nothing is rewritten.

    `path`, when given, is where the source was read: config files beside it are read for model names."""
    if not uses_openai(code):
        return code, []
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError as error:
        return code, [
            Finding(error.raw_line, "warning", f"not parsed as Python ({error.message}); not touched")
        ]
    migration = _Migration(MetadataWrapper(module), path)
    plan = migration.plan()
    findings = list(dict.fromkeys(plan.findings)) + _warnings.scan(migration)
    findings += [
        Finding(number, "todo", "a choice left for you by an earlier run")
        for number, text in enumerate(code.splitlines(), 1)
        if MARKER in text
    ]
    if not plan.replace and not plan.remove:
        findings += _left_over(migration, plan, code, code)
        return code, sorted(findings, key=lambda f: f.line)
    updated = migration.wrapper.module.visit(_Apply(plan))
    new_code = _cleanup.finish(updated, plan.classes, removed_class=bool(plan.remove))
    try:
        cst.parse_module(new_code)
    except cst.ParserSyntaxError:  # never write what does not parse
        return code, [Finding(1, "warning", "the rewrite did not parse; file not touched (please report)")]
    findings += _left_over(migration, plan, code, new_code)
    return new_code, sorted(findings, key=lambda f: f.line)


def _left_over(migration: _Migration, plan: _Plan, code: str, new_code: str) -> list[Finding]:
    """The old client's variables the migrated code still reads, unless an old client is left too."""
    for call in migration.clients():
        if call.node not in plan.replace and not any(
            a in plan.remove for a in migration.ancestors(call.node)
        ):
            return []
    back = line_map(new_code, code)
    return [
        Finding(back[min(line, len(back) - 1)] or line, kind, message, new_line=line)
        for line, kind, message in _leftovers.scan(new_code)
    ]


_Node = TypeVar("_Node", bound=cst.CSTNode)


class _Apply(cst.CSTTransformer):
    def __init__(self, plan: _Plan) -> None:
        super().__init__()
        self.plan = plan

    @override
    def on_leave(  # one rule for every node type
        self, original_node: _Node, updated_node: _Node
    ) -> _Node | cst.RemovalSentinel | cst.FlattenSentinel[_Node]:
        if original_node in self.plan.remove:
            return cst.RemoveFromParent()
        if original_node not in self.plan.replace:
            return updated_node
        # an expression for an expression: libcst's signature asks for the same node class, while
        # libcst itself only checks that the parent accepts the new node (and it does by construction)
        return cast(_Node, self.plan.replace[original_node])


class _Collect(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []
        self.classes: list[cst.ClassDef] = []
        self.strings: list[cst.SimpleString] = []
        self.model_args: list[cst.Arg] = []
        self.annotations: list[cst.Annotation] = []

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.annotations.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)
        self.model_args += [a for a in node.args if a.keyword is not None and a.keyword.value == "model"]

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.strings.append(node)


class _Migration:
    """One module, its metadata, and the decisions taken for it."""

    def __init__(self, wrapper: MetadataWrapper, path: Path | None = None) -> None:
        self.path = path
        self.wrapper = wrapper
        self.module = wrapper.module
        wrapper.resolve_many(  # in one pass; resolve() below reads each
            [QualifiedNameProvider, ScopeProvider, ParentNodeProvider, PositionProvider]
        )
        self.qualified: Mapping[cst.CSTNode, object] = wrapper.resolve(QualifiedNameProvider)
        self.scopes: Mapping[cst.CSTNode, Scope | None] = wrapper.resolve(ScopeProvider)
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = wrapper.resolve(ParentNodeProvider)
        self.positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
        self.seen = _Collect()
        self.module.visit(self.seen)

    # -- metadata helpers -------------------------------------------------------------------------
    def line(self, node: cst.CSTNode) -> int:
        position = self.positions.get(node)
        return position.start.line if isinstance(position, CodeRange) else 1

    def names(self, node: cst.CSTNode) -> set[str]:
        return qualified_names(self.qualified, node)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def values(self, name: cst.Name) -> list[cst.BaseExpression] | None:
        scope = self.scopes.get(name)
        if scope is None or name.value not in scope:
            return None
        out: list[cst.BaseExpression] = []
        for assignment in scope[name.value]:
            if not isinstance(assignment, Assignment):
                return None
            parent = self.parents.get(assignment.node)
            if isinstance(parent, cst.AssignTarget):
                statement = self.parents.get(parent)
                if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                    out.append(statement.value)
                    continue
            if isinstance(parent, cst.AnnAssign) and parent.value is not None:
                out.append(parent.value)
                continue
            return None
        return out

    def ancestors(self, node: cst.CSTNode) -> Iterable[cst.CSTNode]:
        while node in self.parents:
            node = self.parents[node]
            yield node

    # -- decisions --------------------------------------------------------------------------------
    def clients(self) -> list[_Call]:
        found = []
        for call in self.seen.calls:
            for name in self.names(call.func):
                if name in _CLASSES:
                    is_async, flavour = _CLASSES[name]
                    found.append(_Call(call, is_async, flavour, self.line(call)))
        return found

    def plan(self) -> _Plan:
        plan = _Plan()
        calls = self.clients()
        inside_refresher = self._refreshers(calls, plan)
        switches = self._switches([c for c in calls if c.node not in inside_refresher])
        for call in calls:
            if call.node in inside_refresher:
                continue
            if call.node in switches:
                plan.findings.append(
                    Finding(
                        call.line,
                        "warning",
                        "this client is one branch of a choice between providers; not rewritten: keep the "
                        "switch and add a Vertex branch with VertexOpenAI(...) by hand",
                    )
                )
                continue
            self._client(call, call.node.args, call.node, plan)
        if plan.classes:
            self._annotations(plan)
        return plan

    def _annotations(self, plan: _Plan) -> None:
        """`AzureOpenAI` in type annotations becomes the Vertex class that replaced it."""
        for annotation in self.seen.annotations:
            for node in _names_in(annotation):
                azure = [_CLASSES[n] for n in self.names(node) if n in _CLASSES and _CLASSES[n][1] == "azure"]
                if azure:
                    cls = "AsyncVertexOpenAI" if azure[0][0] else "VertexOpenAI"
                    plan.replace[node] = cst.Name(cls)
                    plan.classes.add(cls)
                    plan.findings.append(Finding(self.line(node), "done", f"type annotation -> {cls}"))

    def _switches(self, calls: list[_Call]) -> set[cst.Call]:
        """Clients built in different branches of one if/elif/else: a multi-provider switch."""
        roots: dict[cst.CSTNode, list[cst.Call]] = {}
        for call in calls:
            root: cst.CSTNode | None = None
            for node in self.ancestors(call.node):
                if isinstance(node, cst.FunctionDef | cst.ClassDef):
                    break
                if isinstance(node, cst.If | cst.IfExp):
                    root = node
            if root is not None:
                roots.setdefault(root, []).append(call.node)
        return {c for group in roots.values() if len(group) > 1 for c in group}

    def _client(self, call: _Call, args: Iterable[cst.Arg], node: cst.Call, plan: _Plan) -> str | None:
        """Plan the rewrite of one constructor call: what it was, or None (and a warning) when not certain."""
        kwargs: dict[str, cst.Arg] = {}
        for arg in args:
            if arg.keyword is None:
                plan.findings.append(
                    Finding(
                        call.line, "warning", "client built with positional or ** arguments; not rewritten"
                    )
                )
                return None
            kwargs[arg.keyword.value] = arg
        unknown = sorted(set(kwargs) - _DROP - set(_KEEP))
        if unknown:
            plan.findings.append(
                Finding(call.line, "warning", f"client built with {', '.join(unknown)}=; not rewritten")
            )
            return None
        base = kwargs.get("base_url")
        parts = pieces(base.value, self.values) if base is not None else []
        target: VertexTarget | None = None
        flavour = call.flavour
        several = self._several_vertex_urls(base.value) if base is not None else None
        if several is not None and base is not None:
            if any(has_route_suffix(p) for p in several):
                plan.findings.append(Finding(call.line, "warning", _NOT_UNDERSTOOD))
                return None
            target = VertexTarget(
                "",
                "",
                None,
                None,
                "base_url",
                f"{self.code(base.value)} is assigned more than one Vertex URL",
            )
        elif base is not None and is_vertex_url(parts):
            target = vertex_target(parts, self.values)
            if target is None:
                plan.findings.append(Finding(call.line, "warning", _NOT_UNDERSTOOD))
                return None
        elif base is not None and flavour == "openai":
            text = "".join(p for p in parts if isinstance(p, str))
            if "/openai/v1" in text or ".openai.azure.com" in text:
                flavour = "azure"
            elif not (len(parts) == 1 and isinstance(parts[0], str) and _OPENAI_BASE.fullmatch(parts[0])):
                plan.findings.append(
                    Finding(
                        call.line,
                        "warning",
                        f"base_url={self.code(base.value)} is not OpenAI's, Azure's or Vertex's; "
                        "not rewritten: a gateway or a local server stays as it is; to reach Vertex, build "
                        "VertexOpenAI(project=..., location=...) here, or VertexOpenAI(base_url=...) with "
                        "a Vertex URL",
                    )
                )
                return None

        out: list[tuple[str, str, str]] = []  # keyword, code, trailing comment
        notes: list[Finding] = []
        if target is not None and base is not None:
            out += self._vertex_arguments(target, base, call, notes)
        else:
            out += self._alias_arguments(call, flavour, kwargs, plan, notes)
        out += [(name, self.code(kwargs[name].value), "") for name in _KEEP if name in kwargs]
        cls = "AsyncVertexOpenAI" if call.is_async else "VertexOpenAI"
        multiline = "\n" in self.code(node) or any(comment for _, _, comment in out)
        plan.replace[node] = cst.parse_expression(_render(cls, out, multiline))
        plan.classes.add(cls)
        kind = (
            "Google's snippet" if target is not None else "Azure OpenAI" if flavour == "azure" else "OpenAI"
        )
        dropped = sorted(set(kwargs) & _DROP)
        plan.findings.append(
            Finding(
                call.line,
                "done",
                f"{kind} client -> {cls}(...)" + (f"; dropped {', '.join(dropped)}" if dropped else ""),
            )
        )
        plan.findings += notes
        return kind

    def _several_vertex_urls(self, node: cst.BaseExpression) -> list[list[Piece]] | None:
        """A name assigned more than once, each time a Vertex URL: the pieces of each; else None."""
        assigned = self.values(node) if isinstance(node, cst.Name) else None
        if assigned is None or len(assigned) < 2:
            return None
        found = [pieces(value, self.values) for value in assigned]
        return found if all(is_vertex_url(p) for p in found) else None

    def _vertex_arguments(
        self, target: VertexTarget, base: cst.Arg, call: _Call, notes: list[Finding]
    ) -> list[tuple[str, str, str]]:
        if target.fidelity == "base_url":
            notes.append(
                Finding(
                    call.line,
                    "note",
                    f"kept base_url= as written ({target.reason}); "
                    "VertexOpenAI reads project and location from it",
                )
            )
            return [("base_url", self.code(base.value), "")]
        out = [("project", self._piece(target.project), ""), ("location", self._piece(target.location), "")]
        if target.api_version is not None:
            out.append(("api_version", self._piece(target.api_version), ""))
        if target.endpoint_id is not None:
            out.append(("endpoint_id", self._piece(target.endpoint_id), ""))
            if known_value(target.endpoint_id, self.values) is None:
                notes.append(
                    Finding(
                        call.line,
                        "note",
                        f"endpoint_id={self._piece(target.endpoint_id)}: if it can be 'openapi', "
                        "leave it out instead (the shared route takes publisher/model names)",
                    )
                )
        location = known_value(target.location, self.values)
        if location not in (None, "global"):
            for string in self.seen.strings:
                value = literal(string)
                if value is not None and "gemini-3" in value:
                    notes.append(
                        Finding(
                            self.line(string),
                            "warning",
                            f"{value} on location {location!r}: Gemini 3 models are served on 'global' only "
                            "(404 on regional locations); use location='global' for them",
                        )
                    )
        return out

    def _piece(self, piece: Piece) -> str:
        return json.dumps(piece) if isinstance(piece, str) else self.code(piece)

    def _alias_arguments(
        self, call: _Call, flavour: Flavour, kwargs: dict[str, cst.Arg], plan: _Plan, notes: list[Finding]
    ) -> list[tuple[str, str, str]]:
        names: list[str] = []
        deployment = kwargs.get("azure_deployment")
        if deployment is not None:
            self._ignored_models(call, deployment.value, plan, notes)
            value = literal(deployment.value)
            if value is not None:
                names.append(value)
            env = _env_name(deployment.value)
            if env is not None:
                notes.append(
                    Finding(
                        call.line,
                        "todo",
                        f"azure_deployment came from ${env}: set it to a Vertex model name such as "
                        f"{_PLACEHOLDER_MODEL} (call sites that passed an ignored model now read it)",
                    )
                )
        names += self._model_names(flavour, notes, call.line)
        if not names:
            return []
        aliases = ", ".join(
            f"{json.dumps(n)}: {json.dumps(_PLACEHOLDER_MODEL)}" for n in dict.fromkeys(names)
        )
        notes.append(
            Finding(
                call.line,
                "todo",
                f"model_aliases maps your model names to {_PLACEHOLDER_MODEL}: "
                "choose the Gemini model for each",
            )
        )
        return [("model_aliases", "{" + aliases + "}", f"# {MARKER}: choose the models")]

    def _model_names(self, flavour: Flavour, notes: list[Finding], line: int) -> list[str]:
        names: list[str] = []
        for arg in self.seen.model_args:
            value = self._model_source(arg, notes)
            if (
                value
                and "ignored" not in value
                and not value.startswith(("google/", "gemini"))
                and "/" not in value
            ):
                names.append(value)
        for string in self.seen.strings:
            value = literal(string)
            if value is not None and _GPT.fullmatch(value):
                names.append(value)
        return names

    def _model_source(self, arg: cst.Arg, notes: list[Finding]) -> str | None:
        """The model name a `model=` argument passes when it is known; else a finding that says where
        it comes from (a variable, a config key, an expression) and what to put there."""
        expression = arg.value
        through: list[str] = []
        for _ in range(5):
            text = literal(expression)
            if text is not None:
                return text
            read = env_read(expression)
            if read is not None:
                via = f" (through {' -> '.join(through)})" if through else ""
                if read.raises and through:  # the line that stops the program when the variable is unset
                    notes.append(
                        Finding(
                            self.line(expression),
                            "todo",
                            f"{read.code()} raises KeyError when {read.name} is not set, and the program "
                            f"passes it as the model name: set {read.name}={_PLACEHOLDER_MODEL} (a Vertex "
                            "model name) where the program runs",
                        )
                    )
                notes.append(
                    Finding(
                        self.line(arg),
                        "todo",
                        f"the model name comes from ${read.name}{via}: set {read.name}={_PLACEHOLDER_MODEL} "
                        "(a Vertex model name) where the program runs, or add the deployment names it holds "
                        f'to model_aliases ({{"<deployment>": "{_PLACEHOLDER_MODEL}"}})',
                    )
                )
                return None
            if isinstance(expression, cst.Name):
                assigned = self.values(expression)
                if assigned is not None and len(assigned) == 1:
                    through.append(expression.value)
                    expression = assigned[0]
                    continue
            break
        config = self._config_key(expression)
        if config is not None:
            key, file, value = config
            if value is not None:
                notes.append(
                    Finding(
                        self.line(arg),
                        "todo",
                        f'the model name comes from {file} "{key}" ({value!r}): mapped in model_aliases; '
                        f"choose the Gemini model there, or write a Vertex model name ({_PLACEHOLDER_MODEL}) "
                        f"in {file}",
                    )
                )
                return value
            notes.append(
                Finding(
                    self.line(arg),
                    "todo",
                    f'the model name comes from the config key "{key}"{f" of {file}" if file else ""}: '
                    f"write a Vertex model name such as {_PLACEHOLDER_MODEL} there, or add the names it "
                    f'holds to model_aliases ({{"<name>": "{_PLACEHOLDER_MODEL}"}})',
                )
            )
            return None
        notes.append(
            Finding(
                self.line(arg),
                "todo",
                f"model={self.code(arg.value)}: the model name is not known here: make sure it holds a "
                f"Vertex model name such as {_PLACEHOLDER_MODEL}, or add the names it can hold to "
                f'model_aliases ({{"<name>": "{_PLACEHOLDER_MODEL}"}})',
            )
        )
        return None

    def _config_key(self, node: cst.BaseExpression) -> tuple[str, str, str | None] | None:
        """(key, file, value) for `config["KEY"]` / `config.get("KEY")` on a loaded JSON file."""
        key: str | None = None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1:
            index = node.slice[0].slice
            key = literal(index.value) if isinstance(index, cst.Index) else None
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "get"
            and node.args
        ):
            key = literal(node.args[0].value)
        if key is None:
            return None
        files = sorted(
            {v for s in self.seen.strings if (v := literal(s)) is not None and v.endswith(".json")}
        )
        file = files[0] if len(files) == 1 else ""
        value: str | None = None
        if file and self.path is not None:
            try:
                loaded = json.loads((self.path.parent / file).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = None
            found = loaded.get(key) if isinstance(loaded, dict) else None
            value = found if isinstance(found, str) else None
        return key, file, value

    def _ignored_models(
        self, call: _Call, deployment: cst.BaseExpression, plan: _Plan, notes: list[Finding]
    ) -> None:
        """`model="<ignored>"` call sites: Azure routed by azure_deployment; Vertex needs the model."""
        movable = literal(deployment) is not None or _env_name(deployment) is not None
        for arg in self.seen.model_args:
            value = literal(arg.value)
            if value is None or "ignored" not in value:
                continue
            if movable:
                plan.replace[arg.value] = deployment
            else:
                notes.append(
                    Finding(
                        self.line(arg),
                        "warning",
                        f"model={value!r} relied on azure_deployment={self.code(deployment)}: "
                        "pass the model here",
                    )
                )

    # -- Google's refresher proxy -------------------------------------------------------------------
    def _refreshers(self, calls: list[_Call], plan: _Plan) -> set[cst.Call]:
        """Plan the canonical refresher class away; report variants. Returns the clients inside them."""
        inside: set[cst.Call] = set()
        for cls in self.seen.classes:
            own = [c for c in calls if cls in set(self.ancestors(c.node))]
            methods = {s.name.value for s in cls.body.body if isinstance(s, cst.FunctionDef)}
            if not own or "__getattr__" not in methods:
                continue
            inside.update(c.node for c in own)
            uses = self._class_uses(cls)
            if not _canonical_refresher(cls) or len(own) != 1 or not uses:  # unused here: maybe imported
                plan.findings.append(
                    Finding(
                        self.line(cls),
                        "warning",
                        f"class {cls.name.value} wraps an OpenAI client (a token refresher with more than "
                        "the canonical shape); not rewritten: replace it with "
                        "VertexOpenAI(project=..., location=...)",
                    )
                )
                continue
            sub = _Plan()
            inner = own[0]
            results = [
                self._client(_Call(use, inner.is_async, "openai", self.line(use)), use.args, use, sub)
                for use in uses
            ]
            if any(kind != "Google's snippet" for kind in results):
                plan.findings.append(
                    Finding(
                        self.line(cls),
                        "warning",
                        f"{cls.name.value}(...) calls not all understood; not rewritten",
                    )
                )
                plan.findings += [f for f in sub.findings if f.kind != "done"]
                continue
            plan.replace.update(sub.replace)
            plan.classes |= sub.classes
            plan.findings += sub.findings
            plan.remove.add(cls)
            plan.findings.append(
                Finding(self.line(cls), "done", f"removed Google's refresher class {cls.name.value}")
            )
        return inside

    def _class_uses(self, cls: cst.ClassDef) -> list[cst.Call] | None:
        """Every use of the class, if each one is a direct call; else None."""
        scope = self.scopes.get(cls)
        if scope is None:
            return None
        uses: list[cst.Call] = []
        for assignment in scope[cls.name.value]:
            for access in assignment.references:
                parent = self.parents.get(access.node)
                if not isinstance(parent, cst.Call) or parent.func is not access.node:
                    return None
                uses.append(parent)
        return uses


def _names_in(annotation: cst.Annotation) -> list[cst.Name | cst.Attribute]:
    """The outermost names and dotted names in an annotation (`openai.AzureOpenAI`, `AzureOpenAI`)."""
    found: list[cst.Name | cst.Attribute] = []

    class Visit(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            found.append(node)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    annotation.visit(Visit())
    return found


def _canonical_refresher(cls: cst.ClassDef) -> bool:
    """Google's sample: only `__init__` (client + google.auth.default) and `__getattr__`."""
    body = [s for s in cls.body.body if not _is_docstring(s)]
    if len(body) != 2 or not all(isinstance(s, cst.FunctionDef) for s in body):
        return False
    init = next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
    if init is None or not isinstance(init.body, cst.IndentedBlock):
        return False
    statements = [s for s in init.body.body if not _is_docstring(s)]
    source = cst.Module([]).code_for_node(init)
    return len(statements) == 2 and "**kwargs" in source and "default(" in source


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _env_name(node: cst.BaseExpression) -> str | None:
    """NAME in os.environ["NAME"], os.getenv("NAME", ...), os.environ.get("NAME", ...)."""
    code = cst.Module([]).code_for_node(node)
    found = re.fullmatch(
        r"""os\.(?:environ\[|getenv\(|environ\.get\()\s*["']([A-Za-z0-9_]+)["'].*""", code, re.S
    )
    return found[1] if found else None


def _render(cls: str, args: list[tuple[str, str, str]], multiline: bool) -> str:
    if not multiline or not args:
        return f"{cls}({', '.join(f'{k}={v}' for k, v, _ in args)})"
    lines = [f"    {k}={v},{'  ' + c if c else ''}" for k, v, c in args]
    return f"{cls}(\n" + "\n".join(lines) + "\n)"
