"""The API's guardrails operations: the workspace's settings (each rule's mode and
options) and "what would the guardrails say about this text?".

The rules and their settings live in hubbub.curation.guardrails; these handlers only turn
JSON into its inputs and its findings into answers. The permission is checked before any
lookup, so a refused role learns nothing about which ids exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.curation import guardrails
from hubbub.curation.guardrails.configure import RuleInput, update_settings
from hubbub.curation.guardrails.registry import settings_of
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign, Post

router = Router(tags=["curation"])

W = "/workspaces/{slug}/guardrails"
MAX_TEXT = 20_000


class RuleOut(Schema):
    rule: str = Field(description="The rule's code, e.g. personal_data.")
    label: str
    description: str
    mode: str = Field(description="off, warn or block in this workspace.")
    default_mode: str
    options: dict[str, Any]


class RuleIn(Schema):
    rule: str
    mode: str = Field(description="off, warn or block.")
    options: dict[str, Any] = Field(
        default_factory=dict, description="Only the options to change; others keep theirs."
    )


class SettingsIn(Schema):
    guardrails: list[RuleIn] = Field(description="The rules to change; others keep theirs.")


class MediaIn(Schema):
    name: str = ""
    alt_text: str = ""
    part: int = Field(1, ge=1, description="The part (1 = first) the image is in.")
    is_image: bool = True


class CheckIn(Schema):
    parts: list[str] = Field(default_factory=list, description="The text, one entry per part.")
    text: str = Field("", description="A one-part text (instead of `parts`).")
    first_comment: str = ""
    link: str = ""
    channels: list[int] = Field(
        default_factory=list,
        description="Channel ids: the personas attached to them apply (words, language, tone).",
    )
    campaign: int | None = None
    media: list[MediaIn] = Field(default_factory=list)
    share_source: str = Field("", description='"feed:<id>" or "library:<id>" when sharing.')
    sponsored: bool = False
    partner: str = ""
    post_id: int | None = Field(None, description="The post this text is, if saved.")
    check_links: bool = Field(True, description="false: do not open the links (faster).")


class FindingOut(Schema):
    rule: str
    label: str
    mode: str = Field(description="warn or block.")
    message: str
    channels: list[str]
    where: str = Field(description='"part:1", "first_comment", "link", "media" or "post".')
    start: int | None = Field(description="Span in that text (character offsets, end excluded).")
    end: int | None
    matched: str


class CheckOut(Schema):
    blocked: bool = Field(description="A finding blocks: the post cannot be scheduled.")
    findings: list[FindingOut]


def _settings_out(access: Access) -> list[RuleOut]:
    return [
        RuleOut(
            rule=s.rule.code,
            label=str(s.rule.label),
            description=str(s.rule.description),
            mode=s.mode,
            default_mode=s.rule.default_mode,
            options=s.options,
        )
        for s in settings_of(access.workspace)
    ]


@router.get(W, response=answers(200, list[RuleOut]), summary="The guardrails' settings")
def settings_get(request: HttpRequest, slug: str) -> list[RuleOut]:
    access = api_access(request, slug)
    access.require("curation.view")
    return _settings_out(access)


@router.put(W, response=answers(200, list[RuleOut]), summary="Change guardrails' modes and options")
def settings_put(request: HttpRequest, slug: str, body: SettingsIn) -> list[RuleOut]:
    access = api_access(request, slug)
    access.require("guardrails.manage")
    update_settings(access, [RuleInput(r.rule, r.mode, r.options) for r in body.guardrails])
    return _settings_out(access)


def _subject(access: Access, body: CheckIn) -> guardrails.Subject:
    parts = [p[:MAX_TEXT] for p in body.parts] or [body.text[:MAX_TEXT]]
    channels = list(Channel.objects.filter(workspace=access.workspace, pk__in=body.channels))
    unknown = set(body.channels) - {c.pk for c in channels}
    if unknown:
        raise ActionError(
            f"Channel {min(unknown)} is not one of this workspace's.", field="channels"
        )
    if (
        body.campaign is not None
        and not Campaign.objects.filter(pk=body.campaign, workspace=access.workspace).exists()
    ):
        raise ActionError(f"Campaign {body.campaign} is not one of this workspace's.", "campaign")
    if (
        body.post_id is not None
        and not Post.objects.filter(pk=body.post_id, workspace=access.workspace).exists()
    ):
        raise ActionError(f"Post {body.post_id} is not one of this workspace's.", "post_id")
    per_channel = [(c, parts, body.first_comment, body.link) for c in channels]
    texts = guardrails.group_texts(per_channel) or [
        guardrails.ChannelText((), (), tuple(parts), body.first_comment, body.link)
    ]
    return guardrails.Subject(
        workspace=access.workspace,
        texts=texts,
        media=[guardrails.MediaAlt(m.name, m.alt_text, m.part - 1, m.is_image) for m in body.media],
        campaign_id=body.campaign,
        share_sources=[body.share_source] if body.share_source else [],
        sponsored=body.sponsored,
        partner=body.partner,
        post_id=body.post_id,
    )


@router.post(
    W + "/check",
    response=answers(200, CheckOut),
    summary="What would the guardrails say about this text?",
)
def check(request: HttpRequest, slug: str, body: CheckIn) -> CheckOut:
    access = api_access(request, slug)
    access.require("curation.view")
    findings = guardrails.check(_subject(access, body), network=body.check_links)
    return CheckOut(
        blocked=any(f.blocks for f in findings),
        findings=[FindingOut(**f.as_dict()) for f in findings],
    )


@router.get(
    "/workspaces/{slug}/posts/{int:post_id}/guardrails",
    response=answers(200, CheckOut),
    summary="What the guardrails say about a saved post (what its approvers see)",
)
def post_findings(request: HttpRequest, slug: str, post_id: int) -> CheckOut:
    access = api_access(request, slug)
    access.require("posts.view")
    post = get_object_or_404(Post.objects.posts(), pk=post_id, workspace=access.workspace)
    findings = guardrails.check(guardrails.subject_of(post))
    return CheckOut(
        blocked=any(f.blocks for f in findings),
        findings=[FindingOut(**f.as_dict()) for f in findings],
    )
