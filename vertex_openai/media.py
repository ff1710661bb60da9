"""Multimodal output: the images of an image-generation answer."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pydantic

from ._util import field as _field

__all__ = ["GeneratedImage", "response_images"]


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    mime_type: str

    def save(self, path: str) -> None:
        """Write the image bytes to `path`."""
        with open(path, "wb") as file:
            file.write(self.data)


def response_images(completion: object) -> list[GeneratedImage]:
    """The images in a completion (`modalities=["image"]` on an image model), from either documented
    shape: `message.audio.data` with `audio.extra_content.google.mime_type`, or `choices[i].image`."""
    body = completion.model_dump() if isinstance(completion, pydantic.BaseModel) else completion
    images = []
    for choice in _field(body, "choices") or ():
        message = _field(choice, "message")
        for holder in (_field(choice, "image"), _field(message, "audio")):
            data = _field(holder, "data")
            if isinstance(data, str) and data:
                google = _field(_field(holder, "extra_content"), "google")
                mime_type = _field(google, "mime_type") or _field(holder, "mime_type") or "image/png"
                if data.startswith("data:") and "," in data:  # a data URL carries its own type
                    header, data = data.split(",", 1)
                    mime_type = header[5:].split(";")[0] or mime_type
                images.append(GeneratedImage(base64.b64decode(data), str(mime_type)))
    return images
