"""Posts, their deliveries and the crisis pause: the publishing actions over HTTP.

Every rule lives in hubbub.publishing.actions; these handlers only turn JSON into the
actions' inputs and their results into answers. Each handler checks the permission before it
looks anything up, so a role that may not act learns nothing about which ids exist.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from hubbub.api.auth import api_access
from hubbub.api.post_schemas import (
    DELIVERY_STATUSES,
    POST_STATUSES,
    DeliveryOut,
    DeliveryPageOut,
    DeliveryQuery,
    PostDetailOut,
    PostIn,
    PostPageOut,
    PostPatchIn,
    PostQuery,
    PublishingOut,
    ResumedOut,
    VariantIn,
    WhenIn,
    delivery_out,
    post_detail_out,
    post_out,
    publishing_fields,
)
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.curation.guardrails.configure import set_sponsorship
from hubbub.networks.models import Channel
from hubbub.publishing.actions import pause as pause_actions
from hubbub.publishing.actions import posts as actions
from hubbub.publishing.actions.posts import MediaInput, VariantInput
from hubbub.publishing.media import as_input as media_input
from hubbub.publishing.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    Post,
    PostKind,
    PostStatus,
    PostVariant,
    WorkspacePublishing,
)

router = Router(tags=["posts"])


# --- lookups, scoped to the caller's workspace (another workspace's id is not found) --------


def _post(access: Access, post_id: int) -> Post:
    return get_object_or_404(
        Post.objects.posts().select_related("author"), pk=post_id, workspace=access.workspace
    )


def _delivery(access: Access, delivery_id: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related("channel"), pk=delivery_id, workspace=access.workspace
    )


def _campaign(access: Access, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    campaign = Campaign.objects.filter(pk=campaign_id, workspace=access.workspace).first()
    if campaign is None:
        raise ActionError(
            f"Campaign {campaign_id} is not a campaign of this workspace: list them in the "
            "calendar, or leave campaign_id out.",
            field="campaign_id",
        )
    return campaign


def _media_of(variant: PostVariant) -> tuple[MediaInput, ...]:
    return tuple(
        MediaInput(
            path=m.path,
            mime_type=m.mime_type,
            size=m.size,
            alt_text=m.alt_text,
            width=m.width,
            height=m.height,
            duration_seconds=m.duration_seconds,
            part_index=m.part_index,
        )
        for m in variant.media.all()
    )


def _variants(
    access: Access, given: list[VariantIn], post: Post | None = None
) -> list[VariantInput]:
    """The actions' inputs. A variant sent without `media` keeps the media its channel had,
    so editing the text never loses an image; the media's files are read again from disk."""
    ids = {v.channel_id for v in given}
    channels = {c.pk: c for c in Channel.objects.filter(workspace=access.workspace, pk__in=ids)}
    kept: dict[int, tuple[MediaInput, ...]] = {}
    if post is not None:
        kept = {v.channel_id: _media_of(v) for v in post.variants.prefetch_related("media")}
    inputs = []
    for index, v in enumerate(given):
        channel = channels.get(v.channel_id)
        if channel is None:
            raise ActionError(
                f"Channel {v.channel_id} is not a channel of this workspace: list them with "
                "GET channels.",
                field=f"variants.{index}.channel_id",
            )
        inputs.append(
            VariantInput(
                channel=channel,
                parts=v.parts,
                first_comment=v.first_comment,
                link=v.link,
                language=v.language,
                media=kept.get(channel.pk, ())
                if v.media is None
                else tuple(
                    media_input(access.workspace, m.path, m.alt_text, m.part_index) for m in v.media
                ),
            )
        )
    return inputs


def _current_variants(post: Post) -> list[VariantInput]:
    return [
        VariantInput(
            channel=v.channel,
            parts=[str(p) for p in v.parts],
            first_comment=v.first_comment,
            link=v.link,
            language=v.language,
            media=_media_of(v),
        )
        for v in post.variants.select_related("channel").prefetch_related("media")
    ]


def _day_start(day: datetime, tz: ZoneInfo) -> datetime:
    return day.replace(tzinfo=tz)


def _filtered_posts(access: Access, filters: PostQuery) -> QuerySet[Post]:
    tz = access.workspace.tz
    posts = Post.objects.posts().filter(workspace=access.workspace).select_related("author")
    if filters.status:
        if filters.status not in PostStatus.values:
            raise ActionError(
                f"Unknown status '{filters.status}': use one of {POST_STATUSES}.", field="status"
            )
        posts = posts.filter(status=filters.status)
    if filters.campaign is not None:
        posts = posts.filter(campaign_id=filters.campaign)
    if filters.date_from is not None:
        start = datetime.combine(filters.date_from, time.min)
        posts = posts.filter(scheduled_at__gte=_day_start(start, tz))
    if filters.date_to is not None:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min)
        posts = posts.filter(scheduled_at__lt=_day_start(end, tz))
    return posts.order_by("scheduled_at", "id")


# --- posts --------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/posts",
    response=answers(200, PostPageOut),
    summary="Posts, by scheduled time (drafts last)",
)
def list_posts(request: HttpRequest, slug: str, filters: Query[PostQuery]) -> PostPageOut:
    access = api_access(request, slug)
    access.require("posts.view")
    posts = _filtered_posts(access, filters)
    tz = access.workspace.tz
    page = posts[filters.offset : filters.offset + filters.limit]
    return PostPageOut(
        total=posts.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[post_out(p, tz) for p in page],
    )


@router.post(
    "/workspaces/{slug}/posts",
    response=answers(201, PostDetailOut),
    summary="Draft a post (limits are checked when it is scheduled)",
)
def create_post(request: HttpRequest, slug: str, payload: PostIn) -> Status[PostDetailOut]:
    access = api_access(request, slug)
    access.require("posts.create")
    post = actions.create_draft(
        access,
        purpose=payload.purpose,
        variants=_variants(access, payload.variants),
        campaign=_campaign(access, payload.campaign_id),
    )
    if payload.sponsored_by:
        set_sponsorship(access, post, sponsored=True, partner=payload.sponsored_by)
    return Status(201, post_detail_out(post, access.workspace.tz))


@router.get(
    "/workspaces/{slug}/posts/{int:post_id}",
    response=answers(200, PostDetailOut),
    summary="One post, with its variants, deliveries and their attempts",
)
def get_post(request: HttpRequest, slug: str, post_id: int) -> PostDetailOut:
    access = api_access(request, slug)
    access.require("posts.view")
    return post_detail_out(_post(access, post_id), access.workspace.tz)


@router.patch(
    "/workspaces/{slug}/posts/{int:post_id}",
    response=answers(200, PostDetailOut),
    summary="Change a post (the fields given; a scheduled one is checked again)",
)
def update_post(
    request: HttpRequest, slug: str, post_id: int, payload: PostPatchIn
) -> PostDetailOut:
    access = api_access(request, slug)
    access.require("posts.edit")
    post = _post(access, post_id)
    given = payload.model_fields_set
    campaign_id = payload.campaign_id if "campaign_id" in given else post.campaign_id
    if "sponsored_by" in given:  # before the edit: a scheduled post is checked with it
        partner = payload.sponsored_by or ""
        set_sponsorship(access, post, sponsored=bool(partner), partner=partner)
    post = actions.update_post(
        access,
        post,
        purpose=payload.purpose if payload.purpose is not None else post.purpose,
        variants=(
            _variants(access, payload.variants, post)
            if payload.variants is not None
            else _current_variants(post)
        ),
        campaign=_campaign(access, campaign_id),
    )
    return post_detail_out(post, access.workspace.tz)


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/schedule",
    response=answers(200, PostDetailOut),
    summary="Schedule (or reschedule) a post at a local time of the workspace",
)
def schedule_post(request: HttpRequest, slug: str, post_id: int, payload: WhenIn) -> PostDetailOut:
    access = api_access(request, slug)
    access.require("posts.schedule")
    post = actions.schedule_post(access, _post(access, post_id), payload.at, fold=payload.fold)
    return post_detail_out(post, access.workspace.tz)


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/cancel",
    response=answers(200, PostDetailOut),
    summary="Cancel a post on every channel it has not reached yet",
)
def cancel_post(request: HttpRequest, slug: str, post_id: int) -> PostDetailOut:
    access = api_access(request, slug)
    access.require("posts.cancel")
    post = actions.cancel_post(access, _post(access, post_id))
    return post_detail_out(post, access.workspace.tz)


# --- deliveries ---------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/deliveries",
    response=answers(200, DeliveryPageOut),
    summary="Deliveries (one post to one channel), by due time",
)
def list_deliveries(
    request: HttpRequest, slug: str, filters: Query[DeliveryQuery]
) -> DeliveryPageOut:
    access = api_access(request, slug)
    access.require("posts.view")
    # Inbox replies are the inbox's (its API lists them with their conversation).
    deliveries = Delivery.objects.filter(
        workspace=access.workspace, post__kind=PostKind.POST
    ).select_related("channel")
    if filters.status:
        if filters.status not in DeliveryStatus.values:
            raise ActionError(
                f"Unknown status '{filters.status}': use one of {DELIVERY_STATUSES}.",
                field="status",
            )
        deliveries = deliveries.filter(status=filters.status)
    deliveries = deliveries.order_by("due_at", "id")
    tz = access.workspace.tz
    page = deliveries[filters.offset : filters.offset + filters.limit]
    return DeliveryPageOut(
        total=deliveries.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[delivery_out(d, tz) for d in page],
    )


def _answer(access: Access, delivery: Delivery) -> DeliveryOut:
    fresh = Delivery.objects.select_related("channel").get(pk=delivery.pk)
    return delivery_out(fresh, access.workspace.tz)


@router.post(
    "/workspaces/{slug}/deliveries/{int:delivery_id}/send-now",
    response=answers(200, DeliveryOut),
    summary="Send a delivery that needs attention or is held, now",
)
def send_now(request: HttpRequest, slug: str, delivery_id: int) -> DeliveryOut:
    access = api_access(request, slug)
    access.require("posts.schedule")
    delivery = pause_actions.send_now(access, _delivery(access, delivery_id))
    return _answer(access, delivery)


@router.post(
    "/workspaces/{slug}/deliveries/{int:delivery_id}/reschedule",
    response=answers(200, DeliveryOut),
    summary="Give a delivery a new local time of the workspace",
)
def reschedule_delivery(
    request: HttpRequest, slug: str, delivery_id: int, payload: WhenIn
) -> DeliveryOut:
    access = api_access(request, slug)
    access.require("posts.schedule")
    delivery = pause_actions.reschedule_delivery(
        access, _delivery(access, delivery_id), payload.at, fold=payload.fold
    )
    return _answer(access, delivery)


@router.post(
    "/workspaces/{slug}/deliveries/{int:delivery_id}/cancel",
    response=answers(200, DeliveryOut),
    summary="Cancel one delivery (the post's other channels are untouched)",
)
def cancel_delivery(request: HttpRequest, slug: str, delivery_id: int) -> DeliveryOut:
    access = api_access(request, slug)
    access.require("posts.cancel")
    delivery = pause_actions.cancel_delivery(access, _delivery(access, delivery_id))
    return _answer(access, delivery)


# --- the crisis pause ---------------------------------------------------------------------


def _publishing(access: Access) -> PublishingOut:
    row = WorkspacePublishing.objects.select_related("paused_by").get(workspace=access.workspace)
    return PublishingOut(**publishing_fields(row, access.workspace.tz))  # type: ignore[arg-type]


@router.get(
    "/workspaces/{slug}/publishing",
    response=answers(200, PublishingOut),
    summary="Whether publishing is paused, and the late cutoff",
)
def publishing_state(request: HttpRequest, slug: str) -> PublishingOut:
    access = api_access(request, slug)
    access.require("posts.view")
    WorkspacePublishing.of(access.workspace)
    return _publishing(access)


@router.post(
    "/workspaces/{slug}/publishing/pause",
    response=answers(200, PublishingOut),
    summary="Pause every delivery of the workspace (a crisis)",
)
def pause(request: HttpRequest, slug: str) -> PublishingOut:
    access = api_access(request, slug)
    pause_actions.pause_publishing(access)
    return _publishing(access)


@router.post(
    "/workspaces/{slug}/publishing/resume",
    response=answers(200, ResumedOut),
    summary="Resume publishing; answers the deliveries whose time passed meanwhile",
)
def resume(request: HttpRequest, slug: str) -> ResumedOut:
    access = api_access(request, slug)
    passed = pause_actions.resume_publishing(access)
    tz = access.workspace.tz
    return ResumedOut(
        **_publishing(access).model_dump(),
        waiting_for_decision=[delivery_out(d, tz) for d in passed],
    )
