"""Graphics templates: creating, changing and deleting them (graphics.manage), their fonts,
the four starting templates a workspace gets the first time it looks, and drawing one —
for a preview (curation.view) or as an image stored on a post (posts.create).

The web pages, the API and the composer's panel all go through these functions, so each
refuses the same input with the same words and writes the same audit entries.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import ImageFont

from hubbub.core.access import Access, ActionError
from hubbub.core.actions.brand import logo_path
from hubbub.core.audit import record
from hubbub.core.models import Brand, Workspace, validate_colour
from hubbub.curation import graphics
from hubbub.curation.models import GraphicTemplate, TemplateKind
from hubbub.publishing import media as media_store

FONT_MAX_BYTES = 10 * 1024 * 1024
# sfnt versions: TrueType (1.0 and Apple's 'true') and OpenType with CFF outlines ('OTTO').
FONT_SIGNATURES = {b"\x00\x01\x00\x00": "ttf", b"true": "ttf", b"OTTO": "otf"}
BACKGROUNDS = ("primary", "accent")


@dataclass(frozen=True)
class TemplateInput:
    name: str
    kind: str
    background: str = "primary"
    logo_position: str = "bottom-right"
    defaults: Mapping[str, str] = field(default_factory=dict)
    is_active: bool = True


# --- reading ------------------------------------------------------------------------------


def templates_of(access: Access, *, active_only: bool = False) -> list[GraphicTemplate]:
    """The workspace's templates; a workspace that has none gets the four starting ones."""
    access.require("curation.view")
    ensure_defaults(access.workspace)
    found = GraphicTemplate.objects.filter(workspace=access.workspace)
    if active_only:
        found = found.filter(is_active=True)
    return list(found)


def ensure_defaults(workspace: Workspace) -> None:
    """One template of each kind, named in the workspace's language. Not an audited change:
    nobody chose it, and it happens on the first look."""
    if GraphicTemplate.objects.filter(workspace=workspace).exists():
        return
    with translation.override(workspace.language):
        rows = [
            GraphicTemplate(
                workspace=workspace,
                name=str(label),
                kind=kind,
                background="accent" if kind == TemplateKind.KEY_FIGURE else "primary",
                logo_position="top-right" if kind == TemplateKind.EVENT else "bottom-right",
                defaults=examples(kind),
            )
            for kind, label in TemplateKind.choices
        ]
    # Two first looks at once: the second one's rows collide on the name and are skipped.
    GraphicTemplate.objects.bulk_create(rows, ignore_conflicts=True)


def examples(kind: str) -> dict[str, str]:
    """The fields' example texts, in the active language."""
    return {f.key: str(f.example) for f in graphics.FIELDS.get(kind, ()) if f.example}


# --- checking input -----------------------------------------------------------------------


def _clean(workspace: Workspace, data: TemplateInput, pk: int | None) -> dict[str, Any]:
    name = data.name.strip()
    if not name:
        raise ActionError(_("Give the template a name."), field="name")
    if len(name) > 100:
        raise ActionError(_("Use at most 100 characters for the name."), field="name")
    same_name = GraphicTemplate.objects.filter(workspace=workspace, name=name)
    if (same_name.exclude(pk=pk) if pk is not None else same_name).exists():
        raise ActionError(
            _("Another template is already called “%(name)s”.") % {"name": name}, field="name"
        )
    if data.kind not in TemplateKind.values:
        raise ActionError(
            _("Choose a kind: %(kinds)s.") % {"kinds": ", ".join(TemplateKind.values)},
            field="kind",
        )
    background = data.background.strip().lower()
    if background not in BACKGROUNDS:
        try:
            validate_colour(background)
        except ValidationError as exc:
            raise ActionError(
                _("The background is “primary”, “accent” or a colour such as #4338ca. ")
                + " ".join(exc.messages),
                field="background",
            ) from None
    if data.logo_position not in graphics.LOGO_POSITIONS:
        raise ActionError(
            _("The logo's position is one of %(positions)s.")
            % {"positions": ", ".join(graphics.LOGO_POSITIONS)},
            field="logo_position",
        )
    return {
        "name": name,
        "kind": data.kind,
        "background": background,
        "logo_position": data.logo_position,
        "defaults": clean_values(data.kind, data.defaults),
        "is_active": data.is_active,
    }


def clean_values(kind: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The kind's fields only, as text; a field longer than the image could ever show is
    refused rather than silently cut."""
    cleaned: dict[str, str] = {}
    for key in graphics.field_keys(kind):
        value = values.get(key)
        if value is None:
            continue
        text = str(value)
        if len(text) > graphics.MAX_FIELD_CHARS:
            raise ActionError(
                _("%(field)s is longer than %(max)s characters.")
                % {"field": key, "max": graphics.MAX_FIELD_CHARS},
                field=key,
            )
        cleaned[key] = text
    return cleaned


# --- changing -----------------------------------------------------------------------------


def create_template(access: Access, data: TemplateInput) -> GraphicTemplate:
    access.require("graphics.manage")
    values = _clean(access.workspace, data, None)
    if not values["defaults"]:  # a new template shows what its fields are for
        values["defaults"] = examples(data.kind)
    try:
        with transaction.atomic():
            template = GraphicTemplate.objects.create(workspace=access.workspace, **values)
            _record(access, "graphics.template_create", template, after=values)
    except IntegrityError:  # the same name saved twice at once
        raise ActionError(
            _("Another template is already called “%(name)s”.") % {"name": values["name"]},
            field="name",
        ) from None
    return template


def update_template(
    access: Access, template: GraphicTemplate, data: TemplateInput
) -> GraphicTemplate:
    access.require("graphics.manage")
    values = _clean(access.workspace, data, template.pk)
    changed = {k: v for k, v in values.items() if getattr(template, k) != v}
    if not changed:
        return template
    before = {k: getattr(template, k) for k in changed}
    try:
        with transaction.atomic():
            for key, value in changed.items():
                setattr(template, key, value)
            template.save()
            _record(access, "graphics.template_update", template, before=before, after=changed)
    except IntegrityError:
        raise ActionError(
            _("Another template is already called “%(name)s”.") % {"name": values["name"]},
            field="name",
        ) from None
    return template


def delete_template(access: Access, template: GraphicTemplate) -> None:
    access.require("graphics.manage")
    font = template.font_path
    with transaction.atomic():
        _record(access, "graphics.template_delete", template, before={"name": template.name})
        template.delete()
    if font and not GraphicTemplate.objects.filter(font_path=font).exists():
        transaction.on_commit(lambda: (Path(settings.MEDIA_ROOT) / font).unlink(missing_ok=True))


def upload_font(access: Access, template: GraphicTemplate, stream: IO[bytes]) -> GraphicTemplate:
    """A TrueType or OpenType font for the template, checked by loading it with Pillow and
    kept under MEDIA_ROOT/<workspace>/fonts/ with a name of our own."""
    access.require("graphics.manage")
    data, extension, family = check_font(stream)
    relative = f"{access.workspace.slug}/fonts/{secrets.token_hex(8)}.{extension}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    before = {"font_name": template.font_name, "font_path": template.font_path}
    template.font_path, template.font_name = relative, family[:100]
    with transaction.atomic():
        template.save(update_fields=["font_path", "font_name", "updated_at"])
        _record(
            access,
            "graphics.font_upload",
            template,
            before=before,
            after={"font_name": template.font_name, "font_path": relative},
        )
    old = before["font_path"]
    if old and not GraphicTemplate.objects.filter(font_path=old).exists():
        transaction.on_commit(lambda: (Path(settings.MEDIA_ROOT) / old).unlink(missing_ok=True))
    return template


def check_font(stream: IO[bytes]) -> tuple[bytes, str, str]:
    """The font's bytes, extension and family name; refused unless Pillow can draw with it.
    (The form checks before it saves anything else, so a bad font changes nothing.)"""
    data = stream.read(FONT_MAX_BYTES + 1)
    stream.seek(0)
    if len(data) > FONT_MAX_BYTES:
        raise ActionError(_("The font is larger than 10 MB."), field="font")
    extension = FONT_SIGNATURES.get(data[:4])
    family = _font_family(data) if extension else None
    if extension is None or family is None:
        raise ActionError(
            _(
                "This file is not a TrueType or OpenType font (.ttf or .otf): web fonts "
                "(.woff, .woff2) and font collections are not taken."
            ),
            field="font",
        )
    return data, extension, family


def _font_family(data: bytes) -> str | None:
    """The font's family name, or None when Pillow (FreeType) cannot draw with it."""
    try:
        font = ImageFont.truetype(io.BytesIO(data), 24)
        font.getbbox("Aa")  # some broken files load but fail at the first glyph
    except (OSError, ValueError):
        return None
    family, style = font.getname()
    plain = style in (None, "", "Regular", "Book", "Normal", "Roman")  # a regular weight
    return " ".join(p for p in (family, "" if plain else style) if p) or _("Unnamed font")


def _record(access: Access, action: str, template: GraphicTemplate, **changes: Any) -> None:
    record(
        action,
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=template,
        **changes,
    )


# --- drawing ------------------------------------------------------------------------------


def design_of(template: GraphicTemplate, brand: Brand) -> tuple[graphics.Design, list[str]]:
    """The template with the brand's colours and logo; notes say what fell back."""
    notes: list[str] = []
    colours = {"primary": brand.primary_colour, "accent": brand.accent_colour}
    background = graphics.hex_to_rgb(colours.get(template.background, template.background))
    # The accent bar must show: on an accent background it takes the main colour.
    accent_hex = brand.primary_colour if template.background == "accent" else brand.accent_colour
    fonts = graphics.BUNDLED
    if template.font_path:
        path = Path(settings.MEDIA_ROOT) / template.font_path
        if path.is_file() and _font_family(path.read_bytes()) is not None:
            fonts = graphics.Fonts(path, path, template.font_name or path.stem)
        else:
            notes.append(
                _(
                    "The font “%(font)s” is missing or cannot be read: %(fallback)s was "
                    "used. Upload the font again on the template's page."
                )
                % {"font": template.font_name or template.font_path, "fallback": fonts.name}
            )
    design = graphics.Design(
        kind=template.kind,
        background=background,
        accent=graphics.hex_to_rgb(accent_hex),
        fonts=fonts,
        logo=logo_path(brand),
        logo_position=template.logo_position,
    )
    return design, notes


def values_for(template: GraphicTemplate, given: Mapping[str, Any] | None) -> dict[str, str]:
    """The fields' text: what was given, else the template's defaults."""
    values = dict(clean_values(template.kind, template.defaults or {}))
    values.update(clean_values(template.kind, given or {}))
    return values


def draw(
    template: GraphicTemplate, given: Mapping[str, Any] | None, size_key: str
) -> graphics.Drawn:
    design, notes = design_of(template, Brand.of(template.workspace))
    drawn = graphics.draw(design, values_for(template, given), graphics.size_of(size_key))
    drawn.notes = notes + drawn.notes
    return drawn


def png_bytes(drawn: graphics.Drawn) -> bytes:
    out = io.BytesIO()
    drawn.image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def preview(
    access: Access, template: GraphicTemplate, given: Mapping[str, Any] | None, size_key: str
) -> graphics.Drawn:
    access.require("curation.view")
    return draw(template, given, size_key)


@dataclass(frozen=True)
class RenderedMedia:
    stored: media_store.StoredMedia
    alt_text: str
    notes: list[str]


def render_for_post(
    access: Access, template: GraphicTemplate, given: Mapping[str, Any] | None, size_key: str
) -> RenderedMedia:
    """The image drawn and stored as the composer's upload stores one (same checks, same
    place), so a post takes it like any uploaded image; its alt text is the image's text."""
    access.require("posts.create")
    if not template.is_active:
        raise ActionError(_("This template is switched off: choose another one."), field="template")
    drawn = draw(template, given, size_key)
    data = png_bytes(drawn)
    stored = media_store.store_upload(access, io.BytesIO(data), len(data), "graphic.png")
    return RenderedMedia(stored=stored, alt_text=drawn.alt_text, notes=drawn.notes)
