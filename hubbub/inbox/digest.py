"""The overnight digest: when a member comes back on duty, what happened while they were off.

The off period of a member on the rota runs from the end of their last stretch of duty (rota
shifts and their own coverage overrides, merged; breaks shorter than MIN_OFF, such as lunch,
do not count as being off) to the start of the next one. A member not on the rota is off
from 18:00 to 08:00 in the workspace's time zone, every day.

`send_digests()` runs every 15 minutes: the first run at or after a period's end sends that
period's digest, once (the Digest row's unique constraint), if there is anything to report
and the member is not away (Absence). A period that ended more than SEND_WITHIN ago is not
reported any more: a worker that was down all morning does not send stale news at noon.

It says what came in (new conversations, by channel, and new messages), what breached a
response-time target, and what waits for them (their open and pending conversations, oldest
first, with due times): an in-app notice with the counts, and an e-mail with the details,
both in the member's language.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hubbub.core.models import Membership, Notification, Workspace
from hubbub.core.notifications import language_of
from hubbub.core.permissions import PERMISSIONS
from hubbub.inbox.coverage import Coverage, inbox_url, local_instant, merge
from hubbub.inbox.models import (
    Breach,
    BreachKind,
    Conversation,
    Digest,
    Direction,
    Message,
    Status,
)

if TYPE_CHECKING:
    from hubbub.accounts.models import User

log = logging.getLogger(__name__)

MORNING = time(8, 0)  # a member not on the rota is back at 08:00 …
EVENING = time(18, 0)  # … and off from 18:00 the day before
MIN_OFF = timedelta(hours=4)
LOOKBACK = timedelta(days=7)  # the longest off period reported
SEND_WITHIN = timedelta(hours=1)
TOP = 5  # items listed per section in the e-mail
EXCERPT = 80


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


def off_period(coverage: Coverage, user_id: int, now: datetime, on_rota: bool) -> Period | None:
    """The member's off period that most recently ended at or before `now`."""
    tz = coverage.tz
    if not on_rota:
        day = now.astimezone(tz).date()
        end = local_instant(day, MORNING, tz)
        if end > now:
            day -= timedelta(days=1)
            end = local_instant(day, MORNING, tz)
        return Period(local_instant(day - timedelta(days=1), EVENING, tz), end)
    stretches = merge(
        coverage.duty_of(user_id, now - LOOKBACK - timedelta(days=1), now + timedelta(days=1)),
        gap=MIN_OFF,
    )
    started = [s for s in stretches if s[0] <= now]
    if not started:
        return None
    end = started[-1][0]
    start = started[-2][1] if len(started) > 1 else end - LOOKBACK
    return Period(max(start, end - LOOKBACK), end)


@dataclass(frozen=True)
class Item:
    conversation_id: int
    who: str
    channel: str
    subject: str
    at: datetime  # arrived, breached, or waiting since
    due_at: datetime | None = None
    detail: str = ""  # a breach's kind, a conversation's status


@dataclass
class Content:
    period: Period
    new_conversations: int = 0
    new_by_channel: list[tuple[str, int]] = field(default_factory=list)
    new_messages: int = 0
    new_top: list[Item] = field(default_factory=list)
    breached: int = 0
    breached_by_kind: dict[str, int] = field(default_factory=dict)
    breached_top: list[Item] = field(default_factory=list)
    waiting: int = 0
    waiting_top: list[Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new_conversations or self.new_messages or self.breached or self.waiting)

    def summary(self) -> dict[str, Any]:
        return {
            "new_conversations": self.new_conversations,
            "new_by_channel": dict(self.new_by_channel),
            "new_messages": self.new_messages,
            "breached": self.breached,
            "breached_by_kind": self.breached_by_kind,
            "waiting": self.waiting,
            "waiting_ids": [i.conversation_id for i in self.waiting_top],
        }


def _line(text: str) -> str:
    """Untrusted text on one line, shortened (the e-mail is plain text: nothing to escape,
    but a newline in a customer's message must not fake a line of the digest)."""
    one = " ".join(text.split())
    return one if len(one) <= EXCERPT else one[: EXCERPT - 1] + "…"


def _who(conversation: Conversation) -> str:
    identity = conversation.identity
    if identity is not None:
        return _line(identity.name or identity.handle)
    return f"#{conversation.pk}"


def _item(conversation: Conversation, at: datetime, **extra: Any) -> Item:
    return Item(
        conversation_id=conversation.pk,
        who=_who(conversation),
        channel=_line(str(conversation.channel)),
        subject=_line(conversation.subject),
        at=at,
        **extra,
    )


def _shared(workspace: Workspace, period: Period) -> Content:
    """What is the same for every member with this period: what came in, what breached."""
    content = Content(period)
    new = Conversation.objects.filter(
        workspace=workspace, created_at__gte=period.start, created_at__lt=period.end
    )
    by_channel = Counter(
        {
            str(row["channel__network"]) + ": " + str(row["channel__handle"]): row["n"]
            for row in new.values("channel__network", "channel__handle")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    content.new_conversations = sum(by_channel.values())
    content.new_by_channel = sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
    content.new_top = [
        _item(c, c.created_at)
        for c in new.select_related("identity", "channel").order_by("-priority", "created_at")[:TOP]
    ]
    content.new_messages = Message.objects.filter(
        workspace=workspace,
        direction=Direction.INBOUND,
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).count()
    breaches = Breach.objects.filter(
        workspace=workspace, breached_at__gte=period.start, breached_at__lt=period.end
    )
    kinds = {
        row["kind"]: row["n"] for row in breaches.values("kind").annotate(n=Count("id")).order_by()
    }
    content.breached = sum(kinds.values())
    content.breached_by_kind = kinds
    content.breached_top = [
        _item(b.conversation, b.breached_at, due_at=b.due_at, detail=b.kind)
        for b in breaches.select_related(
            "conversation__identity", "conversation__channel"
        ).order_by("-breached_at")[:TOP]
    ]
    return content


def _due(conversation: Conversation) -> datetime | None:
    if conversation.first_response_at is None:
        return conversation.first_response_due_at
    return conversation.resolution_due_at


def _with_waiting(shared: Content, workspace: Workspace, user_id: int) -> Content:
    waiting = Conversation.objects.filter(
        workspace=workspace, assignee_id=user_id, status__in=(Status.OPEN, Status.PENDING)
    )
    top = [
        _item(c, c.waiting_since or c.opened_at, due_at=_due(c), detail=c.status)
        for c in waiting.select_related("identity", "channel").order_by(
            F("waiting_since").asc(nulls_last=True), "opened_at", "id"
        )[:TOP]
    ]
    return replace(shared, waiting=waiting.count(), waiting_top=top)


def build(workspace: Workspace, user: User, period: Period) -> Content:
    """The digest's content for one member and period (for tests and previews)."""
    return _with_waiting(_shared(workspace, period), workspace, user.pk)


# --- text (rendered inside the member's language) --------------------------------------------


def _when(at: datetime, tz: ZoneInfo) -> str:
    return formats.date_format(at.astimezone(tz), "D j F H:i")


def _kind_label(kind: str) -> str:
    return str(BreachKind(kind).label) if kind in BreachKind.values else kind


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def short_text(content: Content) -> str:
    parts = []
    if content.new_conversations:
        n = content.new_conversations
        parts.append(ngettext("%(n)s new conversation", "%(n)s new conversations", n) % {"n": n})
    if content.new_messages:
        n = content.new_messages
        parts.append(ngettext("%(n)s new message", "%(n)s new messages", n) % {"n": n})
    if content.breached:
        n = content.breached
        parts.append(ngettext("%(n)s target breached", "%(n)s targets breached", n) % {"n": n})
    if content.waiting:
        n = content.waiting
        parts.append(
            ngettext("%(n)s conversation waiting for you", "%(n)s conversations waiting for you", n)
            % {"n": n}
        )
    return _("While you were off: %(list)s.") % {"list": ", ".join(parts)}


def _item_line(item: Item, tz: ZoneInfo) -> str:
    line = f"  - {item.who} ({item.channel}), {_when(item.at, tz)}"
    if item.subject:
        line += f": {item.subject}"
    return line


def email_text(content: Content, workspace: Workspace, url: str) -> str:
    tz = workspace.tz
    period = content.period
    lines = [
        _("Your digest for %(workspace)s, from %(start)s to %(end)s (%(zone)s).")
        % {
            "workspace": workspace.name,
            "start": _when(period.start, tz),
            "end": _when(period.end, tz),
            "zone": workspace.time_zone,
        },
        "",
        _("What came in while you were off")
        + ": "
        + ngettext("%(n)s new conversation", "%(n)s new conversations", content.new_conversations)
        % {"n": content.new_conversations}
        + ", "
        + ngettext("%(n)s new message", "%(n)s new messages", content.new_messages)
        % {"n": content.new_messages},
    ]
    for channel, n in content.new_by_channel:
        lines.append(f"  {channel}: {n}")
    lines += [_item_line(i, tz) for i in content.new_top]
    lines += ["", _("Targets breached") + f": {content.breached}"]
    for kind, n in sorted(content.breached_by_kind.items()):
        lines.append(f"  {_kind_label(kind)}: {n}")
    for item in content.breached_top:
        lines.append(
            _item_line(item, tz)
            + " — "
            + _("%(kind)s was due %(due)s")
            % {
                "kind": _kind_label(item.detail),
                "due": _when(item.due_at, tz) if item.due_at else "?",
            }
        )
    lines += ["", _("Waiting for you (oldest first)") + f": {content.waiting}"]
    for item in content.waiting_top:
        line = _item_line(item, tz) + f" — {_status_label(item.detail)}"
        if item.due_at is not None:
            line += ", " + _("due %(due)s") % {"due": _when(item.due_at, tz)}
        lines.append(line)
    if content.waiting > len(content.waiting_top):
        lines.append("  " + _("and %(n)s more") % {"n": content.waiting - len(content.waiting_top)})
    lines.append("")
    if url:
        lines += [_("Open the inbox: %(url)s") % {"url": settings.BASE_URL + url}, ""]
    lines.append(
        _("You receive this because you are a member of a Hubbub workspace. All notices: %(url)s")
        % {"url": settings.BASE_URL + reverse("web:notifications")}
    )
    return "\n".join(lines)


def deliver(workspace: Workspace, user: User, content: Content) -> Notification:
    """The in-app notice (the counts) and the e-mail (the details), in the member's language.
    An SMTP outage is logged, never raised (as hubbub.core.notifications does)."""
    url = inbox_url(workspace, "assignee=me")
    with translation.override(language_of(user, workspace)):
        short = short_text(content)
        notice = Notification.objects.create(
            user=user, workspace=workspace, kind="inbox.digest", text=short[:500], url=url[:500]
        )
        if user.email:
            subject = f"[{' '.join(workspace.name.split())}] {short}"
            if len(subject) > 150:
                subject = subject[:149] + "…"
            try:
                send_mail(subject, email_text(content, workspace, url), None, [user.email])
            except Exception:
                log.exception("could not e-mail the digest to user %s", user.pk)
    return notice


# --- the periodic run ------------------------------------------------------------------------


def _recipients() -> dict[int, list[Membership]]:
    by_workspace: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(role__in=PERMISSIONS["inbox.view"], user__is_active=True)
        .select_related("user", "workspace")
        .order_by("workspace_id", "user_id")
    ):
        by_workspace.setdefault(m.workspace_id, []).append(m)
    return by_workspace


def send_workspace_digests(workspace: Workspace, members: list[User], now: datetime) -> int:
    if not Conversation.objects.filter(workspace=workspace).exists():
        return 0
    coverage = Coverage.load(workspace, now - LOOKBACK - timedelta(days=2), now)
    on_rota = {s.user_id for s in coverage.shifts}
    shared: dict[Period, Content] = {}
    sent = 0
    for user in members:
        period = off_period(coverage, user.pk, now, user.pk in on_rota)
        if period is None or not period.end <= now < period.end + SEND_WITHIN:
            continue
        if coverage.is_absent(user.pk, now):
            continue
        if Digest.objects.filter(workspace=workspace, user=user, period_end=period.end).exists():
            continue
        if period not in shared:
            shared[period] = _shared(workspace, period)
        content = _with_waiting(shared[period], workspace, user.pk)
        if content.empty:
            continue
        try:
            with transaction.atomic():
                Digest.objects.create(
                    workspace=workspace,
                    user=user,
                    period_start=period.start,
                    period_end=period.end,
                    sent_at=now,
                    summary=content.summary(),
                )
        except IntegrityError:  # another run got there first
            continue
        deliver(workspace, user, content)
        sent += 1
    return sent


def send_digests(now: datetime | None = None) -> int:
    """Every 15 minutes: each member's digest for the off period that just ended. Returns
    how many were sent."""
    now = now or timezone.now()
    sent = 0
    for memberships in _recipients().values():
        workspace = memberships[0].workspace
        try:
            sent += send_workspace_digests(workspace, [m.user for m in memberships], now)
        except Exception:  # one workspace's trouble must not stop the others
            log.exception("digests for workspace %s failed", workspace.pk)
    return sent
