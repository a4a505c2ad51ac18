"""Applying the rules: order, stop, once per message, and through ingestion."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hubbub.inbox.ingest import ingest
from hubbub.inbox.models import Conversation, Direction, Message, Priority, RuleHit
from hubbub.inbox.rules import apply_rules
from tests.inbox.conftest_rules import *  # noqa: F403

pytestmark = pytest.mark.django_db


def tags_of(message) -> list[str]:
    return sorted(
        Conversation.objects.get(pk=message.conversation_id).tags.values_list("name", flat=True)
    )


def test_rules_run_in_position_order_and_later_ones_see_earlier_changes(receive, rule):
    rule([], [{"type": "priority", "value": Priority.HIGH}], name="first")
    rule(
        [{"field": "priority", "op": "gte", "value": Priority.HIGH}],
        [{"type": "tag", "value": "escalated"}],
        name="second",
    )
    message = receive("hi")
    hits = apply_rules(message)
    assert [h.rule.name for h in hits] == ["first", "second"]
    assert tags_of(message) == ["escalated"]


def test_position_not_creation_decides(receive, rule):
    late = rule([], [{"type": "tag", "value": "b"}], name="created first")
    early = rule([], [{"type": "tag", "value": "a"}], name="created second")
    late.position, early.position = 5, 1
    late.save()
    early.save()
    assert [h.rule.name for h in apply_rules(receive("hi"))] == ["created second", "created first"]


def test_stop_ends_evaluation_only_when_the_rule_matches(receive, rule):
    rule(
        [{"field": "keywords", "op": "contains_any", "value": ["spam"]}],
        [{"type": "close_spam"}],
        stop=True,
        name="spam",
    )
    rule([], [{"type": "tag", "value": "triage"}], name="everything")
    spam, normal = receive("buy spam", author="a"), receive("hello", author="b")
    assert [h.rule.name for h in apply_rules(spam)] == ["spam"]
    assert tags_of(spam) == ["spam"]
    assert [h.rule.name for h in apply_rules(normal)] == ["everything"]


def test_disabled_rules_are_skipped(receive, rule):
    rule([], [{"type": "tag", "value": "x"}], enabled=False)
    assert apply_rules(receive("hi")) == []


def test_running_again_never_doubles(receive, rule):
    rule(
        [], [{"type": "tag", "value": "seen"}, {"type": "auto_reply", "text": "Thanks"}], stop=True
    )
    rule([], [{"type": "tag", "value": "never"}])
    message = receive("hi")
    assert len(apply_rules(message)) == 1
    assert apply_rules(message) == []  # a retried job
    assert RuleHit.objects.filter(message=message).count() == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1
    assert tags_of(message) == ["seen"]  # the stop flag still holds on the second run


def test_one_broken_rule_does_not_stop_the_others(receive, rule, monkeypatch):
    from hubbub.inbox import rules_actions

    broken = rule([], [{"type": "notify", "user_ids": []}], name="broken")
    rule([], [{"type": "tag", "value": "ok"}], name="fine")

    def explode(*args):
        raise RuntimeError("boom")

    monkeypatch.setitem(rules_actions.PERFORM, "notify", explode)
    message = receive("hi")
    assert [h.rule.name for h in apply_rules(message)] == ["fine"]
    assert not RuleHit.objects.filter(rule=broken).exists()  # nothing half-done


def test_two_messages_arriving_together_get_one_auto_reply(
    channel, incoming, rule, monkeypatch, django_capture_on_commit_callbacks
):
    """One batch from the network, two comments by the same person: ingestion applies the
    rules to each after commit; the conversation gets one auto-reply, not two."""
    from hubbub.publishing import tasks

    monkeypatch.setattr(tasks, "enqueue", lambda *args, **kwargs: None)  # no network here
    rule(
        [],
        [{"type": "auto_reply", "text": "Thanks {first_name}!"}, {"type": "tag", "value": "new"}],
    )
    thread = "at://did:plc:acme/app.bsky.feed.post/launch"  # both answer our launch post
    with django_capture_on_commit_callbacks(execute=True):
        ingest(
            channel,
            "mentions",
            [
                incoming("@acme my order is late", id="at://did:plc:carol/p/1", root=thread),
                incoming("@acme hello???", id="at://did:plc:carol/p/2", root=thread),
            ],
        )
    inbound = Message.objects.filter(direction=Direction.INBOUND)
    assert inbound.count() == 2
    assert len({m.conversation_id for m in inbound}) == 1
    replies = Message.objects.filter(direction=Direction.OUTBOUND, is_auto_reply=True)
    assert [r.text for r in replies] == ["Thanks Carol!"]
    assert RuleHit.objects.count() == 2  # the rule matched both; it replied once
    first, second = RuleHit.objects.order_by("pk")
    assert first.actions[0] == {"type": "auto_reply", "text": "Thanks Carol!"}
    assert second.actions[0] == {"type": "auto_reply", "skipped": "already_replied"}


def test_ingestion_detects_language_and_sentiment_for_rules(
    channel, incoming, rule, monkeypatch, django_capture_on_commit_callbacks
):
    rule(
        [
            {"field": "language", "op": "in", "value": ["fr"]},
            {"field": "sentiment", "op": "in", "value": ["negative"]},
        ],
        [{"type": "tag", "value": "fr-angry"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        ingest(
            channel,
            "mentions",
            [
                incoming(
                    "@acme Ma commande n'est toujours pas arrivée, c'est inadmissible",
                    id="1",
                    author="zoe",
                ),
                incoming(
                    "@acme Merci beaucoup pour votre aide, c'est parfait", id="2", author="yann"
                ),
            ],
        )
    angry = Message.objects.get(external_id="1")
    assert (angry.language, angry.sentiment) == ("fr", "negative")
    assert tags_of(angry) == ["fr-angry"]
    assert tags_of(Message.objects.get(external_id="2")) == []


def test_response_targets_follow_what_rules_change(acme, receive, rule):
    """Ingestion sets the due times, then the rules run: a rule raising the priority brings
    the urgent target (a policy override) into force at once."""
    from hubbub.inbox import sla
    from hubbub.inbox.models import ResponsePolicy, TargetOverride

    policy, _created = ResponsePolicy.objects.get_or_create(
        workspace=acme, defaults={"business_hours_only": False, "first_response_minutes": 60}
    )
    TargetOverride.objects.create(
        policy=policy, priority=Priority.URGENT, first_response_minutes=15
    )
    rule(
        [{"field": "keywords", "op": "contains_any", "value": ["outage"]}],
        [{"type": "priority", "value": Priority.URGENT}],
    )
    message = receive("Total outage since this morning")
    conversation = Conversation.objects.get(pk=message.conversation_id)
    sla.on_inbound(conversation, message, False)
    assert conversation.first_response_due_at == conversation.opened_at + timedelta(minutes=60)
    apply_rules(message)
    conversation.refresh_from_db()
    assert conversation.first_response_due_at == conversation.opened_at + timedelta(minutes=15)
