"""`hubbub demo` fills the inbox: English and French conversations, angry and happy, one on a
weekend, one past its targets, answered ones with realistic response times, a rules set;
nothing is sent anywhere, and a rerun adds nothing.

These tests commit (transaction=True): the demo fills the inbox after create_demo's
transaction commits, as `hubbub demo` does, so that ingestion's targets and rules run as
they do for a real poll (hubbub.inbox.demo.fill_inbox).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from hubbub.accounts.models import User
from hubbub.core.demo import create_demo
from hubbub.core.models import Workspace
from hubbub.inbox import polling
from hubbub.inbox.demo_scripts import PEOPLE
from hubbub.inbox.models import (
    Absence,
    Breach,
    BreachKind,
    Conversation,
    Customer,
    Direction,
    Holiday,
    Identity,
    InboxSource,
    Kind,
    Message,
    Note,
    ResponsePolicy,
    Rule,
    RuleHit,
    SavedReply,
    SavedView,
    Sentiment,
    Shift,
    Status,
    Tag,
    TargetOverride,
    Team,
)
from hubbub.inbox.reports import response_report
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery, Post, PostKind

pytestmark = pytest.mark.django_db(transaction=True)

WEDNESDAY = datetime(2026, 6, 3, 15, 0, tzinfo=UTC)  # 11:00 in New York, 17:00 in Paris
MONDAY_MORNING = datetime(2026, 6, 8, 12, 30, tzinfo=UTC)  # 08:30 in New York


def counts() -> dict[str, int]:
    return {
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "customers": Customer.objects.count(),
        "identities": Identity.objects.count(),
        "notes": Note.objects.count(),
        "breaches": Breach.objects.count(),
        "rules": Rule.objects.count(),
        "tags": Tag.objects.count(),
        "teams": Team.objects.count(),
        "saved_replies": SavedReply.objects.count(),
        "shifts": Shift.objects.count(),
        "holidays": Holiday.objects.count(),
        "overrides": TargetOverride.objects.count(),
        "posts": Post.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


def make_demo(owner: User, at: datetime) -> list[Workspace]:
    with time_machine.travel(at, tick=False):
        return create_demo(owner)


def test_the_demo_inbox(alice, client: Client):
    """One build (building takes seconds), checked part by part, then built again."""
    demo = make_demo(alice, WEDNESDAY)
    for workspace, language in zip(demo, ("en", "fr"), strict=True):
        check_conversations(workspace, language, WEDNESDAY)
        check_comments_are_under_our_posts(workspace)
        check_one_breached(workspace, WEDNESDAY)
        check_the_weekend(workspace)
        check_the_team_worked_the_inbox(workspace)
        check_the_settings(workspace)
        check_the_rules(workspace)
        check_the_reports(workspace, WEDNESDAY)
    check_nothing_was_sent(demo)
    check_only_the_breaches_alerted(demo)

    client.force_login(alice)
    for workspace, newest in zip(demo, ("ship to Canada", "livrez en Belgique"), strict=True):
        response = client.get(reverse("inbox:list", args=[workspace.slug]))
        assert response.status_code == 200
        assert newest in response.content.decode()

    before = counts()
    assert before["conversations"] >= 40
    again = make_demo(alice, WEDNESDAY + timedelta(hours=2))
    assert [w.pk for w in again] == [w.pk for w in demo]
    assert counts() == before


def test_on_a_monday_morning_the_weekend_and_the_breach_are_older(alice):
    demo = make_demo(alice, MONDAY_MORNING)
    for workspace, language in zip(demo, ("en", "fr"), strict=True):
        check_conversations(workspace, language, MONDAY_MORNING)
        check_one_breached(workspace, MONDAY_MORNING)
        check_the_weekend(workspace)
        check_the_reports(workspace, MONDAY_MORNING)


# --- what each part must show ------------------------------------------------------------


def check_conversations(workspace: Workspace, language: str, now: datetime) -> None:
    conversations = Conversation.objects.filter(workspace=workspace)
    assert 20 <= conversations.count() <= 30
    languages = {c.language for c in conversations}
    # Mostly the workspace's language; one customer writes in the other one, so the saved
    # replies' language pairs have something to pick.
    assert sum(c.language == language for c in conversations) >= 18
    assert {"en", "fr"} <= languages
    assert {c.kind for c in conversations} == {Kind.COMMENT, Kind.MENTION, Kind.MESSAGE}
    assert {c.status for c in conversations} == {Status.OPEN, Status.PENDING, Status.CLOSED}
    sentiments = [c.sentiment for c in conversations]
    assert sentiments.count(Sentiment.NEGATIVE) >= 3  # angry customers
    assert sentiments.count(Sentiment.POSITIVE) >= 6  # happy ones
    # Every message lies in the last ten days or so, none in the future.
    for message in Message.objects.filter(workspace=workspace):
        assert now - timedelta(days=11) < message.created_at <= now, message.text
    # New ones wait, not yet late: the fresh ones of the last half hour.
    fresh = conversations.filter(status=Status.OPEN, first_response_breached_at__isnull=True)
    assert fresh.count() >= 3
    assert all(c.first_response_due_at and c.first_response_due_at > now for c in fresh)


def check_comments_are_under_our_posts(workspace: Workspace) -> None:
    comments = Conversation.objects.filter(workspace=workspace, kind=Kind.COMMENT)
    published = set(
        Delivery.objects.filter(workspace=workspace).values_list("published_url", flat=True)
    )
    assert comments.count() >= 6
    assert {c.root_url for c in comments} <= published


def check_one_breached(workspace: Workspace, now: datetime) -> None:
    breached = Conversation.objects.filter(
        workspace=workspace, status=Status.OPEN, first_response_breached_at__isnull=False
    )
    assert breached.count() == 1
    conversation = breached.get()
    assert conversation.first_response_at is None
    due = conversation.first_response_due_at
    assert due is not None and due < now - timedelta(hours=1)
    assert now - conversation.opened_at > timedelta(days=1)  # old
    assert Breach.objects.filter(conversation=conversation, kind=BreachKind.FIRST_RESPONSE)
    assert conversation.assignee is not None
    assert {t.name for t in conversation.tags.all()} & {"billing", "facturation"}
    note = conversation.notes.get()
    assert list(note.mentions.all()) == [conversation.assignee]  # "@sam.moderator …"


def check_the_weekend(workspace: Workspace) -> None:
    """The question asked on a Saturday afternoon, answered on Monday at opening time."""
    tz = workspace.tz
    user = PEOPLE["rachel"].user[0 if workspace.language == "en" else 1]
    saturday = Conversation.objects.get(workspace=workspace, identity__handle__contains=user)
    assert saturday.opened_at.astimezone(tz).isoweekday() == 6
    assert saturday.first_response_at is not None
    answered = saturday.first_response_at.astimezone(tz)
    assert answered.isoweekday() == 1 and answered.hour == 9
    # Within its hour: only business time counts, and the weekend has none.
    assert saturday.first_response_due_at is not None
    assert saturday.first_response_at <= saturday.first_response_due_at
    assert saturday.first_response_due_at.astimezone(tz).isoweekday() == 1


def check_the_team_worked_the_inbox(workspace: Workspace) -> None:
    conversations = Conversation.objects.filter(workspace=workspace)
    assert conversations.filter(assignee__isnull=False, team__isnull=False).exists()
    assert conversations.filter(tags__name__in=["billing", "facturation"]).count() >= 2
    spam = conversations.filter(tags__name="spam")
    assert spam.count() == 2
    assert all(c.status == Status.CLOSED and c.assignee is None for c in spam)
    assert conversations.filter(priority=2).count() >= 2
    assert Note.objects.filter(conversation__workspace=workspace).count() == 3
    # A customer who wrote three times in one thread, answered twice.
    thread = conversations.filter(kind=Kind.MESSAGE).order_by("-message_count").first()
    assert thread is not None
    assert thread.messages.filter(direction=Direction.INBOUND).count() == 3
    assert thread.messages.filter(direction=Direction.OUTBOUND).count() == 2
    # One person, two networks, one customer with both conversations.
    linked = (
        Customer.objects.filter(workspace=workspace).annotate(n=Count("identities")).filter(n=2)
    )
    assert linked.count() == 1
    customer = linked.get()
    assert {i.network for i in customer.identities.all()} == {"bluesky", "mastodon"}
    assert customer.conversations.count() == 2
    assert customer.notes


def check_the_settings(workspace: Workspace) -> None:
    policy = ResponsePolicy.objects.get(workspace=workspace)
    assert policy.hours["1"] == [["09:00", "18:00"]] and "6" not in policy.hours
    assert (policy.first_response_minutes, policy.resolution_minutes) == (60, 480)
    assert policy.time_zone == ""  # the workspace's own
    assert policy.holidays.filter(date__month=12, date__day=25).exists()
    [override] = policy.overrides.all()
    assert (override.sentiment, override.first_response_minutes) == ("negative", 30)
    team = Team.objects.get(workspace=workspace, name="Support")
    assert team.members.count() == 2
    assert Shift.objects.filter(workspace=workspace).count() == 10
    [absence] = Absence.objects.filter(workspace=workspace)
    assert absence.starts_at > WEDNESDAY - timedelta(days=7)  # next week, not handed off yet
    replies = SavedReply.objects.filter(workspace=workspace)
    assert {r.language for r in replies} == {"en", "fr"}
    assert all("{first_name}" in r.text for r in replies)
    assert SavedView.objects.filter(workspace=workspace, owner=None).count() == 2


def check_the_rules(workspace: Workspace) -> None:
    rules = list(Rule.objects.filter(workspace=workspace))
    assert len(rules) == 4
    assert rules[0].stop and rules[0].actions == [{"type": "close_spam"}]
    [auto_reply] = [r for r in rules if r.actions[0]["type"] == "auto_reply"]
    assert not auto_reply.enabled  # demo channels cannot send
    assert all(r.enabled for r in rules if r != auto_reply)
    # Created after the conversations came in: they acted on none of them.
    assert not RuleHit.objects.filter(rule__workspace=workspace).exists()


def check_the_reports(workspace: Workspace, now: datetime) -> None:
    report = response_report(workspace, now - timedelta(days=14), now + timedelta(minutes=1))
    total = report.total
    assert total.first_response.count >= 15
    assert total.first_response.median is not None and total.first_response.p90 is not None
    assert total.first_response.median < total.first_response.p90
    assert total.resolution.median is not None
    attainment = total.first_response_attainment
    assert attainment is not None and 60 <= attainment < 100  # a few answers were late
    assert total.breaches_first_response >= 2
    assert report.inbound_messages >= 25
    assert sum(1 for day in report.heatmap for n in day if n) >= 12
    assert len(report.by_channel) == 2
    assert len([row for row in report.by_member if row.key]) == 3


def check_nothing_was_sent(demo: list[Workspace]) -> None:
    replies = Message.objects.filter(direction=Direction.OUTBOUND)
    assert replies.count() >= 30
    for reply in replies:
        assert reply.external_id.startswith("demo-reply-")
        assert reply.sent_by is not None and reply.delivery is None
        assert "{" not in reply.text  # placeholders filled
    assert not Post.objects.filter(kind=PostKind.REPLY).exists()
    assert not Delivery.objects.filter(post__kind=PostKind.REPLY).exists()
    assert not Message.objects.filter(is_auto_reply=True).exists()
    # The demo channels are never read either: polling makes no source for them.
    channels = Channel.objects.filter(workspace__in=demo)
    assert all(c.config.get("demo") for c in channels)
    assert polling.sync_sources(WEDNESDAY) == 0
    assert not InboxSource.objects.exists()


def check_only_the_breaches_alerted(demo: list[Workspace]) -> None:
    """E-mails: the invitations create_demo sends, and the breach alerts to the assignee of
    the old unanswered conversation; nobody else."""
    invited = {w.invitations.get().email for w in demo}
    assignees = {
        user.email
        for w in demo
        if (
            user := Conversation.objects.get(
                workspace=w, status=Status.OPEN, first_response_breached_at__isnull=False
            ).assignee
        )
    }
    assert len(assignees) == 2
    recipients = {address for m in mail.outbox for address in m.to}
    assert recipients == invited | assignees
