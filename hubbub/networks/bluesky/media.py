"""Images and video on a Bluesky post: upload each file as a blob, then embed the blobs.

A blob is uploaded once to the account's PDS (com.atproto.repo.uploadBlob, the file's bytes
with its MIME type as Content-Type) and is kept only if a record references it soon after;
uploading the same bytes again gives the same blob (it is addressed by its hash), so a
retried post does not leave copies behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hubbub.networks.base import PermanentError, read_media
from hubbub.networks.outgoing import MediaFile

Upload = Callable[[bytes, str], dict[str, Any]]


def dimensions(media: MediaFile) -> tuple[int, int] | None:
    """Width and height: as recorded, else read from the image itself (Pillow reads only
    the header). The app uses them to lay out the image before it loads."""
    if media.width and media.height:
        return media.width, media.height
    if not media.mime_type.startswith("image/"):
        return None
    try:
        with Image.open(media.path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError):
        return None
    return (width, height) if width and height else None


def _aspect_ratio(media: MediaFile) -> dict[str, int] | None:
    size = dimensions(media)
    return {"width": size[0], "height": size[1]} if size else None


def embed(files: tuple[MediaFile, ...], upload: Upload) -> dict[str, Any]:
    """The post's `embed` for its media: app.bsky.embed.images, or app.bsky.embed.video."""
    videos = [m for m in files if m.mime_type.startswith("video/")]
    if videos and len(files) > 1:
        raise PermanentError(
            _(
                "A Bluesky post carries either images or one video, not both: move the "
                "video to a post of its own."
            )
        )
    if videos:
        video = videos[0]
        blob = upload(read_media(video), video.mime_type)
        out: dict[str, Any] = {"$type": "app.bsky.embed.video", "video": blob}
        if video.alt_text:
            out["alt"] = video.alt_text
        ratio = _aspect_ratio(video)
        if ratio:
            out["aspectRatio"] = ratio
        return out
    images = []
    for image in files:
        entry: dict[str, Any] = {
            "alt": image.alt_text,  # required by the lexicon; empty when none was written
            "image": upload(read_media(image), image.mime_type),
        }
        ratio = _aspect_ratio(image)
        if ratio:
            entry["aspectRatio"] = ratio
        images.append(entry)
    return {"$type": "app.bsky.embed.images", "images": images}


def external(link: str) -> dict[str, Any]:
    """A link card without fetching the page: Hubbub does not call addresses people type in
    posts. The title shows the address itself; the app adds the domain underneath."""
    title = link.split("://", 1)[-1].rstrip("/")
    return {
        "$type": "app.bsky.embed.external",
        "external": {"uri": link, "title": title, "description": ""},
    }
