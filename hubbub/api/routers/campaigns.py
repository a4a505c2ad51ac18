"""Campaigns over HTTP: list them (anyone who sees posts), create and change them
(campaigns.manage). The rules live in hubbub.publishing.actions.campaigns."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers
from hubbub.publishing.actions.campaigns import (
    DEFAULT_COLOUR,
    CampaignInput,
    create_campaign,
    update_campaign,
)
from hubbub.publishing.models import Campaign

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    id: int
    name: str
    purpose: str
    starts_on: date | None
    ends_on: date | None
    colour: str = Field(description="#rrggbb, the campaign's colour in the calendar.")


# Defaults everywhere: a refused role gets its 403 whatever it sent; the action then names
# what is missing (the name) for a caller who may create campaigns.
class CampaignIn(Schema):
    name: str = Field("", description="Unique in the workspace, e.g. 'Spring sale 2026'.")
    purpose: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    colour: str = Field(DEFAULT_COLOUR, description="#rrggbb")


class CampaignPatchIn(Schema):
    name: str | None = None
    purpose: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    colour: str | None = None


def campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(
        id=c.pk,
        name=c.name,
        purpose=c.purpose,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        colour=c.colour,
    )


@router.get(
    "/workspaces/{slug}/campaigns",
    response=answers(200, list[CampaignOut]),
    summary="The workspace's campaigns, by name",
)
def list_campaigns(request: HttpRequest, slug: str) -> list[CampaignOut]:
    access = api_access(request, slug)
    access.require("posts.view")
    return [campaign_out(c) for c in Campaign.objects.filter(workspace=access.workspace)]


@router.post(
    "/workspaces/{slug}/campaigns",
    response=answers(201, CampaignOut),
    summary="Create a campaign",
)
def create(request: HttpRequest, slug: str, payload: CampaignIn) -> Status[CampaignOut]:
    access = api_access(request, slug)
    access.require("campaigns.manage")
    campaign = create_campaign(
        access,
        CampaignInput(
            name=payload.name,
            purpose=payload.purpose,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            colour=payload.colour,
        ),
    )
    return Status(201, campaign_out(campaign))


@router.patch(
    "/workspaces/{slug}/campaigns/{int:campaign_id}",
    response=answers(200, CampaignOut),
    summary="Change a campaign (the fields given)",
)
def update(
    request: HttpRequest, slug: str, campaign_id: int, payload: CampaignPatchIn
) -> CampaignOut:
    access = api_access(request, slug)
    access.require("campaigns.manage")
    campaign = get_object_or_404(Campaign, pk=campaign_id, workspace=access.workspace)
    given = payload.model_fields_set
    campaign = update_campaign(
        access,
        campaign,
        CampaignInput(
            name=payload.name if payload.name is not None else campaign.name,
            purpose=payload.purpose if payload.purpose is not None else campaign.purpose,
            starts_on=payload.starts_on if "starts_on" in given else campaign.starts_on,
            ends_on=payload.ends_on if "ends_on" in given else campaign.ends_on,
            colour=payload.colour if payload.colour is not None else campaign.colour,
        ),
    )
    return campaign_out(campaign)
