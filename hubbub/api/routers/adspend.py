"""A campaign's spend from Facebook/Instagram Ads over HTTP: the link to an ad account and its
ad campaigns, the lists to choose them from, and "Sync now". The same actions as the campaign
results page (hubbub.measure.adspend): the same checks, the same audit lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers, local
from hubbub.measure import adspend
from hubbub.measure.models import AdSpendLink
from hubbub.publishing.models import Campaign

router = Router(tags=["measure"])
A = "/workspaces/{slug}/measure/campaigns/{campaign_id}/ads"


class AdCampaignOut(Schema):
    id: str
    name: str = Field(description="As Meta named it when it was linked.")


class AdsLinkOut(Schema):
    campaign_id: int
    channel_id: int | None = Field(description="The Facebook channel whose token reads the ads.")
    ad_account_id: str = Field(description="The digits, without act_.")
    ad_account_name: str
    ad_campaigns: list[AdCampaignOut]
    result_action: str = Field(description="The action type of Meta's `actions` counted.")
    last_synced_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str = Field(description="What went wrong at the last sync; empty when nothing.")


class AdsLinkIn(Schema):
    # Checked by adspend.link_ads, which says what is missing (400), like every other field.
    channel_id: int | None = Field(None, description="A connected Facebook channel.")
    ad_account_id: str = Field("", description="act_1234 or 1234: one of /ads/accounts.")
    ad_campaign_ids: list[str] = Field(
        default_factory=list, description="Ad campaigns of that account (/ads/campaigns)."
    )
    result_action: str = Field(
        "", description="An action type such as link_click; empty: from the campaign's goal."
    )


class AdAccountOut(Schema):
    id: str
    name: str
    currency: str
    status: int | None = Field(description="Meta's account_status: 1 is active.")


class AdCampaignChoiceOut(Schema):
    id: str
    name: str
    status: str
    objective: str


class SyncOut(Schema):
    saved: int = Field(description="Spend lines added or updated (one per ad campaign and day).")
    removed: int = Field(description="Lines of re-read days that Meta no longer reports.")
    since: date | None
    until: date | None
    complete: bool = Field(description="False: Meta's answer stopped early; see problems.")
    problems: list[str]


def _campaign_of(request: HttpRequest, slug: str, campaign_id: int, permission: str) -> Any:
    access = api_access(request, slug)
    access.require(permission)
    campaign = Campaign.objects.filter(pk=campaign_id, workspace=access.workspace).first()
    if campaign is None:
        raise HttpError(404, "No such campaign in this workspace.")
    return access, campaign


def _link_of(campaign: Campaign) -> AdSpendLink:
    link = AdSpendLink.objects.filter(campaign=campaign).select_related("channel").first()
    if link is None:
        raise HttpError(404, "This campaign is not linked to ads.")
    return link


def _out(link: AdSpendLink, access: Any) -> AdsLinkOut:
    zone = access.workspace.tz
    return AdsLinkOut(
        campaign_id=link.campaign_id,
        channel_id=link.channel_id,
        ad_account_id=link.ad_account_id,
        ad_account_name=link.ad_account_name,
        ad_campaigns=[
            AdCampaignOut(id=str(c.get("id")), name=str(c.get("name") or ""))
            for c in link.ad_campaigns
            if isinstance(c, dict)
        ],
        result_action=link.result_action,
        last_synced_at=local(link.last_synced_at, zone),
        last_attempt_at=local(link.last_attempt_at, zone),
        last_error=link.last_error,
    )


@router.get(A, response=answers(200, AdsLinkOut), summary="A campaign's link to ads")
def get_ads(request: HttpRequest, slug: str, campaign_id: int) -> AdsLinkOut:
    access, campaign = _campaign_of(request, slug, campaign_id, "measure.view")
    return _out(_link_of(campaign), access)


@router.post(
    A,
    response=answers(201, AdsLinkOut),
    summary="Link a campaign to ad campaigns of a Facebook ad account",
    description="Replaces an earlier link; the spend of ad campaigns no longer linked is "
    "removed. The ad account's currency must be the campaign's (its budget's).",
)
def link_ads(
    request: HttpRequest, slug: str, campaign_id: int, body: AdsLinkIn
) -> Status[AdsLinkOut]:
    access, campaign = _campaign_of(request, slug, campaign_id, "campaigns.manage")
    link = adspend.link_ads(
        access,
        campaign,
        channel_id=body.channel_id,
        ad_account_id=body.ad_account_id,
        ad_campaign_ids=body.ad_campaign_ids,
        result_action=body.result_action,
    )
    return Status(201, _out(link, access))


@router.delete(
    A,
    response=answers(204, None),
    summary="Unlink a campaign from ads (the spend already read stays)",
)
def unlink_ads(request: HttpRequest, slug: str, campaign_id: int) -> Status[None]:
    access, campaign = _campaign_of(request, slug, campaign_id, "campaigns.manage")
    adspend.unlink_ads(access, _link_of(campaign))
    return Status(204, None)


@router.post(
    A + "/sync",
    response=answers(200, SyncOut),
    summary="Read the linked ads' spend now",
    description="The first sync reads from the campaign's first day, later ones the last 28 "
    "days again. Problems are also kept on the link (last_error).",
)
def sync_ads(request: HttpRequest, slug: str, campaign_id: int) -> SyncOut:
    access, campaign = _campaign_of(request, slug, campaign_id, "campaigns.manage")
    result = adspend.sync_now(access, _link_of(campaign))
    return SyncOut(
        saved=result.saved,
        removed=result.removed,
        since=result.since,
        until=result.until,
        complete=result.complete,
        problems=result.problems,
    )


@router.get(
    A + "/accounts",
    response=answers(200, list[AdAccountOut]),
    summary="The ad accounts a Facebook channel's token can read",
)
def ad_accounts(
    request: HttpRequest, slug: str, campaign_id: int, channel_id: int | None = None
) -> list[AdAccountOut]:
    access, _campaign = _campaign_of(request, slug, campaign_id, "campaigns.manage")
    return [
        AdAccountOut(id=a.id, name=a.name, currency=a.currency, status=a.status)
        for a in adspend.list_ad_accounts(access, channel_id)
    ]


@router.get(
    A + "/campaigns",
    response=answers(200, list[AdCampaignChoiceOut]),
    summary="The ad campaigns of an ad account",
)
def ad_campaigns(
    request: HttpRequest,
    slug: str,
    campaign_id: int,
    channel_id: int | None = None,
    ad_account_id: str = "",
) -> list[AdCampaignChoiceOut]:
    access, _campaign = _campaign_of(request, slug, campaign_id, "campaigns.manage")
    return [
        AdCampaignChoiceOut(id=c.id, name=c.name, status=c.status, objective=c.objective)
        for c in adspend.list_ad_campaigns(access, channel_id, ad_account_id)
    ]
