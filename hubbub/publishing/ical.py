"""The workspace's calendar as an iCal feed (RFC 5545), for people's own calendar apps.

The feed sits behind a secret URL (WorkspacePublishing.ical_token): calendar apps cannot
sign in, so whoever has the URL reads the workspace's planned posts. Regenerating the secret
cuts off every old subscriber. Cancelled posts are left out; each event links to the post's
page (which asks for a sign-in as usual).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from hubbub.core.access import Access
from hubbub.core.audit import record
from hubbub.core.models import Workspace
from hubbub.publishing.models import Post, PostStatus, WorkspacePublishing

PAST = timedelta(days=90)  # how far back the feed reaches
FUTURE = timedelta(days=400)
EVENT_LENGTH = timedelta(minutes=15)  # a post is an instant; calendars need a length
TENTATIVE = (PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED)


def feed_url(workspace: Workspace) -> str:
    token = WorkspacePublishing.of(workspace).ical_token
    return settings.BASE_URL + reverse("publishing:ical", args=[token])


def workspace_for_token(token: str) -> Workspace | None:
    row = WorkspacePublishing.objects.select_related("workspace").filter(ical_token=token).first()
    # Compare again in constant time: the lookup is by index, this keeps timing flat anyway.
    if row is None or not secrets.compare_digest(row.ical_token, token):
        return None
    return row.workspace


def regenerate_token(access: Access) -> str:
    """A new secret for the feed URL; the old URL stops working at once."""
    access.require("workspace.edit")
    with transaction.atomic():
        row = WorkspacePublishing.of(access.workspace)
        row.ical_token = secrets.token_urlsafe()
        row.save(update_fields=["ical_token"])
        record(
            "publishing.ical_regenerate",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=access.workspace,
        )
    return feed_url(access.workspace)


def _description(post: Post, channels: list[str], link: str) -> str:
    lines = [
        _("Purpose: %(purpose)s") % {"purpose": post.purpose},
        _("Status: %(status)s") % {"status": PostStatus(post.status).label},
        _("Channels: %(channels)s") % {"channels": ", ".join(channels) or "—"},
    ]
    if post.campaign is not None:
        lines.append(_("Campaign: %(name)s") % {"name": post.campaign.name})
    variants = list(post.variants.all())
    if variants and variants[0].parts:
        lines += ["", str(variants[0].parts[0])]
    lines += ["", link]
    return "\n".join(lines)


def build_feed(workspace: Workspace, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Hubbub//Publishing calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("%(workspace)s posts") % {"workspace": workspace.name})
    calendar.add("x-wr-timezone", workspace.time_zone)
    posts = (
        Post.objects.posts()
        .filter(
            workspace=workspace,
            scheduled_at__gte=now - PAST,
            scheduled_at__lt=now + FUTURE,
        )
        .exclude(status=PostStatus.CANCELLED)
        .select_related("campaign")
        .prefetch_related("variants__channel")
        .order_by("scheduled_at", "id")
    )
    host = settings.BASE_URL.split("://", 1)[1].split("/", 1)[0]
    for post in posts:
        assert post.scheduled_at is not None
        channels = [v.channel.handle for v in post.variants.all()]
        link = settings.BASE_URL + reverse("publishing:post", args=[workspace.slug, post.pk])
        event = Event()
        event.add("uid", f"post-{post.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", post.scheduled_at)
        event.add("dtend", post.scheduled_at + EVENT_LENGTH)
        event.add("summary", f"{post.purpose[:80]} [{PostStatus(post.status).label}]")
        event.add("description", _description(post, channels, link))
        event.add("url", link)
        event.add("last-modified", post.updated_at)
        event.add("status", "TENTATIVE" if post.status in TENTATIVE else "CONFIRMED")
        if post.campaign is not None:
            event.add("categories", [post.campaign.name])
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
