"""What the publishing endpoints accept and answer: posts, their deliveries, the pause.

Times go out in the workspace's time zone with their offset, like every other answer
(hubbub.api.schemas). Times come in as the wall-clock time a person would type, without an
offset, and are read in the workspace's time zone: the publishing actions refuse a time the
clocks skip and ask which one of a repeated hour (`fold`).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from hubbub.api.schemas import local
from hubbub.curation.models import Sponsorship
from hubbub.publishing.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Post,
    PostStatus,
    PostVariant,
    WorkspacePublishing,
)

POST_STATUSES = ", ".join(PostStatus.values)
DELIVERY_STATUSES = ", ".join(DeliveryStatus.values)

# --- in -----------------------------------------------------------------------------------


class MediaItemIn(Schema):
    path: str = Field(description="The path the upload answered.")
    alt_text: str = Field("", description="What the image shows, for people who cannot see it.")
    part_index: int = Field(0, ge=0, description="Which part of the thread carries it (0: first).")


class MediaItemOut(Schema):
    path: str
    mime_type: str
    size: int
    width: int | None
    height: int | None
    alt_text: str
    part_index: int


class VariantIn(Schema):
    channel_id: int = Field(description="A connected channel of the workspace.")
    parts: list[str] = Field(
        description="The text, one item per post of a thread (one item for a single post)."
    )
    first_comment: str = Field("", description="Published as the last reply of the thread.")
    link: str = ""
    language: str = Field("", description="A BCP 47 tag such as en or fr-CA.")
    media: list[MediaItemIn] | None = Field(
        None,
        description="Images, each a path answered by POST /workspaces/{slug}/media. Omitted "
        "(null): an edit keeps the channel's current media; [] removes them.",
    )


# Every field has a default so that a refused role gets its 403 whatever it sent; the action
# then names what is missing (the purpose, a channel) for a caller who may create posts.
class PostIn(Schema):
    purpose: str = Field("", description="What the post is for, e.g. 'announce the spring sale'.")
    campaign_id: int | None = Field(None, description="A campaign of the workspace.")
    variants: list[VariantIn] = Field(
        default_factory=list, description="The post as it goes to each channel."
    )
    sponsored_by: str | None = Field(
        None,
        description="The partner who pays, when the post is a paid partnership: the disclosure "
        'guardrail then asks its text to say so (#ad, #sponsorisé…). "" says it is not one.',
    )


class PostPatchIn(Schema):
    purpose: str | None = None
    campaign_id: int | None = Field(None, description="null removes the post from its campaign.")
    variants: list[VariantIn] | None = Field(
        None, description="When given, replaces every variant (a channel left out is dropped)."
    )
    sponsored_by: str | None = Field(
        None,
        description="The partner who pays, when the post is a paid partnership: the disclosure "
        'guardrail then asks its text to say so (#ad, #sponsorisé…). "" says it is not one; '
        "omitted keeps it as it is.",
    )


class WhenIn(Schema):
    at: datetime = Field(
        description="Local time in the workspace's time zone, without offset: "
        "2026-03-29T09:30:00. A time with an offset is taken as that instant."
    )
    fold: Literal[0, 1] | None = Field(
        None,
        description="For a time the clocks show twice (autumn): 0 the first, 1 the second.",
    )


class PostQuery(Schema):
    status: str = Field("", description=f"One of {POST_STATUSES}.")
    campaign: int | None = Field(None, description="A campaign id.")
    date_from: date | None = Field(
        None,
        alias="from",
        description="First day scheduled, in the workspace's time zone (drafts have no day).",
    )
    date_to: date | None = Field(
        None, alias="to", description="Last day scheduled (included), in the workspace's zone."
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class DeliveryQuery(Schema):
    status: str = Field("", description=f"One of {DELIVERY_STATUSES}; empty for all.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


# --- out ----------------------------------------------------------------------------------


class AttemptOut(Schema):
    part_index: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error: str
    network_message: str


class DeliveryOut(Schema):
    id: int
    post_id: int
    channel_id: int
    channel: str = Field(description="The channel's handle.")
    network: str
    status: str = Field(description=f"One of {DELIVERY_STATUSES}.")
    due_at: datetime
    next_attempt_at: datetime
    published_url: str
    published_at: datetime | None
    last_error: str = Field(description="Why it failed or waits for a person, and what to do.")
    network_message: str
    attempt_count: int


class DeliveryDetailOut(DeliveryOut):
    attempts: list[AttemptOut]


class VariantOut(Schema):
    channel_id: int
    channel: str
    network: str
    parts: list[str]
    first_comment: str
    link: str
    language: str
    media: list[MediaItemOut]


class PostOut(Schema):
    id: int
    purpose: str
    status: str = Field(description=f"One of {POST_STATUSES}.")
    author: str | None = Field(description="The author's e-mail address.")
    campaign_id: int | None
    scheduled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    variants: list[VariantOut]


class PostDetailOut(PostOut):
    deliveries: list[DeliveryDetailOut]
    sponsored_by: str | None = Field(
        None, description="The partner of a paid partnership; null when it is not one."
    )


class PostPageOut(Schema):
    total: int = Field(description="How many posts match the filters, on all pages.")
    limit: int
    offset: int
    items: list[PostOut]


class DeliveryPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[DeliveryOut]


class PublishingOut(Schema):
    paused: bool
    paused_at: datetime | None
    paused_by: str | None = Field(description="Who paused (their e-mail address).")
    late_cutoff_minutes: int = Field(
        description="A held delivery released later than this after its time waits for a "
        "person instead of going out."
    )


class ResumedOut(PublishingOut):
    waiting_for_decision: list[DeliveryOut] = Field(
        description="Deliveries whose time passed during the pause: send each now, "
        "reschedule or cancel it."
    )


# --- models to answers --------------------------------------------------------------------


def variant_out(variant: PostVariant) -> VariantOut:
    return VariantOut(
        channel_id=variant.channel_id,
        channel=variant.channel.handle,
        network=variant.channel.network,
        parts=[str(p) for p in variant.parts],
        first_comment=variant.first_comment,
        link=variant.link,
        language=variant.language,
        media=[
            MediaItemOut(
                path=m.path,
                mime_type=m.mime_type,
                size=m.size,
                width=m.width,
                height=m.height,
                alt_text=m.alt_text,
                part_index=m.part_index,
            )
            for m in variant.media.all()
        ],
    )


def _post_fields(post: Post, tz: zoneinfo.ZoneInfo) -> dict[str, object]:
    return {
        "id": post.pk,
        "purpose": post.purpose,
        "status": post.status,
        "author": post.author.email if post.author else None,
        "campaign_id": post.campaign_id,
        "scheduled_at": local(post.scheduled_at, tz),
        "created_at": post.created_at.astimezone(tz),
        "updated_at": post.updated_at.astimezone(tz),
        "variants": [
            variant_out(v)
            for v in post.variants.select_related("channel").prefetch_related("media")
        ],
    }


def post_out(post: Post, tz: zoneinfo.ZoneInfo) -> PostOut:
    return PostOut(**_post_fields(post, tz))  # type: ignore[arg-type]


def _delivery_fields(delivery: Delivery, tz: zoneinfo.ZoneInfo) -> dict[str, object]:
    return {
        "id": delivery.pk,
        "post_id": delivery.post_id,
        "channel_id": delivery.channel_id,
        "channel": delivery.channel.handle,
        "network": delivery.channel.network,
        "status": delivery.status,
        "due_at": delivery.due_at.astimezone(tz),
        "next_attempt_at": delivery.next_attempt_at.astimezone(tz),
        "published_url": delivery.published_url,
        "published_at": local(delivery.published_at, tz),
        "last_error": delivery.last_error,
        "network_message": delivery.network_message,
        "attempt_count": delivery.attempt_count,
    }


def delivery_out(delivery: Delivery, tz: zoneinfo.ZoneInfo) -> DeliveryOut:
    return DeliveryOut(**_delivery_fields(delivery, tz))  # type: ignore[arg-type]


def attempt_out(attempt: DeliveryAttempt, tz: zoneinfo.ZoneInfo) -> AttemptOut:
    return AttemptOut(
        part_index=attempt.part_index,
        started_at=attempt.started_at.astimezone(tz),
        finished_at=local(attempt.finished_at, tz),
        outcome=attempt.outcome,
        error=attempt.error,
        network_message=attempt.network_message,
    )


def post_detail_out(post: Post, tz: zoneinfo.ZoneInfo) -> PostDetailOut:
    deliveries = [
        DeliveryDetailOut(
            **_delivery_fields(d, tz),  # type: ignore[arg-type]
            attempts=[attempt_out(a, tz) for a in d.attempts.all()],
        )
        for d in Delivery.objects.filter(post=post).select_related("channel")
    ]
    sponsorship = Sponsorship.objects.filter(post=post).first()
    return PostDetailOut(
        **_post_fields(post, tz),  # type: ignore[arg-type]
        deliveries=deliveries,
        sponsored_by=sponsorship.partner if sponsorship else None,
    )


def publishing_fields(row: WorkspacePublishing, tz: zoneinfo.ZoneInfo) -> dict[str, object]:
    return {
        "paused": row.is_paused,
        "paused_at": local(row.paused_at, tz),
        "paused_by": row.paused_by.email if row.paused_by else None,
        "late_cutoff_minutes": int(row.late_cutoff.total_seconds() // 60),
    }
