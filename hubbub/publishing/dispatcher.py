"""The dispatcher: publishes each delivery exactly once, whatever the number of workers.

How exactly-once holds (ARCHITECTURE invariant 1):
- A delivery is claimed by one conditional UPDATE (status and lease checked in the same
  statement); a worker publishes only what it claimed. On PostgreSQL a batch is picked with
  SELECT ... FOR UPDATE SKIP LOCKED so workers do not queue behind each other's rows.
- No database transaction is held open across a network call.
- Before a part is sent, `in_flight_part` is committed; after the network answers, the
  part's PublishedRef is committed and the marker cleared. A part whose marker is still set
  when the delivery is next handled (a timeout after sending, a worker killed mid-call) is
  looked up on the network (`find_published`) before anything is sent again.
- Every write after the claim is conditional on still holding the claim: a worker whose
  lease expired and was taken over cannot overwrite the new holder's progress.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.audit import record
from hubbub.networks.base import Connector, ConnectorError, RateLimited
from hubbub.networks.models import Channel, Health
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.registry import connector_for
from hubbub.publishing.models import (
    Attempt,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    PostMedia,
    WorkspacePublishing,
)
from hubbub.publishing.models.deliveries import WAITING, ref_to_json
from hubbub.publishing.notify import notify_needs_attention
from hubbub.publishing.status import refresh_post_status

log = logging.getLogger(__name__)
D = DeliveryStatus

# Long enough for a thread of several parts with slow uploads; renewed before every part.
LEASE = timedelta(minutes=5)
# Failed attempts in a row before a person is asked (30 s, 2 min, 8 min, 32 min, then hourly).
MAX_ATTEMPTS = 8
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MISSED_AFTER = timedelta(minutes=5)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def backoff(failures: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min, then capped at an hour."""
    delay = BACKOFF_FIRST * int(4 ** max(0, failures - 1))
    return min(delay, BACKOFF_CAP)


def _claimable(now: datetime) -> Q:
    return Q(status__in=WAITING, next_attempt_at__lte=now) | Q(
        status=D.CLAIMED, claim_expires_at__lte=now
    )


def _paused_workspaces() -> QuerySet[WorkspacePublishing, Any]:
    return WorkspacePublishing.objects.filter(paused_at__isnull=False).values("workspace_id")


def _claim_filter(now: datetime) -> QuerySet[Delivery]:
    # Every condition is on the delivery row itself (no join): PostgreSQL re-checks them on
    # the row it finally locks, so of two concurrent claims exactly one matches.
    return Delivery.objects.filter(_claimable(now)).exclude(workspace_id__in=_paused_workspaces())


def _claim_values(worker: str, now: datetime) -> dict[str, Any]:
    return {
        "status": D.CLAIMED,
        "claimed_by": worker,
        "claimed_at": now,
        "claim_expires_at": now + LEASE,
        "updated_at": now,
    }


def claim(delivery_id: int, worker: str, now: datetime | None = None) -> bool:
    """True when this worker now holds the delivery; False when it is not due, paused, or
    another worker got there first."""
    now = now or timezone.now()
    return _claim_filter(now).filter(pk=delivery_id).update(**_claim_values(worker, now)) == 1


def claim_batch(worker: str, limit: int, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                _claim_filter(now)
                .select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            _claim_filter(now).filter(pk__in=ids).update(**_claim_values(worker, now))
        return list(
            Delivery.objects.filter(pk__in=ids, claimed_by=worker).values_list("pk", flat=True)
        )
    # SQLite has one writer at a time: each conditional UPDATE is the claim. Candidates other
    # workers take meanwhile are skipped; a few spares make up for them.
    candidates = _claim_filter(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
    claimed: list[int] = []
    for pk in list(candidates[: limit * 2]):
        if len(claimed) == limit:
            break
        if claim(pk, worker, now):
            claimed.append(pk)
    return claimed


def dispatch_due(now: datetime | None = None, worker: str | None = None, limit: int = 100) -> int:
    """Claim up to `limit` due deliveries and publish them; returns how many were handled."""
    worker = worker or worker_id()
    ids = claim_batch(worker, limit, now)
    for pk in ids:
        _run(pk, worker)
    return len(ids)


def deliver(delivery_id: int, worker: str | None = None) -> bool:
    """Publish one delivery if it is due and nobody holds it; True when this call handled it."""
    worker = worker or worker_id()
    if not claim(delivery_id, worker):
        return False
    _run(delivery_id, worker)
    return True


# --- one claimed delivery ------------------------------------------------------------------


@dataclass
class _Job:
    delivery: Delivery
    worker: str

    def mine(self) -> QuerySet[Delivery]:
        return Delivery.objects.filter(
            pk=self.delivery.pk, status=D.CLAIMED, claimed_by=self.worker
        )


def _run(delivery_id: int, worker: str) -> None:
    delivery = Delivery.objects.select_related(
        "variant", "post", "post__author", "channel", "workspace"
    ).get(pk=delivery_id)
    job = _Job(delivery, worker)
    if delivery.status != D.CLAIMED or delivery.claimed_by != worker:
        return
    channel = delivery.channel
    if channel.disconnected_at is not None or channel.health == Health.NEEDS_RECONNECT:
        _hold(job, channel.health_message or _("The channel needs reconnecting."))
        return
    refresh_post_status(delivery.post_id)
    try:
        _publish_parts(job)
    except Exception:  # a bug must not leave the delivery claimed for a whole lease
        log.exception("publishing delivery %s failed unexpectedly", delivery.pk)
        exc = ConnectorError(_("Unexpected error in Hubbub; see the server log."), permanent=False)
        exc.sent = True  # we cannot know whether the network got it
        _failed(job, None, exc)


def _media_of(delivery: Delivery) -> dict[int, tuple[MediaFile, ...]]:
    by_part: dict[int, list[MediaFile]] = {}
    rows = PostMedia.objects.filter(
        Q(variant=delivery.variant) | Q(post_id=delivery.post_id, variant__isnull=True)
    )
    for m in rows:
        by_part.setdefault(m.part_index, []).append(
            MediaFile(
                path=settings.MEDIA_ROOT / m.path,
                mime_type=m.mime_type,
                size=m.size,
                alt_text=m.alt_text,
                width=m.width,
                height=m.height,
                duration_seconds=m.duration_seconds,
            )
        )
    return {k: tuple(v) for k, v in by_part.items()}


def idempotency_key(delivery_id: int, index: int) -> str:
    return f"hubbub-{delivery_id}-{index}"


def _publish_parts(job: _Job) -> None:
    delivery = job.delivery
    variant = delivery.variant
    texts = variant.texts()
    media = _media_of(delivery)
    refs = delivery.refs()
    connector = connector_for(delivery.channel)
    for index in range(len(refs), len(texts)):
        part = OutgoingPart(
            text=texts[index],
            idempotency_key=idempotency_key(delivery.pk, index),
            media=media.get(index, ()),
            link=variant.link if index == 0 else "",
            reply_to=ReplyTarget(root=refs[0], parent=refs[-1]) if refs else None,
            language=variant.language,
            not_before=delivery.due_at,
        )
        if delivery.in_flight_part == index:
            looked, found = _reconcile(job, connector, part, index)
            if not looked:
                return  # the lookup failed: handled as a failed attempt
            if found is not None:
                refs.append(found)
                continue
        if not _fence(job, index):
            return  # our lease expired and another worker holds the delivery now
        attempt = DeliveryAttempt(
            delivery=delivery, part_index=index, worker=job.worker, started_at=timezone.now()
        )
        try:
            ref = connector.publish(part)
        except ConnectorError as exc:
            _failed(job, attempt, exc)
            return
        except Exception as exc:  # after the request may have left: the outcome is unknown
            log.exception("publishing part %s of delivery %s failed", index, delivery.pk)
            unknown = ConnectorError(str(exc) or type(exc).__name__, permanent=False, sent=True)
            _failed(job, attempt, unknown)
            return
        attempt.outcome = Attempt.PUBLISHED
        attempt.response_id = ref.external_id[:500]
        refs.append(ref)
        if not _record_part(job, attempt, refs):
            return
    _published(job, refs)


def _fence(job: _Job, index: int) -> bool:
    """Mark the part as in flight (committed before the network call) and renew the lease."""
    now = timezone.now()
    updated = job.mine().update(
        in_flight_part=index, claim_expires_at=now + LEASE, attempt_count=F("attempt_count") + 1
    )
    job.delivery.in_flight_part = index
    return updated == 1


def _record_part(job: _Job, attempt: DeliveryAttempt, refs: list[PublishedRef]) -> bool:
    now = timezone.now()
    attempt.finished_at = now
    attempt.save()
    updated = job.mine().update(
        published_refs=[ref_to_json(r) for r in refs],
        in_flight_part=None,
        retry_count=0,
        claim_expires_at=now + LEASE,
        updated_at=now,
    )
    job.delivery.in_flight_part = None
    # When 0: another worker took the delivery over; it finds this part by reconciling.
    return updated == 1


def _reconcile(
    job: _Job, connector: Connector, part: OutgoingPart, index: int
) -> tuple[bool, PublishedRef | None]:
    """Look for a part whose earlier attempt's outcome is unknown. Returns (True, its ref),
    (True, None) when the network does not have it (so it is sent again), or (False, None)
    when the lookup failed (handled as a failed attempt: the next run looks again)."""
    started = timezone.now()
    attempt = DeliveryAttempt(
        delivery=job.delivery, part_index=index, worker=job.worker, started_at=started
    )
    try:
        found = connector.find_published(part)
    except ConnectorError as exc:
        exc.sent = True  # still unknown: the marker stays, the next run looks again
        _failed(job, attempt, exc)
        return False, None
    attempt.finished_at = timezone.now()
    if found is None:
        attempt.outcome = Attempt.RECONCILED_ABSENT
        attempt.save()
        return True, None
    attempt.outcome = Attempt.RECONCILED_FOUND
    attempt.response_id = found.external_id[:500]
    refs = [*job.delivery.refs(), found]
    job.delivery.published_refs = [ref_to_json(r) for r in refs]
    if not _record_part(job, attempt, refs):
        return False, None
    record(
        "delivery.reconciled",
        workspace=job.delivery.workspace,
        actor=None,
        via="system",
        obj=job.delivery,
        after={"part": index, "external_id": found.external_id},
    )
    return True, found


def _published(job: _Job, refs: list[PublishedRef]) -> None:
    now = timezone.now()
    url = refs[0].url if refs else ""
    updated = job.mine().update(
        status=D.PUBLISHED,
        published_url=url,
        published_at=now,
        claimed_by="",
        claim_expires_at=None,
        last_error="",
        network_message="",
        updated_at=now,
    )
    if updated:
        record(
            "delivery.published",
            workspace=job.delivery.workspace,
            actor=None,
            via="system",
            obj=job.delivery,
            before={"status": D.CLAIMED},
            after={"status": D.PUBLISHED, "url": url},
        )
    refresh_post_status(job.delivery.post_id)


def _failed(job: _Job, attempt: DeliveryAttempt | None, exc: ConnectorError) -> None:
    now = timezone.now()
    delivery = job.delivery
    if attempt is not None:
        attempt.finished_at = now
        attempt.error = str(exc)[:2000]
        attempt.network_message = exc.network_message[:2000]
    if exc.needs_reconnect:
        if attempt is not None:
            attempt.outcome = Attempt.PERMANENT
            attempt.save()
        mark_needs_reconnect(delivery.channel, str(exc))
        _hold(job, str(exc), keep_in_flight=exc.sent)
        return
    if exc.permanent:
        if attempt is not None:
            attempt.outcome = Attempt.PERMANENT
            attempt.save()
        _needs_attention(job, str(exc), exc.network_message, keep_in_flight=exc.sent)
        return
    if attempt is not None:
        if isinstance(exc, RateLimited):
            attempt.outcome = Attempt.RATE_LIMITED
        else:
            attempt.outcome = Attempt.UNKNOWN if exc.sent else Attempt.TRANSIENT
        attempt.save()
    failures = delivery.retry_count + 1
    if failures >= MAX_ATTEMPTS:
        message = _("Gave up after %(n)s failed attempts: %(error)s") % {
            "n": failures,
            "error": exc,
        }
        _needs_attention(job, message, exc.network_message, keep_in_flight=exc.sent)
        return
    when = exc.retry_at if exc.retry_at is not None else now + backoff(failures)
    values: dict[str, Any] = {
        "status": D.RETRYING,
        "next_attempt_at": max(when, now),
        "retry_count": failures,
        "claimed_by": "",
        "claim_expires_at": None,
        "last_error": str(exc),
        "network_message": exc.network_message,
        "updated_at": now,
    }
    if not exc.sent:
        values["in_flight_part"] = None  # the network said no: nothing to look for
    if job.mine().update(**values):
        record(
            "delivery.retry",
            workspace=delivery.workspace,
            actor=None,
            via="system",
            obj=delivery,
            before={"status": D.CLAIMED},
            after={
                "status": D.RETRYING,
                "next_attempt_at": values["next_attempt_at"].isoformat(),
                "error": str(exc),
                "outcome_unknown": exc.sent,
            },
        )
    refresh_post_status(delivery.post_id)


def _hold(job: _Job, message: str, keep_in_flight: bool = False) -> None:
    now = timezone.now()
    values: dict[str, Any] = {
        "status": D.HELD,
        "claimed_by": "",
        "claim_expires_at": None,
        "last_error": message,
        "updated_at": now,
    }
    if not keep_in_flight and job.delivery.in_flight_part is not None:
        values["in_flight_part"] = None
    if job.mine().update(**values):
        record(
            "delivery.hold",
            workspace=job.delivery.workspace,
            actor=None,
            via="system",
            obj=job.delivery,
            before={"status": D.CLAIMED},
            after={"status": D.HELD, "reason": message},
        )
    refresh_post_status(job.delivery.post_id)


def _needs_attention(job: _Job, message: str, network_message: str, keep_in_flight: bool) -> None:
    now = timezone.now()
    values: dict[str, Any] = {
        "status": D.NEEDS_ATTENTION,
        "claimed_by": "",
        "claim_expires_at": None,
        "last_error": message,
        "network_message": network_message,
        "updated_at": now,
    }
    if not keep_in_flight:
        values["in_flight_part"] = None
    if job.mine().update(**values):
        record(
            "delivery.needs_attention",
            workspace=job.delivery.workspace,
            actor=None,
            via="system",
            obj=job.delivery,
            before={"status": D.CLAIMED},
            after={"status": D.NEEDS_ATTENTION, "reason": message, "network": network_message},
        )
        job.delivery.refresh_from_db()
        notify_needs_attention(job.delivery)
    refresh_post_status(job.delivery.post_id)


def mark_needs_reconnect(channel: Channel, message: str) -> None:
    """The network refused the channel's credentials while publishing: show it needs a person.

    (hubbub.networks.actions records health the same way for its periodic checks.)
    """
    before = channel.health
    Channel.objects.filter(pk=channel.pk).update(
        health=Health.NEEDS_RECONNECT, health_message=message, last_checked_at=timezone.now()
    )
    channel.health, channel.health_message = Health.NEEDS_RECONNECT, message
    if before != Health.NEEDS_RECONNECT:
        record(
            "channel.health",
            workspace=channel.workspace,
            actor=None,
            via="system",
            obj=channel,
            before={"health": before},
            after={"health": Health.NEEDS_RECONNECT, "message": message},
        )


# --- the missed-post alarm ------------------------------------------------------------------


def report_missed(now: datetime | None = None) -> list[Delivery]:
    """Deliveries more than MISSED_AFTER past due and not being published: logged and audited
    once each. A healthy system has none; one here means no worker is running or they lag."""
    now = now or timezone.now()
    late = now - MISSED_AFTER
    missed = list(
        Delivery.objects.filter(
            Q(status__in=WAITING, next_attempt_at__lte=late, due_at__lte=late)
            | Q(status=D.CLAIMED, claim_expires_at__lte=late),
            missed_reported_at__isnull=True,
        )
        .exclude(workspace_id__in=_paused_workspaces())
        .select_related("workspace", "channel")
    )
    for delivery in missed:
        if not Delivery.objects.filter(pk=delivery.pk, missed_reported_at__isnull=True).update(
            missed_reported_at=now
        ):
            continue
        log.warning(
            "missed post: delivery %s to %s was due at %s and has not gone out",
            delivery.pk,
            delivery.channel,
            delivery.due_at.isoformat(),
        )
        record(
            "delivery.missed",
            workspace=delivery.workspace,
            actor=None,
            via="system",
            obj=delivery,
            after={"status": delivery.status, "due_at": delivery.due_at.isoformat()},
        )
    return missed


def due_ids(now: datetime | None = None, limit: int = 1000) -> list[int]:
    now = now or timezone.now()
    return list(_claim_filter(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
