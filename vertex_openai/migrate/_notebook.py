"""Jupyter notebooks: code cells migrated together (one program), outputs and JSON layout kept."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from . import _deps, _python
from ._report import Finding, Kind, with_new_lines

_PIP = re.compile(r"(?P<head>\s*[%!]\s*(?:uv\s+)?pip3?\s+install\s+)(?P<args>.*)")
_CONTINUED = re.compile(r"(?P<head>\s*)(?P<args>.*)")
_CELL = "__vertex_openai_cell__({})"
_CELL_LINE = re.compile(r"^__vertex_openai_cell__\((\d+)\)\n", re.M)
_IMPORT = re.compile(r"^(import|from)\s", re.M)
_MAGIC = "__vertex_openai_magic__({})"
_MAGIC_LINE = re.compile(r"__vertex_openai_magic__\((\d+)\)")


def pip_lines(lines: list[str]) -> tuple[list[str], list[tuple[int, Kind, str]]]:
    """Install commands in a cell's lines, `\\` continuation lines included: (new lines, findings by
    line index). vertex-openai is added once per command, beside openai."""
    out = list(lines)
    found: list[tuple[int, Kind, str]] = []
    index = 0
    while index < len(lines):
        if _PIP.fullmatch(lines[index]) is None:
            index += 1
            continue
        command = [index]
        while lines[command[-1]].rstrip().endswith("\\") and command[-1] + 1 < len(lines):
            command.append(command[-1] + 1)
        has_vertex = any(_deps._HAS_VERTEX.search(lines[i]) for i in command)
        for number in command:
            new, notes = pip_line(lines[number], continuation=number != index, add_vertex=not has_vertex)
            out[number] = new
            found += [(number, kind, note) for kind, note in notes]
            has_vertex = has_vertex or any("added vertex-openai" in note for _, note in notes)
        index = command[-1] + 1
    return out, found


def pip_line(
    line: str, *, continuation: bool = False, add_vertex: bool = True
) -> tuple[str, list[tuple[Kind, str]]]:
    """A `%pip install` / `!pip install` line (or a continuation line of one) with vertex-openai added
    and an old openai pin raised; a 0.x pin is left, with a warning."""
    found = _CONTINUED.fullmatch(line) if continuation else _PIP.fullmatch(line)
    if found is None:
        return line, []
    tokens = found["args"].split(" ")
    notes: list[tuple[Kind, str]] = []
    for index, token in enumerate(tokens):
        quote = token[0] if token[:1] in ("'", '"') and token.endswith(token[0]) and len(token) > 1 else ""
        bare = token[1:-1] if quote else token
        changed = _deps.requirement(bare) if bare.lower().startswith("openai") else None
        if changed is None:
            continue
        new, status = changed
        if status == "zero":
            notes.append(("warning", _deps.zero_pin(bare)))
            break
        if status == "raised":
            notes.append(("done", f"raised {bare} to {new}: {_deps.WHY_FLOOR}"))
        if not quote and re.search(r"[<>]", new):
            quote = '"'  # a shell would read > as a redirection
        tokens[index] = f"{quote}{new}{quote}"
        if add_vertex and not _deps._HAS_VERTEX.search(line):
            tokens.insert(index + 1, "vertex-openai")
            notes.append(("done", "added vertex-openai to the install line"))
        break
    return found["head"] + " ".join(tokens), notes


@dataclass(frozen=True)
class _Layout:
    """How a notebook's JSON was written, to write it back the same way."""

    indent: int | None = 1  # nbformat's layout
    sort_keys: bool = True
    ensure_ascii: bool = False
    newline: bool = True

    def dump(self, notebook: object) -> str:
        dumped = json.dumps(
            notebook, indent=self.indent, sort_keys=self.sort_keys, ensure_ascii=self.ensure_ascii
        )
        return dumped + ("\n" if self.newline else "")


def _layout(text: str, notebook: object) -> _Layout | None:
    for indent in (1, 2, 4, None):
        for sort_keys in (True, False):
            for ensure_ascii in (False, True):
                layout = _Layout(indent, sort_keys, ensure_ascii, newline=False)
                dumped = layout.dump(notebook)
                if text in (dumped, dumped + "\n"):
                    return replace(layout, newline=text.endswith("\n"))
    return None


def migrate_notebook(text: str) -> tuple[str, list[Finding]]:
    if not _python.uses_openai(text):
        return text, []
    try:
        notebook = json.loads(text)
        given_cells: object = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        given_cells = None
    if not isinstance(given_cells, list):
        return text, [Finding(1, "warning", "not a notebook this command can read; not touched")]
    cells: list[dict[str, object]] = [cell if isinstance(cell, dict) else {} for cell in given_cells]
    findings: list[Finding] = []
    sources: dict[int, str] = {}
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        sources[index] = "".join(source) if isinstance(source, list) else str(source)

    # install lines
    edited: dict[int, str] = {}
    for index, source in sources.items():
        lines, notes = pip_lines(source.split("\n"))
        findings += [Finding(number + 1, kind, note, cell=index + 1) for number, kind, note in notes]
        edited[index] = "\n".join(lines)

    # the program: all code cells as one module, magics masked, cell magics left alone
    magics: list[str] = []
    program: list[str] = []
    starts: list[tuple[int, int]] = []  # (first module line of the cell, cell index)
    line_count = 0
    for index, source in edited.items():
        if source.lstrip().startswith("%%"):
            continue
        masked = []
        indent: str | None = None  # set while a magic continues on the next line (`\\` at the end)
        for line in source.split("\n"):
            stripped = line.lstrip()
            if indent is not None:  # a continuation line: masked at the magic's own indentation
                masked.append(indent + _MAGIC.format(len(magics)))
                magics.append(line[len(indent) :] if line.startswith(indent) else line)
            elif stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
                indent = line[: len(line) - len(stripped)]
                masked.append(indent + _MAGIC.format(len(magics)))
                magics.append(stripped)
            else:
                masked.append(line)
                continue
            indent = indent if line.rstrip().endswith("\\") else None
        body = "\n".join(masked)
        body += "" if body.endswith("\n") else "\n"
        program.append(_CELL.format(index) + "\n" + body)
        starts.append((line_count + 2, index))
        line_count += 1 + body.count("\n")
    module = "".join(program)
    new_module, found = _python.migrate_source(module)
    for finding in found:
        start, index = max((s for s in starts if s[0] <= finding.line), default=(1, next(iter(edited), 0)))
        findings.append(Finding(finding.line - start + 1, finding.kind, finding.message, cell=index + 1))
    if new_module != module:
        new_module = _MAGIC_LINE.sub(lambda m: magics[int(m[1])], new_module)
        pieces = _CELL_LINE.split(new_module)
        prefix = pieces[0]  # new imports, put before every cell: they go to the cell that imported
        importing = [i for i, source in edited.items() if _IMPORT.search(source)]
        home = importing[0] if importing else None
        for number in range(1, len(pieces), 2):
            index, body = int(pieces[number]), pieces[number + 1]
            if prefix and index == (home if home is not None else index):
                body, prefix = prefix + body, ""
            if not edited[index].endswith("\n") and body.endswith("\n"):
                body = body[:-1]
            edited[index] = body

    changed = {i: s for i, s in edited.items() if s != sources[i]}
    if not changed:
        return text, findings
    findings = [  # where each place is in its cell once written
        with_new_lines([f], sources[f.cell - 1], changed[f.cell - 1])[0]
        if f.cell is not None and f.cell - 1 in changed
        else f
        for f in findings
    ]
    layout = _layout(text, notebook)
    for index, source in changed.items():
        cell = cells[index]
        cell["source"] = source.splitlines(keepends=True) if isinstance(cell.get("source"), list) else source
    if layout is None:
        findings.append(Finding(1, "note", "notebook JSON re-written in nbformat's layout", cell=None))
        layout = _Layout()
    return layout.dump(notebook), findings
