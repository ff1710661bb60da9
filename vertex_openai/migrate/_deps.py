"""Dependency lists: `vertex-openai` beside `openai`, and an `openai` pin raised to the floor.

openai 1.83 is the floor: older releases have no `follow_redirects` in request options (a Google
token must never follow a redirect) and an older retry loop.
"""

from __future__ import annotations

import re

from ._report import Finding

FLOOR = (1, 83)
CEILING = (4,)
FLOOR_SPEC = "openai>=1.83"
WHY_FLOOR = (
    "vertex-openai needs openai>=1.83 (older openai has no follow_redirects in request options, which keeps "
    "a Google token from following a redirect, and an older retry loop)"
)
# a requirement for openai: name, extras, version specifiers, then markers / comments
_REQUIREMENT = re.compile(
    r"(?P<name>openai)(?![\w.-])(?P<extras>\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~]=?=?\s*[\w.*+!-]+\s*,?\s*)*)(?P<rest>.*)",
    re.I,
)
_CLAUSE = re.compile(r"(===|==|~=|!=|<=|>=|<|>)\s*([\w.*+!-]+)")
_HAS_VERTEX = re.compile(r"(?<![\w-])vertex[-_]openai(?![\w-])", re.I)


def _version(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        numbers.append(int(digits[0]))
    return tuple(numbers) or (0,)


def allows_floor(spec: str) -> bool:
    """Whether a specifier set (`==1.68.2`, `>=1,<2`, `~=1.64`) allows some openai in [1.83, 4)."""
    low: tuple[int, ...] = FLOOR
    high: tuple[int, ...] = CEILING
    for op, text in _CLAUSE.findall(spec):
        if op in ("==", "===") and text.endswith(".*"):
            prefix = _version(text[:-2])
            low, high = max(low, prefix), min(high, (*prefix[:-1], prefix[-1] + 1))
            continue
        version = _version(text)
        if op in ("==", "==="):
            low, high = max(low, version), min(high, (*version, 0, 1))
        elif op in (">=", ">"):
            low = max(low, version if op == ">=" else (*version, 0, 1))
        elif op in ("<", "<="):
            high = min(high, version if op == "<" else (*version, 0, 1))
        elif op == "~=":
            low = max(low, version)
            upper = version[:-1] if len(version) > 1 else version
            high = min(high, (*upper[:-1], upper[-1] + 1))
    return low < high


def requirement(token: str) -> tuple[str, bool] | None:
    """(new token, raised) for one openai requirement token; None when it is not openai."""
    found = _REQUIREMENT.fullmatch(token.strip())
    if found is None:
        return None
    if allows_floor(found["spec"]):
        return token, False
    rest = found["rest"]
    return f"openai{found['extras'] or ''}>=1.83{(' ' + rest.strip()) if rest.strip() else ''}", True


def requirements_txt(text: str) -> tuple[str, list[Finding]]:
    lines = text.splitlines(keepends=True)
    findings: list[Finding] = []
    openai_line = None
    for number, line in enumerate(lines):
        body = line.rstrip("\r\n")
        code, sep, comment = body.partition("#")
        changed = requirement(code)
        if changed is None:
            continue
        openai_line = number
        new, raised = changed
        if raised:
            space = code[len(code.rstrip()) :]
            lines[number] = new + space + sep + comment + line[len(body) :]
            findings.append(Finding(number + 1, "done", f"raised {code.strip()} to {new}: {WHY_FLOOR}"))
    if openai_line is None or _HAS_VERTEX.search(text):
        return "".join(lines), findings
    ending = (
        "\n"
        if not lines[openai_line].endswith(("\n", "\r"))
        else lines[openai_line][len(lines[openai_line].rstrip("\r\n")) :]
    )
    if not lines[openai_line].endswith(("\n", "\r")):
        lines[openai_line] += ending
        ending = ""
    lines.insert(openai_line + 1, "vertex-openai" + (ending or "\n"))
    findings.append(Finding(openai_line + 2, "done", "added vertex-openai"))
    return "".join(lines), findings


_TOML_ENTRY = re.compile(
    r"""(?P<q>["'])(?P<req>openai(?:\[[^\]]*\])?\s*[<>=!~][^"']*|openai(?:\[[^\]]*\])?)(?P=q)"""
)


def pyproject_toml(text: str) -> tuple[str, list[Finding]]:
    """Quoted `openai...` entries in dependency arrays (PEP 621, dependency groups, optional lists)."""
    findings: list[Finding] = []
    out: list[str] = []
    add_vertex = not _HAS_VERTEX.search(text)
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        found = _TOML_ENTRY.search(line)
        if found is None or line.lstrip().startswith("#"):
            if re.match(r"\s*openai\s*=", line):  # Poetry's table form
                findings.append(
                    Finding(
                        number, "warning", f"openai in a Poetry table: add vertex-openai by hand; {WHY_FLOOR}"
                    )
                )
            out.append(line)
            continue
        quote, old = found["q"], found["req"]
        changed = requirement(old)
        new = changed[0] if changed else old
        if changed and changed[1]:
            findings.append(Finding(number, "done", f"raised {old} to {new}: {WHY_FLOOR}"))
        replacement = f"{quote}{new}{quote}"
        after = line[found.end() :]
        if add_vertex and line[: found.start()].strip() == "" and re.fullmatch(r"\s*,?\s*(#.*)?\s*", after):
            indent = line[: found.start()]
            ending = line[len(line.rstrip("\r\n")) :] or "\n"
            comma = "" if after.lstrip().startswith(",") else ","
            out.append(line[: found.start()] + replacement + comma + after.rstrip("\r\n") + ending)
            out.append(f"{indent}{quote}vertex-openai{quote},{ending}")
            findings.append(Finding(number, "done", "added vertex-openai"))
            add_vertex = False
            continue
        if add_vertex:
            replacement += f", {quote}vertex-openai{quote}"
            findings.append(Finding(number, "done", "added vertex-openai"))
            add_vertex = False
        out.append(line[: found.start()] + replacement + line[found.end() :])
    return "".join(out), findings
