"""Campaigns: everyone who sees posts sees the list; managers create and change them."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.publishing.actions.campaigns import (
    DEFAULT_COLOUR,
    CampaignInput,
    create_campaign,
    update_campaign,
)
from hubbub.publishing.models import Campaign, PostKind
from hubbub.web.decorators import workspace_view


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ActionError(
            _("%(value)s is not a date: write it as YYYY-MM-DD.") % {"value": value}, field=field
        ) from None


def _input(data: QueryDict) -> CampaignInput:
    return CampaignInput(
        name=data.get("name", ""),
        purpose=data.get("purpose", ""),
        starts_on=_date(data.get("starts_on", ""), "starts_on"),
        ends_on=_date(data.get("ends_on", ""), "ends_on"),
        colour=data.get("colour", "") or DEFAULT_COLOUR,
    )


@workspace_view("posts.view")
def campaign_list(request: HttpRequest, access: Access) -> HttpResponse:
    errors: dict[str, str] = {}
    values: dict[str, str] = {"colour": DEFAULT_COLOUR}
    if request.method == "POST":
        access.require("campaigns.manage")
        values = {k: request.POST.get(k, "") for k in ("name", "purpose", "starts_on", "ends_on")}
        values["colour"] = request.POST.get("colour", DEFAULT_COLOUR)
        try:
            campaign = create_campaign(access, _input(request.POST))
        except ActionError as exc:
            errors[exc.field or "name"] = exc.message
        else:
            messages.success(request, _("Campaign %(name)s created.") % {"name": campaign.name})
            return redirect("publishing:campaigns", slug=access.workspace.slug)
    campaigns = Campaign.objects.filter(workspace=access.workspace).annotate(
        n_posts=Count("posts", filter=Q(posts__kind=PostKind.POST))
    )
    return render(
        request,
        "publishing/campaigns.html",
        {"campaigns": campaigns, "errors": errors, "values": values},
    )


@workspace_view("campaigns.manage")
def campaign_edit(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_id, workspace=access.workspace)
    errors: dict[str, str] = {}
    values = {
        "name": campaign.name,
        "purpose": campaign.purpose,
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else "",
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
        "colour": campaign.colour,
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            update_campaign(access, campaign, _input(request.POST))
        except ActionError as exc:
            errors[exc.field or "name"] = exc.message
        else:
            messages.success(request, _("Campaign %(name)s saved.") % {"name": campaign.name})
            return redirect("publishing:campaigns", slug=access.workspace.slug)
    return render(
        request,
        "publishing/campaigns_edit.html",
        {"campaign": campaign, "errors": errors, "values": values},
    )


urlpatterns: list[URLPattern] = [
    path("w/<slug:slug>/campaigns/", campaign_list, name="campaigns"),
    path("w/<slug:slug>/campaigns/<int:campaign_id>/", campaign_edit, name="campaign_edit"),
]
