"""Links over HTTP: the UTM templates (the workspace's default and one per campaign), the
optional shortener (its token write-only), and a preview of what a text's links become.

Every rule lives in hubbub.curation.links_actions; these handlers turn JSON into the
actions' inputs. Each checks the permission before it looks anything up, so a role that may
not act learns nothing about which ids exist; another workspace's campaign answers 404."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers
from hubbub.core.access import Access
from hubbub.curation import links_actions as actions
from hubbub.curation.links_actions import ShortenerInput, UtmInput
from hubbub.curation.models import LinkSettings, UtmTemplate
from hubbub.publishing.models import Campaign

router = Router(tags=["curation"])

L = "/workspaces/{slug}/links"
PLACEHOLDERS = "Values may hold {network}, {channel}, {campaign} and {post}, filled per delivery."


# Every field has a default so that a refused role gets its 403 whatever it sent; the
# action says what is missing.
class UtmIn(Schema):
    utm_source: str = "{network}"
    utm_medium: str = "social"
    utm_campaign: str = "{campaign}"
    utm_term: str = ""
    utm_content: str = ""
    domains: list[str] = Field(
        default_factory=list, description="Only links to these sites are tagged; empty: all."
    )
    is_active: bool = Field(
        True, description="False on a campaign's template: that campaign's links stay untagged."
    )


class UtmOut(Schema):
    campaign_id: int | None = Field(description="null: the workspace's default.")
    campaign: str | None
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    domains: list[str]
    is_active: bool
    updated_at: datetime


class UtmListOut(Schema):
    default: UtmOut | None = Field(description="null: no default; links are not tagged.")
    campaigns: list[UtmOut]


class ShortenerIn(Schema):
    shortener: str = Field("", description='"bitly", "yourls", "kutt", or "" for none.')
    api_url: str = Field("", description="YOURLS: your site. Kutt: empty for kutt.to.")
    domain: str = Field("", description="Bitly or Kutt: a branded short domain.")
    token: str | None = Field(
        None, description='Write-only. Absent or null keeps the saved token; "" removes it.'
    )


class ShortenerOut(Schema):
    shortener: str
    api_url: str
    domain: str
    token_set: bool = Field(description="Whether a token is saved (it is never returned).")


class ShortUrlOut(Schema):
    short_url: str


class PreviewIn(Schema):
    text: str = ""
    campaign_id: int | None = None
    channel_id: int | None = Field(None, description="Applies that channel's length limit.")


class LinkOut(Schema):
    before: str
    after: str
    note: str = Field(description="Why it is as it is, when it is not simply tagged.")


class PreviewOut(Schema):
    text: str
    links: list[LinkOut]
    problems: list[str]


def _utm_out(template: UtmTemplate, access: Access) -> UtmOut:
    campaign = (
        Campaign.objects.filter(pk=template.campaign_id).values_list("name", flat=True).first()
        if template.campaign_id is not None
        else None
    )
    return UtmOut(
        campaign_id=template.campaign_id,
        campaign=campaign,
        domains=[d for d in template.domains.splitlines() if d],
        updated_at=template.updated_at.astimezone(access.workspace.tz),
        utm_source=template.utm_source,
        utm_medium=template.utm_medium,
        utm_campaign=template.utm_campaign,
        utm_term=template.utm_term,
        utm_content=template.utm_content,
        is_active=template.is_active,
    )


def _utm_in(payload: UtmIn) -> UtmInput:
    return UtmInput(**{**payload.dict(), "domains": "\n".join(payload.domains)})


def _shortener_out(row: LinkSettings) -> ShortenerOut:
    return ShortenerOut(
        shortener=row.shortener, api_url=row.api_url, domain=row.domain, token_set=bool(row.token)
    )


def _campaign(access: Access, campaign_id: int) -> Campaign:
    return get_object_or_404(Campaign, pk=campaign_id, workspace=access.workspace)


@router.get(
    L + "/utm",
    response=answers(200, UtmListOut),
    summary="The UTM templates: the default and the campaigns' own",
)
def list_utm(request: HttpRequest, slug: str) -> UtmListOut:
    access = api_access(request, slug)
    access.require("links.manage")
    rows = UtmTemplate.objects.filter(workspace=access.workspace).select_related("campaign")
    default = next((t for t in rows if t.campaign_id is None), None)
    campaigns = sorted((t for t in rows if t.campaign_id is not None), key=lambda t: t.pk)
    return UtmListOut(
        default=_utm_out(default, access) if default is not None else None,
        campaigns=[_utm_out(t, access) for t in campaigns],
    )


@router.put(
    L + "/utm/default",
    response=answers(200, UtmOut),
    summary="Set the workspace's default UTM template",
    description=PLACEHOLDERS + " A link that already carries utm_* is never changed.",
)
def put_default_utm(request: HttpRequest, slug: str, payload: UtmIn) -> UtmOut:
    access = api_access(request, slug)
    access.require("links.manage")
    return _utm_out(actions.save_template(access, None, _utm_in(payload)), access)


@router.put(
    L + "/utm/campaigns/{int:campaign_id}",
    response=answers(200, UtmOut),
    summary="Set one campaign's own UTM template",
    description=PLACEHOLDERS,
)
def put_campaign_utm(request: HttpRequest, slug: str, campaign_id: int, payload: UtmIn) -> UtmOut:
    access = api_access(request, slug)
    access.require("links.manage")
    campaign = _campaign(access, campaign_id)
    return _utm_out(actions.save_template(access, campaign, _utm_in(payload)), access)


@router.delete(
    L + "/utm/campaigns/{int:campaign_id}",
    response=answers(204, None),
    summary="Remove a campaign's own UTM template (it follows the default again)",
)
def delete_campaign_utm(request: HttpRequest, slug: str, campaign_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("links.manage")
    actions.delete_template(access, _campaign(access, campaign_id))
    return Status(204, None)


@router.get(
    L + "/shortener",
    response=answers(200, ShortenerOut),
    summary="The link shortener's settings (never its token)",
)
def get_shortener(request: HttpRequest, slug: str) -> ShortenerOut:
    access = api_access(request, slug)
    access.require("links.manage")
    return _shortener_out(actions.settings_of(access))


@router.put(
    L + "/shortener",
    response=answers(200, ShortenerOut),
    summary="Set the link shortener",
    description="The token is stored encrypted and never returned.",
)
def put_shortener(request: HttpRequest, slug: str, payload: ShortenerIn) -> ShortenerOut:
    access = api_access(request, slug)
    access.require("links.manage")
    data = ShortenerInput(payload.shortener, payload.api_url, payload.domain, payload.token)
    return _shortener_out(actions.save_shortener(access, data))


@router.post(
    L + "/shortener/test",
    response=answers(200, ShortUrlOut),
    summary="Shorten a sample link with the saved settings",
    description="Answers 400 with the provider's reason when it fails.",
)
def test_shortener(request: HttpRequest, slug: str) -> ShortUrlOut:
    access = api_access(request, slug)
    access.require("links.manage")
    return ShortUrlOut(short_url=actions.test_shortener(access))


@router.post(
    L + "/preview",
    response=answers(200, PreviewOut),
    summary="What a text's links become when published",
    description="Tagged with the campaign's template (else the default); short links appear "
    "only when made before (a preview creates none). With channel_id, the channel's length "
    "limit applies as at publication.",
)
def preview_links(request: HttpRequest, slug: str, payload: PreviewIn) -> PreviewOut:
    access = api_access(request, slug)
    access.require("curation.view")
    result = actions.preview(access, payload.text, payload.campaign_id, payload.channel_id)
    return PreviewOut(
        text=result.text,
        links=[LinkOut(before=c.before, after=c.after, note=c.note) for c in result.links],
        problems=result.problems,
    )
