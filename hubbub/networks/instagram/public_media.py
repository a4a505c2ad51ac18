"""Public, unguessable, expiring addresses for the media Instagram must fetch.

Instagram does not take uploads: "We cURL media used in publishing attempts, so the media
must be hosted on a publicly accessible server at the time of the attempt" (Content
Publishing, Requirements). Hubbub's stored media are private (publishing:media_file needs a
signed-in member), so a container's image_url / video_url is
`<HUBBUB_BASE_URL>/m/<token>/`, where the token is the file's path signed with the server's
SECRET_KEY (django.core.signing, its own salt) and a time stamp: nobody can forge or guess
one, and it stops working after 24 hours (Meta fetches within minutes; an unpublished
container expires after 24 hours anyway). HUBBUB_BASE_URL must therefore be reachable from
the internet for Instagram publishing.

Instagram takes JPEG images only (IG User Media reference, Image Specifications); Hubbub
also stores PNG, WebP and GIF, so the address of such an image serves a JPEG made from it
when Meta fetches it. Only files under MEDIA_ROOT are ever served.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.views.decorators.http import require_GET
from PIL import Image

from hubbub.networks.outgoing import MediaFile

SALT = "hubbub.networks.instagram.public-media"
LIFETIME_SECONDS = 24 * 60 * 60
JPEG_QUALITY = 90


def public_url(media: MediaFile) -> str:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = media.path.resolve()
    stored = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    as_jpeg = media.mime_type.startswith("image/") and media.mime_type != "image/jpeg"
    token = signing.dumps({"p": stored, "j": as_jpeg}, salt=SALT, compress=True)
    return settings.BASE_URL + reverse("instagram:media", args=[token])


def _target(token: str) -> tuple[Path, bool]:
    try:
        value = signing.loads(token, salt=SALT, max_age=LIFETIME_SECONDS)
    except signing.BadSignature:  # forged, altered or expired (SignatureExpired)
        raise Http404 from None
    if not isinstance(value, dict) or not isinstance(value.get("p"), str):
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / value["p"]).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise Http404
    return target, bool(value.get("j"))


@require_GET
def serve(request: HttpRequest, token: str) -> HttpResponseBase:
    target, as_jpeg = _target(token)
    if not as_jpeg:
        response: HttpResponseBase = FileResponse(target.open("rb"))
    else:
        out = io.BytesIO()
        with Image.open(target) as image:
            image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY)
        response = HttpResponse(out.getvalue(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
