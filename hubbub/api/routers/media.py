"""Uploading images and videos for posts: the same checks and storage as the web composer
(hubbub.publishing.media). The answer's `path` is what a post's media item refers to; its
`mime_type`, `size`, `width`, `height` and (videos) `duration_seconds` are what Hubbub read
from the file. A large upload is streamed to a temporary file by Django, never held in
memory, then moved into place."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers
from hubbub.core.access import ActionError
from hubbub.publishing.media import MAX_BYTES, store_upload

router = Router(tags=["media"])


class MediaOut(Schema):
    path: str = Field(description="Where the file is stored, relative to the media folder.")
    mime_type: str
    size: int = Field(description="Bytes.")
    width: int = Field(description="Pixels (a video's frame, as it is shown).")
    height: int
    duration_seconds: float | None = Field(
        default=None, description="A video's length, when its container says; null for images."
    )


# The file is read from request.FILES rather than declared as a parameter, so that the
# permission is checked before anything about the body: a refused role gets 403, not 422.
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": (
                                f"A JPEG, PNG, WebP or GIF image, up to {MAX_BYTES} bytes, "
                                "or an MP4, MOV or WebM video, up to HUBBUB_MAX_VIDEO_BYTES "
                                "(4 GiB unless the operator set it)."
                            ),
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/workspaces/{slug}/media",
    response=answers(201, MediaOut),
    summary="Upload an image or a video for a post (multipart/form-data, field 'file')",
    openapi_extra=UPLOAD_BODY,
)
def upload_media(request: HttpRequest, slug: str) -> Status[MediaOut]:
    access = api_access(request, slug)
    access.require("posts.create")
    file = request.FILES.get("file")
    if file is None:
        raise ActionError(
            _("Send the image or video as multipart/form-data in a field named 'file'."),
            field="file",
        )
    stored = store_upload(access, file, file.size or 0, file.name or "")
    return Status(
        201,
        MediaOut(
            path=stored.path,
            mime_type=stored.mime_type,
            size=stored.size,
            width=stored.width,
            height=stored.height,
            duration_seconds=stored.duration_seconds,
        ),
    )
