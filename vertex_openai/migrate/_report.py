"""What the command found and did, as text or JSON."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TextIO

# done: rewritten with certainty. todo: rewritten, but a choice is left to a person (marked in the code).
# warning: not touched; a person must look. note: nothing to do, worth knowing.
Kind = Literal["done", "todo", "warning", "note"]
NEEDS_A_PERSON: tuple[Kind, ...] = ("todo", "warning")
MARKER = "TODO(vertex-openai migrate)"


@dataclass(frozen=True)
class Finding:
    line: int  # in the file (or cell) as read
    kind: Kind
    message: str
    cell: int | None = None  # notebooks: the cell's index in the notebook
    new_line: int | None = None  # the same place in the rewritten file (or cell), when it was rewritten


def line_map(old: str, new: str) -> list[int]:
    """For each line of `old` (1-based, index 0 unused), its line in `new`: kept lines map exactly,
    a rewritten or removed line maps to where its replacement starts."""
    a, b = old.splitlines(), new.splitlines()
    out = [0] * (len(a) + 2)
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for i in range(i1, i2):
            out[i + 1] = j1 + 1 + (i - i1 if tag == "equal" else 0)
    out[len(a) + 1] = len(b) + 1
    return out


def with_new_lines(findings: Sequence[Finding], old: str, new: str) -> list[Finding]:
    """`findings` with `new_line` set: where each line is after the rewrite."""
    mapping = line_map(old, new)
    return [replace(f, new_line=mapping[min(max(f.line, 1), len(mapping) - 1)] or f.line) for f in findings]


@dataclass
class FileResult:
    path: Path
    original: str
    updated: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.updated != self.original

    def diff(self) -> str:
        """A unified diff, `git apply`-able (a/ b/ prefixes) for paths below the current folder."""
        try:
            name = self.path.resolve().relative_to(Path.cwd().resolve()).as_posix()
            old, new = f"a/{name}", f"b/{name}"
        except ValueError:
            old = new = str(self.path)
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.updated.splitlines(keepends=True),
                fromfile=old,
                tofile=new,
            )
        )


def line_of(finding: Finding, *, wrote: bool) -> int:
    """The line a person finds the place at: in the rewritten file once it is written."""
    return finding.new_line if wrote and finding.new_line is not None else finding.line


def where(result: FileResult, finding: Finding, *, wrote: bool = False) -> str:
    line = line_of(finding, wrote=wrote)
    if finding.cell is not None:
        return f"{result.path}: cell {finding.cell}, line {line}"
    return f"{result.path}:{line}"


def needs_a_person(results: Sequence[FileResult]) -> bool:
    return any(f.kind in NEEDS_A_PERSON for r in results for f in r.findings)


def write_text(results: Sequence[FileResult], *, wrote: bool, show_diff: bool, out: TextIO) -> None:
    changed = [r for r in results if r.changed]
    for result in results:
        if not result.changed and not result.findings:
            continue
        state = ("rewritten" if wrote else "would be rewritten") if result.changed else "not changed"
        out.write(f"{result.path}: {state}\n")  # every file's findings under its own header
        for finding in sorted(result.findings, key=lambda f: (f.cell or 0, line_of(f, wrote=wrote))):
            out.write(f"  {where(result, finding, wrote=wrote)}: {finding.kind}: {finding.message}\n")
        if show_diff and result.changed:
            out.write(result.diff())
    counts = {kind: sum(f.kind == kind for r in results for f in r.findings) for kind in ("todo", "warning")}
    verb = "rewrote" if wrote else "would rewrite"
    out.write(
        f"{len(results)} file(s) read; {verb} {len(changed)}; "
        f"{counts['todo']} choice(s) left to you, {counts['warning']} place(s) not touched.\n"
    )
    if changed and not wrote:
        out.write("Nothing was changed: run again with --write to apply (--diff shows the edits).\n")


def to_json(results: Sequence[FileResult], *, wrote: bool, show_diff: bool) -> str:
    files = []
    for result in results:
        entry: dict[str, object] = {
            "path": str(result.path),
            "changed": result.changed,
            "written": wrote and result.changed,
            "findings": [
                {
                    "line": line_of(f, wrote=wrote),
                    **({"cell": f.cell} if f.cell is not None else {}),
                    "kind": f.kind,
                    "message": f.message,
                }
                for f in sorted(result.findings, key=lambda f: (f.cell or 0, line_of(f, wrote=wrote)))
            ],
        }
        if show_diff and result.changed:
            entry["diff"] = result.diff()
        files.append(entry)
    return json.dumps({"files": files, "needs_a_person": needs_a_person(results)}, indent=2)
