"""Saving, ordering and deleting rules, and the errors a bad rule gets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry, Membership
from hubbub.core.roles import Role
from hubbub.inbox.models import Rule, Team
from hubbub.inbox.rules import validate
from hubbub.inbox.rules_admin import RuleInvalid, delete_rule, move_rule, save_rule
from hubbub.networks.models import Channel
from tests.inbox.conftest_rules import *  # noqa: F403

pytestmark = pytest.mark.django_db
TAG = [{"type": "tag", "value": "billing"}]
REFUND = [{"field": "keywords", "op": "contains_any", "value": ["refund"]}]


@pytest.fixture
def owner(acme, alice) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


def test_save_rule_creates_last_and_audits(owner, acme):
    first = save_rule(owner, "Refunds", REFUND, TAG)
    second = save_rule(owner, "  Everything  ", [], TAG, match_all=False, stop=True)
    assert (first.position, second.position) == (0, 1)
    assert second.name == "Everything" and second.stop and not second.match_all
    entry = AuditEntry.objects.filter(action="rule.save").order_by("pk").last()
    assert entry is not None
    assert entry.actor == owner.user and entry.after["name"] == "Everything"


def test_update_rule(owner):
    saved = save_rule(owner, "Refunds", REFUND, TAG)
    save_rule(
        owner, "Refunds", REFUND, [{"type": "priority", "value": 3}], enabled=False, rule=saved
    )
    saved.refresh_from_db()
    assert saved.actions == [{"type": "priority", "value": 3}] and not saved.enabled
    assert Rule.objects.count() == 1


def test_only_owners_and_managers_configure_rules(acme, bob):
    editor = Access(user=bob, workspace=acme, role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        save_rule(editor, "Refunds", REFUND, TAG)


def test_a_rule_of_another_workspace_is_refused(owner, globex, charlie):
    theirs = Rule.objects.create(workspace=globex, name="x", actions=TAG)
    with pytest.raises(ActionError):
        save_rule(owner, "mine now", [], TAG, rule=theirs)
    with pytest.raises(ActionError):
        delete_rule(owner, theirs)
    assert Rule.objects.filter(pk=theirs.pk, name="x").exists()


def test_move_and_delete_keep_positions_dense(owner):
    a, _b, c = (save_rule(owner, name, [], TAG) for name in "abc")
    move_rule(owner, c, 0)
    assert list(Rule.objects.values_list("name", flat=True)) == ["c", "a", "b"]
    move_rule(owner, c, 99)
    assert list(Rule.objects.values_list("name", flat=True)) == ["a", "b", "c"]
    delete_rule(owner, a)
    assert list(Rule.objects.values_list("name", "position")) == [("b", 0), ("c", 1)]
    assert AuditEntry.objects.filter(action="rule.move").count() == 2
    assert AuditEntry.objects.filter(action="rule.delete").count() == 1


def test_bad_rule_lists_every_problem(owner, acme, make_user):
    analyst = make_user("ana@example.com", full_name="Ana")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    with pytest.raises(RuleInvalid) as caught:
        save_rule(
            owner,
            "Broken",
            [
                {"field": "colour", "op": "is", "value": "red"},
                {"field": "keywords", "op": "contains_any", "value": []},
                {"field": "followers", "op": "gte", "value": -5},
            ],
            [
                {"type": "assign", "mode": "user", "user_id": analyst.pk},
                {"type": "teleport"},
            ],
        )
    assert caught.value.errors == [
        "Condition 1: unknown field 'colour'; use one of channel, kind, keywords, language, "
        "sentiment, followers, business_hours, priority, tag, text_length.",
        "Condition 2 (Keywords): the value is missing.",
        "Condition 3 (Author's followers): give the number of followers as a whole number, "
        "0 or more.",
        "Action 1 (Assign): Ana's role (Analyst) cannot answer conversations.",
        "Action 2: unknown action 'teleport'; use one of tag, assign, priority, auto_reply, "
        "close_spam, notify.",
    ]
    assert not Rule.objects.exists()


@pytest.mark.parametrize(
    ("conditions", "actions", "message"),
    [
        ([], [], "Add at least one action: what should the rule do?"),
        (
            [{"field": "kind", "op": "in", "value": ["tweet"]}],
            TAG,
            "Condition 1 (Message type): unknown message type 'tweet'; use comment, mention, "
            "message.",
        ),
        (
            [{"field": "kind", "op": "equals", "value": ["comment"]}],
            TAG,
            "Condition 1 (Message type): unknown operator 'equals'; use in, not_in.",
        ),
        (
            [{"field": "language", "op": "in", "value": ["French"]}],
            TAG,
            "Condition 1 (Language): 'French' is not a language code; write two letters, e.g. "
            "en, fr, es.",
        ),
        (
            [{"field": "keywords", "op": "contains_any", "value": ["!!!"]}],
            TAG,
            "Condition 1 (Keywords): '!!!' has no letter, digit or emoji to look for.",
        ),
        (
            [{"field": "business_hours", "op": "is", "value": "yes"}],
            TAG,
            "Condition 1 (During business hours): say true (open) or false (closed).",
        ),
        (
            [{"field": "channel", "op": "in", "value": [999]}],
            TAG,
            "Condition 1 (Channel): no channel 999 in this workspace; choose among its channels.",
        ),
        (
            [],
            [{"type": "assign", "mode": "user", "user_id": 999}],
            "Action 1 (Assign): user 999 is not a member of this workspace.",
        ),
        (
            [],
            [{"type": "assign", "mode": "round_robin"}],
            "Action 1 (Assign): choose the members who take turns, or a team.",
        ),
        (
            [],
            [{"type": "assign", "mode": "everyone"}],
            "Action 1 (Assign): choose how to assign: user, team, round_robin, on_duty.",
        ),
        (
            [],
            [{"type": "auto_reply", "text": "  "}],
            "Action 1 (Reply automatically (once per conversation)): write the reply, or choose "
            "a saved reply.",
        ),
        (
            [],
            [{"type": "priority", "value": 7}],
            "Action 1 (Set the priority): priority is one of 0 (Low), 1 (Normal), 2 (High), "
            "3 (Urgent).",
        ),
        ([], [{"type": "tag", "value": ""}], "Action 1 (Add a tag): name the tag to add."),
        (
            [],
            [{"type": "auto_reply", "text": "a"}, {"type": "auto_reply", "text": "b"}],
            "Reply automatically (once per conversation) appears 2 times; keep one.",
        ),
        ("refund", TAG, "Conditions must be a list (an empty list matches every message)."),
    ],
)
def test_validate_says_what_to_fix(acme, conditions, actions, message):
    assert validate(conditions, actions, acme) == [message]


def test_validate_accepts_a_full_rule(acme, bob, channel):
    team = Team.objects.create(workspace=acme, name="Billing")
    conditions = [
        {"field": "channel", "op": "in", "value": [channel.pk]},
        {"field": "kind", "op": "not_in", "value": ["message"]},
        {"field": "keywords", "op": "contains_all", "value": ["refund", "rembours*"]},
        {"field": "language", "op": "in", "value": ["en", "fr"]},
        {"field": "sentiment", "op": "in", "value": ["negative", "neutral"]},
        {"field": "followers", "op": "lte", "value": 0},
        {"field": "business_hours", "op": "is", "value": False},
        {"field": "priority", "op": "in", "value": [0, 1]},
        {"field": "tag", "op": "has_not", "value": "vip"},
        {"field": "text_length", "op": "gte", "value": 10},
    ]
    actions = [
        {"type": "tag", "value": "billing"},
        {"type": "assign", "mode": "round_robin", "team_id": team.pk},
        {"type": "priority", "value": 3},
        {"type": "auto_reply", "text": "Thanks {first_name}"},
        {"type": "notify", "user_ids": [bob.pk]},
    ]
    assert validate(conditions, actions, acme) == []


def test_channel_of_another_workspace_is_refused(acme, globex):
    theirs = Channel.objects.create(workspace=globex, network="bluesky", handle="globex")
    errors = validate([{"field": "channel", "op": "in", "value": [theirs.pk]}], TAG, acme)
    assert errors == [
        f"Condition 1 (Channel): no channel {theirs.pk} in this workspace; choose among its "
        "channels."
    ]
