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

How it keeps up (bench/dispatch.py measures it): publishing is waiting on the network, so a
claimed batch is published concurrently by a thread pool shared by the process
(HUBBUB_PUBLISH_CONCURRENCY), each delivery in its own thread with its own database
connection. The database work per delivery is a handful of statements: the batch is claimed,
loaded and its posts' statuses refreshed with a fixed number of queries; per delivery remain
the fence before the call and one transaction after it (the attempt, the new state, its
audit entry).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.audit import record
from hubbub.core.models import AuditEntry
from hubbub.curation.links_outgoing import outgoing_link, outgoing_texts
from hubbub.networks.base import Connector, ConnectorError, RateLimited
from hubbub.networks.models import Channel, Health
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.registry import connector_for
from hubbub.publishing import signals, writes
from hubbub.publishing.models import (
    Attempt,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    PostMedia,
    WorkspacePublishing,
)
from hubbub.publishing.models.deliveries import WAITING, ref_from_json, ref_to_json
from hubbub.publishing.notify import notify_needs_attention
from hubbub.publishing.status import announce, refresh_posts, system_entry

log = logging.getLogger(__name__)
D = DeliveryStatus

# Long enough for a thread of several parts with slow uploads; renewed before every part.
# (HUBBUB_PUBLISH_LEASE: a deployment with a short HTTP time-out may take a crashed worker's
# deliveries over sooner.)
LEASE = timedelta(seconds=getattr(settings, "HUBBUB_PUBLISH_LEASE", 300))
# Failed attempts in a row before a person is asked (30 s, 2 min, 8 min, 32 min, then hourly).
MAX_ATTEMPTS = 8
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MISSED_AFTER = timedelta(minutes=5)
# A drain that runs out of due deliveries stays this long for the next to come due, rather
# than leaving it to its own queued job (Huey moves a job to the queue on a 1 s tick, and an
# idle SQLite queue is polled): a minute with many posts goes out on time.
LINGER = timedelta(seconds=1)


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
    """Claim up to `limit` due deliveries at once; returns the ids this worker now holds.

    The candidates are read and claimed in one transaction: on PostgreSQL with FOR UPDATE
    SKIP LOCKED (workers do not queue behind each other's rows), on SQLite inside the
    IMMEDIATE transaction that holds the database's only write lock. The UPDATE re-checks
    every condition, so a row another worker got first is simply not ours.
    """
    now = now or timezone.now()
    with writes.write():
        ids = list(
            _claim_filter(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        _claim_filter(now).filter(pk__in=ids).update(**_claim_values(worker, now))
        return list(
            Delivery.objects.filter(
                pk__in=ids, status=D.CLAIMED, claimed_by=worker, claimed_at=now
            ).values_list("pk", flat=True)
        )


def batch_size() -> int:
    """Deliveries one call claims: enough to keep the publishing pool busy."""
    return max(1, concurrency())


def concurrency() -> int:
    return max(1, int(getattr(settings, "HUBBUB_PUBLISH_CONCURRENCY", 16)))


def dispatch_due(
    now: datetime | None = None, worker: str | None = None, limit: int | None = None
) -> int:
    """Claim up to `limit` due deliveries and publish them; returns how many were handled."""
    worker = worker or worker_id()
    ids = claim_batch(worker, limit or batch_size(), now)
    if ids:
        run_claimed(ids, worker)
    return len(ids)


def deliver(delivery_id: int, worker: str | None = None) -> bool:
    """Publish one delivery if it is due and nobody holds it; True when this call handled it."""
    worker = worker or worker_id()
    if not claim(delivery_id, worker):
        return False
    run_claimed([delivery_id], worker)
    return True


def deliver_due(delivery_id: int, worker: str | None = None) -> int:
    """What a delivery's queued job does at its due time: publish it, together with whatever
    else is due (see `drain`). Thousands of deliveries due in the same second thus go out
    concurrently rather than one job at a time. The jobs that come while a drain runs in
    this process leave their delivery to it, without a query (it looks again for due
    deliveries before it stops); elsewhere, a job whose delivery is already out finds
    nothing to do with one SELECT. Returns how many deliveries this call handled."""
    with _drains.lock:
        if _drains.running:
            _drains.wanted = True
            return 0
    if not _claim_filter(timezone.now()).filter(pk=delivery_id).exists():
        return 0
    return drain(worker)


class _Drains:
    """The drains running in this process, and whether a job came for one meanwhile."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.wanted = False

    def stop(self) -> bool:
        """A drain found nothing left: True when it may stop; False when a job came in
        since its last look (it looks again)."""
        with self.lock:
            if self.wanted:
                self.wanted = False
                return False
            self.running -= 1
            return True


_drains = _Drains()


# --- the publishing pool --------------------------------------------------------------------

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor | None:
    """The process's publishing threads, or None to make network calls in the calling thread.

    Inline when HUBBUB_PUBLISH_CONCURRENCY is 1, and when the caller is inside a transaction
    (tests run this way): a connector that saves the channel (a refreshed token) from another
    thread would not see its uncommitted rows.
    """
    global _pool
    size = concurrency()
    if size <= 1 or connection.in_atomic_block:
        return None
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="hubbub-publish")
        return _pool


def shutdown_pool() -> None:
    """Stop the publishing threads, closing any database connection a connector opened in
    them (tests, and a process that must not leave connections open behind it)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    size = pool._max_workers
    barrier = threading.Barrier(size, timeout=10)

    def close() -> None:
        connection.close()
        barrier.wait()  # every thread runs exactly one of these

    for f in [pool.submit(close) for _n in range(size)]:
        f.result()
    pool.shutdown(wait=True)


class _Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        with self._lock:
            self.value += n


_in_flight = _Counter()  # network calls in the pool, from every caller in the process


# --- publishing claimed deliveries -------------------------------------------------------------


def drain(worker: str | None = None) -> int:
    """Publish everything due, keeping the publishing pool full: as network calls finish,
    more deliveries are claimed (a few at a time) rather than waiting for a whole batch.
    Returns, once nothing is due and nothing is in flight, how many deliveries it handled."""
    engine = _Engine(worker or worker_id())
    with _drains.lock:
        _drains.running += 1
    return engine.run(claim=True)


def run_claimed(ids: Sequence[int], worker: str) -> int:
    """Publish deliveries this worker has claimed; returns once all are done."""
    engine = _Engine(worker)
    engine.add(ids)
    return engine.run(claim=False)


@dataclass
class _Job:
    """One claimed delivery on its way out, part by part."""

    delivery: Delivery
    worker: str
    media: dict[int, tuple[MediaFile, ...]] = field(default_factory=dict)
    batch: _Batch | None = None
    connector: Connector | None = None
    texts: list[str] = field(default_factory=list)
    link: str = ""  # the variant's link card, tagged like the texts' links
    refs: list[PublishedRef] = field(default_factory=list)
    looked: int | None = None  # the part just looked up and found absent: send it
    attempt: DeliveryAttempt | None = None  # the network call under way

    def mine(self) -> QuerySet[Delivery]:
        return Delivery.objects.filter(
            pk=self.delivery.pk, status=D.CLAIMED, claimed_by=self.worker
        )

    def part(self, index: int) -> OutgoingPart:
        variant = self.delivery.variant
        return OutgoingPart(
            text=self.texts[index],
            idempotency_key=idempotency_key(self.delivery.pk, index),
            media=self.media.get(index, ()),
            link=self.link if index == 0 else "",
            reply_to=self.reply_target(),
            language=variant.language,
            not_before=self.delivery.due_at,
        )

    def reply_target(self) -> ReplyTarget | None:
        refs, answered = self.refs, self.delivery.variant.reply_to
        if answered:  # an inbox reply: the whole chain hangs under the message it answers
            root = ref_from_json(answered["root"])
            return ReplyTarget(
                root=root, parent=refs[-1] if refs else ref_from_json(answered["parent"])
            )
        return ReplyTarget(root=refs[0], parent=refs[-1]) if refs else None

    def new_attempt(self, index: int) -> DeliveryAttempt:
        self.attempt = DeliveryAttempt(
            delivery=self.delivery, part_index=index, worker=self.worker, started_at=timezone.now()
        )
        return self.attempt


@dataclass
class _Batch:
    """Deliveries claimed together: their posts' statuses are refreshed once all are done."""

    post_ids: list[int]
    left: int = 0


class _Engine:
    """Publishes claimed deliveries: the database work in the calling thread, the network
    calls in the pool.

    Publishing is waiting on the network, so many deliveries are in flight at once; keeping
    every database statement on one thread and one connection costs far less CPU than a
    thread per delivery each with its own (measured with bench/dispatch.py), and the steps
    of one delivery stay in order: fence, call, record, next part.
    """

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.pool = _executor()
        self.size = concurrency()
        self.calls: dict[Future[Any], tuple[_Job, str]] = {}  # network call -> (job, kind)
        self.to_fence: list[tuple[_Job, int]] = []
        self.to_publish: list[tuple[_Job, DeliveryAttempt]] = []
        self.lingered_for: datetime | None = None
        self.handled = 0

    def run(self, claim: bool) -> int:
        try:
            while True:
                claimed = 0
                if claim and self.size - _in_flight.value >= max(1, self.size // 4):
                    # Claimed in groups, as room frees up: fewer claim transactions.
                    claimed = self.add(claim_batch(self.worker, self.size - _in_flight.value))
                while self.to_fence:  # answered at once without the pool: the next parts
                    self._fence_and_send()
                if not self.calls:
                    if claimed:
                        continue  # all held, or failed before any call: look for more
                    if claim and self._linger():
                        continue
                    if claim and not _drains.stop():
                        continue  # a job came for a delivery meanwhile: look again
                    claim = False  # stopped (see finally)
                    return self.handled
                done, _ = wait(
                    self.calls, timeout=0 if claimed else None, return_when=FIRST_COMPLETED
                )
                for future in done:
                    job, kind = self.calls.pop(future)
                    self._guarded(job, self._answered, job, kind, future)
                self._flush()
                while self.to_fence:
                    self._fence_and_send()
        finally:
            if self.calls:  # an error in this thread: let the calls under way finish
                wait(self.calls)
            if claim:  # left by an error: no longer draining
                with _drains.lock:
                    _drains.running -= 1

    def _linger(self) -> bool:
        """Wait for the next delivery if one comes due within LINGER; False when none does
        (or the clock did not move since the last wait: a frozen clock in tests)."""
        first = _next_due(LINGER)
        if first is None or first == self.lingered_for:
            return False
        self.lingered_for = first
        time.sleep(max(0.0, (first - timezone.now()).total_seconds()))
        return True

    def add(self, ids: Sequence[int]) -> int:
        """Load claimed deliveries (one query, their media in another), hold those whose
        channel needs reconnecting, mark their posts as publishing and start each one."""
        if not ids:
            return 0
        deliveries = list(
            Delivery.objects.select_related(
                "variant", "post", "post__author", "channel", "workspace"
            )
            .filter(pk__in=ids)
            .order_by("next_attempt_at", "pk")
        )
        jobs = [_Job(d, self.worker) for d in deliveries if _holds_claim(d, self.worker)]
        batch = _Batch([job.delivery.post_id for job in jobs])
        sendable = []
        for job in jobs:
            channel = job.delivery.channel
            if channel.disconnected_at is not None or channel.health == Health.NEEDS_RECONNECT:
                _hold(job, channel.health_message or _("The channel needs reconnecting."))
            else:
                job.batch = batch
                sendable.append(job)
        media = _media_of([job.delivery for job in sendable])
        refresh_posts(job.delivery.post_id for job in sendable)  # scheduled → publishing
        batch.left = len(sendable)
        if not sendable:
            refresh_posts(batch.post_ids)
        for job in sendable:
            job.media = media.get(job.delivery.pk, {})
            self._guarded(job, self._start, job)
        return len(ids)

    # --- the steps of one delivery ------------------------------------------------------

    def _start(self, job: _Job) -> None:
        # Links tagged (UTM) and shortened as the workspace set; deterministic across retries.
        job.texts = outgoing_texts(job.delivery, job.delivery.variant.texts(), job.media)
        job.link = outgoing_link(job.delivery)
        job.refs = job.delivery.refs()
        job.connector = connector_for(job.delivery.channel)
        self._next(job)

    def _next(self, job: _Job) -> None:
        """The next part: looked up first when an earlier attempt's outcome is unknown,
        otherwise fenced (in_flight_part committed) and sent."""
        index = len(job.refs)
        if index >= len(job.texts):
            _published(job, job.refs, None)  # every part was found on the network
            self._done(job)
        elif job.delivery.in_flight_part == index and job.looked != index:
            job.new_attempt(index)
            assert job.connector is not None
            self._call(job, "lookup", job.connector.find_published, job.part(index))
        else:
            self.to_fence.append((job, index))

    def _fence_and_send(self) -> None:
        """Fence the parts about to be sent (in_flight_part committed, lease renewed), then
        send them. With the pool, one UPDATE fences every part of the same index at once:
        they all leave right away. Without it, each is fenced just before its own call, so
        the lease never has to cover the calls before it."""
        pending, self.to_fence = self.to_fence, []
        groups: list[tuple[int, list[_Job]]] = []
        if self.pool is None:
            groups = [(index, [job]) for job, index in pending]
        else:
            by_index: dict[int, list[_Job]] = {}
            for job, index in pending:
                by_index.setdefault(index, []).append(job)
            groups = list(by_index.items())
        for index, jobs in groups:
            held = _fence_many(jobs, index)
            kept = {id(job) for job in held}
            for job in jobs:
                if id(job) not in kept:
                    self._done(job)  # the lease expired: another worker holds it now
            for job in held:
                job.new_attempt(index)
                assert job.connector is not None
                self._call(job, "publish", job.connector.publish, job.part(index))

    def _call(self, job: _Job, kind: str, function: Any, part: OutgoingPart) -> None:
        future: Future[Any]
        if self.pool is None:
            future = Future()
            try:
                future.set_result(function(part))
            except Exception as exc:  # handled as the call's answer
                future.set_exception(exc)
            self._guarded(job, self._answered, job, kind, future)  # recorded at once
            self._flush()
            return
        _in_flight.add(1)
        future = self.pool.submit(_network_call, function, part)
        future.add_done_callback(lambda _f: _in_flight.add(-1))
        self.calls[future] = (job, kind)

    def _answered(self, job: _Job, kind: str, future: Future[Any]) -> None:
        attempt, index = job.attempt, len(job.refs)
        assert attempt is not None
        job.attempt = None
        exc = future.exception()
        if kind == "lookup":
            if exc is not None:
                if not isinstance(exc, ConnectorError):
                    raise exc
                exc.sent = True  # still unknown: the marker stays, the next run looks again
                _failed(job, attempt, exc)
                self._done(job)
                return
            found: PublishedRef | None = future.result()
            if found is None:
                attempt.outcome = Attempt.RECONCILED_ABSENT
                attempt.finished_at = timezone.now()
                attempt.save()
                job.looked = index
                self._next(job)
            elif _reconciled(job, attempt, index, found):
                self._next(job)
            else:
                self._done(job)
            return
        if exc is not None:
            if not isinstance(exc, ConnectorError):
                # After the request may have left: the outcome is unknown.
                log.error(
                    "publishing part %s of delivery %s failed", index, job.delivery.pk, exc_info=exc
                )
                exc = ConnectorError(str(exc) or type(exc).__name__, permanent=False, sent=True)
            _failed(job, attempt, exc)
            self._done(job)
            return
        ref: PublishedRef = future.result()
        attempt.outcome = Attempt.PUBLISHED
        attempt.response_id = ref.external_id[:500]
        job.refs.append(ref)
        if index == len(job.texts) - 1:
            # The last part: recorded with the delivery's new state, together with the others
            # answered at the same time (see _flush).
            self.to_publish.append((job, attempt))
        elif _record_part(job, attempt, job.refs):
            self._next(job)
        else:
            self._done(job)

    def _flush(self) -> None:
        """Record the deliveries whose last part went out: one transaction for all the
        answers that came in together (their attempts and audit entries inserted at once),
        each delivery's UPDATE still conditional on our claim."""
        items, self.to_publish = self.to_publish, []
        if not items:
            return
        try:
            _published_many(items)
        except Exception:  # one bad row must not cost the others: one transaction each
            log.exception("recording %s published deliveries at once failed", len(items))
            for job, attempt in items:
                attempt.pk = None
                self._guarded(job, _published, job, job.refs, attempt)
        for job, _attempt in items:
            self._done(job)

    def _done(self, job: _Job) -> None:
        self.handled += 1
        batch = job.batch
        if batch is not None:
            job.batch = None
            batch.left -= 1
            if batch.left == 0:
                refresh_posts(batch.post_ids)

    def _guarded(self, job: _Job, step: Any, *args: Any) -> None:
        try:
            step(*args)
        except Exception:  # a bug must not leave the delivery claimed for a whole lease
            log.exception("publishing delivery %s failed unexpectedly", job.delivery.pk)
            exc = ConnectorError(
                _("Unexpected error in Hubbub; see the server log."), permanent=False
            )
            exc.sent = True  # we cannot know whether the network got it
            try:
                _failed(job, job.attempt, exc)
            finally:
                self._done(job)


def _network_call(function: Any, part: OutgoingPart) -> Any:
    try:
        return function(part)
    finally:
        # A connector may have used the database (a refreshed token saved on the channel):
        # a connection that failed is replaced rather than reused by the next call.
        if connection.errors_occurred:
            connection.close()


def _next_due(within: timedelta) -> datetime | None:
    """When the next delivery comes due, if one does within `within`."""
    now = timezone.now()
    return (
        Delivery.objects.filter(
            status__in=WAITING, next_attempt_at__gt=now, next_attempt_at__lte=now + within
        )
        .exclude(workspace_id__in=_paused_workspaces())
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def _holds_claim(delivery: Delivery, worker: str) -> bool:
    return delivery.status == D.CLAIMED and delivery.claimed_by == worker


def _media_of(deliveries: Sequence[Delivery]) -> dict[int, dict[int, tuple[MediaFile, ...]]]:
    """Each delivery's media by part index, for a whole batch in one query: the variant's
    own media and the post's shared media."""
    if not deliveries:
        return {}
    rows = PostMedia.objects.filter(
        Q(variant_id__in=[d.variant_id for d in deliveries])
        | Q(post_id__in=[d.post_id for d in deliveries], variant__isnull=True)
    ).order_by("part_index", "pk")
    by_variant: dict[int, list[PostMedia]] = {}
    shared: dict[int, list[PostMedia]] = {}
    for m in rows:
        if m.variant_id is not None:
            by_variant.setdefault(m.variant_id, []).append(m)
        else:
            shared.setdefault(m.post_id, []).append(m)
    result: dict[int, dict[int, tuple[MediaFile, ...]]] = {}
    for delivery in deliveries:
        by_part: dict[int, list[MediaFile]] = {}
        for m in [*by_variant.get(delivery.variant_id, []), *shared.get(delivery.post_id, [])]:
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
        result[delivery.pk] = {k: tuple(v) for k, v in sorted(by_part.items())}
    return result


def idempotency_key(delivery_id: int, index: int) -> str:
    return f"hubbub-{delivery_id}-{index}"


def _fence_many(jobs: list[_Job], index: int) -> list[_Job]:
    """Mark part `index` of each delivery as in flight (committed before any network call)
    and renew their leases, in one statement; returns the jobs still holding their claim."""
    now = timezone.now()
    ids = [job.delivery.pk for job in jobs]
    with writes.write():
        updated = Delivery.objects.filter(
            pk__in=ids, status=D.CLAIMED, claimed_by=jobs[0].worker
        ).update(
            in_flight_part=index,
            claim_expires_at=now + LEASE,
            attempt_count=F("attempt_count") + 1,
        )
        if updated == len(ids):
            held = jobs
        else:  # some leases expired and were taken over: only the rest are ours
            mine = set(
                Delivery.objects.filter(
                    pk__in=ids, status=D.CLAIMED, claimed_by=jobs[0].worker, in_flight_part=index
                ).values_list("pk", flat=True)
            )
            held = [job for job in jobs if job.delivery.pk in mine]
    for job in held:
        job.delivery.in_flight_part = index
    return held


def _fence(job: _Job, index: int) -> bool:
    """Mark the part as in flight (committed before the network call) and renew the lease."""
    now = timezone.now()
    with writes.write():
        updated = job.mine().update(
            in_flight_part=index,
            claim_expires_at=now + LEASE,
            attempt_count=F("attempt_count") + 1,
        )
    job.delivery.in_flight_part = index
    return updated == 1


def _record_part(job: _Job, attempt: DeliveryAttempt, refs: list[PublishedRef]) -> bool:
    now = timezone.now()
    attempt.finished_at = now
    with writes.write():
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


def _reconciled(job: _Job, attempt: DeliveryAttempt, index: int, found: PublishedRef) -> bool:
    """A part whose earlier outcome was unknown is on the network: record it as sent (no
    resend). False when our lease expired meanwhile."""
    attempt.finished_at = timezone.now()
    attempt.outcome = Attempt.RECONCILED_FOUND
    attempt.response_id = found.external_id[:500]
    job.refs.append(found)
    if not _record_part(job, attempt, job.refs):
        return False
    record(
        "delivery.reconciled",
        workspace=job.delivery.workspace,
        actor=None,
        via="system",
        obj=job.delivery,
        after={"part": index, "external_id": found.external_id},
    )
    return True


def _mark_published(job: _Job, refs: Sequence[PublishedRef], now: datetime) -> str | None:
    """Write the delivery as published if this worker still holds it, and announce it after
    commit; its URL, or None when our lease expired and another worker took over (it finds
    the part by reconciling, and its own write says "published")."""
    stored = [ref_to_json(r) for r in refs]
    url = refs[0].url if refs else ""
    if not job.mine().update(
        status=D.PUBLISHED,
        published_refs=stored,
        in_flight_part=None,
        retry_count=0,
        published_url=url,
        published_at=now,
        claimed_by="",
        claim_expires_at=None,
        last_error="",
        network_message="",
        updated_at=now,
    ):
        return None
    delivery = job.delivery
    delivery.status, delivery.published_url, delivery.published_at = D.PUBLISHED, url, now
    delivery.published_refs = stored
    delivery.in_flight_part = None
    announce(signals.delivery_published, delivery=delivery)
    return url


def _published(job: _Job, refs: list[PublishedRef], attempt: DeliveryAttempt | None) -> None:
    """Record the last part's attempt (when there is one), the delivery as published and its
    audit entry in one transaction."""
    now = timezone.now()
    with writes.write():
        if attempt is not None:
            attempt.finished_at = now
            attempt.save()
        url = _mark_published(job, refs, now)
        if url is not None:
            record(
                "delivery.published",
                workspace=job.delivery.workspace,
                actor=None,
                via="system",
                obj=job.delivery,
                before={"status": D.CLAIMED},
                after={"status": D.PUBLISHED, "url": url},
            )


def _published_many(items: Sequence[tuple[_Job, DeliveryAttempt]]) -> None:
    """_published for many deliveries at once, in one transaction."""
    now = timezone.now()
    entries = []
    with writes.write():
        for _job, attempt in items:
            attempt.finished_at = now
        DeliveryAttempt.objects.bulk_create([attempt for _job, attempt in items])
        for job, _attempt in items:
            url = _mark_published(job, job.refs, now)
            if url is not None:
                entries.append(
                    system_entry(
                        "delivery.published",
                        job.delivery,
                        job.delivery.workspace_id,
                        {"status": D.CLAIMED},
                        {"status": D.PUBLISHED, "url": url},
                    )
                )
        AuditEntry.objects.bulk_create(entries)


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
    failures = delivery.retry_count + 1
    if failures >= MAX_ATTEMPTS:
        if attempt is not None:
            attempt.save()
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
    with writes.write():  # the attempt, the new state and its audit entry together
        if attempt is not None:
            attempt.save()
        if not job.mine().update(**values):
            return
        if isinstance(exc, RateLimited) and exc.retry_at is not None:
            _hold_channel_until(delivery.channel, exc.retry_at, str(exc))
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
        for name, value in values.items():
            setattr(delivery, name, value)
        announce(signals.delivery_failed, delivery=delivery)
        # The retry gets its own job at its time, rather than waiting for the minute sweep.
        from hubbub.publishing import tasks

        tasks.enqueue(delivery.pk, eta=values["next_attempt_at"])


def _hold_channel_until(channel: Channel, until: datetime, message: str) -> None:
    """A network's rate limit is the account's, not one post's: every worker must leave the
    channel alone until it resets. The channel's other deliveries due before then move to
    the reset time (in the database, so every worker and process sees it at its next claim;
    the claim filter stays on the delivery row, see _claim_filter), and the channel shows
    "rate limited until" on the channels page."""
    Delivery.objects.filter(
        channel_id=channel.pk, status__in=WAITING, next_attempt_at__lt=until
    ).update(next_attempt_at=until, updated_at=timezone.now())
    Channel.objects.filter(pk=channel.pk).update(
        health=Health.RATE_LIMITED, health_message=message, rate_limited_until=until
    )


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
        job.delivery.status = D.HELD


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
        for name, value in values.items():
            setattr(job.delivery, name, value)
        notify_needs_attention(job.delivery)
        announce(signals.delivery_needs_attention, delivery=job.delivery)


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
