"""Each post's latest reading, copied to LatestCounts whenever readings are written.

Why: a report counts each post as of its latest reading before the period's end. Looking
that reading up among all of a post's readings, for every post of a year (365,000 posts of
a big team, several readings each), takes seconds; summing one row a post does not. The
copy is what a post has now, so it answers for any period ending after the post's last
reading — the usual case, a period ending today — and hubbub.measure.reports still looks the
reading up for posts read again since a period's end (a past period, counted "as of" it).

The copy is kept by whoever writes readings: collection and the demo call `refresh` with the
posts they read, and a reading saved one at a time (PostSnapshot.objects.create, the admin,
tests) refreshes its post through the post_save receiver below. Readings are never deleted
but with their post, and LatestCounts goes with it (no post_delete receiver: one would make
Django fetch every reading of a deleted workspace to send signals).

`refresh` recomputes from the readings rather than comparing a new reading with the copy,
so a reading that arrives late (taken before the newest one already stored) does not
replace it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_save
from django.dispatch import receiver

from hubbub.measure import formulas
from hubbub.measure.models import POST_COUNTS, LatestCounts, PostSnapshot
from hubbub.publishing.models import Delivery

# Best time to post scores a post by its latest reading this long after publishing; kept
# here (besttime.SETTLED is this) because the copy is made here.
SETTLED_DAYS = 7
CHUNK = 2000  # posts a query: bounded parameters and memory


def refresh(delivery_ids: Iterable[int] | None = None) -> int:
    """Copy the latest reading of these posts (None: every post with readings) to
    LatestCounts; returns how many posts have a copy now."""
    return refresh_with(delivery_ids, Delivery, PostSnapshot, LatestCounts)


def refresh_workspace(workspace_id: int) -> int:
    """refresh() for every post of a workspace, in one pass over its readings (the demo,
    which writes a year of readings at once)."""
    return _refresh_all(
        timedelta(days=SETTLED_DAYS), Delivery, PostSnapshot, LatestCounts, workspace_id
    )


def refresh_with(
    delivery_ids: Iterable[int] | None,
    delivery_model: Any,
    snapshot_model: Any,
    latest_model: Any,
) -> int:
    """refresh() on the given models (a migration passes its historical ones)."""
    settled = timedelta(days=SETTLED_DAYS)
    if delivery_ids is None:
        return _refresh_all(settled, delivery_model, snapshot_model, latest_model)
    ids = sorted(set(delivery_ids))
    copied = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        newest = (
            snapshot_model.objects.filter(delivery=OuterRef("pk"))
            .order_by("-taken_at", "-pk")
            .values("pk")[:1]
        )
        week = (
            snapshot_model.objects.filter(
                delivery=OuterRef("pk"), taken_at__lte=OuterRef("published_at") + settled
            )
            .order_by("-taken_at", "-pk")
            .values("pk")[:1]
        )
        chosen = list(
            delivery_model.objects.filter(
                pk__in=chunk, status="published", published_at__isnull=False
            )
            .annotate(last=Subquery(newest), week=Subquery(week))
            .values_list("pk", "published_at", "last", "week")
        )
        wanted = {pk for *_d, last, week_pk in chosen for pk in (last, week_pk) if pk is not None}
        readings = snapshot_model.objects.in_bulk(wanted)
        rows = []
        for delivery_id, published_at, last, week_pk in chosen:
            if last is None:
                continue
            reading = readings[last]
            settled_reading = readings.get(week_pk) if week_pk is not None else None
            rows.append(
                latest_model(
                    delivery_id=delivery_id,
                    workspace_id=reading.workspace_id,
                    channel_id=reading.channel_id,
                    published_at=published_at,
                    taken_at=reading.taken_at,
                    snapshot_id=reading.pk,
                    week_taken_at=settled_reading.taken_at if settled_reading else None,
                    week_engagements=formulas.engagements(
                        {name: getattr(settled_reading, name) for name in POST_COUNTS}
                    )
                    if settled_reading
                    else None,
                    **_counts({name: getattr(reading, name) for name in POST_COUNTS}),
                )
            )
        _store(latest_model, rows)
        read = {row.delivery_id for row in rows}
        gone = [pk for pk in chunk if pk not in read]
        if gone:  # no reading left (cannot happen but by hand): no copy either
            latest_model.objects.filter(delivery_id__in=gone).delete()
        copied += len(rows)
    return copied


def _counts(values: dict[str, Any]) -> dict[str, Any]:
    """A reading's counts, and their engagements to order posts by (0 when none known)."""
    return {**values, "engagements": formulas.engagements(values) or 0}


def _store(latest_model: Any, rows: list[Any]) -> None:
    latest_model.objects.bulk_create(
        rows,
        batch_size=CHUNK,
        update_conflicts=True,
        unique_fields=["delivery"],
        update_fields=[
            "workspace",
            "channel",
            "published_at",
            "taken_at",
            "snapshot_id",
            *POST_COUNTS,
            "engagements",
            "week_taken_at",
            "week_engagements",
        ],
    )


def _refresh_all(
    settled: timedelta,
    delivery_model: Any,
    snapshot_model: Any,
    latest_model: Any,
    workspace_id: int | None = None,
) -> int:
    """Every post at once (a migration, a benchmark's load): one pass over the readings in
    the order of their index, instead of two look-ups a post."""
    posts = delivery_model.objects.filter(status="published", published_at__isnull=False)
    found = snapshot_model.objects.all()
    if workspace_id is not None:
        posts = posts.filter(workspace_id=workspace_id)
        found = found.filter(workspace_id=workspace_id)
    published = dict(posts.values_list("pk", "published_at"))
    readings = (
        found.order_by("delivery_id", "taken_at", "pk")
        .values_list("delivery_id", "pk", "workspace_id", "channel_id", "taken_at", *POST_COUNTS)
        .iterator(chunk_size=CHUNK * 5)
    )
    rows: list[Any] = []
    copied = 0
    current: Any = None
    for delivery_id, pk, workspace_id, channel_id, taken_at, *counts in readings:
        when = published.get(delivery_id)
        if when is None:
            continue  # not a published post: reports do not count it
        if current is None or current.delivery_id != delivery_id:
            if len(rows) >= CHUNK * 5:
                _store(latest_model, rows)
                copied += len(rows)
                rows = []
            current = latest_model(delivery_id=delivery_id, published_at=when)
            rows.append(current)
        current.workspace_id, current.channel_id = workspace_id, channel_id
        current.taken_at, current.snapshot_id = taken_at, pk
        values = dict(zip(POST_COUNTS, counts, strict=True))
        for name, value in _counts(values).items():
            setattr(current, name, value)
        if taken_at <= when + settled:  # in order: the last one stays
            current.week_taken_at = taken_at
            current.week_engagements = formulas.engagements(values)
    _store(latest_model, rows)
    return copied + len(rows)


@receiver(post_save, sender=PostSnapshot, dispatch_uid="measure-latest-counts")
def _saved(sender: type[PostSnapshot], instance: PostSnapshot, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading a fixture: its rows come as they are
        return
    refresh([instance.delivery_id])
