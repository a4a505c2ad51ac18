"""Images and videos uploaded for posts: checked, stored under MEDIA_ROOT/<workspace>/,
read back.

The web composer, the API upload endpoint and the CSV import share `store_upload()`, so all
refuse the same files with the same words. The checks here are those that hold for every
network (a real image or video in a format some network takes, not larger than any network
takes); each channel's own limits (e.g. Bluesky's 1,000,000 bytes an image, X's 140 seconds
a video) are checked per channel by hubbub.publishing.validation, against what `inspect()`
reads back from the stored file.

The format is sniffed from the bytes, never taken from the file name or the browser's
Content-Type: a renamed .exe is refused whatever it calls itself. Images are read by Pillow
(header only); videos (MP4, MOV, WebM) by hubbub.publishing.video, which reads the
container's few header boxes by seeking (its docstring says why no library). A video is
never read whole into memory: Django streams uploads over 2.5 MB to a temporary file
(TemporaryUploadedFile), which is moved into place, and inspect() only seeks in it.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.files.move import file_move_safe
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.core.models import Workspace
from hubbub.networks.base import MediaLimits
from hubbub.networks.models import Channel
from hubbub.networks.registry import NETWORKS, connector_class
from hubbub.publishing import video
from hubbub.publishing.actions.posts import MediaInput

# Pillow format → MIME type, for the formats at least one network takes.
FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    video.MP4: "mp4",
    video.QUICKTIME: "mov",
    video.WEBM: "webm",
}
# The largest image any network we publish to takes (Mastodon 4: 16 MB, 7680x4320 pixels); a
# file past these can go nowhere, so it is refused at upload rather than at scheduling time.
# (LinkedIn's 100 MB is Hubbub's own bound for a network that documents none.)
MAX_BYTES = 16 * 1024 * 1024
MAX_PIXELS = 7680 * 4320


@dataclass(frozen=True)
class StoredMedia:
    path: str  # relative to MEDIA_ROOT, always "<workspace slug>/..."
    mime_type: str
    size: int
    width: int
    height: int
    duration_seconds: float | None = None  # videos, when the container says

    @property
    def is_video(self) -> bool:
        return self.mime_type.startswith("video/")

    @property
    def duration_label(self) -> str:
        """ "0:07", "12:30", "1:02:03": how video players show a length."""
        if self.duration_seconds is None:
            return ""
        total = round(self.duration_seconds)
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            return f"{hours}:{minutes:02d}:{seconds:02d}"
        return f"{minutes}:{seconds:02d}"


# --- what the registered networks take, together ---------------------------------------------


def _network_limits() -> tuple[MediaLimits, ...]:
    return _limits_of(tuple(NETWORKS))


@cache
def _limits_of(names: tuple[str, ...]) -> tuple[MediaLimits, ...]:
    """Each registered network's media limits, as a channel with no settings of its own has
    them (Mastodon: a 4.x server's defaults; TikTok: the 10 minutes some creators have).
    Keyed by the registry's names, so a network registered later (tests) is counted."""
    return tuple(connector_class(name)(Channel(network=name)).limits().media for name in names)


def max_images_per_part() -> int:
    """The most images one part may carry on any network (TikTok's photo posts: 35); each
    channel's own count is checked by hubbub.publishing.validation."""
    return max(m.max_images for m in _network_limits())


def max_videos_per_part() -> int:
    return max(m.max_videos for m in _network_limits())


def max_video_bytes() -> int:
    """HUBBUB_MAX_VIDEO_BYTES, or less when no registered network takes that much."""
    largest = max(m.max_video_bytes for m in _network_limits())
    return min(int(settings.HUBBUB_MAX_VIDEO_BYTES), largest)


def video_formats() -> tuple[str, ...]:
    """The video types Hubbub reads that some network takes."""
    taken = {f for m in _network_limits() for f in m.video_formats}
    return tuple(f for f in (video.MP4, video.QUICKTIME, video.WEBM) if f in taken)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class _Sniffed:
    mime_type: str
    width: int
    height: int
    duration_seconds: float | None = None


def _not_media() -> ActionError:
    return ActionError(
        _(
            "This file is not an image or a video: upload a JPEG, PNG, WebP or GIF picture, "
            "or an MP4, MOV or WebM video."
        ),
        field="media",
    )


def _sniff(stream: IO[bytes], label: str = "") -> _Sniffed:
    """Type, frame size (and a video's duration) read from the header; no pixels decoded."""
    try:
        found = video.probe(stream)
    except video.NotAVideo:
        raise ActionError(
            _(
                "%(file)s is a video file Hubbub cannot read: it is damaged or has no picture "
                "(sound only). Export it again as an MP4 video."
            )
            % {"file": label or _("The file")},
            field="media",
        ) from None
    if found is not None:
        return _Sniffed(found.mime_type, found.width, found.height, found.duration_seconds)
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            fmt = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _not_media() from None
    if fmt not in FORMATS:
        raise ActionError(
            _("%(format)s images are not supported: upload a JPEG, PNG, WebP or GIF picture.")
            % {"format": fmt or _("Unknown")},
            field="media",
        )
    return _Sniffed(FORMATS[fmt], width, height)


def check_upload(stream: IO[bytes], size: int, name: str = "") -> _Sniffed:
    """Refuse what no network takes; return what the file is."""
    label = name or _("The file")
    if size == 0:
        raise ActionError(_("%(file)s is empty.") % {"file": label}, field="media")
    found = _sniff(stream, label)
    if found.mime_type.startswith("video/"):
        _check_video(found, size, label)
        return found
    if size > MAX_BYTES:
        raise ActionError(
            _("%(file)s is %(size)s; images may be up to %(max)s.")
            % {"file": label, "size": _megabytes(size), "max": _megabytes(MAX_BYTES)},
            field="media",
        )
    if found.width * found.height > MAX_PIXELS:
        raise ActionError(
            _(
                "%(file)s is %(w)s x %(h)s pixels; images may have up to %(max)s pixels "
                "(7680 x 4320): make it smaller."
            )
            % {"file": label, "w": found.width, "h": found.height, "max": MAX_PIXELS},
            field="media",
        )
    return found


def _check_video(found: _Sniffed, size: int, label: str) -> None:
    formats = video_formats()
    if found.mime_type not in formats:
        raise ActionError(
            _("%(file)s is %(mime)s; no network Hubbub publishes to takes it.")
            % {"file": label, "mime": found.mime_type},
            field="media",
        )
    limit = max_video_bytes()
    if size > limit:
        raise ActionError(
            _("%(file)s is %(size)s; videos may be up to %(max)s here: it is over by %(over)s.")
            % {
                "file": label,
                "size": filesizeformat(size),
                "max": filesizeformat(limit),
                "over": filesizeformat(size - limit),
            },
            field="media",
        )


def workspace_dir(workspace: Workspace) -> Path:
    return Path(settings.MEDIA_ROOT) / workspace.slug


def store_upload(access: Access, stream: IO[bytes], size: int, name: str = "") -> StoredMedia:
    """Check an uploaded image or video and keep it under MEDIA_ROOT/<workspace>/<y>/<m>/."""
    access.require("posts.create")
    found = check_upload(stream, size, name)
    now = timezone.now()
    relative = Path(access.workspace.slug, f"{now:%Y}", f"{now:%m}")
    # A random name: people's file names may hold anything, and two uploads never collide.
    filename = f"{secrets.token_hex(12)}.{EXTENSIONS[found.mime_type]}"
    target = Path(settings.MEDIA_ROOT) / relative / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = getattr(stream, "temporary_file_path", None)
    if callable(temporary):
        # A large upload Django already wrote to disk: moved (renamed when on the same disk),
        # not copied, so a 4 GB video is written once. Django's temporary files are 0600.
        file_move_safe(temporary(), str(target))
        os.chmod(target, 0o644)
    else:
        stream.seek(0)
        with target.open("wb") as out:
            while chunk := stream.read(1024 * 1024):
                out.write(chunk)
    return StoredMedia(
        path=str(relative / filename),
        mime_type=found.mime_type,
        size=size,
        width=found.width,
        height=found.height,
        duration_seconds=found.duration_seconds,
    )


# A remote file may take this long in all (each read still times out after
# HUBBUB_HTTP_TIMEOUT): a server trickling bytes must not hold an import for ever.
REMOTE_DEADLINE_SECONDS = 30 * 60


def store_remote(access: Access, url: str) -> StoredMedia:
    """Fetch an image or video from a public https:// address (the CSV import's media
    column) and store it as an upload. Streamed to a temporary file, never held in memory,
    and cut off as soon as it passes the cap: the image cap unless its first bytes are a
    video container's, the video cap then.

    Through the outbound seam's streaming GET (hubbub.core.http.stream_get): the same
    redirect and private-address checks as every other request.
    """
    access.require("posts.create")
    name = Path(urlsplit(url).path).name or url
    started = time.monotonic()
    try:
        with http.stream_get(url) as response:
            if response.status_code != 200:
                raise ActionError(
                    _("%(url)s answered %(status)s: check the address.")
                    % {"url": url, "status": response.status_code},
                    field="media",
                )
            upload = _download(response, name, started)
    except http.OutboundError as exc:
        raise ActionError(f"{url}: {exc.message}", field="media") from None
    except httpx.HTTPError as exc:
        raise ActionError(
            _("%(url)s could not be downloaded (%(reason)s): try again later.")
            % {"url": url, "reason": str(exc) or type(exc).__name__},
            field="media",
        ) from None
    try:
        return store_upload(access, upload, upload.size or 0, name)
    finally:
        upload.close()  # removes the temporary file when it was not moved


def _download(response: httpx.Response, name: str, started: float) -> TemporaryUploadedFile:
    upload = TemporaryUploadedFile(name, "application/octet-stream", 0, None)
    limit = MAX_BYTES
    written = 0
    try:
        for chunk in response.iter_bytes(1024 * 1024):
            if written == 0 and video.looks_like_video(chunk):
                limit = max(MAX_BYTES, max_video_bytes())
            written += len(chunk)
            if written > limit:
                raise ActionError(
                    _("%(file)s is larger than %(max)s: use a smaller file.")
                    % {"file": name, "max": filesizeformat(limit)},
                    field="media",
                )
            if time.monotonic() - started > REMOTE_DEADLINE_SECONDS:
                raise ActionError(
                    _("%(file)s took longer than %(minutes)s minutes to download.")
                    % {"file": name, "minutes": REMOTE_DEADLINE_SECONDS // 60},
                    field="media",
                )
            upload.write(chunk)
    except BaseException:
        upload.close()
        raise
    upload.size = written
    upload.seek(0)
    return upload


def inspect(workspace: Workspace, path: str) -> StoredMedia:
    """A stored file of this workspace, read again from disk: a form or an API client names
    a path, but the type, size, dimensions and duration are never taken from them."""
    root = workspace_dir(workspace).resolve()
    target = (Path(settings.MEDIA_ROOT) / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise ActionError(
            _("%(path)s is not a file uploaded to this workspace: upload it again.")
            % {"path": path},
            field="media",
        )
    size = target.stat().st_size
    with target.open("rb") as stream:
        found = _sniff(stream, target.name)
    relative = str(target.relative_to(Path(settings.MEDIA_ROOT).resolve()))
    return StoredMedia(
        path=relative,
        mime_type=found.mime_type,
        size=size,
        width=found.width,
        height=found.height,
        duration_seconds=found.duration_seconds,
    )


def as_input(
    workspace: Workspace, path: str, alt_text: str = "", part_index: int = 0
) -> MediaInput:
    """A post's media item from a path an upload answered (the API's posts take these):
    the file is read again, so its type, size, dimensions and duration are never the
    caller's word."""
    stored = inspect(workspace, path)
    return MediaInput(
        path=stored.path,
        mime_type=stored.mime_type,
        size=stored.size,
        width=stored.width,
        height=stored.height,
        duration_seconds=stored.duration_seconds,
        alt_text=alt_text,
        part_index=part_index,
    )
