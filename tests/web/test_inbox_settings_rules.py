"""The rules pages: the ordered list (on/off, up/down, delete), the editor with its condition
and action rows (with and without htmx), its errors beside the rows, and "Test this rule on
the last 7 days" on a rule not saved yet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from hubbub.core.models import AuditEntry
from hubbub.inbox.models import Rule, RuleHit, Tag
from tests.conftest import signed_in
from tests.inbox.conftest_rules import channel, receive  # noqa: F401  (fixtures)
from tests.web.conftest import count, messages_of, text

BASE = "/w/acme/inbox/settings/rules/"
NOW = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)  # two days after the messages below


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def refund_rule(**changes: str) -> dict[str, str]:
    data = {
        "name": "Refunds to billing",
        "enabled": "on",
        "match_all": "all",
        "cond-0-field": "keywords",
        "cond-0-op": "contains_any",
        "cond-0-value": "refund, rembours*",
        "act-0-kind": "tag",
        "act-0-value": "billing",
        "act-1-kind": "priority",
        "act-1-value": "2",
    }
    data.update(changes)
    return data


def make_rule(acme, name: str, position: int, enabled: bool = True) -> Rule:
    return Rule.objects.create(
        workspace=acme,
        name=name,
        position=position,
        enabled=enabled,
        actions=[{"type": "close_spam"}],
    )


def test_creating_a_rule_from_its_rows(alice_client, acme, alice):
    response = alice_client.post(
        BASE + "new/",
        refund_rule(**{"act-2-kind": "assign_user", "act-2-user_id": str(alice.pk)}),
    )
    assert response.status_code == 302
    rule = Rule.objects.get(workspace=acme)
    assert rule.name == "Refunds to billing"
    assert rule.enabled and rule.match_all and not rule.stop
    assert rule.conditions == [
        {"field": "keywords", "op": "contains_any", "value": ["refund", "rembours*"]}
    ]
    assert rule.actions == [
        {"type": "tag", "value": "billing"},
        {"type": "priority", "value": 2},
        {"type": "assign", "mode": "user", "user_id": alice.pk},
    ]
    assert AuditEntry.objects.filter(action="rule.save").count() == 1
    page = alice_client.get(BASE)
    assert count(page, "rule-row") == 1
    assert "Add a tag, Set the priority, Assign to a member" in text(page)


def test_editing_shows_the_saved_rows_and_saves_changes(alice_client, acme):
    alice_client.post(BASE + "new/", refund_rule())
    rule = Rule.objects.get()
    page = alice_client.get(f"{BASE}{rule.pk}/")
    assert page.status_code == 200
    assert count(page, "condition-row") == 1 and count(page, "action-row") == 2
    assert "refund\nrembours*</textarea>" in page.content.decode()
    # Remove the priority action, make it stop.
    response = alice_client.post(
        f"{BASE}{rule.pk}/", refund_rule(**{"act-1-remove": "on", "stop": "on"})
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.actions == [{"type": "tag", "value": "billing"}]
    assert rule.stop


def test_problems_are_shown_beside_their_rows_and_nothing_is_saved(alice_client):
    response = alice_client.post(
        BASE + "new/",
        {
            "name": "Broken",
            "cond-0-field": "keywords",
            "cond-0-op": "contains_any",
            "cond-0-value": "",
            "cond-1-field": "followers",
            "cond-1-op": "gte",
            "cond-1-value": "many",
        },
    )
    assert response.status_code == 400
    shown = text(response)
    assert "Condition 1 (Keywords): the value is missing." in shown
    assert "Condition 2 (Author's followers): give the number of followers" in shown
    assert "Add at least one action: what should the rule do?" in shown
    assert count(response, "condition-row") == 2  # as typed
    assert not Rule.objects.exists()


def test_a_rule_needs_a_name(alice_client):
    response = alice_client.post(BASE + "new/", refund_rule(name="  "))
    assert response.status_code == 400
    assert "Give the rule a name" in text(response)
    assert not Rule.objects.exists()


def test_adding_rows_without_javascript_keeps_what_was_typed(alice_client):
    response = alice_client.post(
        BASE + "new/", refund_rule(add="condition", add_condition="sentiment")
    )
    assert response.status_code == 200
    assert count(response, "condition-row") == 2
    assert "Sentiment" in text(response)
    assert 'value="Refunds to billing"' in response.content.decode()
    assert not Rule.objects.exists()


def test_adding_a_row_with_htmx_returns_just_that_row(alice_client, channel):  # noqa: F811
    row = alice_client.get(
        BASE + "row/", {"add_condition": "channel"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200
    body = row.content.decode()
    assert "<html" not in body
    assert count(row, "condition-row") == 1
    assert f'<option value="{channel.pk}"' in body
    action = alice_client.get(BASE + "row/", {"add_action": "auto_reply"})
    assert count(action, "action-row") == 1
    assert "Sent at most once per conversation." in text(action)
    assert alice_client.get(BASE + "row/", {"add_action": "explode"}).status_code == 404


def test_preview_before_saving_lists_matches_and_changes_nothing(
    alice_client,
    acme,
    receive,  # noqa: F811
    clock,
):
    receive("I want a REFUND for my order", author="carol")
    receive("Je veux un remboursement", author="dora")
    receive("Lovely post!", author="eve")
    response = alice_client.post(BASE + "preview/", refund_rule(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    shown = text(response)
    assert "this rule would have matched 2 messages" in shown
    assert count(response, "preview-match") == 2
    assert "carol.bsky.social" in shown and "dora.bsky.social" in shown
    assert "Lovely post!" not in shown
    assert "Tagged billing" in shown and "Priority set to High" in shown
    assert "2026-11-17 10:00" in shown  # received at 09:00 UTC, shown in Paris time
    # A dry run: nothing written.
    assert not Rule.objects.exists()
    assert not Tag.objects.filter(name="billing").exists()
    assert not RuleHit.objects.exists()


def test_preview_without_javascript_shows_the_editor_with_the_results(
    alice_client,
    receive,  # noqa: F811
    clock,
):
    receive("refund please", author="carol")
    response = alice_client.post(BASE + "preview/", refund_rule())
    assert response.status_code == 200
    assert count(response, "rule-form") == 1
    assert count(response, "preview-match") == 1
    assert 'value="Refunds to billing"' in response.content.decode()


def test_preview_of_an_invalid_rule_says_what_to_fix(alice_client, clock):
    response = alice_client.post(
        BASE + "preview/",
        refund_rule(**{"act-0-value": "", "act-1-remove": "on"}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Fix the rule first:" in text(response)
    assert "name the tag to add" in text(response)


def test_switching_moving_and_deleting_rules(alice_client, acme):
    first = make_rule(acme, "First", 0)
    second = make_rule(acme, "Second", 1)
    off = alice_client.post(f"{BASE}{first.pk}/toggle/")
    assert off.status_code == 302
    assert "Rule “First” is off." in messages_of(off)
    first.refresh_from_db()
    assert not first.enabled

    alice_client.post(f"{BASE}{second.pk}/move/", {"direction": "up"})
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second", "First"]
    page = alice_client.get(BASE)
    assert "1 Second" in text(page) and "2 First" in text(page)

    alice_client.post(f"{BASE}{first.pk}/delete/")
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second"]


def test_an_editor_sees_the_rules_but_cannot_change_them(bob, acme):
    rule = make_rule(acme, "First", 0)
    client = signed_in(bob)
    page = client.get(BASE)
    assert page.status_code == 200
    assert count(page, "rule-row") == 1
    assert "New rule" not in text(page)
    assert client.get(BASE + "new/").status_code == 403
    assert client.post(f"{BASE}{rule.pk}/toggle/").status_code == 403
    assert client.post(BASE + "preview/", refund_rule()).status_code == 403
    rule.refresh_from_db()
    assert rule.enabled
