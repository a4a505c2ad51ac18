"""The links page: the workspace's default UTM template, one per campaign, the shortener
(with "Test", which shortens a sample link) and a live preview of a sample text's links
(htmx asks curation:links_preview 300 ms after typing stops; without JavaScript the
"Preview" button submits the same form and the page comes back with the result). Saving goes
through hubbub.curation.links_actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.curation import links_actions as actions
from hubbub.curation.forms_links import ShortenerForm, UtmForm
from hubbub.curation.models import UtmTemplate
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from hubbub.web.decorators import workspace_view

SAMPLE_TEXT = gettext_lazy(
    "Our spring guide is out: https://example.com/guide?ref=home#tips (read it!)"
)


def _page(access: Access) -> HttpResponse:
    return redirect("curation:links", slug=access.workspace.slug)


def _campaign(access: Access, campaign_id: int) -> Campaign:
    return get_object_or_404(Campaign, pk=campaign_id, workspace=access.workspace)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _preview_context(access: Access, params: Any) -> dict[str, Any]:
    text = str(params.get("text", str(SAMPLE_TEXT)))[:20_000]
    campaign_id, channel_id = _int(params.get("campaign")), _int(params.get("channel"))
    context: dict[str, Any] = {
        "preview_text": text,
        "preview_campaign": campaign_id,
        "preview_channel": channel_id,
    }
    try:
        context["preview"] = actions.preview(access, text, campaign_id, channel_id)
    except ActionError as exc:
        context["preview_error"] = exc.message
    return context


def _render(request: HttpRequest, access: Access, status: int = 200, **forms: Any) -> HttpResponse:
    workspace = access.workspace
    templates = {t.campaign_id: t for t in UtmTemplate.objects.filter(workspace=workspace)}
    settings = actions.settings_of(access)
    campaigns = list(Campaign.objects.filter(workspace=workspace).order_by("name"))
    context: dict[str, Any] = {
        "default_form": forms.get("default_form") or UtmForm.of(templates.get(None)),
        "default_template": templates.get(None),
        "campaign_rows": [(c, templates.get(c.pk)) for c in campaigns],
        "shortener_form": forms.get("shortener_form")
        or ShortenerForm(
            initial={
                "shortener": settings.shortener,
                "api_url": settings.api_url,
                "domain": settings.domain,
            }
        ),
        "token_saved": bool(settings.token),
        "campaigns": campaigns,
        "channels": Channel.objects.filter(workspace=workspace).connected(),
        "problems": actions.recent_problems(access),
        **_preview_context(access, request.GET),
    }
    return render(request, "curation/links.html", context, status=status)


@require_GET
@workspace_view("links.manage")
def links_page(request: HttpRequest, access: Access) -> HttpResponse:
    return _render(request, access)


@require_GET
@workspace_view("links.manage")
def links_preview(request: HttpRequest, access: Access) -> HttpResponse:
    return render(request, "curation/links_preview.html", _preview_context(access, request.GET))


@require_POST
@workspace_view("links.manage")
def links_default(request: HttpRequest, access: Access) -> HttpResponse:
    form = UtmForm(request.POST)
    if form.is_valid():
        try:
            actions.save_template(access, None, form.data_in())
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Default UTM template saved."))
            return _page(access)
    return _render(request, access, status=400, default_form=form)


@workspace_view("links.manage")
def links_campaign(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    template = actions.template_of(access, campaign)
    status = 200
    if request.method == "POST":
        form = UtmForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                actions.save_template(access, campaign, form.data_in())
            except ActionError as exc:
                show_error(form, exc)
            else:
                messages.success(
                    request,
                    _("UTM template of “%(name)s” saved.") % {"name": campaign.name},
                )
                return _page(access)
    else:
        form = UtmForm.of(template or actions.template_of(access, None))
    return render(
        request,
        "curation/links_campaign.html",
        {"form": form, "campaign": campaign, "template": template},
        status=status,
    )


@require_POST
@workspace_view("links.manage")
def links_campaign_delete(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    try:
        actions.delete_template(access, campaign)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("“%(name)s” follows the default template again.") % {"name": campaign.name},
        )
    return _page(access)


@require_POST
@workspace_view("links.manage")
def links_shortener(request: HttpRequest, access: Access) -> HttpResponse:
    form = ShortenerForm(request.POST)
    if form.is_valid():
        try:
            actions.save_shortener(access, form.data_in())
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Shortener settings saved."))
            return _page(access)
    return _render(request, access, status=400, shortener_form=form)


@require_POST
@workspace_view("links.manage")
def links_test(request: HttpRequest, access: Access) -> HttpResponse:
    try:
        short = actions.test_shortener(access)
    except ActionError as exc:
        messages.error(request, _("The test failed: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(
            request, _("The shortener works: the sample link became %(link)s") % {"link": short}
        )
    return _page(access)
