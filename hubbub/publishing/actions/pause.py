"""The crisis pause, and the decisions a person takes on a delivery that waits for them."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.publishing import tasks
from hubbub.publishing.models import Delivery, DeliveryStatus, WorkspacePublishing
from hubbub.publishing.models.deliveries import WAITING
from hubbub.publishing.status import refresh_post_status
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
            ).select_related("post", "channel")
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


def send_now(access: Access, delivery: Delivery) -> Delivery:
    """Publish a held or waiting delivery at once. A part whose earlier outcome was unknown is
    still looked up on the network first."""
    with transaction.atomic():
        delivery = _decide(access, delivery, "posts.schedule", DECIDABLE)
        before = delivery.status
        now = timezone.now()
        delivery.status = D.SCHEDULED
        delivery.next_attempt_at = now
        delivery.retry_count = 0
        delivery.missed_reported_at = None
        delivery.updated_at = now
        delivery.save()
        _audit(access, delivery, "delivery.send_now", before)
        tasks.enqueue(delivery.pk)
    refresh_post_status(delivery.post_id)
    return delivery


def reschedule_delivery(
    access: Access, delivery: Delivery, when: datetime, *, fold: int | None = None
) -> Delivery:
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
        before = delivery.status
        delivery.status = D.SCHEDULED
        delivery.due_at = delivery.next_attempt_at = due
        delivery.retry_count = 0
        delivery.missed_reported_at = None
        delivery.updated_at = now
        delivery.save()
        _audit(access, delivery, "delivery.reschedule", before, due_at=due.isoformat())
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
