"""The crisis pause, and the decisions a person takes on a delivery that waits for them."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Membership
from hubbub.core.permissions import PERMISSIONS
from hubbub.networks.registry import connector_class
from hubbub.publishing import signals, tasks, workflow
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, WorkspacePublishing
from hubbub.publishing.models.deliveries import WAITING
from hubbub.publishing.status import announce, refresh_post_status
from hubbub.publishing.tz import local_to_utc

D = DeliveryStatus
DECIDABLE = (D.NEEDS_ATTENTION, D.HELD)


def pause_publishing(access: Access) -> WorkspacePublishing:
    """Stop every delivery of the workspace from being claimed. One already being sent
    finishes: a request on its way to the network cannot be called back."""
    access.require("publishing.pause")
    with transaction.atomic():
        row = WorkspacePublishing.of(access.workspace)
        if row.paused_at is not None:
            return row
        row.paused_at = timezone.now()
        row.paused_by = access.user
        row.save(update_fields=["paused_at", "paused_by"])
        record("publishing.pause", workspace=access.workspace, actor=access.user, via=access.via)
    return row


def resume_publishing(access: Access) -> list[Delivery]:
    """Lift the pause. Deliveries whose time passed meanwhile do not rush out: they wait for a
    person to send them now, reschedule or cancel them; they are returned for that list."""
    access.require("publishing.pause")
    now = timezone.now()
    message = _(
        "Its time passed while publishing was paused: send it now, reschedule or cancel it."
    )
    with transaction.atomic():
        row = WorkspacePublishing.of(access.workspace)
        paused_at = row.paused_at
        row.paused_at = None
        row.paused_by = None
        row.save(update_fields=["paused_at", "paused_by"])
        passed = list(
            Delivery.objects.filter(
                workspace=access.workspace, status__in=WAITING, next_attempt_at__lte=now
            ).select_related("post", "channel", "workspace")
        )
        Delivery.objects.filter(pk__in=[d.pk for d in passed], status__in=WAITING).update(
            status=D.NEEDS_ATTENTION, last_error=message, updated_at=now
        )
        record(
            "publishing.resume",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            before={"paused_at": paused_at.isoformat() if paused_at else None},
            after={"waiting_for_decision": [d.pk for d in passed]},
        )
        for delivery in passed:
            record(
                "delivery.needs_attention",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=delivery,
                before={"status": delivery.status},
                after={"status": D.NEEDS_ATTENTION, "reason": message},
            )
            delivery.status = D.NEEDS_ATTENTION
            delivery.last_error = message
            announce(signals.delivery_needs_attention, delivery=delivery)
    for post_id in {d.post_id for d in passed}:
        refresh_post_status(post_id)
    return passed


def _decide(
    access: Access, delivery: Delivery, permission: str, allowed: tuple[str, ...]
) -> Delivery:
    access.require(permission)
    if delivery.workspace_id != access.workspace.pk:
        raise ActionError(_("That delivery belongs to another workspace."))
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in allowed:
        raise ActionError(
            _("This delivery is %(status)s: there is nothing to decide.")
            % {"status": D(delivery.status).label}
        )
    return delivery


def _audit(access: Access, delivery: Delivery, action: str, before: str, **after: object) -> None:
    record(
        action,
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=delivery,
        before={"status": before},
        after={"status": delivery.status, **after},
    )


def _can_look_up(delivery: Delivery) -> bool:
    try:
        return connector_class(delivery.channel.network).can_look_up
    except KeyError:  # a network no longer installed: nothing can be sent anyway
        return True


def send_now(access: Access, delivery: Delivery) -> Delivery:
    """Publish a held or waiting delivery at once. A part whose earlier outcome was unknown is
    still looked up on the network first, where the network allows it; where it does not, the
    person has been asked to look in the channel, and sending now is their answer."""
    with transaction.atomic():
        delivery = _decide(access, delivery, "posts.schedule", DECIDABLE)
        before = delivery.status
        now = timezone.now()
        resent_unknown = None
        if delivery.in_flight_part is not None and not _can_look_up(delivery):
            resent_unknown, delivery.in_flight_part = delivery.in_flight_part, None
        delivery.status = D.SCHEDULED
        delivery.next_attempt_at = now
        delivery.retry_count = 0
        delivery.missed_reported_at = None
        delivery.updated_at = now
        delivery.save()
        if resent_unknown is None:
            _audit(access, delivery, "delivery.send_now", before)
        else:
            _audit(
                access, delivery, "delivery.send_now", before, resent_unknown_part=resent_unknown
            )
        tasks.enqueue(delivery.pk)
    refresh_post_status(delivery.post_id)
    return delivery


def _second_approvers(access: Access, post: Post) -> dict[int, str]:
    """Who may give the out-of-hours approval (as workflow's extra step: anyone named by a
    step, and those who manage approvals), never the post's author."""
    named: set[int] = set()
    for step in workflow.evaluate(post).steps:
        named |= step.approver_ids
    members = Membership.objects.filter(
        workspace=access.workspace, user__is_active=True
    ).select_related("user")
    return {
        m.user_id: m.user.display_name
        for m in members
        if (m.user_id in named or m.role in PERMISSIONS["approvals.manage"])
        and m.user_id != post.author_id
    }


def _approved_hours_gate(access: Access, delivery: Delivery, due: datetime) -> str:
    """The approved-hours rule for one delivery moved to a new time, as schedule_post applies
    it to a whole post: outside the hours, a second person must have approved it.

    schedule_post sends such a post back to review; one delivery cannot go back to review
    (the post's other channels may be out already), so here:
    - the post's current round already has its out-of-hours approval: it may go;
    - the person rescheduling may give that approval and did not write the post: moving it
      is their approval, recorded in the audit entry (returned, for it);
    - anyone else (the author, an editor) is refused, told whom to ask.
    WorkspacePublishing.reapprove_on_reschedule is not applied: it asks for the content to be
    approved again, and the content of a delivery being recovered has not changed.
    """
    if not workflow.outside_approved_hours(access.workspace, due):
        return ""
    post = Post.objects.select_related("workspace").get(pk=delivery.post_id)
    if workflow.has_out_of_hours_approval(post):
        return "approved before"
    people = _second_approvers(access, post)
    if access.user.pk in people:  # the author is never among them
        return "given by the person rescheduling"
    row = WorkspacePublishing.of(access.workspace)
    hours = {
        "start": row.approved_hours_start.strftime("%H:%M") if row.approved_hours_start else "",
        "end": row.approved_hours_end.strftime("%H:%M") if row.approved_hours_end else "",
    }
    raise ActionError(
        _(
            "%(time)s is outside the approved hours (%(start)s to %(end)s): a post going out "
            "then needs a second person's approval. Choose a time inside them, or ask "
            "%(who)s to reschedule it."
        )
        % {
            "time": due.astimezone(access.workspace.tz).strftime("%Y-%m-%d %H:%M"),
            "who": ", ".join(sorted(people.values())) or _("an owner or a manager"),
            **hours,
        },
        field="scheduled_at",
    )


def reschedule_delivery(
    access: Access, delivery: Delivery, when: datetime, *, fold: int | None = None
) -> Delivery:
    """Give one delivery waiting for a decision a new time (only that channel moves)."""
    due = local_to_utc(when, access.workspace.tz, fold)
    now = timezone.now()
    if due <= now:
        raise ActionError(
            _("%(time)s has already passed: choose a time in the future.")
            % {"time": due.astimezone(access.workspace.tz).strftime("%Y-%m-%d %H:%M")},
            field="scheduled_at",
        )
    with transaction.atomic():
        delivery = _decide(access, delivery, "posts.schedule", (*DECIDABLE, *WAITING))
        out_of_hours = _approved_hours_gate(access, delivery, due)
        before = delivery.status
        delivery.status = D.SCHEDULED
        delivery.due_at = delivery.next_attempt_at = due
        delivery.retry_count = 0
        delivery.missed_reported_at = None
        delivery.updated_at = now
        delivery.save()
        extra = {"out_of_hours_approval": out_of_hours} if out_of_hours else {}
        _audit(access, delivery, "delivery.reschedule", before, due_at=due.isoformat(), **extra)
        tasks.enqueue(delivery.pk, eta=due)
    refresh_post_status(delivery.post_id)
    return delivery


def cancel_delivery(access: Access, delivery: Delivery) -> Delivery:
    with transaction.atomic():
        delivery = _decide(access, delivery, "posts.cancel", (*DECIDABLE, *WAITING))
        before = delivery.status
        delivery.status = D.CANCELLED
        delivery.updated_at = timezone.now()
        delivery.save()
        _audit(access, delivery, "delivery.cancel", before)
    refresh_post_status(delivery.post_id)
    return delivery
