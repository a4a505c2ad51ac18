"""Graphics templates over HTTP: list, create, change, delete, upload a font, draw one as a
PNG, and draw one into a post's media (stored as an upload, with its alt text). Every rule
lives in hubbub.curation.graphics_actions; each handler checks the permission before it
looks anything up, so a refused role learns nothing about which ids exist."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.routers.media import MediaOut
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.curation import graphics, graphics_actions
from hubbub.curation.graphics_actions import TemplateInput
from hubbub.curation.models import GraphicTemplate

router = Router(tags=["curation"])
T = "/workspaces/{slug}/graphics/templates"
PNG = {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}
SIZE_HELP = "One of: " + ", ".join(f"{s.key} ({s.width}x{s.height})" for s in graphics.SIZES)
FIELDS_HELP = "The text of the kind's fields: " + "; ".join(
    f"{kind}: {', '.join(graphics.field_keys(kind))}" for kind in graphics.FIELDS
)


class TemplateOut(Schema):
    id: int
    name: str
    kind: str = Field(description="quote, announcement, key_figure or event")
    background: str = Field(description="primary, accent (the brand's colours) or #rrggbb")
    logo_position: str
    font_name: str = Field(description="Empty: the bundled DejaVu Sans.")
    defaults: dict[str, str] = Field(description="The fields' text before someone types.")
    is_active: bool
    fields: list[str] = Field(description="The kind's field names, in drawing order.")


class TemplateIn(Schema):
    name: str
    kind: str = Field("quote", description="quote, announcement, key_figure or event")
    background: str = "primary"
    logo_position: str = Field(
        "bottom-right", description="top-left, top-right, bottom-left, bottom-right"
    )
    defaults: dict[str, str] = Field(default_factory=dict, description=FIELDS_HELP)
    is_active: bool = True


class RenderIn(Schema):
    size: str = Field(graphics.DEFAULT_SIZE, description=SIZE_HELP)
    fields: dict[str, str] = Field(
        default_factory=dict, description=FIELDS_HELP + ". A field left out takes its default."
    )


class RenderedOut(MediaOut):
    alt_text: str = Field(description="Written from the image's text; send it with the post.")
    notes: list[str] = Field(description="What fell back (e.g. a missing font).")


def _out(template: GraphicTemplate) -> TemplateOut:
    return TemplateOut(
        id=template.pk,
        name=template.name,
        kind=template.kind,
        background=template.background,
        logo_position=template.logo_position,
        font_name=template.font_name,
        defaults={str(k): str(v) for k, v in (template.defaults or {}).items()},
        is_active=template.is_active,
        fields=graphics.field_keys(template.kind),
    )


def _input(payload: TemplateIn) -> TemplateInput:
    return TemplateInput(
        name=payload.name,
        kind=payload.kind,
        background=payload.background,
        logo_position=payload.logo_position,
        defaults=payload.defaults,
        is_active=payload.is_active,
    )


def _template(access: Access, template_id: int) -> GraphicTemplate:
    return get_object_or_404(GraphicTemplate, pk=template_id, workspace=access.workspace)


@router.get(T, response=answers(200, list[TemplateOut]), summary="Graphics templates")
def list_templates(request: HttpRequest, slug: str) -> list[TemplateOut]:
    access = api_access(request, slug)
    access.require("curation.view")
    return [_out(t) for t in graphics_actions.templates_of(access)]


@router.post(T, response=answers(201, TemplateOut), summary="Create a graphics template")
def create_template(request: HttpRequest, slug: str, payload: TemplateIn) -> Status[TemplateOut]:
    access = api_access(request, slug)
    access.require("graphics.manage")
    return Status(201, _out(graphics_actions.create_template(access, _input(payload))))


@router.get(T + "/{int:template_id}", response=answers(200, TemplateOut), summary="One template")
def get_template(request: HttpRequest, slug: str, template_id: int) -> TemplateOut:
    access = api_access(request, slug)
    access.require("curation.view")
    return _out(_template(access, template_id))


@router.put(
    T + "/{int:template_id}", response=answers(200, TemplateOut), summary="Change a template"
)
def update_template(
    request: HttpRequest, slug: str, template_id: int, payload: TemplateIn
) -> TemplateOut:
    access = api_access(request, slug)
    access.require("graphics.manage")
    template = _template(access, template_id)
    return _out(graphics_actions.update_template(access, template, _input(payload)))


@router.delete(T + "/{int:template_id}", response=answers(204, None), summary="Delete a template")
def delete_template(request: HttpRequest, slug: str, template_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("graphics.manage")
    graphics_actions.delete_template(access, _template(access, template_id))
    return Status(204, None)


FONT_BODY = {
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
                            "description": "A TrueType or OpenType font (.ttf, .otf), up to 10 MB.",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    T + "/{int:template_id}/font",
    response=answers(200, TemplateOut),
    summary="Upload the template's font (multipart/form-data, field 'file')",
    openapi_extra=FONT_BODY,
)
def upload_font(request: HttpRequest, slug: str, template_id: int) -> TemplateOut:
    access = api_access(request, slug)
    access.require("graphics.manage")
    template = _template(access, template_id)
    # Read from request.FILES (not a declared parameter) so a refused role gets 403, not 422.
    file = request.FILES.get("file")
    if file is None:
        raise ActionError(
            _("Send the font as multipart/form-data in a field named 'file'."), field="file"
        )
    return _out(graphics_actions.upload_font(access, template, file))


@router.post(
    T + "/{int:template_id}/render",
    response=answers(200, None),
    summary="Draw the template as a PNG",
    description="Nothing is stored. A missing font falls back to DejaVu Sans (the "
    "X-Hubbub-Notes header says so).",
    openapi_extra={"responses": {200: {"description": "PNG", **PNG}}},
)
def render_template(
    request: HttpRequest, slug: str, template_id: int, payload: RenderIn
) -> HttpResponse:
    access = api_access(request, slug)
    access.require("curation.view")
    template = _template(access, template_id)
    drawn = graphics_actions.preview(access, template, payload.fields, _size(payload.size))
    response = HttpResponse(graphics_actions.png_bytes(drawn), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    if drawn.notes:
        # Django MIME-encodes (RFC 2047) what is not Latin-1 in a header.
        response["X-Hubbub-Notes"] = " ".join(drawn.notes)
    return response


@router.post(
    T + "/{int:template_id}/media",
    response=answers(201, RenderedOut),
    summary="Draw the template and store it as a post's image",
    description="Answers like POST /media (an upload): give `path` and `alt_text` as a "
    "media item of a post.",
)
def render_media(
    request: HttpRequest, slug: str, template_id: int, payload: RenderIn
) -> Status[RenderedOut]:
    access = api_access(request, slug)
    access.require("posts.create")
    template = _template(access, template_id)
    rendered = graphics_actions.render_for_post(
        access, template, payload.fields, _size(payload.size)
    )
    stored = rendered.stored
    return Status(
        201,
        RenderedOut(
            path=stored.path,
            mime_type=stored.mime_type,
            size=stored.size,
            width=stored.width,
            height=stored.height,
            duration_seconds=None,
            alt_text=rendered.alt_text,
            notes=rendered.notes,
        ),
    )


def _size(key: str) -> str:
    """The API refuses an unknown size (the pages fall back to the default instead)."""
    if key not in graphics.SIZE_BY_KEY:
        raise ActionError(
            _("Unknown size “%(size)s”. %(help)s") % {"size": key, "help": SIZE_HELP}, field="size"
        )
    return key
