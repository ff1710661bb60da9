"""Fixtures for the framework tests; under .ci/integrations (VERTEX_OPENAI_INTEGRATIONS=1) a skip fails."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from integrations.vertex_shape import STRICT, Google, start_google


@pytest.fixture
def google(private_key_pem: str, tmp_path: Path) -> Iterator[Google]:
    local = start_google(private_key_pem, tmp_path)
    yield local
    local.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under VERTEX_OPENAI_INTEGRATIONS=1: {report.longrepr}"
