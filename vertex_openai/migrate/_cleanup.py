"""After the rewrite: drop credential lines nothing reads any more, then fix the imports."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import (
    Assignment,
    MetadataWrapper,
    ParentNodeProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from ._meta import qualified_names

# Calls whose results only ever fed the old client's api_key or token provider.
_CREDENTIAL_CALLS = ("google.auth.", "azure.identity.")
_IMPORTS = (
    ("openai", None),
    ("openai", "OpenAI"),
    ("openai", "AsyncOpenAI"),
    ("openai", "AzureOpenAI"),
    ("openai", "AsyncAzureOpenAI"),
    ("google.auth", None),
    ("google.auth", "default"),
    ("google.auth.transport.requests", None),
    ("google.auth.transport.requests", "Request"),
    ("google.auth.transport", "requests"),
    ("google", "auth"),
)
_S = TypeVar("_S", bound=cst.CSTNode)
_AZURE_IDENTITY = ("azure.identity", "azure.identity.aio")


def finish(module: cst.Module, classes: set[str], *, removed_class: bool) -> str:
    for _ in range(6):  # each pass may make the previous line dead (token_provider -> credential)
        trimmed = _drop_dead(module)
        if trimmed is None:
            break
        module = trimmed
    context = CodemodContext()
    for name, obj in _IMPORTS:
        RemoveImportsVisitor.remove_unused_import(context, name, obj)
    for imported in _azure_names(module):
        RemoveImportsVisitor.remove_unused_import(context, *imported)
    if removed_class:
        RemoveImportsVisitor.remove_unused_import(context, "typing", "Any")
    module = RemoveImportsVisitor(context).transform_module(module)
    context = CodemodContext()
    for cls in sorted(classes):
        AddImportsVisitor.add_needed_import(context, "vertex_openai", cls)
    code = AddImportsVisitor(context).transform_module(module).code
    # isort's groups: the new third-party import below standard-library ones gets a blank line
    code = re.sub(
        r"^((?:import|from) (\w+)[^\n]*\n)(from vertex_openai import)",
        lambda m: m[1] + ("\n" if m[2] in sys.stdlib_module_names else "") + m[3],
        code,
        flags=re.M,
    )
    # a new import right below the module docstring: keep the blank line the old imports had
    return re.sub(
        r'\A(\s*(?:"{3}|\'{3})[\s\S]*?(?:"{3}|\'{3})\n)(from vertex_openai import)', r"\1\n\2", code
    )


def _azure_names(module: cst.Module) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None:
                source = cst.Module([]).code_for_node(small.module)
                if source in _AZURE_IDENTITY and not isinstance(small.names, cst.ImportStar):
                    found += [(source, cst.Module([]).code_for_node(alias.name)) for alias in small.names]
            elif isinstance(small, cst.Import):
                found += [
                    (n, None)
                    for n in (cst.Module([]).code_for_node(a.name) for a in small.names)
                    if n in _AZURE_IDENTITY
                ]
    return found


class _Remove(cst.CSTTransformer):
    """Drops dead lines, with the comment lines right below them (they described the dropped line)."""

    def __init__(self, dead: set[cst.CSTNode]) -> None:
        super().__init__()
        self.dead = dead

    def _body(self, original: Sequence[cst.CSTNode], updated: Sequence[_S]) -> list[_S]:
        out: list[_S] = []
        after_dead = False
        for before, statement in zip(original, updated, strict=True):
            if before in self.dead:
                after_dead = True
                continue
            if after_dead and isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
                lines = list(statement.leading_lines)
                while lines and lines[0].comment is not None:
                    lines.pop(0)
                out.append(cast(_S, statement.with_changes(leading_lines=lines)))
            else:
                out.append(statement)
            after_dead = False
        return out

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._body(original_node.body, updated_node.body))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self._body(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])


class _Lines(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[cst.SimpleStatementLine] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if len(node.body) == 1:
            self.lines.append(node)


def _drop_dead(module: cst.Module) -> cst.Module | None:
    wrapper = MetadataWrapper(module)
    meta = wrapper.resolve_many([ScopeProvider, QualifiedNameProvider, ParentNodeProvider])
    scopes: Mapping[cst.CSTNode, Any] = meta[ScopeProvider]
    qualified: Mapping[cst.CSTNode, Any] = meta[QualifiedNameProvider]
    parents: Mapping[cst.CSTNode, Any] = meta[ParentNodeProvider]
    lines = _Lines()
    wrapper.module.visit(lines)

    def credential_call(node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute | cst.Name):
            return any(n.startswith(_CREDENTIAL_CALLS) for n in qualified_names(qualified, node.func))
        return False

    def assignments(name: cst.Name) -> list[Assignment]:
        scope = scopes.get(name)
        if scope is None:
            return []
        return [a for a in scope[name.value] if isinstance(a, Assignment)]

    def refresh_only(name: cst.Name) -> bool:
        """Every read of the name is `name.refresh(...)` on its own line."""
        found = assignments(name)
        if not found:
            return False
        for assignment in found:
            statement: cst.CSTNode | None = assignment.node
            while statement is not None and not isinstance(statement, cst.Assign | cst.BaseStatement):
                statement = parents.get(statement)
            if not isinstance(statement, cst.Assign) or not credential_call(statement.value):
                return False
            for access in assignment.references:
                attribute = parents.get(access.node)
                call = parents.get(attribute) if attribute is not None else None
                expr = parents.get(call) if call is not None else None
                if not (
                    isinstance(attribute, cst.Attribute)
                    and attribute.attr.value == "refresh"
                    and isinstance(call, cst.Call)
                    and isinstance(expr, cst.Expr)
                ):
                    return False
        return True

    dead: set[cst.CSTNode] = set()
    for line in lines.lines:
        small = line.body[0]
        if isinstance(small, cst.Assign) and credential_call(small.value):
            named = [_target_names(t.target) for t in small.targets]
            targets = [n for group in named if group is not None for n in group]
            if (
                targets
                and None not in named
                and all(not any(a.node is n and a.references for a in assignments(n)) for n in targets)
            ):
                dead.add(line)
        elif (
            isinstance(small, cst.Expr)
            and isinstance(small.value, cst.Call)
            and isinstance(small.value.func, cst.Attribute)
            and small.value.func.attr.value == "refresh"
            and isinstance(small.value.func.value, cst.Name)
            and refresh_only(small.value.func.value)
        ):
            dead.add(line)
    if not dead:
        return None
    return wrapper.module.visit(_Remove(dead))


def _target_names(target: cst.BaseAssignTargetExpression) -> list[cst.Name] | None:
    """The names a target binds, or None when it also sets attributes, items or starred names."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, cst.Tuple | cst.List):
        out: list[cst.Name] = []
        for element in target.elements:
            if not isinstance(element, cst.Element) or not isinstance(element.value, cst.Name):
                return None
            out.append(element.value)
        return out
    return None
