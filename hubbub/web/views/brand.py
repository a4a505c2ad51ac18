"""The workspace's brand (logo, colours, white-label) on its settings page, and the logo
served back for the preview."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.actions.brand import logo_path, update_brand
from hubbub.core.models import Brand
from hubbub.web.decorators import workspace_view


@require_POST
@workspace_view("workspace.edit")
def brand_save(request: HttpRequest, access: Access) -> HttpResponse:
    upload = request.FILES.get("logo")
    try:
        update_brand(
            access,
            primary_colour=request.POST.get("primary_colour", ""),
            accent_colour=request.POST.get("accent_colour", ""),
            prepared_by=request.POST.get("prepared_by", ""),
            white_label=request.POST.get("white_label") == "on",
            logo=upload.file if upload is not None else None,
            remove_logo=request.POST.get("remove_logo") == "on",
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Brand saved."))
    return redirect(reverse("web:workspace_settings", args=[access.workspace.slug]) + "#brand")


@require_GET
@workspace_view("workspace.view")
def brand_logo(request: HttpRequest, access: Access) -> FileResponse:
    path: Path | None = logo_path(Brand.of(access.workspace))
    if path is None:
        raise Http404(_("No logo."))
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
