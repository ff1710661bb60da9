"""What the old client needed and the migrated program still reads: each would stop it at start-up
(`os.environ["AZURE_OPENAI_API_KEY"]`: KeyError; `if not endpoint: raise ...`) though VertexOpenAI
never uses the variable. Read on the migrated code; what the rewrite could remove was removed."""

from __future__ import annotations

import re
from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ._env import CLIENT_VARIABLES, env_read
from ._report import Kind

Leftover = tuple[int, Kind, str]  # (line in the scanned code, kind, message)


def scan(code: str) -> list[Leftover]:
    if CLIENT_VARIABLES.search(code) is None:  # most files: nothing to look for, no second parse
        return []
    try:
        wrapper = MetadataWrapper(cst.parse_module(code))
    except cst.ParserSyntaxError:
        return []
    visitor = _Scan(wrapper.resolve(PositionProvider))
    wrapper.module.visit(visitor)
    return visitor.found


class _Scan(cst.CSTVisitor):
    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange]) -> None:
        super().__init__()
        self.positions = positions
        self.found: list[Leftover] = []
        self.target: str | None = None

    def _line(self, node: cst.CSTNode) -> int:
        position = self.positions.get(node)
        return position.start.line if position is not None else 1

    def _check(self, node: cst.If | cst.Assert) -> bool:
        found = CLIENT_VARIABLES.search(cst.Module([]).code_for_node(node))
        if found is None:
            return True
        self.found.append(
            (
                self._line(node),
                "warning",
                f"this check stops the program when {found[0]} is not set, and VertexOpenAI does not "
                f"use {found[0]}: delete the check",
            )
        )
        return False

    def visit_If(self, node: cst.If) -> bool:
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        stops = node.orelse is None and any(
            isinstance(s, cst.SimpleStatementLine)
            and any(
                isinstance(small, cst.Raise) or "exit(" in cst.Module([]).code_for_node(small)
                for small in s.body
            )
            for s in body
        )
        return self._check(node) if stops else True

    def visit_Assert(self, node: cst.Assert) -> bool:
        reads_environment = re.search(r"\b(environ|getenv)\b", cst.Module([]).code_for_node(node.test))
        return self._check(node) if reads_environment else True

    def visit_Assign(self, node: cst.Assign) -> None:
        target = node.targets[0].target if len(node.targets) == 1 else None
        self.target = target.value if isinstance(target, cst.Name) else None

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self.target = None

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._read(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._read(node)

    def _read(self, node: cst.Subscript | cst.Call) -> None:
        read = env_read(node)
        if read is None or not read.client_only:
            return
        if read.raises:
            reader = f"what reads `{self.target}`" if self.target else "what uses the value"
            self.found.append(
                (
                    self._line(node),
                    "warning",
                    f"{read.code()} raises KeyError when {read.name} is not set, and VertexOpenAI does "
                    f"not use {read.name}: delete this line and {reader}, or read it with "
                    f'os.environ.get("{read.name}")',
                )
            )
        else:
            self.found.append(
                (
                    self._line(node),
                    "note",
                    f"{read.name} is not used by VertexOpenAI; delete this read when nothing else needs it",
                )
            )
