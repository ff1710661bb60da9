"""The package's shape, as docs/architecture.md states it: no import circles (type-only imports
included), no module outside the client reading its private state, `Any` and `type: ignore` kept
to the few places that need them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "vertex_openai"
MAX_ANY_LINES = 20  # lines that use `Any` outside imports: values that are truly unknown JSON
MAX_TYPE_IGNORES = 1


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules `name` imports, at run time or for types."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {target for target in found if target in known and target != name}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_type_only_included() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    assert graph["vertex_openai._client"], "the import graph is empty: the parser is broken"
    assert circles(graph) == []


def test_only_the_client_reads_its_private_state() -> None:
    readers = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "_client.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\b(client|self\._client|_vertex_client)\._vertex\b", line)
    ]
    assert readers == []


def test_any_and_type_ignores_stay_few() -> None:
    any_lines, ignores = [], []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            where = f"{path.relative_to(PACKAGE)}:{number}"
            if re.search(r"\bAny\b", line) and "import " not in line:
                any_lines.append(where)
            if "type: ignore" in line:
                ignores.append(where)
    assert len(any_lines) <= MAX_ANY_LINES, any_lines
    assert len(ignores) <= MAX_TYPE_IGNORES, ignores
