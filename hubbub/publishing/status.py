"""A scheduled post's status follows from its deliveries' (see models/posts.py)."""

from __future__ import annotations

from hubbub.core.audit import record
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, PostStatus

D = DeliveryStatus


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
    post = Post.objects.select_related("workspace").get(pk=post_id)
    if post.status not in (
        PostStatus.SCHEDULED,
        PostStatus.PUBLISHING,
        PostStatus.PUBLISHED,
        PostStatus.PARTLY_FAILED,
        PostStatus.FAILED,
    ):
        return
    statuses = set(Delivery.objects.filter(post_id=post_id).values_list("status", flat=True))
    new = derived_status(statuses)
    if new is None or new == post.status:
        return
    # Conditional: two workers finishing two channels of one post at once each write once.
    if Post.objects.filter(pk=post_id, status=post.status).update(status=new):
        record(
            "post.status",
            workspace=post.workspace,
            actor=None,
            via="system",
            obj=post,
            before={"status": post.status},
            after={"status": new},
        )
