"""Graphics templates' pages: the list with a preview of each, the form, the PNG preview,
and the composer's Graphic panel (pick a template, fill its fields, pick a size, preview,
"Add to post"). Every change goes through hubbub.curation.graphics_actions."""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.core.models import Brand
from hubbub.curation import graphics, graphics_actions
from hubbub.curation.graphics_forms import TemplateForm, initial_of
from hubbub.curation.models import GraphicTemplate
from hubbub.networks.models import Channel
from hubbub.publishing import media as media_store
from hubbub.publishing.views.compose_form import MediaItem
from hubbub.web.decorators import workspace_view

FIELD_PREFIX = "g-"  # the panel's field inputs, apart from the composer's own names


def _template(access: Access, pk: int) -> GraphicTemplate:
    return get_object_or_404(GraphicTemplate, pk=pk, workspace=access.workspace)


def _given(params: QueryDict, kind: str) -> dict[str, str] | None:
    """The fields' text from a form or a query; None when none was sent (the defaults)."""
    keys = graphics.field_keys(kind)
    if not any(FIELD_PREFIX + k in params for k in keys):
        return None
    return {k: params.get(FIELD_PREFIX + k, "") for k in keys}


def preview_url(
    access: Access, template: GraphicTemplate, size: str, values: dict[str, str] | None = None
) -> str:
    url = reverse("curation:template_preview", args=[access.workspace.slug, template.pk])
    query = [("size", size)]
    query += [(FIELD_PREFIX + k, v) for k, v in (values or {}).items()]
    return f"{url}?{urlencode(query)}"


# --- the list and the form --------------------------------------------------------------------


@require_GET
@workspace_view("curation.view")
def template_list(request: HttpRequest, access: Access) -> HttpResponse:
    templates = graphics_actions.templates_of(access)
    rows = [
        {"template": t, "preview": preview_url(access, t, graphics.DEFAULT_SIZE)} for t in templates
    ]
    return render(
        request,
        "curation/graphics_templates.html",
        {"rows": rows, "editable": access.can("graphics.manage"), "sizes": graphics.SIZES},
    )


def _edit(request: HttpRequest, access: Access, template: GraphicTemplate | None) -> HttpResponse:
    kind = template.kind if template else ""
    if request.method != "POST":
        initial = (
            initial_of(template)
            if template
            else {"background": "primary", "logo_position": "bottom-right", "is_active": True}
        )
        form = TemplateForm(initial=initial, kind=kind)
        status = 200
    else:
        form = TemplateForm(request.POST, request.FILES, kind=kind)
        status = 400
        if form.is_valid():
            try:
                saved = _save(access, template, form)
            except ActionError as exc:
                show_error(form, exc)
            else:
                messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
                if template is None:  # its fields' default texts come with its kind
                    return redirect("curation:template_edit", access.workspace.slug, saved.pk)
                return redirect("curation:templates", access.workspace.slug)
    return render(
        request, "curation/graphics_edit.html", _edit_context(access, form, template), status=status
    )


def _save(access: Access, template: GraphicTemplate | None, form: TemplateForm) -> GraphicTemplate:
    data = form.to_input()
    font = form.cleaned_data.get("font")
    if font is not None:
        graphics_actions.check_font(font)  # a bad font is refused before anything is saved
    if template is None:
        saved = graphics_actions.create_template(access, data)
    else:
        saved = graphics_actions.update_template(access, template, data)
    if font is not None:
        saved = graphics_actions.upload_font(access, saved, font)
    return saved


def _edit_context(
    access: Access, form: TemplateForm, template: GraphicTemplate | None
) -> dict[str, Any]:
    context: dict[str, Any] = {"form": form, "template": template, "notes": []}
    if template is not None:
        _design, context["notes"] = graphics_actions.design_of(template, Brand.of(access.workspace))
        context["previews"] = [
            {"size": s, "url": preview_url(access, template, s.key)} for s in graphics.SIZES
        ]
    return context


@workspace_view("graphics.manage")
def template_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _edit(request, access, None)


@workspace_view("graphics.manage")
def template_edit(request: HttpRequest, access: Access, template_id: int) -> HttpResponse:
    return _edit(request, access, _template(access, template_id))


@require_POST
@workspace_view("graphics.manage")
def template_delete(request: HttpRequest, access: Access, template_id: int) -> HttpResponse:
    template = _template(access, template_id)
    name = template.name
    graphics_actions.delete_template(access, template)
    messages.success(request, _("Template “%(name)s” deleted.") % {"name": name})
    return redirect("curation:templates", access.workspace.slug)


@require_GET
@workspace_view("curation.view")
def template_preview(request: HttpRequest, access: Access, template_id: int) -> HttpResponse:
    """The template drawn as a PNG: ?size=<key> and g-<field>=<text> (else its defaults)."""
    template = _template(access, template_id)
    drawn = graphics_actions.preview(
        access, template, _given(request.GET, template.kind), request.GET.get("size", "")
    )
    response = HttpResponse(graphics_actions.png_bytes(drawn), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- the composer's panel ---------------------------------------------------------------------


def _start_size(access: Access, params: QueryDict) -> str:
    """The size asked for, else the one for the first channel the post goes to."""
    asked = params.get("graphic_size", "")
    if asked in graphics.SIZE_BY_KEY:
        return asked
    ids = [int(v) for v in params.getlist("channels") if v.isdigit()]
    networks = dict(
        Channel.objects.filter(workspace=access.workspace, pk__in=ids).values_list("pk", "network")
    )
    for pk in ids:
        if networks.get(pk) in graphics.NETWORK_SIZES:
            return graphics.NETWORK_SIZES[networks[pk]]
    return graphics.DEFAULT_SIZE


@require_http_methods(["GET", "POST"])
@workspace_view("posts.create")
def compose_graphics(request: HttpRequest, access: Access) -> HttpResponse:
    """The panel. The composer loads it with GET (its own fields included); the panel's
    "Preview" POSTs, so that long texts never make a URL too long for a proxy. Nothing is
    saved either way: the preview is drawn into the answer (a data: URL)."""
    params = request.POST if request.method == "POST" else request.GET
    templates = graphics_actions.templates_of(access, active_only=True)
    chosen_id = params.get("graphic_template", "")
    template = next((t for t in templates if str(t.pk) == chosen_id), None)
    # A template just picked starts from its own defaults, not the last one's text.
    same = template is not None and params.get("graphic_shown") == chosen_id
    template = template or (templates[0] if templates else None)
    context: dict[str, Any] = {
        "templates": templates,
        "template": template,
        "sizes": graphics.SIZES,
    }
    if template is not None:
        size = _start_size(access, params)
        given = _given(params, template.kind) if same else None
        values = graphics_actions.values_for(template, given)
        drawn = graphics_actions.draw(template, given, size)
        context |= {
            "size": size,
            "fields": [
                {"spec": spec, "name": FIELD_PREFIX + spec.key, "value": values.get(spec.key, "")}
                for spec in graphics.FIELDS[template.kind]
            ],
            "preview": _data_url(drawn),
            "alt_text": drawn.alt_text,
            "notes": drawn.notes,
        }
    return render(request, "curation/_compose_graphics.html", context)


def _data_url(drawn: graphics.Drawn) -> str:
    """A small JPEG of the drawing, inline: the panel shows it without a second request."""
    image = drawn.image.copy()
    image.thumbnail((480, 480))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


@require_POST
@workspace_view("posts.create")
def compose_graphic(request: HttpRequest, access: Access) -> HttpResponse:
    """ "Add to post": the image drawn and stored like an upload; answers the composer's own
    media list item (or its error item), with the alt text filled in."""
    part = request.POST.get("upload_part") or "0"
    index = int(part) if part.isdigit() else 0
    already = sum(1 for p in request.POST.getlist("media-part") if p == str(index))
    limit = media_store.max_images_per_part()
    try:
        if already >= limit:
            raise ActionError(
                _(
                    "Part %(n)s already has %(count)s files, the most any network takes "
                    "(%(max)s): remove one first."
                )
                % {"n": index + 1, "count": already, "max": limit},
                field="media",
            )
        pk = request.POST.get("graphic_template", "")
        template = GraphicTemplate.objects.filter(
            workspace=access.workspace, pk=int(pk) if pk.isdigit() else 0
        ).first()
        if template is None:
            raise ActionError(_("Choose a template first."), field="template")
        rendered = graphics_actions.render_for_post(
            access,
            template,
            _given(request.POST, template.kind) or {},
            request.POST.get("graphic_size", ""),
        )
    except ActionError as exc:
        return render(request, "publishing/compose/_media_error.html", {"error": exc.message})
    item = MediaItem(rendered.stored.path, rendered.alt_text, index, rendered.stored)
    return render(
        request,
        "publishing/compose/_media_item.html",
        {"item": item, "original": template.name},
    )
