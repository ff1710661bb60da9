"""Where requests go: project, location and base URL resolution.

Everything here is pure (no network), except that a missing project may be looked up in the
Application Default Credentials, which the caller passes in as a lazy function.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

API_VERSIONS = ("v1", "v1beta1")

# Project IDs (`my-project`), project numbers (`1234`) and legacy domain-scoped IDs (`example.com:proj`).
_PROJECT_RE = re.compile(r"[a-z0-9](?:[a-z0-9.:-]{0,126}[a-z0-9])?")
# `global`, the `us` / `eu` multi-regions, and regions such as `us-central1`.
_LOCATION_RE = re.compile(r"[a-z][a-z0-9-]{0,62}")
_ENDPOINT_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_PATH_RE = re.compile(
    r"/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/endpoints/(?P<endpoint>[^/]+)"
)
_MULTI_REGIONS = ("us", "eu")
# the location segment of a Vertex URL's path (base URL, `:predict`, a caller's absolute URL)
_LOCATION_PATH_RE = re.compile(r"/projects/[^/]+/locations/(?P<location>[^/?#]+)")

ProjectSource = Literal[
    "argument", "GOOGLE_CLOUD_PROJECT", "credentials", "application default credentials", "base_url"
]


@dataclass(frozen=True)
class Endpoint:
    """The resolved target of a client."""

    base_url: str
    project: str | None
    location: str | None
    project_source: ProjectSource | None
    #: True on the shared `endpoints/openapi` route, where model names are `publisher/model`.
    openapi_route: bool

    @property
    def root(self) -> str:
        """The base URL without its `/endpoints/...` part: `https://{host}/{version}/projects/{p}/locations/{l}`,
        where Vertex's own resources (publisher models, batch prediction jobs) live."""
        head, found, _ = self.base_url.rpartition("/endpoints/")
        return head if found else self.base_url


def host_for(location: str) -> str:
    """The API host that serves `location`."""
    if location == "global":
        return "aiplatform.googleapis.com"
    if location in _MULTI_REGIONS:
        return f"aiplatform.{location}.rep.googleapis.com"
    return f"{location}-aiplatform.googleapis.com"


def resolve_endpoint(
    *,
    project: str | None,
    location: str | None,
    api_version: str,
    endpoint_id: str | None,
    base_url: str | None,
    adc_project: Callable[[], tuple[str | None, ProjectSource]] | None = None,
) -> Endpoint:
    """Resolve project, location and base URL with the documented precedence.

    `project`: argument, `GOOGLE_CLOUD_PROJECT`, then `adc_project()` (the credentials' own project, or
    Application Default Credentials' one; only called when nothing else gave one). `location`:
    argument, `GOOGLE_CLOUD_LOCATION`, `"global"`. An explicit `base_url` wins over all of them.
    """
    if api_version not in API_VERSIONS:
        raise ValueError(
            f"api_version={api_version!r} is not supported; use one of {', '.join(API_VERSIONS)}."
        )
    if endpoint_id is not None and not _ENDPOINT_ID_RE.fullmatch(endpoint_id):
        raise ValueError(
            f"endpoint_id={endpoint_id!r} is not a Vertex AI endpoint ID "
            "(digits, lowercase letters, hyphens)."
        )

    if base_url is not None:
        return _explicit(base_url, project=project, location=location)

    location = location or os.environ.get("GOOGLE_CLOUD_LOCATION") or "global"
    _check_location(location)
    source: ProjectSource | None
    if project:
        source = "argument"
    elif os.environ.get("GOOGLE_CLOUD_PROJECT"):
        project, source = os.environ["GOOGLE_CLOUD_PROJECT"], "GOOGLE_CLOUD_PROJECT"
    else:
        project, source = adc_project() if adc_project is not None else (None, "credentials")
    if not project:
        raise ValueError(
            "No Google Cloud project: pass project='my-project', set GOOGLE_CLOUD_PROJECT, "
            "or set one for Application Default Credentials (`gcloud config set project my-project`)."
        )
    _check_project(project)

    route = endpoint_id or "openapi"
    url = f"https://{host_for(location)}/{api_version}/projects/{project}/locations/{location}/endpoints/{route}"
    return Endpoint(url, project, location, source, openapi_route=endpoint_id is None)


def _explicit(base_url: str, *, project: str | None, location: str | None) -> Endpoint:
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
        if "[" in parts.netloc:  # Python 3.10's urlsplit does not check a bracketed IPv6 host
            ipaddress.IPv6Address((parts.hostname or "").split("%", 1)[0])
    except ValueError as exc:  # an invalid IPv6 host, a port that is not a number or out of range
        raise ValueError(f"base_url={base_url!r} is not a valid URL ({exc}).") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url={base_url!r} must be an absolute http(s) URL.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("base_url must not carry credentials, a query or a fragment.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"base_url={base_url!r} uses plain http:// to a non-loopback host; Google access tokens are only "
            "sent over https:// (http:// is allowed for 127.0.0.1, ::1 and localhost)."
        )
    found = _PATH_RE.search(parts.path)
    source: ProjectSource | None = None
    if project:
        source = "argument"
    elif found:
        project, source = found["project"], "base_url"
    if not location and found:
        location = found["location"]
    openapi_route = parts.path.rstrip("/").endswith("/endpoints/openapi")
    return Endpoint(base_url.rstrip("/"), project, location, source, openapi_route=openapi_route)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_project(project: str) -> None:
    if not _PROJECT_RE.fullmatch(project):
        raise ValueError(
            f"project={project!r} is not a Google Cloud project ID or number "
            "(lowercase letters, digits, hyphens; e.g. 'my-project' or '123456789012')."
        )


def is_location(value: str) -> bool:
    """Whether `value` is spelled like a Vertex AI location (`global`, `us`, `us-central1`, ...)."""
    return bool(_LOCATION_RE.fullmatch(value)) and not value.endswith("-")


def _check_location(location: str) -> None:
    if not is_location(location):
        raise ValueError(
            f"location={location!r} is not a Vertex AI location; use 'global', a region such as "
            "'us-central1', or the multi-regions 'us' / 'eu'."
        )


def default_port(scheme: str) -> int:
    """The port an `http`/`https` URL means when it names none (httpx then reports `port` None)."""
    return 443 if scheme == "https" else 80


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, with the default port filled in."""
    parts = urlsplit(url)
    port = parts.port or default_port(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def location_of(url: str) -> str | None:
    """The location a Vertex URL's path names (`.../projects/{p}/locations/{l}/...`), or None."""
    found = _LOCATION_PATH_RE.search(urlsplit(url).path)
    return found["location"] if found else None


def for_location(url: str, location: str) -> str:
    """`url`, a Vertex URL for one location, rebuilt for `location` (failover, see `_failover`).

    The path's `/locations/{l}` segment is swapped; so is the host when it is Google's host for `l`
    (`host_for`), or starts with `{l}-aiplatform` (a Private Service Connect or other regional name:
    the prefix is swapped, or dropped for `global`; a `global` PSC name `aiplatform-*.p.googleapis.com`
    gets the region's prefix). Another host (a gateway, a local server) is kept. ValueError when
    the path names no location.
    """
    parts = urlsplit(url)
    found = _LOCATION_PATH_RE.search(parts.path)
    if found is None:
        raise ValueError(f"{url} has no /locations/{{location}}/ segment to swap.")
    current = found["location"]
    path = parts.path[: found.start("location")] + location + parts.path[found.end("location") :]
    host = parts.hostname or ""
    moved = _host_for_location(host, current, location)
    netloc = parts.netloc
    if moved != host:
        netloc = moved + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def _host_for_location(host: str, current: str, location: str) -> str:
    if host == host_for(current):
        return host_for(location)
    if current != "global" and host.startswith(f"{current}-aiplatform"):
        rest = host[len(current) + 1 :]  # "aiplatform..."
    elif current == "global" and host.startswith("aiplatform-") and host.endswith(".p.googleapis.com"):
        rest = host
    else:
        return host
    return rest if location == "global" else f"{location}-{rest}"
