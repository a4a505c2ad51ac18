"""Each rule action, as a moderator would see its effect on the conversation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from hubbub.core.models import Membership, Notification
from hubbub.inbox.models import (
    Absence,
    Conversation,
    Direction,
    Kind,
    Message,
    Priority,
    SavedReply,
    Shift,
    Status,
    Tag,
    Team,
)
from hubbub.inbox.rules import apply_rules, describe
from hubbub.notify.models import Destination, DestinationKind
from tests.inbox.conftest_rules import *  # noqa: F403
from tests.inbox.conftest_rules import TUESDAY_10

pytestmark = pytest.mark.django_db


def fresh(message) -> Conversation:
    return Conversation.objects.get(pk=message.conversation_id)


def test_tag_creates_the_tag_once_and_reuses_an_existing_one(acme, receive, rule):
    Tag.objects.create(workspace=acme, name="Billing")
    rule([], [{"type": "tag", "value": "billing"}, {"type": "tag", "value": "  needs  review "}])
    message = receive("hello")
    [hit] = apply_rules(message)
    assert sorted(fresh(message).tags.values_list("name", flat=True)) == [
        "Billing",
        "needs review",
    ]
    assert Tag.objects.filter(workspace=acme).count() == 2
    assert [describe(a) for a in hit.actions] == ["Tagged billing", "Tagged needs review"]


def test_priority(receive, rule):
    rule([], [{"type": "priority", "value": Priority.URGENT}])
    message = receive("help")
    apply_rules(message)
    assert fresh(message).priority == Priority.URGENT


def test_close_spam(acme, receive, rule):
    rule(
        [{"field": "keywords", "op": "contains_any", "value": ["crypto giveaway"]}],
        [{"type": "close_spam"}],
    )
    message = receive("Free CRYPTO giveaway, click here")
    apply_rules(message)
    conversation = fresh(message)
    assert conversation.status == Status.CLOSED
    assert conversation.closed_at is not None
    assert list(conversation.tags.values_list("name", flat=True)) == ["spam"]


def test_assign_to_a_member(receive, rule, bob):
    rule([], [{"type": "assign", "mode": "user", "user_id": bob.pk}])
    message = receive("hi")
    [hit] = apply_rules(message)
    assert fresh(message).assignee == bob
    assert describe(hit.actions[0]) == "Assigned to Bob Durand"


def test_assign_never_takes_a_conversation_from_its_assignee(receive, rule, alice, bob):
    rule([], [{"type": "assign", "mode": "user", "user_id": bob.pk}])
    message = receive("follow-up", assignee=alice)
    [hit] = apply_rules(message)
    assert fresh(message).assignee == alice
    assert hit.actions == [{"type": "assign", "mode": "user", "skipped": "already_assigned"}]


def test_assign_to_a_team(acme, receive, rule, bob):
    team = Team.objects.create(workspace=acme, name="Billing")
    team.members.add(bob)
    rule([], [{"type": "assign", "mode": "team", "team_id": team.pk}])
    message = receive("invoice?")
    apply_rules(message)
    conversation = fresh(message)
    assert conversation.team == team
    assert conversation.assignee is None


def test_assignee_is_told(receive, rule, bob, django_capture_on_commit_callbacks):
    rule([], [{"type": "assign", "mode": "user", "user_id": bob.pk}], name="VIPs")
    with django_capture_on_commit_callbacks(execute=True):
        apply_rules(receive("hi"))
    [notice] = Notification.objects.filter(user=bob)
    assert "VIPs" in notice.text and "Carol" in notice.text


def test_round_robin_is_fair_and_in_order(receive, rule, moderators):
    dave, erin, fred = moderators
    saved = rule(
        [], [{"type": "assign", "mode": "round_robin", "user_ids": [fred.pk, dave.pk, erin.pk]}]
    )
    assignees = []
    for n in range(7):
        message = receive("hi", author=f"customer{n}")
        apply_rules(message)
        assignees.append(fresh(message).assignee)
    assert assignees == [dave, erin, fred, dave, erin, fred, dave]
    saved.refresh_from_db()
    assert saved.round_robin_last == dave  # the next one goes to erin, even after a restart


def test_round_robin_skips_inactive_former_and_absent_members(acme, receive, rule, moderators):
    dave, erin, fred = moderators
    rule([], [{"type": "assign", "mode": "round_robin", "user_ids": [dave.pk, erin.pk, fred.pk]}])
    dave.is_active = False
    dave.save()
    Membership.objects.filter(workspace=acme, user=erin).delete()
    assigned = []
    for n in range(2):
        message = receive("hi", author=f"c{n}")
        apply_rules(message)
        assigned.append(fresh(message).assignee)
    assert assigned == [fred, fred]
    Absence.objects.create(
        workspace=acme,
        user=fred,
        starts_at=TUESDAY_10 - timedelta(days=1),
        ends_at=TUESDAY_10 + timedelta(days=1),
    )
    with time_machine.travel(TUESDAY_10, tick=False):
        message = receive("hi", author="c9")
        [hit] = apply_rules(message)
    assert fresh(message).assignee is None
    assert describe(hit.actions[0]) == "Not assigned: nobody available"


def test_round_robin_among_a_team(acme, receive, rule, moderators):
    _dave, erin, fred = moderators
    team = Team.objects.create(workspace=acme, name="Night")
    team.members.add(erin, fred)
    rule([], [{"type": "assign", "mode": "round_robin", "team_id": team.pk}])
    got = []
    for n in range(3):
        message = receive("hi", author=f"c{n}")
        apply_rules(message)
        got.append(fresh(message).assignee)
    assert got == [erin, fred, erin]


def test_assign_to_the_person_on_duty(acme, receive, rule, moderators):
    _dave, erin, fred = moderators
    # Tuesday 09:00-17:00 Paris: erin; 17:00-01:00: fred.
    Shift.objects.create(workspace=acme, user=erin, weekday=2, start=time(9), end=time(17))
    Shift.objects.create(workspace=acme, user=fred, weekday=2, start=time(17), end=time(1))
    rule([], [{"type": "assign", "mode": "on_duty"}])
    with time_machine.travel(datetime(2026, 11, 17, 9, 30, tzinfo=UTC), tick=False):
        morning = receive("hi", author="a")
        apply_rules(morning)
    with time_machine.travel(datetime(2026, 11, 17, 21, 0, tzinfo=UTC), tick=False):
        evening = receive("hi", author="b")
        apply_rules(evening)
    assert fresh(morning).assignee == erin
    assert fresh(evening).assignee == fred


def test_nobody_on_duty_falls_back_to_moderators_in_turn(acme, receive, rule, moderators, bob):
    dave, erin, _fred = moderators
    rule([], [{"type": "assign", "mode": "on_duty"}])
    with time_machine.travel(TUESDAY_10, tick=False):
        first, second = receive("hi", author="a"), receive("hi", author="b")
        [hit] = apply_rules(first)
        apply_rules(second)
    assert fresh(first).assignee == dave  # bob (an editor) is no moderator
    assert fresh(second).assignee == erin
    assert hit.actions[0]["fallback"] == "moderators"
    assert describe(hit.actions[0]) == (
        "Assigned to Dave (nobody on duty: in turn among the moderators)"
    )


def test_auto_reply_sends_once_per_conversation(receive, rule):
    rule([], [{"type": "auto_reply", "text": "Thanks {first_name}, we are on it."}])
    first = receive("my order is late")
    [hit] = apply_rules(first)
    second = receive("hello??")  # same author: same conversation
    [again] = apply_rules(second)
    replies = Message.objects.filter(conversation=first.conversation, direction=Direction.OUTBOUND)
    assert [r.text for r in replies] == ["Thanks Carol, we are on it."]
    assert replies[0].is_auto_reply and replies[0].sent_by is None
    assert replies[0].delivery is not None  # goes out through the publishing dispatcher
    assert fresh(first).auto_replied_at is not None
    assert hit.actions == [{"type": "auto_reply", "text": "Thanks Carol, we are on it."}]
    assert describe(again.actions[0]) == "No automatic reply: this conversation already had one"


def test_auto_reply_once_across_rules(receive, rule):
    rule([], [{"type": "auto_reply", "text": "First"}])
    rule([], [{"type": "auto_reply", "text": "Second"}])
    message = receive("hi")
    apply_rules(message)
    texts = Message.objects.filter(
        conversation=message.conversation, direction=Direction.OUTBOUND
    ).values_list("text", flat=True)
    assert list(texts) == ["First"]


def test_auto_reply_with_a_saved_reply_in_the_customers_language(acme, receive, rule):
    english = SavedReply.objects.create(
        workspace=acme, title="Ack", language="en", text="Hi {first_name}, thanks!"
    )
    SavedReply.objects.create(
        workspace=acme, title="Ack", language="fr", text="Bonjour {first_name}, merci !"
    )
    rule([], [{"type": "auto_reply", "saved_reply_id": english.pk}])
    message = receive("Ma commande est en retard", language="fr")
    apply_rules(message)
    reply = Message.objects.get(conversation=message.conversation, direction=Direction.OUTBOUND)
    assert reply.text == "Bonjour Carol, merci !"


def test_auto_reply_where_the_network_cannot_reply(receive, rule):
    rule([], [{"type": "auto_reply", "text": "Thanks"}])
    message = receive("psst", kind=Kind.MESSAGE)  # no direct messages on Bluesky here
    [hit] = apply_rules(message)
    assert hit.actions == [{"type": "auto_reply", "skipped": "cannot_reply"}]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert fresh(message).auto_replied_at is None


def test_notify_members_and_destinations(
    acme, receive, rule, bob, monkeypatch, django_capture_on_commit_callbacks
):
    from hubbub.notify import tasks

    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda pk, alert: queued.append((pk, alert)))
    slack = Destination(
        workspace=acme, kind=DestinationKind.SLACK, name="Slack", events=["inbox.rule_notify"]
    )
    slack.config = {"webhook_url": "https://hooks.slack.example/x"}
    slack.save()
    rule(
        [{"field": "sentiment", "op": "in", "value": ["negative"]}],
        [{"type": "notify", "user_ids": [bob.pk]}],
        name="Angry customers",
    )
    with django_capture_on_commit_callbacks(execute=True):
        [hit] = apply_rules(receive("Worst service <b>ever</b>", sentiment="negative"))
    [notice] = Notification.objects.filter(user=bob)
    assert "Angry customers" in notice.text and "Worst service <b>ever</b>" in notice.text
    assert [pk for pk, _alert in queued] == [slack.pk]
    assert describe(hit.actions[0]) == "Notified Bob Durand and the alert destinations"


def test_actions_do_not_trigger_rules(receive, rule):
    rule([], [{"type": "auto_reply", "text": "Thanks"}, {"type": "tag", "value": "seen"}])
    message = receive("hi")
    apply_rules(message)
    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert apply_rules(reply) == []  # an outbound message is never evaluated
