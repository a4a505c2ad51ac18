"""Response-time targets on a conversation: due times when a cycle starts, overrides, what is
left, reopening, and late answers recorded as breaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from hubbub.inbox import sla
from hubbub.inbox.models import (
    Breach,
    Conversation,
    Holiday,
    Priority,
    ResponsePolicy,
    Status,
    Tag,
    TargetOverride,
)
from tests.inbox import conftest_sla

# The shared fixtures (module attributes, so pytest finds them).
carol = conftest_sla.carol
inbound = conftest_sla.inbound
open_conversation = conftest_sla.open_conversation
policy = conftest_sla.policy

PARIS = ZoneInfo("Europe/Paris")


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)  # type: ignore[arg-type,misc]


def local(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(PARIS).strftime("%a %H:%M")


# --- due times ------------------------------------------------------------------------------


def test_a_workspace_gets_a_default_policy(acme):
    policy = sla.policy_for(acme)
    assert ResponsePolicy.objects.filter(workspace=acme).count() == 1
    assert (policy.first_response_minutes, policy.resolution_minutes) == (60, 480)
    assert sla.policy_for(acme).pk == policy.pk
    calendar = sla.calendar_for(acme)
    assert calendar.tz.key == "Europe/Paris"  # the workspace's zone when the policy has none


def test_a_new_conversation_is_due_in_business_hours(open_conversation, policy):
    # Friday 16:30: half an hour left that day, so the first answer is due Monday 09:30.
    conversation = open_conversation(paris(2026, 11, 20, 16, 30))
    conversation.refresh_from_db()
    assert local(conversation.first_response_due_at) == "Mon 09:30"
    assert local(conversation.resolution_due_at) == "Mon 16:30"


def test_the_policy_time_zone_and_holidays_apply(open_conversation, policy):
    policy.time_zone = "America/New_York"
    policy.save()
    Holiday.objects.create(policy=policy, date=datetime(2026, 11, 26).date(), name="Thanksgiving")
    # Wednesday 25 November, 16:30 in New York; Thursday is a holiday: due Friday 09:30.
    start = datetime(2026, 11, 25, 16, 30, tzinfo=ZoneInfo("America/New_York"))
    conversation = open_conversation(start.astimezone(UTC))
    due = conversation.first_response_due_at.astimezone(ZoneInfo("America/New_York"))
    assert due.strftime("%a %d %H:%M") == "Fri 27 09:30"


def test_later_messages_of_the_same_cycle_do_not_move_the_due_time(open_conversation, policy):
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))
    due = conversation.first_response_due_at
    later = inbound(conversation, paris(2026, 11, 18, 10, 40))
    sla.on_inbound(conversation, later, reopened=False)
    conversation.refresh_from_db()
    assert conversation.first_response_due_at == due


def test_a_conversation_answered_in_this_cycle_gets_no_first_response_due(
    open_conversation, policy
):
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))
    sla.on_first_response(conversation, paris(2026, 11, 18, 10, 20))
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_due_at=None, resolution_due_at=None
    )
    conversation.refresh_from_db()
    sla.on_inbound(conversation, inbound(conversation, paris(2026, 11, 18, 11, 0)), False)
    conversation.refresh_from_db()
    assert conversation.first_response_due_at is None
    assert conversation.resolution_due_at is not None


def test_reopening_starts_a_new_cycle(open_conversation, policy):
    conversation = open_conversation(paris(2026, 11, 16, 10, 0))
    sla.on_first_response(conversation, paris(2026, 11, 16, 10, 5))
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Status.CLOSED,
        closed_at=paris(2026, 11, 16, 12, 0),
        resolution_warned_at=paris(2026, 11, 16, 17, 45),
    )
    # The customer writes again on Wednesday: ingestion reopens and moves opened_at.
    reopened_at = paris(2026, 11, 18, 14, 0)
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Status.OPEN, opened_at=reopened_at
    )
    conversation.refresh_from_db()
    sla.on_inbound(conversation, inbound(conversation, reopened_at), reopened=True)
    conversation.refresh_from_db()
    assert conversation.first_response_at is None
    assert local(conversation.first_response_due_at) == "Wed 15:00"
    assert local(conversation.resolution_due_at) == "Thu 14:00"
    assert conversation.resolution_warned_at is None


def test_a_target_of_zero_means_no_target(open_conversation, policy):
    policy.resolution_minutes = 0
    policy.save()
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))
    assert conversation.resolution_due_at is None
    assert conversation.first_response_due_at is not None


def test_around_the_clock_targets(open_conversation, policy):
    policy.business_hours_only = False
    policy.save()
    conversation = open_conversation(paris(2026, 11, 21, 23, 0))  # Saturday night
    assert local(conversation.first_response_due_at) == "Sun 00:00"


# --- overrides ------------------------------------------------------------------------------


def test_the_first_matching_override_wins(open_conversation, policy, bluesky_channel, acme):
    vip = Tag.objects.create(workspace=acme, name="vip")
    TargetOverride.objects.create(
        policy=policy, position=0, priority=Priority.URGENT, first_response_minutes=10
    )
    TargetOverride.objects.create(
        policy=policy, position=1, tag=vip, first_response_minutes=20, resolution_minutes=60
    )
    TargetOverride.objects.create(
        policy=policy, position=2, channel=bluesky_channel, first_response_minutes=30
    )
    start = paris(2026, 11, 18, 10, 0)
    urgent_vip = open_conversation(start, priority=Priority.URGENT, tags=[vip])
    assert sla.targets_for(urgent_vip) == (10, 480)  # blank resolution: the policy's
    vip_only = open_conversation(start, tags=[vip])
    assert sla.targets_for(vip_only) == (20, 60)
    assert local(vip_only.first_response_due_at) == "Wed 10:20"
    plain = open_conversation(start)
    assert sla.targets_for(plain) == (30, 480)


def test_overrides_by_sentiment_and_kind(open_conversation, policy):
    TargetOverride.objects.create(policy=policy, sentiment="negative", first_response_minutes=15)
    TargetOverride.objects.create(policy=policy, position=1, kind="message", resolution_minutes=90)
    start = paris(2026, 11, 18, 10, 0)
    assert sla.targets_for(open_conversation(start, sentiment="negative")) == (15, 480)
    assert sla.targets_for(open_conversation(start, kind="message")) == (60, 90)
    assert sla.targets_for(open_conversation(start, sentiment="positive")) == (60, 480)


def test_recompute_after_a_priority_change_moves_the_due_time_and_rearms_the_warning(
    open_conversation, policy
):
    TargetOverride.objects.create(
        policy=policy, priority=Priority.URGENT, first_response_minutes=15
    )
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_warned_at=paris(2026, 11, 18, 10, 45)
    )
    conversation.refresh_from_db()
    conversation.priority = Priority.URGENT
    conversation.save()
    sla.recompute(conversation)
    conversation.refresh_from_db()
    assert local(conversation.first_response_due_at) == "Wed 10:15"
    assert conversation.first_response_warned_at is None


# --- what is left ---------------------------------------------------------------------------


def test_remaining_counts_wall_clock_and_business_time(open_conversation, policy):
    conversation = open_conversation(paris(2026, 11, 20, 16, 30))  # due Monday 09:30
    due = sla.remaining(conversation, paris(2026, 11, 20, 16, 45))
    assert due is not None
    assert due.kind == "first_response"
    assert local(due.due_at) == "Mon 09:30"
    assert due.business_seconds_left == 45 * 60
    assert due.seconds_left == int(timedelta(days=2, hours=16, minutes=45).total_seconds())
    assert not due.breached
    late = sla.remaining(conversation, paris(2026, 11, 23, 10, 0))
    assert late is not None and late.breached
    assert late.business_seconds_left == -30 * 60


def test_remaining_follows_the_resolution_once_answered_and_nothing_once_closed(
    open_conversation, policy
):
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))
    sla.on_first_response(conversation, paris(2026, 11, 18, 10, 30))
    due = sla.remaining(conversation, paris(2026, 11, 18, 11, 0))
    assert due is not None and due.kind == "resolution"
    assert local(due.due_at) == "Thu 10:00"
    conversation.status = Status.CLOSED
    assert sla.remaining(conversation, paris(2026, 11, 18, 11, 0)) is None


# --- late answers ---------------------------------------------------------------------------


def test_a_late_first_answer_is_recorded_as_a_breach_once(open_conversation, policy):
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))  # due 11:00
    with time_machine.travel(paris(2026, 11, 18, 11, 20), tick=False):
        sla.on_first_response(conversation, paris(2026, 11, 18, 11, 20))
        sla.on_first_response(conversation, paris(2026, 11, 18, 11, 25))  # a second reply
    breach = Breach.objects.get()
    assert (breach.kind, local(breach.due_at), local(breach.breached_at)) == (
        "first_response",
        "Wed 11:00",
        "Wed 11:20",
    )
    conversation.refresh_from_db()
    assert local(conversation.first_response_at) == "Wed 11:20"


def test_an_answer_in_time_is_no_breach(open_conversation, policy):
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))
    sla.on_first_response(conversation, paris(2026, 11, 18, 10, 59))
    sla.on_closed(conversation, paris(2026, 11, 18, 12, 0))
    assert not Breach.objects.exists()


def test_closing_after_the_resolution_target_is_a_breach(open_conversation, policy):
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))  # resolution due Thu 10:00
    sla.on_first_response(conversation, paris(2026, 11, 18, 10, 30))
    sla.on_closed(conversation, paris(2026, 11, 19, 11, 0))
    assert Breach.objects.get().kind == "resolution"


def test_a_policy_change_is_applied_to_open_conversations(open_conversation, policy, acme):
    conversation = open_conversation(paris(2026, 11, 18, 10, 0))
    policy.first_response_minutes = 30
    policy.save()
    assert sla.recompute_workspace(acme) == 1
    conversation.refresh_from_db()
    assert local(conversation.first_response_due_at) == "Wed 10:30"
