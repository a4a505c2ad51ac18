"""A scheduled post's status follows from its deliveries' (see models/posts.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.dispatch import Signal

from hubbub.core.audit import ACTIONS
from hubbub.core.models import AuditEntry
from hubbub.publishing import signals, writes
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, PostStatus

log = logging.getLogger(__name__)
D = DeliveryStatus
# The statuses a post's deliveries decide; a draft, a post in review or a cancelled one keeps
# its own.
FOLLOWS_DELIVERIES = (
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.PARTLY_FAILED,
    PostStatus.FAILED,
)


def derived_status(statuses: set[str]) -> str | None:
    live = statuses - {D.CANCELLED}
    if not live:
        return PostStatus.CANCELLED if statuses else None
    if live & {D.CLAIMED, D.RETRYING}:
        return PostStatus.PUBLISHING
    if live & {D.SCHEDULED, D.HELD}:
        started = bool(live & {D.PUBLISHED, D.NEEDS_ATTENTION})
        return PostStatus.PUBLISHING if started else PostStatus.SCHEDULED
    if live == {D.PUBLISHED}:
        return PostStatus.PUBLISHED
    if D.PUBLISHED in live:
        return PostStatus.PARTLY_FAILED
    return PostStatus.FAILED


def refresh_post_status(post_id: int) -> None:
    refresh_posts([post_id])


def refresh_posts(post_ids: Iterable[int]) -> None:
    """Bring each post's status in line with its deliveries', audit every change and send
    post_status_changed once it is committed.

    A fixed number of queries for a whole batch of posts (the dispatcher calls this once per
    batch of deliveries, not once per delivery): the posts are locked (FOR UPDATE on
    PostgreSQL; SQLite's IMMEDIATE transaction holds the only write lock), so the grouped
    conditional UPDATEs below change exactly the rows read, and two workers finishing two
    channels of one post still write each transition once.
    """
    ids = sorted(set(post_ids))
    if not ids:
        return
    with writes.write():
        posts = list(
            Post.objects.select_for_update()
            .filter(pk__in=ids, status__in=FOLLOWS_DELIVERIES)
            .order_by("pk")
        )
        if not posts:
            return
        statuses: dict[int, set[str]] = {}
        rows = Delivery.objects.filter(post_id__in=[p.pk for p in posts])
        for post_id, status in rows.values_list("post_id", "status"):
            statuses.setdefault(post_id, set()).add(status)
        changes: dict[tuple[str, str], list[Post]] = {}
        for post in posts:
            new = derived_status(statuses.get(post.pk, set()))
            if new is not None and new != post.status:
                changes.setdefault((post.status, new), []).append(post)
        if not changes:
            return
        entries: list[AuditEntry] = []
        for (before, after), group in changes.items():
            Post.objects.filter(pk__in=[p.pk for p in group], status=before).update(status=after)
            for post in group:
                post.status = after
                entries.append(
                    system_entry(
                        "post.status",
                        post,
                        post.workspace_id,
                        {"status": before},
                        {"status": after},
                    )
                )
                transaction.on_commit(_announce(post, before, after))
        # One INSERT for the batch: the audit log keeps a row per transition all the same.
        AuditEntry.objects.bulk_create(entries)


def system_entry(
    action: str, obj: Model, workspace_id: int, before: dict[str, Any], after: dict[str, Any]
) -> AuditEntry:
    """What hubbub.core.audit.record() writes for a change made by Hubbub itself, built
    unsaved so that a batch of them is inserted at once (AuditEntry.objects.bulk_create)."""
    if action not in ACTIONS:
        raise KeyError(f"unregistered audit action {action!r}: add it to hubbub.core.audit.ACTIONS")
    return AuditEntry(
        workspace_id=workspace_id,
        actor=None,
        actor_label="Hubbub",
        via="system",
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        object_label=str(obj)[:254],
        before=before,
        after=after,
    )


def _announce(post: Post, before: str, after: str) -> Callable[[], None]:
    return lambda: _send(signals.post_status_changed, Post, post=post, before=before, after=after)


def announce(signal: Signal, **kwargs: Any) -> None:
    """Send a publishing signal once the current transaction commits (at once outside one):
    a receiver never sees a change that is rolled back afterwards."""
    transaction.on_commit(lambda: _send(signal, Delivery, **kwargs))


def _send(signal: Signal, sender: type, **kwargs: Any) -> None:
    # A receiver that fails (a webhook endpoint down) must not stop the worker that published.
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            log.error("publishing signal receiver %r failed", receiver, exc_info=result)
