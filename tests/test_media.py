"""Images of an image-generation answer, from both documented shapes."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from openai.types.chat import ChatCompletion

from vertex_openai import GeneratedImage, response_images

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"
JPEG = b"\xff\xd8\xff fake jpeg"


def completion(choice_extra: dict[str, Any], message_extra: dict[str, Any]) -> ChatCompletion:
    return ChatCompletion.model_validate(
        {
            "id": "x",
            "created": 1,
            "model": "google/gemini-2.5-flash-image",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": "Here it is.", **message_extra},
                    **choice_extra,
                }
            ],
        }
    )


def test_image_on_the_choice() -> None:
    image = {"data": base64.b64encode(PNG).decode(), "extra_content": {"google": {"mime_type": "image/png"}}}
    assert response_images(completion({"image": image}, {})) == [GeneratedImage(PNG, "image/png")]


def test_image_in_message_audio() -> None:
    audio = {
        "id": "a",
        "data": base64.b64encode(JPEG).decode(),
        "expires_at": 0,
        "transcript": "",
        "extra_content": {"google": {"mime_type": "image/jpeg"}},
    }
    assert response_images(completion({}, {"audio": audio})) == [GeneratedImage(JPEG, "image/jpeg")]


def test_data_url_and_plain_dict(tmp_path: Path) -> None:
    url = "data:image/webp;base64," + base64.b64encode(PNG).decode()
    images = response_images({"choices": [{"image": {"data": url}}]})
    assert images == [GeneratedImage(PNG, "image/webp")]
    images[0].save(str(tmp_path / "out.webp"))
    assert (tmp_path / "out.webp").read_bytes() == PNG


def test_text_answer_has_no_images() -> None:
    assert response_images(completion({}, {})) == []
