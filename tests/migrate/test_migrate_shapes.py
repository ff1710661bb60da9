"""`vertex-openai migrate` on the shapes real code has and a careful user trips over (issue 21).

Each test names the shape; the sources are small, written here after what public samples do.
"""

from __future__ import annotations

import argparse
import io
import json
import textwrap
from pathlib import Path
from typing import Any

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
