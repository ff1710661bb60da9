"""What the command found and did, as text or JSON."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

# done: rewritten with certainty. todo: rewritten, but a choice is left to a person (marked in the code).
# warning: not touched; a person must look. note: nothing to do, worth knowing.
Kind = Literal["done", "todo", "warning", "note"]
NEEDS_A_PERSON: tuple[Kind, ...] = ("todo", "warning")
MARKER = "TODO(vertex-openai migrate)"


@dataclass(frozen=True)
class Finding:
    line: int
    kind: Kind
    message: str
    cell: int | None = None  # notebooks: the cell's index in the notebook


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


def where(result: FileResult, finding: Finding) -> str:
    if finding.cell is not None:
        return f"{result.path}: cell {finding.cell}, line {finding.line}"
    return f"{result.path}:{finding.line}"


def needs_a_person(results: Sequence[FileResult]) -> bool:
    return any(f.kind in NEEDS_A_PERSON for r in results for f in r.findings)


def write_text(results: Sequence[FileResult], *, wrote: bool, show_diff: bool, out: TextIO) -> None:
    changed = [r for r in results if r.changed]
    for result in results:
        if not result.changed and not result.findings:
            continue
        if result.changed:
            out.write(f"{result.path}: {'rewritten' if wrote else 'would be rewritten'}\n")
        for finding in sorted(result.findings, key=lambda f: (f.cell or 0, f.line)):
            out.write(f"  {where(result, finding)}: {finding.kind}: {finding.message}\n")
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
                    "line": f.line,
                    **({"cell": f.cell} if f.cell is not None else {}),
                    "kind": f.kind,
                    "message": f.message,
                }
                for f in result.findings
            ],
        }
        if show_diff and result.changed:
            entry["diff"] = result.diff()
        files.append(entry)
    return json.dumps({"files": files, "needs_a_person": needs_a_person(results)}, indent=2)
