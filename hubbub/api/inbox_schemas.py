"""What the inbox endpoints accept and answer: conversations, messages, notes, customers,
saved replies, rules, the response policy and the reports.

Times go out in the workspace's time zone with their offset, like every other answer
(hubbub.api.schemas). Message texts are returned as received: they are untrusted, and a
client must escape them where it shows them.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from hubbub.api.schemas import local
from hubbub.inbox.models import (
    Conversation,
    Customer,
    Identity,
    Message,
    Note,
    ResponsePolicy,
    Rule,
    SavedReply,
)
from hubbub.inbox.queries import DUE, MAX_LIMIT, ORDERS

# --- the list's query ---------------------------------------------------------------------


class ConversationQuery(Schema):
    """Documented here; read by hubbub.inbox.queries.Filters (strings, so that a bad value is
    answered with a 400 naming the parameter and the values it takes)."""

    status: list[str] = Field(
        default_factory=list, description="open, pending, closed; repeat or comma-separate."
    )
    assignee: str = Field("", description="me, none, or a member's user id.")
    team: str = Field("", description="A team id.")
    channel: list[str] = Field(default_factory=list, description="Channel ids.")
    kind: list[str] = Field(default_factory=list, description="comment, mention, message.")
    tag: list[str] = Field(default_factory=list, description="Tag ids or names (any of them).")
    priority: list[str] = Field(
        default_factory=list, description="0 low, 1 normal, 2 high, 3 urgent."
    )
    sentiment: list[str] = Field(default_factory=list, description="negative, neutral, positive.")
    language: list[str] = Field(default_factory=list, description="en, fr…")
    due: str = Field("", description=f"One of {', '.join(DUE)}.")
    waiting: str = Field("", description="true: the customer waits for an answer; false: not.")
    q: str = Field(
        "",
        description='Full text: every word must appear, "a phrase" in order; case and '
        "accents do not matter (ete finds été).",
    )
    customer: str = Field("", description="A customer id: their conversations.")
    order: str = Field("recent", description=f"One of {', '.join(ORDERS)}.")
    cursor: str = Field("", description="next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


# --- out ------------------------------------------------------------------------------------


class DueOut(Schema):
    kind: str = Field(description="first_response or resolution.")
    due_at: datetime
    seconds_left: int = Field(description="Wall-clock seconds; negative once passed.")
    business_seconds_left: int = Field(description="Business-hours seconds left.")
    breached: bool


class IdentityOut(Schema):
    id: int
    network: str
    handle: str
    name: str
    profile_url: str
    followers_count: int | None


class ConversationOut(Schema):
    id: int
    channel_id: int
    channel: str = Field(description="The channel's handle.")
    network: str
    kind: str
    status: str
    priority: int = Field(description="0 low, 1 normal, 2 high, 3 urgent.")
    subject: str
    root_url: str
    assignee_id: int | None
    assignee: str | None = Field(description="The assignee's e-mail address.")
    team_id: int | None
    team: str | None
    tags: list[str]
    customer_id: int | None
    author: IdentityOut | None
    language: str
    sentiment: str
    message_count: int
    opened_at: datetime
    last_message_at: datetime
    waiting_since: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    due: DueOut | None = Field(description="The target running now; null when none.")


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    limit: int
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null: last.")


class ReplyDeliveryOut(Schema):
    id: int
    status: str = Field(description="scheduled, publishing, published, needs_attention…")
    published_url: str
    last_error: str


class MessageOut(Schema):
    id: int
    direction: str = Field(description="in (received) or out (sent by us).")
    kind: str
    text: str = Field(description="As received: untrusted, escape it where you show it.")
    author: IdentityOut | None
    sent_by: str | None = Field(description="Who wrote a reply (e-mail); null: a rule's.")
    is_auto_reply: bool
    url: str
    external_id: str
    in_reply_to: str
    created_at: datetime
    edited_at: datetime | None
    original_text: str
    deleted_at: datetime | None
    hidden_at: datetime | None
    liked_at: datetime | None
    language: str
    sentiment: str
    delivery: ReplyDeliveryOut | None = Field(description="A reply's delivery to the network.")


class MessagePageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[MessageOut]


class NoteOut(Schema):
    id: int
    author: str | None
    text: str
    mentions: list[str] = Field(description="E-mail addresses of the members @mentioned.")
    created_at: datetime


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut] = Field(
        description="The latest messages (at most 100), oldest first; "
        "GET .../messages pages through all."
    )
    notes: list[NoteOut]
    replying: str | None = Field(description="A colleague replying right now (e-mail).")


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    notes: str
    identities: list[IdentityOut]
    conversations: list[ConversationOut] = Field(description="The latest 50, on every channel.")


class BulkOut(Schema):
    done: int
    errors: list[str]


class SavedReplyOut(Schema):
    id: int
    title: str
    language: str
    text: str
    updated_at: datetime


class RuleOut(Schema):
    id: int
    name: str
    position: int
    enabled: bool
    match_all: bool
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    stop: bool
    updated_at: datetime


class PreviewItemOut(Schema):
    message_id: int
    conversation_id: int
    text: str
    created_at: datetime
    actions: list[dict[str, Any]]


class PreviewOut(Schema):
    matched: int = Field(description="Messages of the window the rule matches.")
    scanned: int = Field(description="Inbound messages of the window looked at.")
    truncated: bool = Field(description="The window held more messages than are scanned.")
    since: datetime | None
    items: list[PreviewItemOut] = Field(description="The latest 100 matches at most.")


class RulePreviewIn(Schema):
    match_all: bool = True
    conditions: list[dict[str, Any]] = Field(default_factory=list)
    actions: list[dict[str, Any]] = Field(default_factory=list)
    days: int = Field(7, ge=1, le=31)


class DaysQuery(Schema):
    days: int = Field(7, ge=1, le=31)


class PolicyOut(Schema):
    time_zone: str = Field(description="Blank: the workspace's own.")
    hours: dict[str, list[list[str]]] = Field(
        description='ISO weekday "1" (Monday)…"7" → [["09:00", "17:00"], …] local times.'
    )
    business_hours_only: bool
    first_response_minutes: int
    resolution_minutes: int
    warn_before_minutes: int
    updated_at: datetime


# --- in -------------------------------------------------------------------------------------


# Every field has a default so that a refused role gets its 403 whatever it sent; the
# action then says what is missing.
class ReplyIn(Schema):
    text: str = Field("", description="Blank with saved_reply_id: the saved reply, filled in.")
    to_message_id: int | None = Field(None, description="Default: the latest message received.")
    saved_reply_id: int | None = None


class NoteIn(Schema):
    text: str = Field("", description="@name mentions a colleague, who is told.")


class AssignIn(Schema):
    user_id: int | None = Field(None, description="A member's user id; null: nobody.")
    team_id: int | None = None


class StatusIn(Schema):
    status: str = Field("", description="open, pending or closed.")


class TagsIn(Schema):
    add: list[str] = Field(default_factory=list, description="Tag names (new ones are created).")
    remove: list[str] = Field(default_factory=list)


class PriorityIn(Schema):
    priority: int = Field(-1, description="0 low, 1 normal, 2 high, 3 urgent.")


class BulkIn(Schema):
    ids: list[int] = Field(default_factory=list, description="Conversation ids.")
    op: str = Field("", description="close, reopen, tag, untag, assign or priority.")
    value: Any = Field(
        None,
        description="tag/untag: a tag name; assign: a user id, me, none or team:<id>; "
        "priority: 0-3.",
    )


class SavedReplyIn(Schema):
    title: str = ""
    language: str = Field("", description="en or fr.")
    text: str = Field("", description="Placeholders: {first_name} {name} {handle} {agent} …")


class RuleIn(Schema):
    name: str = ""
    enabled: bool = True
    match_all: bool = Field(True, description="All conditions (true) or any (false).")
    conditions: list[dict[str, Any]] = Field(
        default_factory=list, description='[{"field": "keywords", "op": …, "value": …}]'
    )
    actions: list[dict[str, Any]] = Field(
        default_factory=list, description='[{"type": "tag", "value": "billing"}, …]'
    )
    stop: bool = False
    position: int | None = Field(None, description="Default: last.")


class PolicyIn(Schema):
    time_zone: str = ""
    hours: dict[str, list[list[str]]] = Field(default_factory=dict)
    business_hours_only: bool = True
    first_response_minutes: int = 60
    resolution_minutes: int = 480
    warn_before_minutes: int = 15


class ReportQuery(Schema):
    start: date | None = Field(None, description="First day (local); default 28 days ago.")
    end: date | None = Field(None, description="Last day, included (local); default today.")
    channel: int | None = None
    user: int | None = Field(None, description="A member, as assignee.")


# --- converters -----------------------------------------------------------------------------


def identity_out(identity: Identity | None) -> IdentityOut | None:
    if identity is None:
        return None
    return IdentityOut(
        id=identity.pk,
        network=identity.network,
        handle=identity.handle,
        name=identity.name,
        profile_url=identity.profile_url,
        followers_count=identity.followers_count,
    )


def conversation_fields(
    c: Conversation, tz: zoneinfo.ZoneInfo, due: DueOut | None
) -> dict[str, Any]:
    return {
        "id": c.pk,
        "channel_id": c.channel_id,
        "channel": c.channel.handle,
        "network": c.channel.network,
        "kind": c.kind,
        "status": c.status,
        "priority": c.priority,
        "subject": c.subject,
        "root_url": c.root_url,
        "assignee_id": c.assignee_id,
        "assignee": c.assignee.email if c.assignee else None,
        "team_id": c.team_id,
        "team": c.team.name if c.team else None,
        "tags": sorted(t.name for t in c.tags.all()),
        "customer_id": c.customer_id,
        "author": identity_out(c.identity),
        "language": c.language,
        "sentiment": c.sentiment,
        "message_count": c.message_count,
        "opened_at": c.opened_at.astimezone(tz),
        "last_message_at": c.last_message_at.astimezone(tz),
        "waiting_since": local(c.waiting_since, tz),
        "first_response_at": local(c.first_response_at, tz),
        "closed_at": local(c.closed_at, tz),
        "due": due,
    }


def message_out(m: Message, tz: zoneinfo.ZoneInfo) -> MessageOut:
    delivery = m.delivery
    return MessageOut(
        id=m.pk,
        direction=m.direction,
        kind=m.kind,
        text=m.text,
        author=identity_out(m.identity),
        sent_by=m.sent_by.email if m.sent_by else None,
        is_auto_reply=m.is_auto_reply,
        url=m.url,
        external_id=m.external_id,
        in_reply_to=m.in_reply_to,
        created_at=m.created_at.astimezone(tz),
        edited_at=local(m.edited_at, tz),
        original_text=m.original_text,
        deleted_at=local(m.deleted_at, tz),
        hidden_at=local(m.hidden_at, tz),
        liked_at=local(m.liked_at, tz),
        language=m.language,
        sentiment=m.sentiment,
        delivery=ReplyDeliveryOut(
            id=delivery.pk,
            status=delivery.status,
            published_url=delivery.published_url,
            last_error=delivery.last_error,
        )
        if delivery is not None
        else None,
    )


def note_out(note: Note, tz: zoneinfo.ZoneInfo) -> NoteOut:
    return NoteOut(
        id=note.pk,
        author=note.author.email if note.author else None,
        text=note.text,
        mentions=sorted(u.email for u in note.mentions.all()),
        created_at=note.created_at.astimezone(tz),
    )


def saved_reply_out(reply: SavedReply, tz: zoneinfo.ZoneInfo) -> SavedReplyOut:
    return SavedReplyOut(
        id=reply.pk,
        title=reply.title,
        language=reply.language,
        text=reply.text,
        updated_at=reply.updated_at.astimezone(tz),
    )


def rule_out(rule: Rule, tz: zoneinfo.ZoneInfo) -> RuleOut:
    return RuleOut(
        id=rule.pk,
        name=rule.name,
        position=rule.position,
        enabled=rule.enabled,
        match_all=rule.match_all,
        conditions=list(rule.conditions),
        actions=list(rule.actions),
        stop=rule.stop,
        updated_at=rule.updated_at.astimezone(tz),
    )


def policy_out(policy: ResponsePolicy, tz: zoneinfo.ZoneInfo) -> PolicyOut:
    return PolicyOut(
        time_zone=policy.time_zone,
        hours=policy.hours,
        business_hours_only=policy.business_hours_only,
        first_response_minutes=policy.first_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        warn_before_minutes=policy.warn_before_minutes,
        updated_at=policy.updated_at.astimezone(tz),
    )


def customer_identities(customer: Customer) -> list[IdentityOut]:
    return [i for i in (identity_out(x) for x in customer.identities.all()) if i is not None]


# --- reports --------------------------------------------------------------------------------


class DurationsOut(Schema):
    count: int
    median: float | None = Field(description="Seconds (nearest-rank).")
    p90: float | None = Field(description="Seconds (nearest-rank).")


class ReportRowOut(Schema):
    key: str = Field(description='A channel id, a user id ("" unassigned), a week, or "all".')
    label: str
    conversations: int
    first_response: DurationsOut
    first_response_business: DurationsOut
    resolution: DurationsOut
    resolution_business: DurationsOut
    first_response_attainment: float | None = Field(description="% answered within target.")
    resolution_attainment: float | None = Field(description="% resolved within target.")
    breaches_first_response: int
    breaches_resolution: int


class ReportOut(Schema):
    start: datetime
    end: datetime = Field(description="Exclusive.")
    time_zone: str
    total: ReportRowOut
    by_channel: list[ReportRowOut]
    by_member: list[ReportRowOut]
    by_week: list[ReportRowOut]
    heatmap: list[list[int]] = Field(
        description="Inbound messages [weekday 0 Monday … 6][hour 0 … 23], local time."
    )
    inbound_messages: int


def _durations(d: Any) -> DurationsOut:
    return DurationsOut(count=d.count, median=d.median, p90=d.p90)


def report_row_out(row: Any) -> ReportRowOut:
    return ReportRowOut(
        key=row.key,
        label=row.label,
        conversations=row.conversations,
        first_response=_durations(row.first_response),
        first_response_business=_durations(row.first_response_business),
        resolution=_durations(row.resolution),
        resolution_business=_durations(row.resolution_business),
        first_response_attainment=row.first_response_attainment,
        resolution_attainment=row.resolution_attainment,
        breaches_first_response=row.breaches_first_response,
        breaches_resolution=row.breaches_resolution,
    )


def report_out(report: Any, tz: zoneinfo.ZoneInfo) -> ReportOut:
    return ReportOut(
        start=report.start.astimezone(tz),
        end=report.end.astimezone(tz),
        time_zone=report.time_zone,
        total=report_row_out(report.total),
        by_channel=[report_row_out(r) for r in report.by_channel],
        by_member=[report_row_out(r) for r in report.by_member],
        by_week=[report_row_out(r) for r in report.by_week],
        heatmap=report.heatmap,
        inbound_messages=report.inbound_messages,
    )
