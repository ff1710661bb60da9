"""The rules underneath `vertex-openai migrate`, one case at a time: URL spellings, pins, install lines."""

from __future__ import annotations

import ast

import pytest

from vertex_openai.migrate._deps import allows_floor, pyproject_toml, requirements_txt
from vertex_openai.migrate._notebook import pip_line
from vertex_openai.migrate._python import migrate_source

SETUP = 'import openai\nP = "p"\nL = "us-central1"\nG = "global"\nE = "123"\nV = "v1beta1"\n'


def client_arguments(url_expression: str) -> dict[str, str] | None:
    """What VertexOpenAI(...) is built with when the original passed base_url=<url_expression>."""
    code, _ = migrate_source(f"{SETUP}client = openai.OpenAI(base_url={url_expression}, api_key='t')\n")
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "VertexOpenAI":
            return {k.arg or "**": ast.unparse(k.value) for k in node.keywords}
    return None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            'f"https://{L}-aiplatform.googleapis.com/v1/projects/{P}/locations/{L}/endpoints/openapi"',
            {"project": "P", "location": "L"},
        ),
        (
            '"https://{}-aiplatform.googleapis.com/v1/projects/{}/locations/{}/endpoints/openapi"'
            ".format(L, P, L)",
            {"project": "P", "location": "L"},
        ),
        (
            '"https://{loc}-aiplatform.googleapis.com/v1/projects/{p}/locations/{loc}/endpoints/openapi"'
            ".format(p=P, loc=L)",
            {"project": "P", "location": "L"},
        ),
        (
            '"https://" + L + "-aiplatform.googleapis.com/v1/projects/" + P'
            ' + "/locations/" + L + "/endpoints/openapi"',
            {"project": "P", "location": "L"},
        ),
        (
            '"https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/endpoints/openapi"',
            {"project": "'my-project'", "location": "'global'"},
        ),
        (
            'f"https://aiplatform.googleapis.com/v1beta1/projects/{P}/locations/{G}/endpoints/{E}/"',
            {"project": "P", "location": "G", "api_version": "'v1beta1'", "endpoint_id": "E"},
        ),
        (
            'f"https://{L}-aiplatform.googleapis.com/{V}/projects/{P}/locations/{L}/endpoints/openapi"',
            {"project": "P", "location": "L", "api_version": "V"},
        ),
        # not certain: the URL is kept as written (VertexOpenAI reads project and location from it)
        (
            'f"https://aiplatform.googleapis.com/v1/projects/{P}/locations/{L}/endpoints/openapi"',
            {
                "base_url": "f'https://aiplatform.googleapis.com/v1/projects/{P}/locations/{L}/endpoints/openapi'"
            },
        ),
        (
            'f"https://us-aiplatform.googleapis.com/v1/projects/{P}/locations/us/endpoints/openapi"',
            {
                "base_url": "f'https://us-aiplatform.googleapis.com/v1/projects/{P}/locations/us/endpoints/openapi'"
            },
        ),
        (
            'f"https://{E}.us-central1-42.prediction.vertexai.goog/v1beta1/projects/{P}/locations/{L}/endpoints/{E}"',
            {
                "base_url": "f'https://{E}.us-central1-42.prediction.vertexai.goog/v1beta1/projects/{P}"
                "/locations/{L}/endpoints/{E}'"
            },
        ),
        (
            'f"https://europe-west4-aiplatform.googleapis.com/v1/projects/{P}/locations/{L}/endpoints/openapi"',
            {
                "base_url": "f'https://europe-west4-aiplatform.googleapis.com/v1/projects/{P}"
                "/locations/{L}/endpoints/openapi'"
            },
        ),
    ],
    ids=[
        "f-string",
        "format",
        "format-named",
        "concatenation",
        "literal",
        "v1beta1-endpoint-id",
        "version-variable",
        "global-host-regional-location",
        "multi-region",
        "dedicated-dns",
        "host-region-is-not-location",
    ],
)
def test_vertex_urls(url: str, expected: dict[str, str]) -> None:
    assert client_arguments(url) == expected


@pytest.mark.parametrize(
    "url",
    ['"http://localhost:11434/v1"', 'os.environ["OPENAI_BASE_URL"]', '"https://gateway.example.com/v1"'],
)
def test_other_base_urls_are_reported_not_rewritten(url: str) -> None:
    source = f"import os\nimport openai\n\nclient = openai.OpenAI(base_url={url})\n"
    code, findings = migrate_source(source)
    assert code == source
    assert [(f.line, f.kind) for f in findings] == [(4, "warning")] and "not rewritten" in findings[0].message


def test_a_credential_line_still_read_elsewhere_stays() -> None:
    source = (
        "import google.auth\nimport google.auth.transport.requests\nimport openai\n\n"
        "credentials, project = google.auth.default()\n"
        "credentials.refresh(google.auth.transport.requests.Request())\n"
        'client = openai.OpenAI(base_url=f"https://aiplatform.googleapis.com/v1/projects/{project}/locations/global'
        '/endpoints/openapi", api_key=credentials.token)\n'
    )
    code, _ = migrate_source(source)
    assert "credentials, project = google.auth.default()" in code and "import google.auth\n" in code
    assert "credentials.refresh" not in code and "google.auth.transport" not in code
    assert 'VertexOpenAI(project=project, location="global")' in code
    ast.parse(code)


@pytest.mark.parametrize(
    ("spec", "allowed"),
    [
        ("==1.68.2", False),
        ("==1.33.0", False),
        ("~=1.64", True),
        ("~=1.64.0", False),
        ("<1.50", False),
        (">=1.0", True),
        (">=1,<2", True),
        ("==1.*", True),
        ("==1.83.0", True),
        ("", True),
        (">=4", False),
    ],
)
def test_which_openai_pins_can_install_beside_vertex_openai(spec: str, allowed: bool) -> None:
    assert allows_floor(spec) is allowed


def test_requirements_keep_comments_and_markers() -> None:
    text, findings = requirements_txt(
        'openai==1.33.0 ; python_version >= "3.8"  # pinned\nopenai-agents==0.1\n'
    )
    assert text == 'openai>=1.83 ; python_version >= "3.8"  # pinned\nvertex-openai\nopenai-agents==0.1\n'
    assert [f.line for f in findings] == [1, 2]
    assert requirements_txt(text) == (text, [])  # idempotent


def test_pyproject_inline_array_and_poetry_table() -> None:
    text, _ = pyproject_toml('[project]\ndependencies = ["openai>=1.99", "requests"]\n')
    assert text == '[project]\ndependencies = ["openai>=1.99", "vertex-openai", "requests"]\n'
    poetry = '[tool.poetry.dependencies]\nopenai = "^1.30"\n'
    unchanged, findings = pyproject_toml(poetry)
    assert unchanged == poetry and [f.kind for f in findings] == ["warning"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("%pip install openai", "%pip install openai vertex-openai"),
        (
            "!pip install -q openai==1.68.2 google-auth",
            '!pip install -q "openai>=1.83" vertex-openai google-auth',
        ),
        ("%pip install 'openai>=1.90' vertex-openai", "%pip install 'openai>=1.90' vertex-openai"),
        ("!pip install openai-agents", "!pip install openai-agents"),
        ("!uv pip install openai", "!uv pip install openai vertex-openai"),
    ],
)
def test_install_lines(line: str, expected: str) -> None:
    assert pip_line(line)[0] == expected


def test_deployment_from_the_environment_moves_to_ignored_call_sites() -> None:
    source = (
        "import os\nfrom openai import AzureOpenAI\n\n"
        'client = AzureOpenAI(azure_deployment=os.environ["DEPLOYMENT"], api_version="2024-06-01")\n'
        'client.chat.completions.create(model="<ignored>", messages=[])\n'
    )
    code, findings = migrate_source(source)
    assert 'client.chat.completions.create(model=os.environ["DEPLOYMENT"], messages=[])' in code
    assert "client = VertexOpenAI()" in code and "AzureOpenAI" not in code
    assert [(f.line, f.kind) for f in findings if "$DEPLOYMENT" in f.message] == [(4, "todo")]


def test_a_conditional_expression_between_providers_is_a_switch() -> None:
    source = "import os\nfrom openai import AzureOpenAI, OpenAI\n\n"
    source += "c = AzureOpenAI() if os.environ.get('A') else OpenAI()\n"
    code, findings = migrate_source(source)
    # both branches are on one line: one warning for the line, not the same one twice
    assert code == source and [(f.line, f.kind) for f in findings] == [(4, "warning")]
