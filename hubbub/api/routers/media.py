"""Uploading images for posts: the same checks and storage as the web composer
(hubbub.publishing.media). The answer's `path`, `mime_type`, `size`, `width` and `height`
are what a post's media item refers to."""

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
    width: int
    height: int


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
                                f"A JPEG, PNG, WebP or GIF image, up to {MAX_BYTES} bytes."
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
    summary="Upload an image for a post (multipart/form-data, field 'file')",
    openapi_extra=UPLOAD_BODY,
)
def upload_media(request: HttpRequest, slug: str) -> Status[MediaOut]:
    access = api_access(request, slug)
    access.require("posts.create")
    file = request.FILES.get("file")
    if file is None:
        raise ActionError(
            _("Send the image as multipart/form-data in a field named 'file'."), field="file"
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
        ),
    )
