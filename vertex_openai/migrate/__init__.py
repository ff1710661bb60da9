"""`vertex-openai migrate PATH... [--write] [--diff] [--json]`: move code that uses the OpenAI library
(Google's snippets, Azure OpenAI, plain OpenAI) to `VertexOpenAI`, and say what is left to a person.

Without --write nothing changes. Exit codes: 0 done, 1 something needs a person, 2 usage error.
libcst (a concrete syntax tree: comments and formatting survive) comes with `vertex-openai[migrate]`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ._report import FileResult

__all__ = ["add_arguments", "main", "migrate_paths", "run"]

INSTALL_HINT = "vertex-openai migrate needs libcst: pip install 'vertex-openai[migrate]'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path, help="files or folders to migrate")
    parser.add_argument("--write", action="store_true", help="rewrite the files in place")
    parser.add_argument("--diff", action="store_true", help="print a unified diff of every change")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def migrate_paths(paths: Sequence[Path]) -> list[FileResult]:
    """What migrating `paths` gives, file by file; writes nothing."""
    from . import _deps, _files, _notebook, _python
    from ._report import FileResult, Finding

    results = []
    for path in _files.walk(paths):
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
            updated, findings = _python.migrate_source(original)
        results.append(FileResult(path, original, updated, findings))
    return results


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

    results = migrate_paths(args.paths)
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
