"""Which server an account lives on, and that server's limits.

Mastodon servers differ: an admin may raise the 500-character limit or the upload sizes,
and forks (Pleroma, Akkoma, glitch-soc) report theirs in other fields. We read them once at
connect time from the server itself and keep them in the channel's config.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import pydantic
from django.conf import settings
from django.utils.translation import gettext

from hubbub.core import http
from hubbub.core.access import ActionError
from hubbub.networks.base import ConnectorError, PermanentError, RateLimited, TransientError
from hubbub.networks.mastodon.client import host_of

# Mastodon 4.x's defaults, used until a server tells us its own. Sources: the Mastodon source
# (app/validators/status_length_validator.rb, app/models/status.rb,
# app/models/media_attachment.rb) and a real Mastodon 4 server's /api/v2/instance answer as
# recorded in Mastodon.py's test cassettes (tests/cassettes/test_instance.yaml).
DEFAULT_MAX_CHARACTERS = 500  # StatusLengthValidator::MAX_CHARS
DEFAULT_URL_LENGTH = 23  # StatusLengthValidator::URL_PLACEHOLDER_CHARS: every link counts 23
DEFAULT_MAX_MEDIA = 4  # Status::MEDIA_ATTACHMENTS_LIMIT
DEFAULT_IMAGE_BYTES = 16 * 1024 * 1024  # MediaAttachment::IMAGE_LIMIT = 16.megabytes (4.x)
DEFAULT_VIDEO_BYTES = 99 * 1024 * 1024  # MediaAttachment::VIDEO_LIMIT = 99.megabytes (4.x)
DEFAULT_IMAGE_PIXELS = 33_177_600  # image_matrix_limit: 7680x4320 (recorded 4.x answer)
DEFAULT_VIDEO_PIXELS = 8_294_400  # video_matrix_limit: 3840x2160 (recorded 4.x answer)
DEFAULT_VIDEO_FPS = 120  # video_frame_rate_limit (recorded 4.x answer)
DEFAULT_ALT_TEXT = 1_500  # MediaAttachment::MAX_DESCRIPTION_LENGTH before 4.5 raised it
DEFAULT_MIME_TYPES = [  # supported_mime_types of a 4.x server, images and video only
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/avif",
    "video/webm",
    "video/mp4",
    "video/quicktime",
    "video/ogg",
]

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class Instance(pydantic.BaseModel):
    """A server's identity and limits, as stored in a channel's config."""

    server: str = ""  # where the API is: https://host[:port]
    domain: str = ""  # the accounts' domain (may differ from the web host: LOCAL_DOMAIN)
    version: str = ""
    api_version: int | None = None  # api_versions.mastodon (Mastodon 4.3+)
    max_characters: int = DEFAULT_MAX_CHARACTERS
    characters_reserved_per_url: int = DEFAULT_URL_LENGTH
    max_media_attachments: int = DEFAULT_MAX_MEDIA
    image_size_limit: int = DEFAULT_IMAGE_BYTES
    video_size_limit: int = DEFAULT_VIDEO_BYTES
    image_matrix_limit: int | None = DEFAULT_IMAGE_PIXELS
    video_matrix_limit: int | None = DEFAULT_VIDEO_PIXELS
    video_frame_rate_limit: int | None = DEFAULT_VIDEO_FPS
    description_limit: int = DEFAULT_ALT_TEXT
    supported_mime_types: list[str] = pydantic.Field(
        default_factory=lambda: list(DEFAULT_MIME_TYPES)
    )


def normalize(raw: str) -> str:
    """The server's base URL from what a person types: "mastodon.social",
    "https://mastodon.social/", "@user@mastodon.social" or a profile link all give
    https://mastodon.social."""
    text = (raw or "").strip()
    if not text:
        raise ActionError(
            gettext("Enter your Mastodon server's address, e.g. mastodon.social."), "instance_url"
        )
    if "://" not in text and "/" not in text and "@" in text:
        text = text.rsplit("@", 1)[1]  # @user@host or user@host: the server is after the last @
    scheme = "https"
    if "://" in text:
        given, text = text.split("://", 1)
        # Real Mastodon servers only speak https. Plain http is kept only where a deployment
        # talks to test servers on its own network.
        if given.lower() == "http" and settings.HUBBUB_ALLOW_PRIVATE_NETWORKS:
            scheme = "http"
        elif given.lower() not in ("http", "https"):
            raise ActionError(_bad(raw), "instance_url")
    try:
        parts = urlsplit(f"{scheme}://{text}")
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
        host = host.encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        raise ActionError(_bad(raw), "instance_url") from None
    local = settings.HUBBUB_ALLOW_PRIVATE_NETWORKS and re.fullmatch(r"[a-z0-9-]+", host)
    if not (_HOST.match(host) or _is_ip(host) or local):
        raise ActionError(_bad(raw), "instance_url")
    netloc = host if port in (None, 443 if scheme == "https" else 80) else f"{host}:{port}"
    return f"{scheme}://{netloc}"


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host))


def _bad(raw: str) -> str:
    return gettext(
        "%(raw)s is not a server address: enter the part after the last @ of your Mastodon "
        "address, e.g. mastodon.social."
    ) % {"raw": raw.strip()[:100]}


def fetch(server: str, token: str = "") -> Instance:
    """Ask the server what it is (/api/v2/instance, else /api/v1/instance for servers before
    Mastodon 4.0 and for forks) and return its limits. Raises ConnectorError with a sentence
    for the person when it is unreachable or not Mastodon."""
    host = host_of(server)
    response = _get(server, "/api/v2/instance", token)
    body = _object(response)
    if body is not None and isinstance(body.get("configuration"), dict):
        return _from_v2(server, body)
    response = _get(server, "/api/v1/instance", token)
    body = _object(response)
    if body is not None and ("uri" in body or "version" in body):
        return _from_v1(server, body)
    raise _not_mastodon(host, _why(response))


def _get(server: str, path: str, token: str) -> httpx.Response:
    host = host_of(server)
    headers = {"Accept": "application/json"}
    if token:  # a server in limited-federation mode may want it; harmless elsewhere
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = http.request("GET", server + path, headers=headers, follow_redirects=True)
    except http.BlockedAddress as exc:
        raise PermanentError(
            exc.message
            + " "
            + gettext("(An operator can allow this with HUBBUB_ALLOW_PRIVATE_NETWORKS=true.)")
        ) from None
    except http.OutboundError as exc:
        raise _not_mastodon(host, exc.message.rstrip(".")) from None
    if response.status_code == 429:
        raise RateLimited(
            gettext("%(host)s is limiting requests right now: try again in a few minutes")
            % {"host": host},
            http.retry_at(response),
            status=429,
        )
    if response.status_code >= 500:
        raise TransientError(
            gettext(
                "%(host)s is not answering properly right now (HTTP %(status)s): "
                "try again in a few minutes"
            )
            % {"host": host, "status": response.status_code},
            status=response.status_code,
        )
    return response


def _object(response: httpx.Response) -> dict[str, Any] | None:
    if not response.is_success:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _why(response: httpx.Response) -> str:
    path = urlsplit(str(response.url)).path
    if not response.is_success:
        return gettext("HTTP %(status)s at %(path)s") % {
            "status": response.status_code,
            "path": path,
        }
    if "html" in response.headers.get("content-type", ""):
        return gettext("%(path)s answers with a web page, not the Mastodon API") % {"path": path}
    return gettext("%(path)s does not answer like a Mastodon server") % {"path": path}


def _not_mastodon(host: str, why: str) -> ConnectorError:
    return PermanentError(
        gettext(
            "%(host)s does not look like a Mastodon server (%(why)s): check the address, "
            "it is the part after the last @ of your Mastodon address"
        )
        % {"host": host, "why": why}
    )


def _int(value: Any, default: int) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _limits(server: str, statuses: dict[str, Any], media: dict[str, Any]) -> dict[str, Any]:
    mime_types = media.get("supported_mime_types")
    return {
        "server": server,
        "max_characters": _int(statuses.get("max_characters"), DEFAULT_MAX_CHARACTERS),
        "characters_reserved_per_url": _int(
            statuses.get("characters_reserved_per_url"), DEFAULT_URL_LENGTH
        ),
        "max_media_attachments": _int(statuses.get("max_media_attachments"), DEFAULT_MAX_MEDIA),
        "image_size_limit": _int(media.get("image_size_limit"), DEFAULT_IMAGE_BYTES),
        "video_size_limit": _int(media.get("video_size_limit"), DEFAULT_VIDEO_BYTES),
        "image_matrix_limit": _int(media.get("image_matrix_limit"), DEFAULT_IMAGE_PIXELS),
        "video_matrix_limit": _int(media.get("video_matrix_limit"), DEFAULT_VIDEO_PIXELS),
        "video_frame_rate_limit": _int(media.get("video_frame_rate_limit"), DEFAULT_VIDEO_FPS),
        "description_limit": _int(media.get("description_limit"), DEFAULT_ALT_TEXT),
        "supported_mime_types": (
            [str(m) for m in mime_types if str(m).startswith(("image/", "video/"))]
            if isinstance(mime_types, list)
            else list(DEFAULT_MIME_TYPES)
        ),
    }


def _from_v2(server: str, body: dict[str, Any]) -> Instance:
    config = _dict(body.get("configuration"))
    values = _limits(server, _dict(config.get("statuses")), _dict(config.get("media_attachments")))
    api_version = _dict(body.get("api_versions")).get("mastodon")
    return Instance(
        domain=str(body.get("domain") or host_of(server)),
        version=str(body.get("version") or ""),
        api_version=api_version if isinstance(api_version, int) else None,
        **values,
    )


def _from_v1(server: str, body: dict[str, Any]) -> Instance:
    config = _dict(body.get("configuration"))  # Mastodon 3.4 and later
    statuses = dict(_dict(config.get("statuses")))
    media = dict(_dict(config.get("media_attachments")))
    # Pleroma and Akkoma report their limits at the top level instead.
    if "max_toot_chars" in body:
        statuses.setdefault("max_characters", body["max_toot_chars"])
    if "max_media_attachments" in body:
        statuses.setdefault("max_media_attachments", body["max_media_attachments"])
    if "upload_limit" in body:
        media.setdefault("image_size_limit", body["upload_limit"])
        media.setdefault("video_size_limit", body["upload_limit"])
    domain = str(body.get("uri") or host_of(server))
    domain = urlsplit(domain).netloc if "://" in domain else domain  # Pleroma sends a URL
    return Instance(
        domain=domain, version=str(body.get("version") or ""), **_limits(server, statuses, media)
    )
