"""Messages of credential discovery: cut at a word boundary, a folder named by
GOOGLE_APPLICATION_CREDENTIALS reported as missing credentials (naming the variable and path)."""

from __future__ import annotations

from pathlib import Path

import google.auth.exceptions
import pytest

from vertex_openai import CredentialsNotFoundError
from vertex_openai._transport._auth import _REASON_LIMIT, _discover_adc, _first_line


def test_a_long_reason_is_cut_at_a_word_boundary() -> None:
    words = [f"word{i:03d}" for i in range(80)]  # 80 * 8 - 1 = 639 characters
    reason = _first_line(" ".join(words) + "\nsecond line")
    assert reason.endswith(" ...")
    kept = reason.removesuffix(" ...").split(" ")
    assert kept == words[: len(kept)]  # whole words only, in order
    assert len(" ".join(kept)) <= _REASON_LIMIT
    assert len(" ".join(words[: len(kept) + 1])) > _REASON_LIMIT  # no room for one more word


def test_a_short_reason_is_its_first_line_whole() -> None:
    assert _first_line("  File x was not found.  \nmore") == "File x was not found."
    assert _first_line("") == ""


def test_a_reason_without_spaces_is_cut_at_the_limit() -> None:
    assert _first_line("x" * 1000) == "x" * _REASON_LIMIT + " ..."


def test_credentials_variable_naming_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path))
    with pytest.raises(CredentialsNotFoundError) as caught:
        _discover_adc()
    assert (
        caught.value.reason == f"a folder, not a key file: GOOGLE_APPLICATION_CREDENTIALS={str(tmp_path)!r}"
    )
    assert caught.value.reason in str(caught.value)
    assert isinstance(caught.value.__cause__, IsADirectoryError)


def test_missing_file_keeps_google_auth_error_as_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "key.json"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(missing))
    with pytest.raises(CredentialsNotFoundError) as caught:
        _discover_adc()
    assert str(missing) in str(caught.value)
    assert isinstance(caught.value.__context__, google.auth.exceptions.DefaultCredentialsError)
    assert caught.value.__suppress_context__
