"""`vertex-openai migrate` on the shapes real code has and a careful user trips over (issue 21).

Each test names the shape; the sources are small, written here after what public samples do.
"""

from __future__ import annotations

import argparse
import io
import json
import runpy
import shutil
import textwrap
import traceback
from pathlib import Path
from typing import Any

import pytest
from fake_gemini import GREETING
from harness import LocalGoogle

from vertex_openai.migrate import INSTALL_HINT, add_arguments, run
from vertex_openai.migrate._python import migrate_source
from vertex_openai.migrate._report import Finding


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def migrate(*argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the command run in-process."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    import sys

    saved = sys.stderr
    sys.stderr = err
    try:
        code = run(parser.parse_args(argv), out=out)
    finally:
        sys.stderr = saved
    return code, out.getvalue(), err.getvalue()


def report(*argv: str) -> dict[str, Any]:
    _, out, _ = migrate(*argv, "--json")
    result: dict[str, Any] = json.loads(out)
    return result


def messages(findings: list[Finding], kind: str | None = None) -> list[str]:
    return [f.message for f in findings if kind is None or f.kind == kind]


# -- comments ------------------------------------------------------------------------------------------


def test_region_tags_and_developer_todos_survive_removed_lines() -> None:
    code, _ = migrate_source(
        src(
            """
            def generate(project_id: str, location: str) -> None:
                # [START chat_completions_credentials]
                import google.auth
                import google.auth.transport.requests
                import openai

                # TODO(developer): Update and un-comment below lines
                # project_id = "PROJECT_ID"
                # location = "us-central1"

                # Programmatically get an access token
                credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
                credentials.refresh(google.auth.transport.requests.Request())
                # the token lives one hour

                client = openai.OpenAI(
                    base_url=f"https://{location}-aiplatform.googleapis.com/v1/projects/{project_id}/locations/{location}/endpoints/openapi",
                    api_key=credentials.token,
                )
                print(client)
                # [END chat_completions_credentials]
            """
        )
    )
    for comment in (
        "# [START chat_completions_credentials]",
        "# TODO(developer): Update and un-comment below lines",
        '# project_id = "PROJECT_ID"',
        '# location = "us-central1"',
        "# Programmatically get an access token",
        "# the token lives one hour",
        "# [END chat_completions_credentials]",
    ):
        assert code.count(comment) == 1, comment
    assert code.index("[START") < code.index("VertexOpenAI(") < code.index("[END")
    assert "google.auth" not in code and "import openai" not in code


def test_a_comment_above_the_last_removed_line_of_a_block_stays_in_the_block() -> None:
    code, _ = migrate_source(
        src(
            """
            import google.auth
            import openai

            client = openai.OpenAI(
                base_url="https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi",
                api_key="x",
            )


            def token() -> None:
                # [START refresh]
                credentials, _ = google.auth.default()
            """
        )
    )
    assert "    # [START refresh]\n    pass\n" in code


# -- the report ----------------------------------------------------------------------------------------


def test_findings_of_unchanged_files_come_under_their_own_header(tmp_path: Path) -> None:
    (tmp_path / "a_client.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    (tmp_path / "b_legacy.py").write_text("import openai\n\nopenai.api_key = 'k'\n")
    _, out, _ = migrate(str(tmp_path))
    lines = out.splitlines()
    header = lines.index(f"{tmp_path / 'b_legacy.py'}: not changed")
    assert lines[header + 1].startswith(f"  {tmp_path / 'b_legacy.py'}:3: warning: module-level openai")
    assert lines[0] == f"{tmp_path / 'a_client.py'}: would be rewritten"


def test_a_client_with_every_argument_dropped_has_no_blank_line_inside() -> None:
    code, _ = migrate_source(
        src(
            """
            from openai import AzureOpenAI

            def make():
                return AzureOpenAI(
                    azure_endpoint="https://x.openai.azure.com",
                    api_version="2024-10-21",
                )
            """
        )
    )
    assert "return VertexOpenAI()\n" in code


def test_written_reports_give_the_lines_of_the_rewritten_file(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        src(
            """
            import google.auth
            import google.auth.transport.requests
            import openai

            credentials, _ = google.auth.default()
            credentials.refresh(google.auth.transport.requests.Request())
            client = openai.OpenAI(
                base_url="https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi",
                api_key=credentials.token,
            )
            client.completions.create(model="m", prompt="hi")
            """
        )
    )
    dry = report(str(tmp_path))
    (legacy,) = [f for f in dry["files"][0]["findings"] if "legacy" in f["message"]]
    assert legacy["line"] == 11
    wrote = report(str(tmp_path), "--write")
    (legacy,) = [f for f in wrote["files"][0]["findings"] if "legacy" in f["message"]]
    assert app.read_text().splitlines()[legacy["line"] - 1].startswith("client.completions.create(")


def test_progress_on_stderr_for_large_trees_and_quiet_silences_it(tmp_path: Path) -> None:
    for folder in range(4):
        (tmp_path / f"pkg{folder}").mkdir()
        for number in range(80):
            (tmp_path / f"pkg{folder}" / f"m{number}.py").write_text("x = 1\n")
    _, out, err = migrate(str(tmp_path))
    lines = err.splitlines()
    assert lines[0] == f"vertex-openai migrate: 0/320 files read ({tmp_path / 'pkg0'})"
    assert f"vertex-openai migrate: 200/320 files read ({tmp_path / 'pkg2'})" in lines
    assert lines[-1] == "vertex-openai migrate: 320/320 files read"
    assert "files read" not in out
    assert migrate(str(tmp_path), "--quiet")[2] == ""
    small = tmp_path / "pkg0"
    assert migrate(str(small))[2] == ""  # 80 files: quick, no progress


def test_install_hint_can_be_followed_without_the_extra() -> None:
    assert "pip install libcst" in INSTALL_HINT and "pip install 'vertex-openai[migrate]'" in INSTALL_HINT


# -- Azure apps: what the old client needed, and what the program still reads -------------------------

SHAPES = Path(__file__).parent / "shapes"
OPENAPI = "/v1/projects/test-project/locations/global/endpoints/openapi/chat/completions"
AZURE_VARIABLES = (
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "OPENAI_API_VERSION",
    "AZURE_OPENAI_CHAT_DEPLOYMENT",
)


def test_azure_quickstart_runs_on_vertex_after_migrate_write(
    local_google: LocalGoogle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = tmp_path / "quickstart.py"
    shutil.copyfile(SHAPES / "azure_quickstart.py.txt", app)
    written = report(str(tmp_path), "--write")
    (entry,) = written["files"]
    source = app.read_text()
    lines = source.splitlines()
    # the old client's settings and their guard are gone; region tags stay
    for gone in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "raise ValueError"):
        assert gone not in source, gone
    assert (
        "# [START azure_openai_quickstart_chat]" in source
        and "# [END azure_openai_quickstart_chat]" in source
    )
    assert "client: VertexOpenAI = VertexOpenAI()" in source and "def ask(client: VertexOpenAI," in source
    for name in AZURE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # nothing raises at start-up without a report line that names the line and the fix
    with pytest.raises(KeyError) as raised:
        runpy.run_path(str(app), run_name="__main__")
    (frame,) = [f for f in traceback.extract_tb(raised.value.__traceback__) if f.filename == str(app)]
    assert raised.value.args == ("AZURE_OPENAI_CHAT_DEPLOYMENT",)
    (at_read,) = [f for f in entry["findings"] if f["line"] == frame.lineno]
    (at_call,) = [f for f in entry["findings"] if "$AZURE_OPENAI_CHAT_DEPLOYMENT" in f["message"]]
    for finding in (at_read, at_call):
        assert finding["kind"] == "todo"
        assert "set AZURE_OPENAI_CHAT_DEPLOYMENT=google/gemini-2.5-flash" in finding["message"]
    assert at_read["message"].startswith('os.environ["AZURE_OPENAI_CHAT_DEPLOYMENT"] raises KeyError')
    assert lines[at_call["line"] - 1].strip().startswith("model=COMPLETIONS_MODEL")
    # doing what the line says makes it run, against the local Vertex with real google-auth tokens
    monkeypatch.setenv("AZURE_OPENAI_CHAT_DEPLOYMENT", "google/gemini-2.5-flash")
    runpy.run_path(str(app), run_name="__main__")
    assert GREETING in capsys.readouterr().out
    assert [(seen.path, seen.json["model"] if seen.json else None) for seen in local_google.vertex.seen] == [
        (OPENAPI, "google/gemini-2.5-flash")
    ]
    assert all(token in local_google.tokens.issued for token in local_google.vertex.tokens_seen)


def test_leftover_azure_reads_and_guards_are_reported_with_the_fix() -> None:
    code, findings = migrate_source(
        src(
            """
            import os
            import sys

            from openai import AzureOpenAI

            endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]
            print(f"using {endpoint}")
            if "AZURE_OPENAI_API_KEY" not in os.environ and os.environ.get("CI"):
                sys.exit("AZURE_OPENAI_API_KEY is required")
            version = os.getenv("OPENAI_API_VERSION", "2024-10-21")
            print(version)
            client = AzureOpenAI(azure_endpoint=endpoint, api_version=version)
            """
        )
    )
    left = {(f.line, f.kind): f.message for f in findings if f.kind != "done"}
    assert left[(6, "warning")] == (
        'os.environ["AZURE_OPENAI_ENDPOINT"] raises KeyError when AZURE_OPENAI_ENDPOINT is not set, and '
        "VertexOpenAI does not use AZURE_OPENAI_ENDPOINT: delete this line and what reads `endpoint`, or "
        'read it with os.environ.get("AZURE_OPENAI_ENDPOINT")'
    )
    assert left[(8, "warning")].startswith(
        "this check stops the program when AZURE_OPENAI_API_KEY is not set, and VertexOpenAI does not use "
        "AZURE_OPENAI_API_KEY: delete the check"
    )
    assert left[(10, "note")].startswith("OPENAI_API_VERSION is not used by VertexOpenAI")
    assert "client = VertexOpenAI()" in code and 'endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]' in code


def test_a_settings_module_without_a_client_is_read_for_leftovers() -> None:
    _, findings = migrate_source('import os\n\nAPI_KEY = os.environ["AZURE_OPENAI_API_KEY"]\n')
    assert [(f.line, f.kind) for f in findings] == [(3, "warning")]


def test_a_switch_between_providers_keeps_its_settings_unreported() -> None:
    source = src(
        """
        import os

        from openai import AzureOpenAI, OpenAI

        if os.environ.get("HOST") == "azure":
            client = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"])
        else:
            client = OpenAI()
        """
    )
    code, findings = migrate_source(source)
    assert code == source and all("KeyError" not in f.message for f in findings)


@pytest.mark.parametrize(
    ("model", "setup", "says"),
    [
        (
            "deployment",
            'deployment = os.environ["AZURE_OPENAI_CHAT_DEPLOYMENT"]\n',
            "comes from $AZURE_OPENAI_CHAT_DEPLOYMENT (through deployment): set "
            "AZURE_OPENAI_CHAT_DEPLOYMENT=google/gemini-2.5-flash",
        ),
        (
            "COMPLETIONS_MODEL",
            'COMPLETIONS_MODEL = os.getenv("COMPLETIONS_MODEL", "gpt-35-turbo")\n',
            "comes from $COMPLETIONS_MODEL (through COMPLETIONS_MODEL)",
        ),
        (
            "settings.model",
            "from app import settings\n",
            "model=settings.model: the model name is not known here",
        ),
    ],
    ids=["deployment-variable", "completions-model-constant", "settings-attribute"],
)
def test_model_names_through_variables_are_reported(model: str, setup: str, says: str) -> None:
    source = (
        "import os\n\nfrom openai import AzureOpenAI\n\n"
        + setup
        + 'client = AzureOpenAI(api_version="2024-10-21")\n'
        + f"client.chat.completions.create(model={model}, messages=[])\n"
    )
    _, findings = migrate_source(source)
    (found,) = [f for f in findings if says in f.message]
    assert found.kind == "todo" and found.line == source.count("\n")


def test_model_name_from_a_config_json_gets_its_alias(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"MODEL_NAME": "gpt-35-turbo-16k", "TEMPERATURE": 0}))
    app = tmp_path / "app.py"
    app.write_text(
        src(
            """
            import json

            from openai import AzureOpenAI

            with open("config.json") as handle:
                config = json.load(handle)
            client = AzureOpenAI(api_version="2024-10-21")
            client.chat.completions.create(model=config["MODEL_NAME"], messages=[])
            """
        )
    )
    code, findings = migrate_source(app.read_text(), path=app)
    assert 'model_aliases={"gpt-35-turbo-16k": "google/gemini-2.5-flash"}' in code
    (found,) = [f for f in findings if "config.json" in f.message]
    assert found.line == 8 and found.kind == "todo" and "\"MODEL_NAME\" ('gpt-35-turbo-16k')" in found.message


def test_annotated_token_provider_goes_and_annotations_follow_the_class() -> None:
    code, _ = migrate_source(
        src(
            """
            from azure.identity import DefaultAzureCredential, get_bearer_token_provider
            from openai import AsyncAzureOpenAI
            from openai.lib.azure import AzureADTokenProvider

            token_provider: AzureADTokenProvider = get_bearer_token_provider(
                DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default"
            )
            client: AsyncAzureOpenAI = AsyncAzureOpenAI(
                azure_endpoint="https://x.openai.azure.com", azure_ad_token_provider=token_provider
            )


            async def ask(client: AsyncAzureOpenAI | None = None) -> None: ...
            """
        )
    )
    assert "azure" not in code.lower().replace("vertex", "")
    assert "client: AsyncVertexOpenAI = AsyncVertexOpenAI()" in code
    assert "async def ask(client: AsyncVertexOpenAI | None = None)" in code


# -- notebooks and URLs --------------------------------------------------------------------------------


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c}
                for c in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


PARTNER_CLIENT = (
    "client = openai.OpenAI(\n"
    '    base_url=f"https://{MODEL_LOCATION}-aiplatform.googleapis.com/v1beta1/projects/{PROJECT_ID}/'
    'locations/{MODEL_LOCATION}/endpoints/openapi/chat/completions?",\n'
    "    api_key=credentials.token,\n"
    ")\n"
)


def test_partner_model_notebook_with_continued_pip_lines_has_every_client_migrated(tmp_path: Path) -> None:
    from vertex_openai.migrate._notebook import migrate_notebook

    text = notebook(
        "%pip install --upgrade --user --quiet \\\n    google-cloud-aiplatform \\\n    openai==1.68.2",
        "import google.auth\nimport openai\n\n"
        'PROJECT_ID = "test-project"\nMODEL_LOCATION = "us-central1"\n\n'
        "credentials, _ = google.auth.default()\n"
        "auth_request = google.auth.transport.requests.Request()\ncredentials.refresh(auth_request)",
        *[
            PARTNER_CLIENT + f'client.chat.completions.create(model="meta/llama-{n}", messages=[])'
            for n in range(4)
        ],
    )
    updated, findings = migrate_notebook(text)
    cells = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in json.loads(updated)["cells"]
    ]
    assert cells[0] == (
        "%pip install --upgrade --user --quiet \\\n    google-cloud-aiplatform \\\n"
        '    "openai>=1.83" vertex-openai'
    )
    for cell in cells[2:]:
        assert cell.startswith(
            "client = VertexOpenAI(\n    project=PROJECT_ID,\n    location=MODEL_LOCATION,\n"
            '    api_version="v1beta1",\n)'
        ), cell
    assert "credentials" not in "".join(cells)
    assert not [f for f in findings if f.kind == "warning"], findings
    assert [(f.cell, f.line) for f in findings if "raised openai==1.68.2" in f.message] == [(1, 3)]


def test_a_url_variable_assigned_two_vertex_urls_is_kept_as_base_url() -> None:
    code, findings = migrate_source(
        src(
            """
            import openai

            BASE_URL = f"https://{REGION}-aiplatform.googleapis.com/v1beta1/projects/{PROJECT}/locations/{REGION}/endpoints/{ENDPOINT_ID}"
            if use_dedicated_endpoint:
                BASE_URL = f"https://{DEDICATED_DNS}/v1beta1/projects/{PROJECT}/locations/{REGION}/endpoints/{ENDPOINT_ID}"
            client = openai.OpenAI(base_url=BASE_URL, api_key=token)
            """
        )
    )
    assert "client = VertexOpenAI(base_url=BASE_URL)" in code
    assert not [f for f in findings if f.kind == "warning"]
    (note,) = [f for f in findings if f.kind == "note"]
    assert "BASE_URL is assigned more than one Vertex URL" in note.message


def test_a_vertex_url_not_understood_says_how_to_write_it() -> None:
    source = (
        "import openai\n\nclient = openai.OpenAI(base_url=f'https://{HOST}/v1/projects/{P}/locations/{L}/"
        "endpoints/openapi/chat/completions?', api_key=t)\n"
    )
    code, findings = migrate_source(source)
    (warning,) = [f for f in findings if f.kind == "warning"]
    assert code == source and "VertexOpenAI(project=..., location=...)" in warning.message
    assert "without /chat/completions" in warning.message


# -- dependencies and the 0.x API ----------------------------------------------------------------------


def test_a_0x_pin_beside_0x_code_is_not_raised_and_both_are_reported(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("openai==0.27.8\nflask\n")
    (tmp_path / "app.py").write_text(
        'import openai\n\nopenai.api_key = "k"\n'
        'reply = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])\n'
    )
    result = report(str(tmp_path), "--write")
    assert (tmp_path / "requirements.txt").read_text() == "openai==0.27.8\nflask\n"
    by_file = {Path(f["path"]).name: f["findings"] for f in result["files"]}
    (pin,) = by_file["requirements.txt"]
    assert pin["kind"] == "warning" and pin["line"] == 1 and "pins openai 0.x" in pin["message"]
    zero = [f for f in by_file["app.py"] if f["message"].startswith("openai 0.x API")]
    assert [(f["line"], f["kind"]) for f in zero] == [(4, "warning")]
    assert "client.chat.completions.create(...)" in zero[0]["message"]
    assert result["needs_a_person"]


@pytest.mark.parametrize(
    "line", ["openai==0.28", "openai<1", "openai~=0.27.0"], ids=["exact", "below-1", "compatible"]
)
def test_0x_pins_everywhere_are_left_with_a_warning(line: str) -> None:
    from vertex_openai.migrate._deps import pyproject_toml, requirements_txt
    from vertex_openai.migrate._notebook import pip_line

    text = f"{line}\n"
    assert requirements_txt(text)[0] == text
    toml = f'[project]\nname = "app"\ndependencies = ["{line}"]\n'
    assert pyproject_toml(toml)[0] == toml
    new, notes = pip_line(f"!pip install {line}")
    assert new == f"!pip install {line}" and [kind for kind, _ in notes] == ["warning"]


def test_pip_compile_lock_files_are_not_edited(tmp_path: Path) -> None:
    lock = src(
        """
        #
        # This file is autogenerated by pip-compile with Python 3.12
        # by the following command:
        #
        #    pip-compile --output-file=requirements.txt requirements.in
        #
        anyio==4.4.0
            # via openai
        openai==1.30.1
            # via -r requirements.in
        """
    )
    (tmp_path / "requirements.txt").write_text(lock)
    (tmp_path / "requirements.in").write_text("openai\n")
    result = report(str(tmp_path), "--write")
    assert (tmp_path / "requirements.txt").read_text() == lock
    assert (tmp_path / "requirements.in").read_text() == "openai\nvertex-openai\n"
    (entry,) = [f for f in result["files"] if f["path"].endswith("requirements.txt")]
    (finding,) = entry["findings"]
    assert finding["kind"] == "warning" and finding["line"] == 9
    assert finding["message"].endswith(
        "then compile again: pip-compile --output-file=requirements.txt requirements.in"
    )


def test_a_project_named_openai_stays_valid_toml() -> None:
    from vertex_openai.migrate._deps import pyproject_toml

    text = '[project]\nname = "openai"\nversion = "1.0"\ndependencies = [\n    "openai>=1.40",\n]\n'
    updated, _ = pyproject_toml(text)
    assert updated == text.replace('    "openai>=1.40",\n', '    "openai>=1.40",\n    "vertex-openai",\n')


# -- code a person must change -------------------------------------------------------------------------


def test_tool_call_loops_on_finish_reason_are_flagged() -> None:
    _, findings = migrate_source(
        src(
            """
            from openai import OpenAI

            client = OpenAI()
            response = client.chat.completions.create(model="gpt-4o", messages=[], tools=[])
            while response.choices[0].finish_reason == "tool_calls":
                response = client.chat.completions.create(model="gpt-4o", messages=[], tools=[])
            if choice.finish_reason != 'tool_calls':
                pass
            """
        )
    )
    loops = [f for f in findings if f.message.startswith("finish_reason compared")]
    assert [(f.line, f.kind) for f in loops] == [(5, "warning"), (7, "warning")]
    assert "while response.choices[0].message.tool_calls:" in loops[0].message


def test_written_notebook_reports_give_the_lines_of_the_rewritten_cells(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook(
            "import google.auth\nimport openai\n\ncredentials, _ = google.auth.default()\n"
            "client = openai.OpenAI(\n"
            '    base_url="https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi",\n'
            "    api_key=credentials.token,\n)\n"
            'client.completions.create(model="m", prompt="hi")'
        )
    )
    dry = report(str(tmp_path))
    wrote = report(str(tmp_path), "--write")
    [legacy_dry] = [f for f in dry["files"][0]["findings"] if "legacy" in f["message"]]
    [legacy] = [f for f in wrote["files"][0]["findings"] if "legacy" in f["message"]]
    cell = json.loads((tmp_path / "nb.ipynb").read_text())["cells"][0]["source"]
    assert legacy_dry["line"] == 9 and legacy["cell"] == 1
    assert "".join(cell).splitlines()[legacy["line"] - 1].startswith("client.completions.create(")


def test_a_second_run_over_every_shape_changes_nothing(tmp_path: Path) -> None:
    shutil.copyfile(SHAPES / "azure_quickstart.py.txt", tmp_path / "quickstart.py")
    (tmp_path / "partner.ipynb").write_text(
        notebook("%pip install --quiet \\\n    openai==1.68.2", "import openai\n" + PARTNER_CLIENT)
    )
    (tmp_path / "requirements.txt").write_text("openai==1.30\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "openai"\ndependencies = ["openai"]\n')
    first = report(str(tmp_path), "--write")
    assert all(f["changed"] for f in first["files"])
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    second = report(str(tmp_path), "--write")
    assert not any(f["changed"] for f in second["files"])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == written


def test_asserts_on_strings_that_name_azure_variables_are_not_guards() -> None:
    _, findings = migrate_source(
        src(
            """
            import os
            from openai import AzureOpenAI

            client = AzureOpenAI(azure_endpoint="https://x.openai.azure.com")
            assert "AZURE_OPENAI_ENDPOINT" not in open("app.py").read()
            assert os.environ.get("AZURE_OPENAI_ENDPOINT"), "set AZURE_OPENAI_ENDPOINT"
            """
        )
    )
    checks = [f.line for f in findings if f.message.startswith("this check stops the program")]
    assert checks == [6]


def test_another_base_url_says_what_to_do() -> None:
    _, findings = migrate_source("from openai import OpenAI\n\nclient = OpenAI(base_url=GATEWAY)\n")
    (warning,) = findings
    assert warning.kind == "warning" and "VertexOpenAI(project=..., location=...)" in warning.message


def test_code_that_only_uses_vertex_openai_is_not_read_as_openai_code() -> None:
    source = "from vertex_openai import VertexOpenAI\n\nclient = VertexOpenAI(\n"  # not even Python
    assert migrate_source(source) == (source, [])
    marked = "from vertex_openai import VertexOpenAI\n\nx = 1  # TODO(vertex-openai migrate): choose\n"
    assert [f.kind for f in migrate_source(marked)[1]] == ["todo"]
