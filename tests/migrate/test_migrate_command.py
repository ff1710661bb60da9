"""`vertex-openai migrate` on a corpus of real-world shapes (corpus/, expected results in expected/).

Each migrated program is checked three ways: it parses; the Vertex client is built with the right
arguments (read from the syntax tree); and it runs against the local Vertex-like server with real
google-auth tokens, reaching the URL the original program reached.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import json
import re
import runpy
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import openai
import pytest
from fake_gemini import GREETING, gemini_reply
from fakes import TokenServer, VertexServer, service_account_info
from harness import redirect

from vertex_openai.migrate import INSTALL_HINT, add_arguments, main, run

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "corpus").glob("*.txt"))
EXPECTED = HERE / "expected"
OPENAPI = "/v1/projects/test-project/locations/global/endpoints/openapi/chat/completions"


def copy_corpus(target: Path) -> Path:
    target.mkdir(parents=True)
    for source in CORPUS:
        shutil.copyfile(source, target / source.name.removesuffix(".txt"))
    return target


def migrate(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    out = io.StringIO()
    return run(parser.parse_args(argv), out=out), out.getvalue()


@dataclass
class Migrated:
    before: Path
    after: Path
    code: int
    report: dict[str, Any]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Migrated:
    root = tmp_path_factory.mktemp("corpus")
    before, after = copy_corpus(root / "before"), copy_corpus(root / "after")
    code, out = migrate(str(after), "--write", "--json")
    return Migrated(before, after, code, json.loads(out))


def findings(migrated: Migrated, name: str) -> list[dict[str, Any]]:
    (entry,) = [f for f in migrated.report["files"] if Path(f["path"]).name == name]
    found: list[dict[str, Any]] = entry["findings"]
    return found


# -- the rewrite ------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", CORPUS, ids=[p.name.removesuffix(".txt") for p in CORPUS])
def test_each_file_is_rewritten_as_expected(migrated: Migrated, source: Path) -> None:
    name = source.name.removesuffix(".txt")
    expected = EXPECTED / source.name
    result = (migrated.after / name).read_bytes()
    if expected.exists():
        assert result == expected.read_bytes()
        assert result != source.read_bytes()
    else:  # nothing to rewrite: byte-identical
        assert result == source.read_bytes()


def test_migrated_python_parses_and_keeps_no_old_client(migrated: Migrated) -> None:
    for path in migrated.after.glob("*.py"):
        tree = ast.parse(path.read_text())
        if (EXPECTED / f"{path.name}.txt").exists():
            source = path.read_text()
            assert "credentials.token" not in source and "azure.identity" not in source
            assert not re.search(r"\b(Azure)?OpenAI\(", source.replace("VertexOpenAI(", "")), path.name
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            defined = {
                n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom | ast.Import):
                    defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
                elif isinstance(node, ast.ExceptHandler) and node.name:
                    defined.add(node.name)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    defined.add(node.name)
                    defined |= (
                        {a.arg for a in node.args.args} if not isinstance(node, ast.ClassDef) else set()
                    )
            undefined = names - defined - set(dir(builtins))
            assert not undefined, (path.name, undefined)


def clients(path: Path) -> list[tuple[str, dict[str, str]]]:
    tree = ast.parse(path.read_text())
    return [
        (node.func.id, {k.arg or "**": ast.unparse(k.value) for k in node.keywords})
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and "VertexOpenAI" in node.func.id
    ]


ARGUMENTS = {
    "google_snippet.py": ("VertexOpenAI", {"project": "project_id", "location": "location"}),
    "google_async_format.py": (
        "AsyncVertexOpenAI",
        {"project": "PROJECT_ID", "location": "LOCATION", "timeout": "30"},
    ),
    "google_concat_v1beta1.py": (
        "VertexOpenAI",
        {"project": "project", "location": "region", "api_version": "'v1beta1'", "max_retries": "3"},
    ),
    "google_notebook_api_host.py": ("VertexOpenAI", {"project": "PROJECT_ID", "location": "LOCATION"}),
    "google_endpoint_id.py": (
        "VertexOpenAI",
        {
            "project": "PROJECT_ID",
            "location": "LOCATION",
            "api_version": "'v1beta1'",
            "endpoint_id": "ENDPOINT_ID",
        },
    ),
    "google_refresher.py": ("VertexOpenAI", {"project": "project_id", "location": "location"}),
    "azure_entra.py": ("VertexOpenAI", {"timeout": "20.0", "max_retries": "2"}),
    "azure_async_deployment.py": (
        "AsyncVertexOpenAI",
        {"model_aliases": "{'gpt4o-prod': 'google/gemini-2.5-flash'}"},
    ),
    "azure_v1_base_url.py": (
        "VertexOpenAI",
        {"model_aliases": "{'gpt-4.1-mini': 'google/gemini-2.5-flash'}"},
    ),
    "plain_openai.py": ("VertexOpenAI", {"model_aliases": "{'gpt-4o-mini': 'google/gemini-2.5-flash'}"}),
    "plain_openai_module.py": (
        "AsyncVertexOpenAI",
        {"model_aliases": "{'gpt-4o': 'google/gemini-2.5-flash'}", "max_retries": "5"},
    ),
}


@pytest.mark.parametrize("name", sorted(ARGUMENTS))
def test_client_is_built_with_the_right_arguments(migrated: Migrated, name: str) -> None:
    assert clients(migrated.after / name) == [ARGUMENTS[name]]


def test_deployment_bound_call_sites_get_the_deployment(migrated: Migrated) -> None:
    source = (migrated.after / "azure_async_deployment.py").read_text()
    assert 'model="gpt4o-prod"' in source and "<ignored>" not in source


def test_dependency_files(migrated: Migrated) -> None:
    requirements = (migrated.after / "requirements.txt").read_text().splitlines()
    assert requirements == [
        "google-auth==2.38.0",
        "openai>=1.83  # Google sample pin",
        "vertex-openai",
        "requests>=2.31",
    ]
    pyproject = (migrated.after / "pyproject.toml").read_text()
    assert '    "openai>=1.83",  # the sample\'s pin\n    "vertex-openai",\n' in pyproject
    messages = [f["message"] for f in findings(migrated, "requirements.txt")]
    assert any("raised openai==1.68.2 to openai>=1.83" in m and "follow_redirects" in m for m in messages)
    assert (migrated.after / "requirements-dev.txt").read_bytes() == (
        migrated.before / "requirements-dev.txt"
    ).read_bytes()


# -- the report ---------------------------------------------------------------------------------------


def test_every_untouched_place_is_reported_with_its_line(migrated: Migrated) -> None:
    warnings = {(f["line"], f["message"].split(":")[0]) for f in findings(migrated, "warnings_only.py")}
    expected = {
        (9, "module-level openai client (openai.api_key)"),
        (13, "this client is one branch of a choice between providers; not rewritten"),
        (15, "this client is one branch of a choice between providers; not rewritten"),
        (17, "this client is one branch of a choice between providers; not rewritten"),
        (24, "tool schema with pydantic_function_tool()"),
        (25, "tool schema with $ref"),
        (27, "client.responses"),
        (28, "legacy completions.create (prompt=)"),
        (29, "module-level openai client (openai.chat.completions.create)"),
        (
            33,
            "a test looks at Azure client internals (_azure_ad_token_provider); "
            "VertexOpenAI has none of these",
        ),
        (34, "a test looks at Azure client internals (api_key); VertexOpenAI has none of these"),
    }
    assert warnings == expected
    kinds = {f["line"]: f["kind"] for f in findings(migrated, "warnings_only.py")}
    assert {line for line, kind in kinds.items() if kind != "warning"} == {27}  # Responses: bridged
    assert kinds[27] == "note"
    (variant,) = findings(migrated, "refresher_variant.py")
    assert variant["kind"] == "warning" and variant["line"] == 10 and "CachingRefresher" in variant["message"]
    content_filter = [f for f in findings(migrated, "azure_entra.py") if "content_filter" in f["message"]]
    assert [(f["line"], f["kind"]) for f in content_filter] == [(19, "warning")]  # line 27 as read
    gemini3 = [f for f in findings(migrated, "google_notebook_api_host.py") if f["kind"] != "done"]
    assert [f["message"].split(":")[0] for f in gemini3] == ["GOOGLE_CLOUD_REGION"]
    assert migrated.report["needs_a_person"] and migrated.code == 1


def test_gemini_3_on_a_regional_location_is_reported(tmp_path: Path) -> None:
    source = (
        (HERE / "corpus" / "google_snippet.py.txt")
        .read_text()
        .replace("gemini-2.0-flash-001", "gemini-3-pro-preview")
    )
    (tmp_path / "app.py").write_text(source)
    code, out = migrate(str(tmp_path), "--json")
    (entry,) = json.loads(out)["files"]
    (warning,) = [f for f in entry["findings"] if f["kind"] == "warning"]
    assert code == 1 and warning["line"] == 25 and "'us-central1'" in warning["message"]


def test_second_run_changes_nothing(migrated: Migrated, tmp_path: Path) -> None:
    again = tmp_path / "again"
    shutil.copytree(migrated.after, again)
    code, out = migrate(str(again), "--write", "--json")
    report = json.loads(out)
    assert not any(f["changed"] for f in report["files"])
    for path in again.iterdir():
        assert path.read_bytes() == (migrated.after / path.name).read_bytes()
    # the choices the first run left are still listed until a person removes the markers
    marked = {
        Path(f["path"]).name for f in report["files"] if any(x["kind"] == "todo" for x in f["findings"])
    }
    assert {"plain_openai.py", "azure_v1_base_url.py"} <= marked and code == 1


def test_dry_run_and_diff_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = Path("c")
    folder.mkdir()
    sources = [
        HERE / "corpus" / name
        for name in ("google_snippet.py.txt", "no_openai.py.txt", "requirements.txt.txt")
    ]
    for source in sources:
        shutil.copyfile(source, folder / source.name.removesuffix(".txt"))
    code, out = migrate(str(folder), "--diff")
    for source in sources:
        assert (folder / source.name.removesuffix(".txt")).read_bytes() == source.read_bytes()
    assert code == 0  # everything here can be done without a person
    assert f"{folder / 'google_snippet.py'}: would be rewritten" in out
    assert "Nothing was changed: run again with --write" in out
    assert "--- a/c/google_snippet.py\n+++ b/c/google_snippet.py\n" in out  # git apply / patch -p1 take it
    assert "-    api_key=credentials.token,\n" in out and "+    project=project_id,\n" in out
    assert "no_openai.py" not in out


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copyfile(HERE / "corpus" / "no_openai.py.txt", tmp_path / "tool.py")
    assert migrate(str(tmp_path))[0] == 0
    assert main([str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["--nope"])
    assert raised.value.code == 2
    (tmp_path / "app.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    assert migrate(str(tmp_path), "--write")[0] == 0  # no model names: nothing left to choose
    assert (
        tmp_path / "app.py"
    ).read_text() == "from vertex_openai import VertexOpenAI\n\nclient = VertexOpenAI()\n"


def test_without_libcst_the_command_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "libcst", None)  # what `import libcst` sees when it is not installed
    assert main([str(tmp_path)]) == 2
    assert INSTALL_HINT in capsys.readouterr().err
    assert "pip install 'vertex-openai[migrate]'" in INSTALL_HINT


def test_gitignored_and_virtualenv_folders_are_skipped(tmp_path: Path) -> None:
    app = "from openai import OpenAI\n\nclient = OpenAI()\n"
    for folder in ("build", ".venv", "src"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.py").write_text(app)
    (tmp_path / ".gitignore").write_text("build/\n")
    _, out = migrate(str(tmp_path), "--json")
    assert [Path(f["path"]).relative_to(tmp_path).as_posix() for f in json.loads(out)["files"]] == [
        "src/app.py"
    ]


# -- notebooks ------------------------------------------------------------------------------------------


def test_notebook_round_trips_except_the_rewritten_cells(migrated: Migrated) -> None:
    text = (migrated.after / "notebook.ipynb").read_text()
    before = nbformat.reads((migrated.before / "notebook.ipynb").read_text(), as_version=4)
    after = nbformat.reads(text, as_version=4)
    assert nbformat.writes(after) + "\n" == text  # nbformat's own layout, kept
    changed = [i for i, (a, b) in enumerate(zip(before.cells, after.cells, strict=True)) if a != b]
    assert changed == [1, 2, 3, 4]
    for a, b in zip(before.cells, after.cells, strict=True):
        assert (
            a.get("outputs") == b.get("outputs") and a.metadata == b.metadata and a.get("id") == b.get("id")
        )
    assert after.cells[1].source == '%pip install --upgrade --quiet "openai>=1.83" vertex-openai google-auth'
    assert after.cells[2].source == '!pip install -q "openai>=1.30" vertex-openai'
    assert after.cells[3].source.startswith("from vertex_openai import VertexOpenAI\n")
    assert after.cells[6].source == "%%bash\necho openai"


# -- the migrated programs run --------------------------------------------------------------------------


@dataclass
class Local:
    tokens: TokenServer
    vertex: VertexServer
    key: Path


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, private_key_pem: str) -> Iterator[Local]:
    tokens = TokenServer()
    vertex = VertexServer(tokens)
    vertex.responder = gemini_reply
    key = tmp_path_factory.mktemp("adc") / "service-account.json"
    key.write_text(json.dumps(service_account_info(tokens.token_uri, private_key_pem)))
    yield Local(tokens, vertex, key)
    vertex.close()
    tokens.close()


@pytest.fixture
def local(servers: Local, monkeypatch: pytest.MonkeyPatch) -> Local:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(servers.key))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://my-resource.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_CHAT_DEPLOYMENT", "google/gemini-2.5-flash")
    redirect(monkeypatch, servers.vertex.root)
    servers.vertex.seen.clear()
    return servers


def original_against(monkeypatch: pytest.MonkeyPatch, root: str) -> None:
    """Run an original program with openai's clients sent to the local server instead of Google's host."""

    def local_url(base_url: Any) -> Any:
        return None if base_url is None else re.sub(r"^https://[^/]+", root, str(base_url))

    class LocalOpenAI(openai.OpenAI):
        def __init__(self, *, base_url: Any = None, **kwargs: Any) -> None:
            super().__init__(base_url=local_url(base_url), **kwargs)

    class LocalAsyncOpenAI(openai.AsyncOpenAI):
        def __init__(self, *, base_url: Any = None, **kwargs: Any) -> None:
            super().__init__(base_url=local_url(base_url), **kwargs)

    monkeypatch.setattr(openai, "OpenAI", LocalOpenAI)
    monkeypatch.setattr(openai, "AsyncOpenAI", LocalAsyncOpenAI)


GOOGLE = sorted(n for n in ARGUMENTS if n.startswith("google_"))
OTHERS = sorted(n for n in ARGUMENTS if not n.startswith("google_"))


def run_program(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    runpy.run_path(str(path), run_name="__main__")
    return capsys.readouterr().out


@pytest.mark.parametrize("name", GOOGLE)
def test_google_programs_reach_the_url_the_original_reached(
    migrated: Migrated,
    local: Local,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert GREETING in run_program(migrated.after / name, capsys)
    new = [(seen.path, seen.json["model"] if seen.json else None) for seen in local.vertex.seen]
    local.vertex.seen.clear()
    with monkeypatch.context() as patch:
        original_against(patch, local.vertex.root)
        assert GREETING in run_program(migrated.before / name, capsys)
    old = [(seen.path, seen.json["model"] if seen.json else None) for seen in local.vertex.seen]
    assert new == old and len(new) == 1
    assert all(token in local.tokens.issued for token in local.vertex.tokens_seen)  # real google-auth tokens


@pytest.mark.parametrize("name", OTHERS)
def test_azure_and_openai_programs_reach_vertex(
    migrated: Migrated, local: Local, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert GREETING in run_program(migrated.after / name, capsys)
    assert [(seen.path, seen.json["model"] if seen.json else None) for seen in local.vertex.seen] == [
        (OPENAPI, "google/gemini-2.5-flash")
    ]


def test_migrated_notebook_runs(migrated: Migrated, local: Local) -> None:
    notebook = nbformat.reads((migrated.after / "notebook.ipynb").read_text(), as_version=4)
    program = "\n".join(
        line
        for cell in notebook.cells
        if cell.cell_type == "code" and not cell.source.startswith("%%")
        for line in cell.source.splitlines()
        if not line.startswith(("%", "!"))
    )
    out = io.StringIO()
    namespace: dict[str, Any] = {"print": lambda *a: out.write(" ".join(map(str, a)))}
    exec(compile(program, "notebook", "exec"), namespace)
    assert GREETING in out.getvalue()
    assert [seen.path for seen in local.vertex.seen] == [OPENAPI]


def test_vertex_openai_migrate_subcommand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import vertex_openai
    from vertex_openai import cli

    (tmp_path / "app.py").write_text("import openai\n\nclient = openai.OpenAI()\n")
    assert cli.main(["migrate", str(tmp_path), "--diff"]) == 0
    assert "+client = VertexOpenAI()\n" in capsys.readouterr().out
    assert (tmp_path / "app.py").read_text() == "import openai\n\nclient = openai.OpenAI()\n"
    # without libcst (an optional extra) the command line still builds, and migrate says what to install
    monkeypatch.setattr(vertex_openai, "migrate", vertex_openai.migrate)
    for name in [m for m in sys.modules if m.startswith("vertex_openai.migrate")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "libcst", None)
    assert cli.main(["migrate", str(tmp_path)]) == 2
    assert "pip install 'vertex-openai[migrate]'" in capsys.readouterr().err
