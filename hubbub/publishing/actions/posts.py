"""Drafting, editing, scheduling and cancelling posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.publishing import tasks
from hubbub.publishing.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    Post,
    PostMedia,
    PostStatus,
    PostVariant,
)
from hubbub.publishing.models.posts import EDITABLE
from hubbub.publishing.tz import local_to_utc
from hubbub.publishing.validation import Problem, check_variant

D = DeliveryStatus


@dataclass(frozen=True)
class MediaInput:
    path: str  # relative to MEDIA_ROOT
    mime_type: str
    size: int
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    part_index: int = 0


@dataclass(frozen=True)
class VariantInput:
    channel: Channel
    parts: Sequence[str]
    first_comment: str = ""
    link: str = ""
    language: str = ""
    media: Sequence[MediaInput] = field(default_factory=tuple)


def _require_own_or(access: Access, post: Post, permission: str) -> None:
    """Editors act on their own posts; owners and managers on anyone's."""
    access.require(permission)
    if post.workspace_id != access.workspace.pk:
        raise ActionError(_("That post belongs to another workspace."))
    if post.author_id != access.user.pk and not access.can("posts.edit_any"):
        raise PermissionDenied(
            _("This post is someone else's: ask its author, a manager or an owner to change it.")
        )


def _check_inputs(access: Access, purpose: str, variants: Sequence[VariantInput]) -> None:
    if not purpose.strip():
        raise ActionError(
            _("Say what the post is for (its purpose), e.g. 'announce the spring sale'."),
            field="purpose",
        )
    if not variants:
        raise ActionError(_("Choose at least one channel to post to."), field="channels")
    seen: set[int] = set()
    for v in variants:
        if v.channel.workspace_id != access.workspace.pk:
            raise ActionError(_("That channel belongs to another workspace."), field="channels")
        if not v.channel.is_connected:
            raise ActionError(
                _("%(channel)s is disconnected: reconnect it or choose another channel.")
                % {"channel": v.channel.handle},
                field="channels",
            )
        if v.channel.pk in seen:
            raise ActionError(
                _("%(channel)s is chosen twice.") % {"channel": v.channel.handle}, field="channels"
            )
        seen.add(v.channel.pk)


def _check_campaign(access: Access, campaign: Campaign | None) -> None:
    if campaign is not None and campaign.workspace_id != access.workspace.pk:
        raise ActionError(_("That campaign belongs to another workspace."), field="campaign")


def _save_variants(post: Post, variants: Sequence[VariantInput]) -> None:
    post.variants.all().delete()  # their media go with them
    for v in variants:
        variant = PostVariant.objects.create(
            post=post,
            channel=v.channel,
            parts=[str(p) for p in v.parts],
            first_comment=v.first_comment,
            link=v.link,
            language=v.language,
        )
        for position, m in enumerate(v.media):
            PostMedia.objects.create(
                post=post,
                variant=variant,
                path=m.path,
                mime_type=m.mime_type,
                size=m.size,
                width=m.width,
                height=m.height,
                duration_seconds=m.duration_seconds,
                alt_text=m.alt_text,
                part_index=m.part_index,
                position=position,
            )


def _summary(post: Post) -> dict[str, object]:
    return {
        "status": post.status,
        "purpose": post.purpose,
        "campaign": post.campaign_id,
        "channels": sorted(post.variants.values_list("channel_id", flat=True)),
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
    }


def create_draft(
    access: Access,
    *,
    purpose: str,
    variants: Sequence[VariantInput],
    campaign: Campaign | None = None,
) -> Post:
    """Save a draft. Text over a network's limit is kept (drafts save as people type); the
    limits are enforced when the post is scheduled, and `problems()` lists them meanwhile."""
    access.require("posts.create")
    _check_inputs(access, purpose, variants)
    _check_campaign(access, campaign)
    with transaction.atomic():
        post = Post.objects.create(
            workspace=access.workspace, author=access.user, campaign=campaign, purpose=purpose
        )
        _save_variants(post, variants)
        record(
            "post.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            after=_summary(post),
        )
    return post


def _lock(post: Post) -> Post:
    return Post.objects.select_for_update().get(pk=post.pk)


def update_post(
    access: Access,
    post: Post,
    *,
    purpose: str,
    variants: Sequence[VariantInput],
    campaign: Campaign | None = None,
) -> Post:
    _require_own_or(access, post, "posts.edit")
    _check_inputs(access, purpose, variants)
    _check_campaign(access, campaign)
    with transaction.atomic():
        post = _lock(post)
        _refuse_while_publishing(post)
        before = _summary(post)
        was_scheduled = post.status == PostStatus.SCHEDULED
        post.purpose = purpose
        post.campaign = campaign
        if post.status in (PostStatus.IN_REVIEW, PostStatus.APPROVED):
            post.status = PostStatus.DRAFT  # changed content needs approving again
        if was_scheduled:
            problems = _problems_of(variants)
            if problems:
                raise ActionError(" ".join(p.message for p in problems), field=problems[0].field)
            Delivery.objects.filter(post=post).delete()
        post.save()
        _save_variants(post, variants)
        if was_scheduled and post.scheduled_at is not None:
            _create_deliveries(post, post.scheduled_at)
        record(
            "post.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            before=before,
            after=_summary(post),
        )
    return post


def _refuse_while_publishing(post: Post) -> None:
    if post.status not in EDITABLE:
        raise ActionError(
            _("This post is %(status)s and can no longer be changed.")
            % {"status": PostStatus(post.status).label}
        )
    if Delivery.objects.filter(post=post).exclude(status__in=[D.SCHEDULED, D.CANCELLED]).exists():
        raise ActionError(
            _(
                "This post is being published right now: wait until it is out, then edit or "
                "delete it on the network."
            )
        )


def _problems_of(variants: Sequence[VariantInput]) -> list[Problem]:
    problems: list[Problem] = []
    for v in variants:
        media = [(m.part_index, _media_file(m.path, m)) for m in v.media]
        problems += check_variant(v.channel, list(v.parts), v.first_comment, media)
    return problems


def _media_file(path: str, m: PostMedia | MediaInput) -> MediaFile:
    return MediaFile(
        path=Path(settings.MEDIA_ROOT) / path,
        mime_type=m.mime_type,
        size=m.size,
        alt_text=m.alt_text,
        width=m.width,
        height=m.height,
        duration_seconds=m.duration_seconds,
    )


def problems(post: Post) -> list[Problem]:
    """What stops this post from being scheduled, per channel (empty when it can go)."""
    found: list[Problem] = []
    for variant in post.variants.select_related("channel"):
        media = [(m.part_index, _media_file(m.path, m)) for m in variant.media.all()]
        found += check_variant(variant.channel, variant.parts, variant.first_comment, media)
    return found


def _create_deliveries(post: Post, when: datetime) -> list[Delivery]:
    deliveries = [
        Delivery.objects.create(
            workspace_id=post.workspace_id,
            post=post,
            variant=variant,
            channel_id=variant.channel_id,
            due_at=when,
            next_attempt_at=when,
        )
        for variant in post.variants.all()
    ]
    for delivery in deliveries:
        tasks.enqueue(delivery.pk, eta=when)
    return deliveries


def schedule_post(
    access: Access,
    post: Post,
    when: datetime,
    *,
    fold: int | None = None,
    now: datetime | None = None,
) -> Post:
    """Schedule (or reschedule) a post. `when` is a wall-clock time in the workspace's time
    zone (naive), or an aware datetime; `fold` picks the first (0) or second (1) occurrence
    of a time in the hour repeated when the clocks go back."""
    _require_own_or(access, post, "posts.schedule")
    due = local_to_utc(when, access.workspace.tz, fold)
    now = now or timezone.now()
    if due <= now:
        raise ActionError(
            _("%(time)s has already passed: choose a time in the future.")
            % {"time": due.astimezone(access.workspace.tz).strftime("%Y-%m-%d %H:%M")},
            field="scheduled_at",
        )
    with transaction.atomic():
        post = _lock(post)
        if post.status == PostStatus.IN_REVIEW:
            raise ActionError(
                _("This post is waiting for approval: it can be scheduled once approved.")
            )
        _refuse_while_publishing(post)
        found = problems(post)
        if found:
            raise ActionError(" ".join(p.message for p in found), field=found[0].field)
        before = _summary(post)
        Delivery.objects.filter(post=post).delete()  # only scheduled or cancelled ones remain
        post.scheduled_at = due
        post.status = PostStatus.SCHEDULED
        post.save(update_fields=["scheduled_at", "status", "updated_at"])
        _create_deliveries(post, due)
        record(
            "post.schedule",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            before=before,
            after=_summary(post),
        )
    return post


def cancel_post(access: Access, post: Post) -> Post:
    """Stop a post from going out on every channel it has not reached yet."""
    _require_own_or(access, post, "posts.cancel")
    with transaction.atomic():
        post = _lock(post)
        if post.status in (PostStatus.PUBLISHED, PostStatus.CANCELLED):
            raise ActionError(
                _("This post is already %(status)s.") % {"status": PostStatus(post.status).label}
            )
        if Delivery.objects.filter(post=post, status=D.CLAIMED).exists():
            raise ActionError(_("This post is being published right now: try again in a minute."))
        before = _summary(post)
        # Conditional: a delivery a worker claims meanwhile is not cancelled under its feet.
        Delivery.objects.filter(post=post).exclude(status__in=[D.CLAIMED, D.PUBLISHED]).update(
            status=D.CANCELLED, updated_at=timezone.now()
        )
        if not Delivery.objects.filter(post=post, status__in=[D.CLAIMED, D.PUBLISHED]).exists():
            post.status = PostStatus.CANCELLED
            post.save(update_fields=["status", "updated_at"])
        record(
            "post.cancel",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            before=before,
            after=_summary(post),
        )
    return post
