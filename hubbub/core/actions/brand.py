"""The workspace's brand: logo, colours, and the white-label choice for reports.

A logo is decoded by Pillow and written again as a PNG of at most LOGO_BOX pixels: what is
stored is always an image Hubbub drew itself, so a file that only claims to be an image (or
an SVG with a script in it) never reaches a report or a browser.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Brand, validate_colour

LOGO_MAX_BYTES = 5 * 1024 * 1024
LOGO_BOX = (1200, 600)
LOGO_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")


def _colour(value: str, field: str) -> str:
    value = value.strip().lower()
    try:
        validate_colour(value)
    except ValidationError as exc:
        raise ActionError(" ".join(exc.messages), field=field) from None
    return value


def _store_logo(access: Access, stream: IO[bytes]) -> str:
    data = stream.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ActionError(
            _("The logo is larger than 5 MB: export it smaller (a PNG of 1200 pixels is plenty)."),
            field="logo",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in LOGO_FORMATS:
                raise UnidentifiedImageError
            image.load()
            # RGBA keeps a transparent background transparent on the report's colour band.
            logo = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ActionError(
            _("The logo must be a PNG, JPEG, WebP or GIF image."), field="logo"
        ) from None
    logo.thumbnail(LOGO_BOX)
    relative = f"{access.workspace.slug}/brand/logo-{secrets.token_hex(6)}.png"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    logo.save(target, format="PNG", optimize=True)
    return relative


def logo_path(brand: Brand) -> Path | None:
    """The logo's file, when there is one and it is still on disk."""
    if not brand.logo:
        return None
    path = Path(settings.MEDIA_ROOT) / brand.logo
    return path if path.is_file() else None


def update_brand(
    access: Access,
    *,
    primary_colour: str | None = None,
    accent_colour: str | None = None,
    prepared_by: str | None = None,
    white_label: bool | None = None,
    logo: IO[bytes] | None = None,
    remove_logo: bool = False,
) -> Brand:
    access.require("workspace.edit")
    brand = Brand.of(access.workspace)
    new: dict[str, Any] = {}
    if primary_colour is not None:
        new["primary_colour"] = _colour(primary_colour, "primary_colour")
    if accent_colour is not None:
        new["accent_colour"] = _colour(accent_colour, "accent_colour")
    if prepared_by is not None:
        if len(prepared_by.strip()) > 100:
            raise ActionError(_("Use at most 100 characters."), field="prepared_by")
        new["prepared_by"] = prepared_by.strip()
    if white_label is not None:
        new["white_label"] = white_label
    old_logo = brand.logo
    if logo is not None:
        new["logo"] = _store_logo(access, logo)
    elif remove_logo:
        new["logo"] = ""
    changed = {key: value for key, value in new.items() if getattr(brand, key) != value}
    if not changed:
        return brand
    before = {key: getattr(brand, key) for key in changed}
    with transaction.atomic():
        for key, value in changed.items():
            setattr(brand, key, value)
        brand.updated_at = timezone.now()
        brand.save()
        record(
            "workspace.brand",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=access.workspace,
            before=before,
            after=changed,
        )
    if "logo" in changed and old_logo:
        # The old file goes once the new one is saved: a report being drawn now may still
        # read it, and missing it would only drop the logo from that one report.
        transaction.on_commit(
            lambda: (Path(settings.MEDIA_ROOT) / old_logo).unlink(missing_ok=True)
        )
    return brand
