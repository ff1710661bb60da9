"""Which files to read: Python sources, notebooks and dependency lists, skipping what .gitignore ignores."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

_ALWAYS_SKIPPED = {
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    "node_modules",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".ipynb_checkpoints",
    "site-packages",
}
_REQUIREMENTS = re.compile(r"requirements.*\.(txt|in)")


def kind(path: Path) -> str | None:
    """'python', 'notebook', 'requirements', 'pyproject', or None for files the command leaves alone."""
    if path.suffix == ".py":
        return "python"
    if path.suffix == ".ipynb":
        return "notebook"
    if _REQUIREMENTS.fullmatch(path.name):
        return "requirements"
    if path.name == "pyproject.toml":
        return "pyproject"
    return None


class _Ignore:
    """The cheap part of .gitignore: name and path globs, `dir/` patterns and `!` exceptions."""

    def __init__(self, root: Path, parent: _Ignore | None = None) -> None:
        self.root = root
        self.parent = parent
        self.rules: list[tuple[str, bool, bool]] = []  # pattern, negated, directories only
        ignore = root / ".gitignore"
        if ignore.is_file():
            for raw in ignore.read_text(encoding="utf-8", errors="replace").splitlines():
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                negated = line.startswith("!")
                line = line.lstrip("!")
                self.rules.append((line.rstrip("/"), negated, line.endswith("/")))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        verdict = self.parent.ignored(path, is_dir) if self.parent is not None else False
        relative = path.relative_to(self.root).as_posix()
        for pattern, negated, dirs_only in self.rules:
            if dirs_only and not is_dir:
                continue
            anchored = "/" in pattern
            target = relative if anchored else path.name
            if fnmatch.fnmatch(target, pattern.lstrip("/")):
                verdict = not negated
        return verdict


def walk(paths: Sequence[Path]) -> Iterator[Path]:
    """Files to migrate under `paths` (files named directly are always read), in a stable order."""
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from _walk(path, _Ignore(path))


def _walk(directory: Path, ignore: _Ignore) -> Iterator[Path]:
    for entry in sorted(directory.iterdir()):
        if entry.is_symlink():
            continue
        if entry.is_dir():
            if entry.name in _ALWAYS_SKIPPED or entry.name.startswith(".venv") or ignore.ignored(entry, True):
                continue
            yield from _walk(entry, _Ignore(entry, ignore) if (entry / ".gitignore").is_file() else ignore)
        elif kind(entry) is not None and not ignore.ignored(entry, False):
            yield entry
