"""`vertex-openai migrate PATH... [--write] [--diff] [--json] [--quiet]`: move code that uses the OpenAI
library (Google's snippets, Azure OpenAI, plain OpenAI) to `VertexOpenAI`, and say what is left to a person.

Without --write nothing changes. The report lists, file by file, what was changed and every line left
to a person with its fix (once written, line numbers are those of the rewritten file). Trees of more
than a few hundred files show progress on stderr (--quiet silences it).
Exit codes: 0 done, 1 something needs a person, 2 usage error.
libcst (a concrete syntax tree: comments and formatting survive) comes with `vertex-openai[migrate]`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ._report import FileResult

__all__ = ["add_arguments", "main", "migrate_paths", "run"]

INSTALL_HINT = (
    "vertex-openai migrate needs libcst: pip install 'vertex-openai[migrate]' "
    "(or, where that extra cannot be installed, pip install libcst)"
)
PROGRESS_FROM = 300  # files: smaller trees are read in a few seconds, without progress lines
PROGRESS_EVERY = 100
Progress = Callable[[int, int, Path], None]  # (files done, files in all, the file being read)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path, help="files or folders to migrate")
    parser.add_argument("--write", action="store_true", help="rewrite the files in place")
    parser.add_argument("--diff", action="store_true", help="print a unified diff of every change")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def migrate_paths(paths: Sequence[Path], progress: Progress | None = None) -> list[FileResult]:
    """What migrating `paths` gives, file by file; writes nothing."""
    from . import _deps, _files, _notebook, _python
    from ._report import FileResult, Finding, with_new_lines

    results = []
    files = list(_files.walk(paths))
    for done, path in enumerate(files):
        if progress is not None:
            progress(done, len(files), path)
        kind = _files.kind(path)
        try:
            original = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            results.append(
                FileResult(path, "", "", [Finding(1, "warning", f"not read ({error}); not touched")])
            )
            continue
        if kind == "notebook":
            updated, findings = _notebook.migrate_notebook(original)
        elif kind == "requirements":
            updated, findings = _deps.requirements_txt(original)
        elif kind == "pyproject":
            updated, findings = _deps.pyproject_toml(original)
        else:
            updated, findings = _python.migrate_source(original, path=path)
        if kind != "notebook" and updated != original:
            findings = with_new_lines(findings, original, updated)
        results.append(FileResult(path, original, updated, findings))
    if progress is not None:
        progress(len(files), len(files), Path())
    return results


def stderr_progress(err: TextIO) -> Progress:
    """Progress lines for trees past PROGRESS_FROM files: the count and the folder being read."""

    def show(done: int, total: int, path: Path) -> None:
        if total < PROGRESS_FROM or (done % PROGRESS_EVERY and done != total):
            return
        where = f" ({path.parent})" if done < total else ""
        err.write(f"vertex-openai migrate: {done}/{total} files read{where}\n")
        err.flush()

    return show


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run with parsed arguments; returns the exit code."""
    out = out if out is not None else sys.stdout
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"vertex-openai migrate: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        import libcst  # noqa: F401  # the one optional dependency
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    from . import _report

    quiet = getattr(args, "quiet", False)
    results = migrate_paths(args.paths, None if quiet else stderr_progress(sys.stderr))
    if args.write:
        for result in results:
            if result.changed:
                result.path.write_bytes(result.updated.encode("utf-8"))
    if args.json:
        out.write(_report.to_json(results, wrote=args.write, show_diff=args.diff) + "\n")
    else:
        _report.write_text(results, wrote=args.write, show_diff=args.diff, out=out)
    return 1 if _report.needs_a_person(results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="vertex-openai migrate",
        description="Move code that uses the OpenAI library to VertexOpenAI (Gemini on Vertex AI).",
        epilog="Exit codes: 0 done, 1 something needs a person, 2 usage error.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
