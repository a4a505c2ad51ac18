"""Edits and deletions of comments, by reading again what the network shows.

Polling reads only what is newer than its cursor, so a comment edited or deleted later is
not seen that way (networks that push changes send them through webhooks, which give
Incoming.edited_at / Incoming.deleted to ingest). Every 15 minutes, for each post whose
comments saw activity in the last 3 days, the whole reply tree is read again (cursor None):
a changed text is an edit (ingest keeps the original), and a stored comment the network no
longer returns was deleted.

Deletion is only concluded from a complete answer. A first read is cut at
MAX_ITEMS_PER_FETCH (keeping the newest), so when the answer is that long, only comments
newer than the oldest one returned can be judged; when it says `more`, none are. A comment
stored after the read began, or hidden by us (a hidden comment may not be returned), is
never judged.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from hubbub.inbox.ingest import fit_id, ingest, root_of_key
from hubbub.inbox.models import Conversation, Direction, InboxSource, Kind, Message, SourceKind
from hubbub.networks.base import ConnectorError, RateLimited
from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Page
from hubbub.networks.models import Health
from hubbub.networks.registry import connector_for
from hubbub.publishing.models.deliveries import ref_from_json

log = logging.getLogger(__name__)

ACTIVE_FOR = timedelta(days=3)
EVERY = timedelta(minutes=15)


@dataclass
class ReconcileResult:
    sources: int = 0
    edited: int = 0
    deleted: int = 0
    created: int = 0  # comments polling had missed
    errors: list[str] = field(default_factory=list)


def active_sources(now: datetime) -> list[InboxSource]:
    """Comment sources of posts whose conversations had a message in the last ACTIVE_FOR."""
    recent = (
        Conversation.objects.filter(
            kind=Kind.COMMENT,
            last_message_at__gte=now - ACTIVE_FOR,
            channel__disconnected_at__isnull=True,
        )
        .exclude(channel__health=Health.NEEDS_RECONNECT)
        .values_list("channel_id", "thread_key")
        .distinct()
    )
    posts: dict[int, set[str]] = defaultdict(set)
    for channel_id, thread_key in recent:
        root = root_of_key(thread_key)
        if root:
            posts[channel_id].add(root)
    if not posts:
        return []
    sources = InboxSource.objects.filter(
        kind=SourceKind.COMMENTS, channel_id__in=list(posts)
    ).select_related("channel", "channel__workspace")
    return [s for s in sources if s.ref_external_id in posts[s.channel_id]]


def reconcile_due(now: datetime | None = None) -> ReconcileResult:
    """Read again the comments of every active post (see the module docstring)."""
    now = now or timezone.now()
    result = ReconcileResult()
    limited: set[int] = set()  # channels that hit a rate limit: left for the next run
    for source in active_sources(now):
        if source.channel_id in limited:
            continue
        try:
            reconcile_source(source, result)
        except RateLimited as exc:
            limited.add(source.channel_id)
            result.errors.append(f"{source}: {exc}")
        except ConnectorError as exc:
            result.errors.append(f"{source}: {exc}")  # polling reports and handles it
        except Exception as exc:
            log.exception("comments of inbox source %s could not be reconciled", source.pk)
            result.errors.append(f"{source}: {exc}")
    return result


def reconcile_source(source: InboxSource, result: ReconcileResult | None = None) -> ReconcileResult:
    """Read one post's comments again; store edits, deletions and anything missed."""
    result = result if result is not None else ReconcileResult()
    started = timezone.now()
    data = dict(source.ref_data or {})
    data.setdefault("external_id", source.ref_external_id)
    ref = ref_from_json(data)
    page = connector_for(source.channel).fetch_comments(ref, None)
    got = ingest(source.channel, SourceKind.COMMENTS, page.items, post_ref=ref)
    result.sources += 1
    result.edited += got.updated
    result.created += got.created
    result.errors += got.errors
    result.deleted += _mark_deleted(source, page, started)
    return result


def _mark_deleted(source: InboxSource, page: Page, started: datetime) -> int:
    if page.more:
        return 0  # the answer stops before the newest: nothing can be concluded
    returned = {fit_id(item.external_id) for item in page.items}
    stored = Message.objects.filter(
        channel_id=source.channel_id,
        direction=Direction.INBOUND,
        conversation__kind=Kind.COMMENT,
        conversation__thread_key__startswith=f"{source.ref_external_id} ",
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        received_at__lte=started,
    )
    if len(page.items) >= MAX_ITEMS_PER_FETCH:
        # Cut at the limit, the oldest left out: judge only what is newer than what it kept.
        oldest = min(item.created_at for item in page.items)
        stored = stored.filter(created_at__gt=oldest)
    pairs = stored.values_list("pk", "external_id")
    gone = [pk for pk, external_id in pairs if external_id not in returned]
    if not gone:
        return 0
    return Message.objects.filter(Q(pk__in=gone), deleted_at__isnull=True).update(
        deleted_at=timezone.now()
    )
