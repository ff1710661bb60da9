"""After the rewrite: drop credential lines nothing reads any more, then fix the imports."""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Mapping, Sequence
from typing import TypeVar, cast

import libcst as cst
from libcst.metadata import (
    Assignment,
    MetadataWrapper,
    ParentNodeProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)

from ._env import CLIENT_VARIABLES, env_read
from ._meta import qualified_names

# Calls whose results only ever fed the old client's api_key or token provider.
_CREDENTIAL_CALLS = ("google.auth.", "azure.identity.")
# Modules whose imports go once nothing reads the names they bind.
_PRUNABLE = ("openai", "google.auth", "azure.identity")
_I = TypeVar("_I", cst.Import, cst.ImportFrom)
_S = TypeVar("_S", bound=cst.CSTNode)


def finish(module: cst.Module, classes: set[str], *, removed_class: bool) -> str:
    """The module without its dead credential lines and unused client imports, importing `classes`.

    Comment lines never go with a removed line: they move to the next line kept (region tags such
    as `# [START ...]`, `TODO(developer)` blocks and your own notes survive)."""
    module = _drop_dead(module) or module
    prunable = list(_PRUNABLE) + (["typing"] if removed_class else [])
    prune = _PruneImports(_used_names(module), prunable)
    module = module.visit(prune)
    if prune.gone:
        module = module.visit(_Remove(prune.gone))
    code = _add_import(module, sorted(classes)).code
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


class _Names(cst.CSTVisitor):
    """Names read outside import statements: bare ones, and the dotted chains rooted at a name."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()
        self.bare: set[str] = set()
        self.dotted: set[str] = set()  # every prefix of `a.b.c` reads: "a.b", "a.b.c"
        self.skip: set[int] = set()
        self.rooted: set[int] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))
        inner: cst.BaseExpression = node
        while isinstance(inner, cst.Attribute):
            inner = inner.value
        if isinstance(inner, cst.Name):
            self.rooted.add(id(inner))
            self.dotted.add(_dotted(node))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.skip:
            self.used.add(node.value)
            if id(node) not in self.rooted:
                self.bare.add(node.value)


def _used_names(module: cst.Module) -> _Names:
    names = _Names()
    module.visit(names)
    return names


def _dotted(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


class _PruneImports(cst.CSTTransformer):
    """Drop imports of the old client's modules whose bound name nothing reads any more."""

    def __init__(self, names: _Names, modules: list[str]) -> None:
        super().__init__()
        self.names = names
        self.used = names.used
        self.modules = modules
        self.empty: set[cst.CSTNode] = set()  # imports with no name left
        self.gone: set[cst.CSTNode] = set()  # lines with no import left: _Remove drops them

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        kept = [small for small in updated_node.body if small not in self.empty]
        if not kept:
            self.gone.add(updated_node)
            return updated_node
        if len(kept) < len(updated_node.body):
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(body=kept)
        return updated_node

    def _needed(self, alias: cst.ImportAlias) -> bool:
        """`import a.b.c` stays while `a` is read bare or `a.b.c...` is read; `import a.b as x` while x is."""
        if alias.evaluated_alias is not None:
            return alias.evaluated_alias in self.used
        dotted = _dotted(alias.name)
        root = dotted.split(".")[0]
        return (
            root in self.names.bare or dotted in self.names.dotted or (dotted == root and root in self.used)
        )

    def _ours(self, module: str) -> bool:
        return any(module == m or module.startswith(m + ".") for m in self.modules)

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        keep = [
            alias
            for alias in updated_node.names
            if not self._ours(_dotted(alias.name)) or self._needed(alias)
        ]
        return self._rebuild(updated_node, keep)

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if updated_node.module is None or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        source = _dotted(updated_node.module)
        if not self._ours(source):
            return updated_node
        keep = [
            alias
            for alias in updated_node.names
            if (alias.evaluated_alias or _dotted(alias.name)) in self.used
            or (source == "typing" and _dotted(alias.name) != "Any")
        ]
        return self._rebuild(updated_node, keep)

    def _rebuild(self, node: _I, keep: list[cst.ImportAlias]) -> _I:
        if not keep:
            self.empty.add(node)
            return node
        if not isinstance(node.names, cst.ImportStar) and len(keep) == len(node.names):
            return node
        keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return node.with_changes(names=keep)


def _transparent(statement: cst.CSTNode) -> bool:
    """A docstring, or a notebook cell marker (see _notebook)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.Expr):
        return False
    value = small.value
    if isinstance(value, cst.SimpleString | cst.ConcatenatedString):
        return True
    return isinstance(value, cst.Call) and _dotted(value.func).startswith("__vertex_openai_")


def _is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[0], cst.Import | cst.ImportFrom
    )


def _add_import(module: cst.Module, classes: list[str]) -> cst.Module:
    """`from vertex_openai import ...` after the module's leading imports (merged into one there is)."""
    body = list(module.body)
    for index, statement in enumerate(body):
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if (
            isinstance(small, cst.ImportFrom)
            and small.module is not None
            and _dotted(small.module) == "vertex_openai"
            and not isinstance(small.names, cst.ImportStar)
        ):
            have = {_dotted(a.name) for a in small.names}
            missing = [cst.ImportAlias(cst.Name(c)) for c in classes if c not in have]
            if missing:
                last = small.names[-1].with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                )
                names = [*small.names[:-1], last, *missing]
                body[index] = statement.with_changes(body=[small.with_changes(names=names)])
            return module.with_changes(body=body)
    position = 0
    for index, statement in enumerate(body):
        if _transparent(statement):
            position = index + 1 if position == index else position
        elif _is_import(statement):
            position = index + 1
        else:
            break
    body.insert(position, cst.parse_statement(f"from vertex_openai import {', '.join(classes)}\n"))
    after = body[position + 1] if position + 1 < len(body) else None
    code_right_below = (
        isinstance(after, cst.SimpleStatementLine | cst.BaseCompoundStatement)
        and not _is_import(after)
        and (not after.leading_lines or after.leading_lines[0].comment is not None)
    )
    if code_right_below and isinstance(after, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        body[position + 1] = after.with_changes(leading_lines=[cst.EmptyLine(), *after.leading_lines])
    return module.with_changes(body=body)


class _Remove(cst.CSTTransformer):
    """Drops dead statements; their comment lines move to the next statement kept (or the block's end)."""

    def __init__(self, dead: Collection[cst.CSTNode]) -> None:
        super().__init__()
        self.dead = dead

    def _body(
        self, original: Sequence[cst.CSTNode], updated: Sequence[_S]
    ) -> tuple[list[_S], list[cst.EmptyLine]]:
        out: list[_S] = []
        pending: list[cst.EmptyLine] = []
        for before, statement in zip(original, updated, strict=True):
            if before in self.dead:
                if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
                    pending += statement.leading_lines
                continue
            if _has_comment(pending) and isinstance(
                statement, cst.SimpleStatementLine | cst.BaseCompoundStatement
            ):
                lines = _merge(pending, list(statement.leading_lines))
                out.append(cast(_S, statement.with_changes(leading_lines=lines)))
            else:
                out.append(statement)
            pending = []
        return out, _trim(pending) if _has_comment(pending) else []

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, left = self._body(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body, footer=[*left, *updated_node.footer])

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, left = self._body(original_node.body, updated_node.body)
        if not body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()], leading_lines=left)])
        return updated_node.with_changes(body=body, footer=[*left, *updated_node.footer])


def _has_comment(lines: Sequence[cst.EmptyLine]) -> bool:
    return any(line.comment is not None for line in lines)


def _trim(lines: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
    while lines and lines[-1].comment is None:
        lines = lines[:-1]
    return lines


def _merge(moved: list[cst.EmptyLine], own: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Comment lines of removed statements above a kept statement's own; no longer blank runs than before."""
    limit = max(_longest_blank_run(moved), _longest_blank_run(own), 1)
    out: list[cst.EmptyLine] = []
    run = 0
    for line in [*moved, *own]:
        run = run + 1 if line.comment is None else 0
        if run <= limit:
            out.append(line)
    return out


def _longest_blank_run(lines: Sequence[cst.EmptyLine]) -> int:
    longest = run = 0
    for line in lines:
        run = run + 1 if line.comment is None else 0
        longest = max(longest, run)
    return longest


class _Lines(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[cst.SimpleStatementLine] = []
        self.guards: list[cst.If] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if len(node.body) == 1:
            self.lines.append(node)

    def visit_If(self, node: cst.If) -> None:
        if (
            node.orelse is None
            and isinstance(node.body, cst.IndentedBlock)
            and all(_stops(statement) for statement in node.body.body)
        ):
            self.guards.append(node)


_STOPPERS = ("sys.exit", "exit", "quit", "print", "logging.error", "logger.error")


def _stops(statement: cst.BaseStatement) -> bool:
    """`raise ...`, `sys.exit(...)` / `exit(...)`, or a print before them: a guard's body."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return all(
        isinstance(small, cst.Raise)
        or (
            isinstance(small, cst.Expr)
            and isinstance(small.value, cst.Call)
            and _dotted(small.value.func) in _STOPPERS
        )
        for small in statement.body
    )


_GUARD_NAMES = frozenset({"os", "environ", "getenv", "all", "any", "not", "None", "sys"})


def _drop_dead(module: cst.Module) -> cst.Module | None:
    """Remove what only fed the old client, now that nothing reads it: credential lines, reads of
    variables only the old client used (`endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]`), and the
    guards that stop the program when those are missing (`if not endpoint: raise ...`)."""
    wrapper = MetadataWrapper(module)
    wrapper.resolve_many(  # in one pass; resolve() below reads each
        [ScopeProvider, QualifiedNameProvider, ParentNodeProvider]
    )
    scopes: Mapping[cst.CSTNode, Scope | None] = wrapper.resolve(ScopeProvider)
    qualified: Mapping[cst.CSTNode, object] = wrapper.resolve(QualifiedNameProvider)
    parents: Mapping[cst.CSTNode, cst.CSTNode] = wrapper.resolve(ParentNodeProvider)
    lines = _Lines()
    wrapper.module.visit(lines)
    dead: set[cst.CSTNode] = set()

    def credential_call(node: cst.BaseExpression | None) -> bool:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute | cst.Name):
            return any(n.startswith(_CREDENTIAL_CALLS) for n in qualified_names(qualified, node.func))
        return False

    def inside(node: cst.CSTNode, statements: Collection[cst.CSTNode]) -> bool:
        current: cst.CSTNode | None = node
        while current is not None:
            if current in statements:
                return True
            current = parents.get(current)
        return False

    def assignments(name: cst.Name) -> list[Assignment]:
        scope = scopes.get(name)
        if scope is None:
            return []
        return [a for a in scope[name.value] if isinstance(a, Assignment)]

    def targets(small: cst.BaseSmallStatement) -> list[cst.Name] | None:
        if isinstance(small, cst.AnnAssign) and small.value is not None:
            return _target_names(small.target)
        if isinstance(small, cst.Assign):
            named = [_target_names(t.target) for t in small.targets]
            if any(group is None for group in named):
                return None
            return [n for group in named if group is not None for n in group]
        return None

    def value(small: cst.BaseSmallStatement) -> cst.BaseExpression | None:
        return small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None

    def unread(names: list[cst.Name], gone: Collection[cst.CSTNode]) -> bool:
        """No statement outside `gone` reads what `names` bind here."""
        return all(
            inside(access.node, gone)
            for n in names
            for a in assignments(n)
            if a.node is n
            for access in a.references
        )

    def line_of(node: cst.CSTNode) -> cst.CSTNode | None:
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(current, cst.SimpleStatementLine):
            current = parents.get(current)
        return current

    def credential_name(name: cst.Name) -> bool:
        found = assignments(name)
        for assignment in found:
            line = line_of(assignment.node)
            small = line.body[0] if isinstance(line, cst.SimpleStatementLine) else None
            if small is None or not credential_call(value(small)):
                return False
        return bool(found)

    refreshes = {
        line: small.value.func.value
        for line in lines.lines
        if isinstance(small := line.body[0], cst.Expr)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Attribute)
        and small.value.func.attr.value == "refresh"
        and isinstance(small.value.func.value, cst.Name)
    }
    changed = True
    while changed:  # credential lines and their refresh() calls, to a fixed point
        changed = False
        for line in lines.lines:
            if line in dead:
                continue
            small = line.body[0]
            names = targets(small)
            if credential_call(value(small)) and names and unread(names, dead):
                dead.add(line)
                changed = True
            elif line in refreshes:
                name = refreshes[line]
                if credential_name(name) and unread(
                    [a.node for a in assignments(name) if isinstance(a.node, cst.Name)], {*dead, *refreshes}
                ):
                    dead.add(line)
                    changed = True

    # reads of the old client's variables and their guards: the largest set only itself reads
    reads: dict[cst.CSTNode, list[cst.Name]] = {}
    for line in lines.lines:
        small = line.body[0]
        names = targets(small)
        assigned = value(small)
        read = env_read(assigned) if names and assigned is not None else None
        if names and read is not None and read.client_only:
            reads[line] = names
    guards: dict[cst.CSTNode, list[cst.Name]] = {}
    for guard in lines.guards:
        used = _guard_names(guard.test)
        if used is not None and (used or _CLIENT_LITERAL.search(_dotted(guard.test))):
            guards[guard] = used
    group: set[cst.CSTNode] = {*reads, *guards}
    while True:
        keep = {line for line, names in reads.items() if line in group and not unread(names, {*dead, *group})}
        keep |= {
            guard
            for guard, names in guards.items()
            if guard in group
            and not all(
                assignments(n) and all(inside(a.node, group - keep) for a in assignments(n)) for n in names
            )
        }
        if not keep:
            break
        group -= keep
    dead |= group
    if not dead:
        return None
    return wrapper.module.visit(_Remove(dead))


_CLIENT_LITERAL = re.compile(r"""["'](?:""" + CLIENT_VARIABLES.pattern + r""")["']""")


def _guard_names(test: cst.BaseExpression) -> list[cst.Name] | None:
    """The variables a guard's test reads; None when it reads anything but those, the environment
    and `all`/`any` (or a string naming a variable other than the old client's)."""
    found: list[cst.Name] = []
    ok = True

    class Visit(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            nonlocal ok
            ok = ok and _dotted(node) in ("os.environ", "os.getenv", "os.environ.get", "environ.get")
            return False

        def visit_Name(self, node: cst.Name) -> None:
            if node.value not in _GUARD_NAMES:
                found.append(node)

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal ok
            ok = ok and _dotted(node.func) in ("all", "any", "os.getenv", "os.environ.get", "getenv")

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            nonlocal ok
            text = node.evaluated_value
            ok = ok and isinstance(text, str) and CLIENT_VARIABLES.fullmatch(text) is not None

    test.visit(Visit())
    return found if ok else None


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
