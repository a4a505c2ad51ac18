"""Images uploaded for posts: checked, stored under MEDIA_ROOT/<workspace>/, read back.

The web composer and the API upload endpoint share `store_upload()`, so both refuse the same
files with the same words. The checks here are those that hold for every network (a real
image in a format some network takes, not absurdly large); each channel's own limits (e.g.
Bluesky's 1,000,000 bytes an image) are checked per channel by
hubbub.publishing.validation, against what `inspect()` reads back from the stored file.

The format is sniffed by Pillow from the bytes, never taken from the file name or the
browser's Content-Type: a renamed .exe is refused whatever it calls itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hubbub.core.access import Access, ActionError
from hubbub.core.models import Workspace
from hubbub.publishing.actions.posts import MediaInput

# Pillow format → MIME type, for the formats at least one network takes.
FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
# The largest any network we publish to takes (Mastodon 4: 16 MB, 7680x4320 pixels); a file
# past these can go nowhere, so it is refused at upload rather than at scheduling time.
MAX_BYTES = 16 * 1024 * 1024
MAX_PIXELS = 7680 * 4320
MAX_IMAGES_PER_PART = 4  # Bluesky and Mastodon both stop at 4 a post


@dataclass(frozen=True)
class StoredMedia:
    path: str  # relative to MEDIA_ROOT, always "<workspace slug>/..."
    mime_type: str
    size: int
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _sniff(stream: IO[bytes]) -> tuple[str, int, int]:
    """(mime type, width, height) read from the header; Pillow decodes no pixels here."""
    try:
        with Image.open(stream) as image:
            fmt = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ActionError(
            _("This file is not an image: upload a JPEG, PNG, WebP or GIF picture."),
            field="media",
        ) from None
    if fmt not in FORMATS:
        raise ActionError(
            _("%(format)s images are not supported: upload a JPEG, PNG, WebP or GIF picture.")
            % {"format": fmt or _("Unknown")},
            field="media",
        )
    return FORMATS[fmt], width, height


def check_image(stream: IO[bytes], size: int, name: str = "") -> tuple[str, int, int]:
    """Refuse what no network takes; return (mime type, width, height)."""
    label = name or _("The file")
    if size > MAX_BYTES:
        raise ActionError(
            _("%(file)s is %(size)s; images may be up to %(max)s.")
            % {"file": label, "size": _megabytes(size), "max": _megabytes(MAX_BYTES)},
            field="media",
        )
    if size == 0:
        raise ActionError(_("%(file)s is empty.") % {"file": label}, field="media")
    mime, width, height = _sniff(stream)
    if width * height > MAX_PIXELS:
        raise ActionError(
            _(
                "%(file)s is %(w)s x %(h)s pixels; images may have up to %(max)s pixels "
                "(7680 x 4320): make it smaller."
            )
            % {"file": label, "w": width, "h": height, "max": MAX_PIXELS},
            field="media",
        )
    return mime, width, height


def workspace_dir(workspace: Workspace) -> Path:
    return Path(settings.MEDIA_ROOT) / workspace.slug


def store_upload(access: Access, stream: IO[bytes], size: int, name: str = "") -> StoredMedia:
    """Check an uploaded image and keep it under MEDIA_ROOT/<workspace>/<year>/<month>/."""
    access.require("posts.create")
    mime, width, height = check_image(stream, size, name)
    now = timezone.now()
    relative = Path(access.workspace.slug, f"{now:%Y}", f"{now:%m}")
    # A random name: people's file names may hold anything, and two uploads never collide.
    filename = f"{secrets.token_hex(12)}.{EXTENSIONS[mime]}"
    target = Path(settings.MEDIA_ROOT) / relative / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    stream.seek(0)
    with target.open("wb") as out:
        while chunk := stream.read(1024 * 1024):
            out.write(chunk)
    return StoredMedia(
        path=str(relative / filename), mime_type=mime, size=size, width=width, height=height
    )


def inspect(workspace: Workspace, path: str) -> StoredMedia:
    """A stored file of this workspace, read again from disk: a form or an API client names
    a path, but the type, size and dimensions are never taken from them."""
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
        mime, width, height = _sniff(stream)
    relative = str(target.relative_to(Path(settings.MEDIA_ROOT).resolve()))
    return StoredMedia(path=relative, mime_type=mime, size=size, width=width, height=height)


def as_input(
    workspace: Workspace, path: str, alt_text: str = "", part_index: int = 0
) -> MediaInput:
    """A post's media item from a path an upload answered (the API's posts take these):
    the file is read again, so its type, size and dimensions are never the caller's word."""
    stored = inspect(workspace, path)
    return MediaInput(
        path=stored.path,
        mime_type=stored.mime_type,
        size=stored.size,
        width=stored.width,
        height=stored.height,
        alt_text=alt_text,
        part_index=part_index,
    )
