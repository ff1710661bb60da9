"""The notebook's cells execute in a real kernel, against the same local stand-ins for Google."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat
from fake_gemini import GREETING
from harness import KERNEL_SETUP, ROOT, LocalGoogle
from helpers_api import HAS_CHAT_HELPERS, uses_chat_helpers


def test_notebook_runs(local_google: LocalGoogle, tmp_path: Path) -> None:
    notebook = nbformat.read(ROOT / "examples" / "notebook.ipynb", as_version=4)
    # `%pip install` is for the reader's runtime; the package under test is installed already.
    cells = [cell for cell in notebook.cells if "install" not in cell.metadata.get("tags", [])]
    # Cells calling chat.completions.parse/stream run where openai has them there (>= 1.92).
    helper_cells = [cell for cell in cells if uses_chat_helpers(cell.source)]
    if not HAS_CHAT_HELPERS:
        cells = [cell for cell in cells if not uses_chat_helpers(cell.source)]
    setup_env = "".join(f"import os; os.environ[{k!r}] = {v!r}\n" for k, v in local_google.env.items())
    notebook.cells = [
        nbformat.v4.new_code_cell(setup_env + KERNEL_SETUP.format(root=local_google.vertex.root)),
        *cells,
    ]
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    outputs = "".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )
    assert GREETING in outputs
    assert "[thought] " in outputs and f"[answer] {GREETING[:5]}" in outputs
    assert ("City(name='example', country='example')" in outputs) == HAS_CHAT_HELPERS
    assert "ya29.local-token" not in outputs  # the client's repr shows no token
    assert local_google.tokens.requests == 1
    assert len(local_google.vertex.seen) == 3 - (0 if HAS_CHAT_HELPERS else len(helper_cells))
