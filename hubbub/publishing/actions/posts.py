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

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.notifications import notify
from hubbub.curation import guardrails
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.publishing import tasks, workflow
from hubbub.publishing.models import (
    Campaign,
    Decision,
    Delivery,
    DeliveryStatus,
    Post,
    PostMedia,
    PostStatus,
    PostVariant,
    WorkspacePublishing,
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


def require_own_or(access: Access, post: Post, permission: str) -> None:
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
        PostMedia.objects.bulk_create(
            media_row(post, variant, m, position) for position, m in enumerate(v.media)
        )


def media_row(
    post: Post, variant: PostVariant, m: MediaInput | PostMedia, position: int
) -> PostMedia:
    """A media item of a variant, from a new input or an existing post's (a recurring copy)."""
    return PostMedia(
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
    require_own_or(access, post, "posts.edit")
    _check_inputs(access, purpose, variants)
    _check_campaign(access, campaign)
    withdrawn: tuple[list[User], list[User]] = ([], [])
    with transaction.atomic():
        post = _lock(post)
        _refuse_while_publishing(post)
        before = _summary(post)
        was_scheduled = post.status == PostStatus.SCHEDULED
        post.purpose = purpose
        post.campaign = campaign
        if post.status in (PostStatus.IN_REVIEW, PostStatus.APPROVED) or (
            was_scheduled and workflow.approval_required(access.workspace, post.scheduled_at)
        ):
            # Changed content needs approving again: back to draft, and a new round so that
            # decisions taken on the old text no longer count (they stay in the history).
            withdrawn = _approvers_of_round(post)
            post.status = PostStatus.DRAFT
            post.approval_round += 1
            if was_scheduled:
                Delivery.objects.filter(post=post).delete()  # only scheduled/cancelled ones
                was_scheduled = False
        if was_scheduled:
            problems = _problems_of(variants)
            if problems:
                raise ActionError(" ".join(p.message for p in problems), field=problems[0].field)
            Delivery.objects.filter(post=post).delete()
        post.save()
        _save_variants(post, variants)
        if was_scheduled and post.scheduled_at is not None:
            guardrails.refuse_blocked(post)  # the new text stays scheduled: same rules
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
    _tell_withdrawn(post, *withdrawn, actor=access.user)
    return post


def _approvers_of_round(post: Post) -> tuple[list[User], list[User]]:
    """Before an edit sends the post back to draft: who was waiting to decide it (its current
    step's approvers) and who had approved it in this round (that no longer counts)."""
    state = workflow.evaluate(post)
    waiting = workflow.next_approvers(state) if post.status == PostStatus.IN_REVIEW else []
    approved = [
        d.user for d in state.decisions if d.decision == Decision.APPROVE and d.user is not None
    ]
    return waiting, approved


def _tell_withdrawn(post: Post, waiting: list[User], approved: list[User], *, actor: User) -> None:
    """Tell the approvers the post they were deciding (or had approved) changed and is out of
    review, so nobody approves a text that is no longer there or waits for it in vain."""
    who, purpose = actor.display_name, post.purpose[:80]
    approved = [u for u in approved if u.pk != actor.pk]
    done = {u.pk for u in approved}
    waiting = [u for u in waiting if u.pk != actor.pk and u.pk not in done]

    def to_waiting() -> str:
        return _(
            "%(who)s changed “%(purpose)s”: it is withdrawn from review and back to draft. "
            "Nothing to approve until it is submitted again."
        ) % {"who": who, "purpose": purpose}

    def to_approved() -> str:
        return _(
            "%(who)s changed “%(purpose)s” after you approved it: it is withdrawn from review "
            "and back to draft, and your approval no longer counts."
        ) % {"who": who, "purpose": purpose}

    url = workflow.post_url(post)
    notify(waiting, post.workspace, "approval.withdrawn", to_waiting, url)
    notify(approved, post.workspace, "approval.withdrawn", to_approved, url)


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
    require_own_or(access, post, "posts.schedule")
    due = local_to_utc(when, access.workspace.tz, fold)
    now = now or timezone.now()
    if due <= now:
        raise ActionError(
            _("%(time)s has already passed: choose a time in the future.")
            % {"time": due.astimezone(access.workspace.tz).strftime("%Y-%m-%d %H:%M")},
            field="scheduled_at",
        )
    # Before the lock: a link rule set to block makes requests, not to be held in a lock.
    guardrails.refuse_blocked(post)
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
        back_to_review = _approval_gate(access, post, due)
        if not back_to_review:
            schedule_approved(post, due, actor=access.user, via=access.via)
    if back_to_review:
        workflow.tell_next_approvers(post, actor=access.user)
    return post


def _approval_gate(access: Access, post: Post, due: datetime) -> bool:
    """Refuse a post that needs approval and has none; send an approved one back to review
    when its new time needs it (True). False: it may be scheduled."""
    if not workflow.approval_required(access.workspace, due):
        return False
    if post.status not in (PostStatus.APPROVED, PostStatus.SCHEDULED):
        raise ActionError(
            _(
                "This post needs approval before it can be scheduled: submit it for approval, "
                "and it is scheduled at its planned time once approved."
            ),
            field="status",
        )
    moved = post.scheduled_at is not None and post.scheduled_at != due
    reapprove = moved and WorkspacePublishing.of(access.workspace).reapprove_on_reschedule
    # Approved for its content, but now planned outside approved hours: only the second
    # approver is missing, so the round (and its approvals) stays.
    odd_hours = workflow.outside_approved_hours(
        access.workspace, due
    ) and not workflow.has_out_of_hours_approval(post)
    if not (reapprove or odd_hours):
        return False
    before = _summary(post)
    Delivery.objects.filter(post=post).delete()  # only scheduled or cancelled ones remain
    post.scheduled_at = due
    post.status = PostStatus.IN_REVIEW
    post.submitted_at = timezone.now()
    if reapprove:
        post.approval_round += 1
    post.save(
        update_fields=["scheduled_at", "status", "submitted_at", "approval_round", "updated_at"]
    )
    record(
        "post.back_to_review",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=post,
        before=before,
        after={
            **_summary(post),
            "reason": "rescheduled" if reapprove else "outside approved hours",
        },
    )
    return True


def schedule_approved(post: Post, due: datetime, *, actor: User | None, via: str) -> Post:
    """Create the deliveries of a post that may go (checked by the caller, in its
    transaction, the post locked): schedule_post, or the last approval of a post (which an
    external reviewer may give: then there is no actor)."""
    before = _summary(post)
    Delivery.objects.filter(post=post).delete()  # only scheduled or cancelled ones remain
    post.scheduled_at = due
    post.status = PostStatus.SCHEDULED
    post.save(update_fields=["scheduled_at", "status", "updated_at"])
    _create_deliveries(post, due)
    record(
        "post.schedule",
        workspace=post.workspace,
        actor=actor,
        via=via,
        obj=post,
        before=before,
        after=_summary(post),
    )
    return post


def cancel_post(access: Access, post: Post) -> Post:
    """Stop a post from going out on every channel it has not reached yet."""
    require_own_or(access, post, "posts.cancel")
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
