""" "Test this rule on the last 7 days": the preview says exactly what applying the rule does."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from hubbub.inbox.models import (
    Conversation,
    Direction,
    Message,
    Rule,
    RuleHit,
    Shift,
    Tag,
)
from hubbub.inbox.rule_preview import preview
from hubbub.inbox.rules import apply_rules, describe
from tests.inbox.conftest_rules import *  # noqa: F403

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday


def week_of_messages(receive) -> list[Message]:
    """Ten days of a small inbox, oldest first; some messages share a conversation."""
    plan = [
        (9, "alice_c", "Where is my order?", "en", "neutral"),  # older than 7 days
        (6, "ben", "My ORDER never arrived 😡", "en", "negative"),
        (5, "chloe", "Love the new colours", "en", "positive"),
        (5, "ben", "Hello?? still waiting for my order", "en", "negative"),
        (4, "dora", "Ma commande est en retard, c'est inadmissible", "fr", "negative"),
        (3, "emil", "Quick question about sizes", "en", "neutral"),
        (2, "dora", "Toujours rien...", "fr", "negative"),
        (1, "fay", "order #123 arrived broken", "en", "negative"),
        (1, "gus", "Thanks!", "en", "positive"),
        (0, "hal", "Cancel my order", "en", "neutral"),
    ]
    messages = []
    for n, (days_ago, author, text, language, sentiment) in enumerate(plan):
        at = NOW - timedelta(days=days_ago, hours=n % 5 + 1)
        messages.append(receive(text, author=author, at=at, language=language, sentiment=sentiment))
    return messages


def snapshot() -> dict[str, object]:
    return {
        "hits": RuleHit.objects.count(),
        "tags": Tag.objects.count(),
        "outbound": Message.objects.filter(direction=Direction.OUTBOUND).count(),
        "conversations": list(
            Conversation.objects.order_by("pk").values_list(
                "assignee", "team", "priority", "status", "auto_replied_at", "updated_at"
            )
        ),
        "rules": list(Rule.objects.values_list("round_robin_last", flat=True)),
    }


def replay(messages: list[Message]) -> list[tuple[int, list[dict[str, object]]]]:
    """What apply_rules does when the messages of the preview's window come in again, one by
    one, at the moment each was received."""
    done = []
    window = [m for m in messages if m.received_at >= NOW - timedelta(days=7)]
    for message in sorted(window, key=lambda m: m.received_at):
        with time_machine.travel(message.received_at, tick=False):
            done += [(hit.message_id, hit.actions) for hit in apply_rules(message)]
    return done


CONDITIONS: list[dict[str, Any]] = [
    {"field": "keywords", "op": "contains_any", "value": ["order", "commande"]},
    {"field": "sentiment", "op": "in", "value": ["negative"]},
]


def test_preview_equals_what_apply_does_round_robin_and_auto_reply(receive, rule, moderators):
    dave, erin, fred = moderators
    messages = week_of_messages(receive)
    actions: list[dict[str, Any]] = [
        {"type": "tag", "value": "delivery"},
        {"type": "assign", "mode": "round_robin", "user_ids": [dave.pk, erin.pk, fred.pk]},
        {"type": "auto_reply", "text": "Sorry {first_name}, we are looking into it."},
        {"type": "priority", "value": 2},
    ]
    before = snapshot()
    result = preview((CONDITIONS, actions, False), messages[0].workspace, now=NOW)
    assert snapshot() == before  # a dry run writes nothing

    assert result.total_scanned == 9  # the 10-day-old message is out of the window
    expected = [(m.message.pk, m.actions) for m in result.matched]
    # ben twice, dora twice, fay, hal: the same conversation gets one assignee, one reply.
    assert [m.message.conversation.thread_key for m in result.matched] == [
        "comment:ben",
        "comment:ben",
        "comment:dora",
        "comment:dora",
        "comment:fay",
        "comment:hal",
    ]
    assert [describe(a) for a in result.matched[1].actions] == [
        "Tagged delivery",
        "Not reassigned: the conversation already had an assignee",
        "No automatic reply: this conversation already had one",
        "Priority set to High",
    ]

    rule(CONDITIONS, actions, match_all=False)
    assert replay(messages) == expected


def test_preview_equals_what_apply_does_on_duty(acme, receive, rule, moderators):
    _dave, erin, _fred = moderators
    # erin is on duty on weekday mornings (Paris); nobody otherwise: moderators take turns.
    for weekday in range(1, 6):
        Shift.objects.create(
            workspace=acme, user=erin, weekday=weekday, start=time(8), end=time(12)
        )
    messages = week_of_messages(receive)
    actions = [{"type": "assign", "mode": "on_duty"}]
    result = preview((CONDITIONS, actions, True), acme, now=NOW)
    assert result.matched, "the sample must exercise the rule"
    assert {a.get("fallback") for m in result.matched for a in m.actions} == {None, "moderators"}
    expected = [(m.message.pk, m.actions) for m in result.matched]
    rule(CONDITIONS, actions, match_all=True)
    assert replay(messages) == expected


def test_preview_of_a_saved_rule_continues_its_round_robin(receive, rule, moderators):
    dave, erin, fred = moderators
    saved = rule(
        [], [{"type": "assign", "mode": "round_robin", "user_ids": [dave.pk, erin.pk, fred.pk]}]
    )
    saved.round_robin_last = erin
    saved.save()
    receive("hi", author="a", at=NOW - timedelta(hours=2))
    receive("hi", author="b", at=NOW - timedelta(hours=1))
    result = preview(saved, saved.workspace, now=NOW)
    assert [m.actions[0]["user_id"] for m in result.matched] == [fred.pk, dave.pk]
    saved.refresh_from_db()
    assert saved.round_robin_last == erin  # only simulated


def test_preview_window_and_business_hours_without_a_policy(acme, receive):
    from hubbub.inbox.models import ResponsePolicy

    receive("weekend", author="a", at=datetime(2026, 11, 14, 12, tzinfo=UTC))  # Saturday
    receive("weekday", author="b", at=datetime(2026, 11, 17, 12, tzinfo=UTC))
    receive("too old", author="c", at=datetime(2026, 11, 7, 12, tzinfo=UTC))
    result = preview(
        (
            [{"field": "business_hours", "op": "is", "value": False}],
            [{"type": "tag", "value": "weekend"}],
            True,
        ),
        acme,
        days=7,
        now=NOW,
    )
    assert [m.message.text for m in result.matched] == ["weekend"]
    assert result.total_scanned == 2
    assert not ResponsePolicy.objects.filter(workspace=acme).exists()  # still nothing written
