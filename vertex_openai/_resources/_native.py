"""Where Vertex's native routes go: `:predict` and the publisher-model listing.

They live on the same origin as the client's base URL (Google's host, an explicit `base_url`'s
host for Private Service Connect, dedicated DNS or a local test server), so the token never goes
anywhere the client would not send it anyway. A path prefix before `/{version}/projects/` (a
gateway's) is kept; the version is the base URL's (`v1` or `v1beta1`), else the client's. The
publisher-model listing exists only in `v1beta1` and has no project or location in its path.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_ROOT_RE = re.compile(r"^(?P<prefix>.*?)/(?P<version>v1|v1beta1)/projects/")
# publisher and model ids as Vertex spells them; no '/', '?', '#' or '..' can reach the path
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")


def native_root(base_url: str, api_version: str) -> tuple[str, str]:
    """(origin + any gateway prefix, API version) of a client's base URL."""
    parts = urlsplit(base_url)
    found = _ROOT_RE.match(parts.path)
    prefix = found["prefix"] if found else ""
    version = found["version"] if found else api_version
    return f"{parts.scheme}://{parts.netloc}{prefix}", version


def check_name(value: str, what: str) -> str:
    if not _NAME_RE.fullmatch(value) or ".." in value:
        raise ValueError(
            f"{what}={value!r} is not a Vertex AI {what} id (letters, digits, '.', '-', '_', '@')."
        )
    return value


def predict_url(
    base_url: str, *, api_version: str, project: str | None, location: str | None, model: str
) -> str:
    """`.../{version}/projects/{p}/locations/{l}/publishers/google/models/{model}:predict`."""
    if not project or not location:
        raise ValueError(
            "Google embedding models are called on the native :predict route, which needs the client's "
            "project and location: pass project= and location= to the client."
        )
    root, version = native_root(base_url, api_version)
    model = check_name(model, "model")
    return (
        f"{root}/{version}/projects/{project}/locations/{location}/publishers/google/models/{model}:predict"
    )


def publisher_models_url(base_url: str, *, publisher: str, model: str | None = None) -> str:
    """`.../v1beta1/publishers/{publisher}/models[/{model}]` (the listing is v1beta1 only)."""
    root, _ = native_root(base_url, "v1beta1")
    url = f"{root}/v1beta1/publishers/{check_name(publisher, 'publisher')}/models"
    return f"{url}/{check_name(model, 'model')}" if model is not None else url
