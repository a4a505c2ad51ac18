"""After ingestion, targets and rules work per batch (sla.on_inbound_many,
rules.apply_rules_many) and leave exactly what the message-by-message calls leave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from hubbub.accounts.models import User
from hubbub.core.models import Notification, Workspace
from hubbub.inbox import ingest as ingest_module
from hubbub.inbox import rules, sla
from hubbub.inbox.ingest import ingest, optional
from hubbub.inbox.models import (
    Conversation,
    Message,
    Priority,
    ResponsePolicy,
    Rule,
    RuleHit,
    Status,
    Tag,
    TargetOverride,
)
from hubbub.inbox.rules_context import Pending
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Channel
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, make_channel, said

clock, network = conftest_ingest.clock, conftest_ingest.network

pytestmark = pytest.mark.usefixtures("clock", "network")


def at(minutes: int):  # type: ignore[no-untyped-def]
    return NOW - timedelta(hours=3) + timedelta(minutes=minutes)


def set_up(workspace: Workspace) -> Channel:
    """The same policy, override and rules in any workspace."""
    policy, _created = ResponsePolicy.objects.get_or_create(workspace=workspace)
    policy.time_zone = "Europe/Paris"
    policy.business_hours_only = False
    policy.save()
    billing = Tag.objects.create(workspace=workspace, name="billing")
    # A conversation tagged billing is due sooner; one that is urgent, sooner still.
    TargetOverride.objects.create(policy=policy, position=1, tag=billing, first_response_minutes=30)
    TargetOverride.objects.create(
        policy=policy, position=2, priority=Priority.URGENT, resolution_minutes=120
    )
    Rule.objects.create(
        workspace=workspace,
        name="spam",
        position=1,
        conditions=[{"field": "keywords", "op": "contains_any", "value": ["casino"]}],
        actions=[{"type": "close_spam"}],
        stop=True,
    )
    Rule.objects.create(
        workspace=workspace,
        name="billing",
        position=2,
        conditions=[{"field": "keywords", "op": "contains_any", "value": ["refund"]}],
        actions=[{"type": "tag", "value": "billing"}],
    )
    Rule.objects.create(
        workspace=workspace,
        name="escalate",
        position=3,
        conditions=[
            {"field": "tag", "op": "has", "value": "billing"},
            {"field": "keywords", "op": "contains_any", "value": ["still"]},
        ],
        actions=[{"type": "priority", "value": Priority.URGENT}, {"type": "tag", "value": "late"}],
    )
    return make_channel(workspace, external_id=f"me-{workspace.slug}")


FIRST = [
    said("Hello, a question about my order", "a1", "carol", at(1), root="thread-carol"),
    said("I want a refund please", "a2", "carol", at(2), root="thread-carol"),
    said("Free casino bonus here", "b1", "spammer", at(3), root="thread-spammer"),
    said("Still nothing about my refund?", "a3", "carol", at(4), root="thread-carol"),
    said("Nice launch!", "c1", "dave", at(5), root="thread-dave"),
    said("Casino again", "b2", "spammer", at(6), root="thread-spammer"),
]
SECOND = [  # after dave's conversation was closed: he writes again (a new cycle)
    said("One more thing: refund for the other order", "c2", "dave", at(40), root="thread-dave"),
    said("and still waiting", "c3", "dave", at(41), root="thread-dave"),
]


def run(channel: Channel, capture: Callable[..., Any]) -> None:
    with capture(execute=True):
        result = ingest(channel, "mentions", FIRST)
    assert result.errors == []
    Conversation.objects.filter(channel=channel, identity__handle="@dave").update(
        status=Status.CLOSED, closed_at=at(30), waiting_since=None
    )
    with capture(execute=True):
        result = ingest(channel, "mentions", SECOND)
    assert result.errors == []


def outcome(channel: Channel) -> dict[str, Any]:
    """Everything the targets and rules decided, by who wrote."""
    found: dict[str, Any] = {}
    for conversation in Conversation.objects.filter(channel=channel).select_related("identity"):
        assert conversation.identity is not None
        found[conversation.identity.handle] = {
            "status": conversation.status,
            "priority": conversation.priority,
            "tags": sorted(conversation.tags.values_list("name", flat=True)),
            "opened_at": conversation.opened_at,
            "first_response_due_at": conversation.first_response_due_at,
            "resolution_due_at": conversation.resolution_due_at,
            "closed_at": conversation.closed_at,
        }
    found["hits"] = sorted(
        (hit.message.external_id, hit.rule.name, str(hit.actions))
        for hit in RuleHit.objects.filter(conversation__channel=channel).select_related(
            "message", "rule"
        )
    )
    return found


def one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingestion as before batching: sla.on_inbound and rules.apply_rules per message."""
    modules = {
        "hubbub.inbox.sla": SimpleNamespace(
            on_inbound=sla.on_inbound, on_first_response=sla.on_first_response
        ),
        "hubbub.inbox.rules": SimpleNamespace(apply_rules=rules.apply_rules),
    }
    monkeypatch.setattr(ingest_module, "optional", lambda name: modules.get(name) or optional(name))


def test_batched_targets_and_rules_decide_what_one_by_one_decides(
    acme: Workspace,
    globex: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    batched, single = set_up(acme), set_up(globex)
    run(batched, django_capture_on_commit_callbacks)
    with monkeypatch.context() as patched:
        one_by_one(patched)
        run(single, django_capture_on_commit_callbacks)

    expected = outcome(single)
    assert outcome(batched) == expected
    # And what that is, for a person reading it:
    carol, spammer, dave = expected["@carol"], expected["@spammer"], expected["@dave"]
    assert carol["tags"] == ["billing", "late"] and carol["priority"] == Priority.URGENT
    assert carol["first_response_due_at"] == at(1) + timedelta(minutes=30)  # billing override
    # The first matching override wins (billing): the policy's resolution target stays.
    assert carol["resolution_due_at"] == at(1) + timedelta(hours=8)
    assert spammer["status"] == Status.CLOSED and spammer["tags"] == ["spam"]
    assert dave["status"] == Status.OPEN and dave["opened_at"] == at(40)  # a new cycle
    assert dave["tags"] == ["billing", "late"]
    assert dave["first_response_due_at"] == at(40) + timedelta(minutes=30)
    assert [h[:2] for h in expected["hits"]] == [
        ("a2", "billing"),
        ("a3", "billing"),
        ("a3", "escalate"),
        ("b1", "spam"),
        ("b2", "spam"),
        ("c2", "billing"),
        ("c3", "escalate"),
    ]


def test_targets_of_a_batch_cost_a_few_queries_whatever_its_size(acme: Workspace) -> None:
    channel = set_up(acme)
    items: list[Incoming] = [said(f"Question {n}", f"q{n}", f"person{n}", at(n)) for n in range(40)]
    ingest(channel, "mentions", items)  # in the test's transaction: hooks not run yet
    calls = [
        (m.conversation, m, False)
        for m in Message.objects.filter(channel=channel).select_related("conversation")
    ]
    with CaptureQueriesContext(connection) as queries:
        assert sla.on_inbound_many(calls) == []
    # policy, holidays, overrides, tags, and one UPDATE for the 40 (savepoints aside)
    assert len([q for q in queries if "SAVEPOINT" not in q["sql"]]) <= 6
    for conversation, _message, _reopened in calls:
        conversation.refresh_from_db()
        assert conversation.first_response_due_at == conversation.opened_at + timedelta(hours=1)
        assert conversation.resolution_due_at == conversation.opened_at + timedelta(hours=8)


def test_a_failing_rule_is_reported_per_message_and_the_others_still_apply(
    acme: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    channel = set_up(acme)
    real = rules._apply_message

    def broken(specs, message, *args, **kwargs):  # type: ignore[no-untyped-def]
        if message.external_id == "a2":
            raise RuntimeError("a broken rule")
        return real(specs, message, *args, **kwargs)

    monkeypatch.setattr(rules, "_apply_message", broken)
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(channel, "mentions", FIRST)

    assert result.errors == ["rules.apply_rules: a broken rule"]
    assert Message.objects.filter(channel=channel).count() == len(FIRST)  # nothing lost
    hits = sorted(RuleHit.objects.values_list("message__external_id", "rule__name"))
    # a2 tagged nothing: a3 is tagged billing, then escalated (the tag is there by then).
    assert hits == [("a3", "billing"), ("a3", "escalate"), ("b1", "spam"), ("b2", "spam")]


def test_new_conversations_go_to_the_events_in_one_call_when_offered(
    acme: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    channel = set_up(acme)
    calls: list[list[int]] = []
    events = SimpleNamespace(
        conversations_created=lambda found: calls.append([c.pk for c in found])
    )
    monkeypatch.setattr(
        ingest_module,
        "optional",
        lambda name: events if name == "hubbub.inbox.events" else optional(name),
    )
    with django_capture_on_commit_callbacks(execute=True):
        ingest(channel, "mentions", FIRST)

    assert calls == [list(Conversation.objects.order_by("pk").values_list("pk", flat=True))]
    assert len(calls[0]) == 3  # carol, the spammer, dave


def test_a_conflict_at_the_end_of_the_rules_batch_undoes_it_and_it_is_done_once(
    acme: Workspace,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The rules write their hits, tags and fields at the end of a batch; should that fail
    (another worker applied a rule to one of these messages meanwhile), everything the batch
    did is rolled back — its notices too — and the batch is applied hit by hit: once."""
    channel = set_up(acme)
    Rule.objects.create(
        workspace=acme,
        name="tell alice",
        position=4,
        conditions=[{"field": "keywords", "op": "contains_any", "value": ["refund"]}],
        actions=[{"type": "notify", "user_ids": [alice.pk]}],
    )
    real = Pending.flush
    flushes: list[int] = []

    def conflicting(self: Pending) -> None:
        flushes.append(len(self.hits))
        real(self)
        if len(flushes) == 1:
            raise IntegrityError("UNIQUE constraint failed: inbox_rulehit.rule_id, message_id")

    monkeypatch.setattr(Pending, "flush", conflicting)
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(channel, "mentions", FIRST)

    assert result.errors == []
    assert flushes == [7]  # the quick attempt, then none: the careful way writes hit by hit
    hits = sorted(RuleHit.objects.values_list("message__external_id", "rule__name"))
    assert hits == [
        ("a2", "billing"),
        ("a2", "tell alice"),
        ("a3", "billing"),
        ("a3", "escalate"),
        ("a3", "tell alice"),
        ("b1", "spam"),
        ("b2", "spam"),
    ]
    carol = Conversation.objects.get(channel=channel, identity__handle="@carol")
    assert sorted(carol.tags.values_list("name", flat=True)) == ["billing", "late"]
    assert carol.priority == Priority.URGENT
    # One notice per refund message, not one more for the attempt that was undone.
    assert Notification.objects.filter(user=alice, kind="inbox.rule_notify").count() == 2


def test_a_rule_already_applied_to_a_message_is_not_applied_again_by_a_batch(
    acme: Workspace, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """A job run twice (a retry after a crash): the hits already there are read with the
    batch, and those rules skipped for those messages."""
    channel = set_up(acme)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(channel, "mentions", FIRST)
    before = RuleHit.objects.count()
    messages = list(Message.objects.filter(channel=channel).order_by("created_at"))

    applied = rules.apply_rules_many(messages)

    assert (applied.hits, applied.failed) == ([], [])
    assert RuleHit.objects.count() == before
