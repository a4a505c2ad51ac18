"""Inbox rules through the API: create, list, change, order, delete, and preview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hubbub.core.models import AuditEntry, Workspace
from hubbub.inbox.models import Rule
from tests.inbox.conftest_queries import Inbox

pytestmark = pytest.mark.django_db
R = "/workspaces/acme/rules"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
REFUND = [{"field": "keywords", "op": "contains_any", "value": ["refund", "remboursement"]}]
TAG = [{"type": "tag", "value": "billing"}]


def test_rules_are_created_listed_changed_ordered_and_deleted(alice_api):
    first = alice_api.post(R, {"name": "Refunds", "conditions": REFUND, "actions": TAG})
    assert first.status_code == 201, first.content
    assert first.json()["position"] == 0
    second = alice_api.post(R, {"name": "Everything", "actions": TAG, "position": 0}).json()
    assert [r["name"] for r in alice_api.get(R).json()] == ["Everything", "Refunds"]
    url = f"{R}/{first.json()['id']}"
    changed = alice_api.call(
        "put", url, {"name": "Refunds", "conditions": REFUND, "actions": TAG, "enabled": False}
    )
    assert changed.status_code == 200, changed.content
    assert alice_api.get(url).json()["enabled"] is False
    assert alice_api.delete(f"{R}/{second['id']}").status_code == 204
    assert list(Rule.objects.values_list("name", flat=True)) == ["Refunds"]
    assert AuditEntry.objects.filter(action="rule.save", via="api").count() == 3


def test_a_wrong_rule_says_what_to_fix(alice_api):
    response = alice_api.post(R, {"name": "", "actions": TAG})
    assert (response.status_code, response.json()["field"]) == (400, "name")
    response = alice_api.post(
        R, {"name": "x", "conditions": [{"field": "colour", "op": "is", "value": 1}]}
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Rule.objects.exists()


def test_an_editor_reads_rules_but_does_not_change_them(bob_api, acme):
    rule = Rule.objects.create(workspace=acme, name="R", actions=TAG)
    assert bob_api.get(R).status_code == 200
    for response in (
        bob_api.post(R, {"name": "x", "actions": TAG}),
        bob_api.delete(f"{R}/{rule.pk}"),
        bob_api.post(f"{R}/preview", {"actions": TAG}),
    ):
        assert response.status_code == 403
        assert "inbox.configure" in response.json()["detail"]
    assert Rule.objects.count() == 1


def test_another_workspaces_rule_is_not_found(alice_api, globex):
    theirs = Rule.objects.create(workspace=globex, name="G", actions=TAG)
    assert alice_api.get(f"{R}/{theirs.pk}").status_code == 404
    assert alice_api.delete(f"{R}/{theirs.pk}").status_code == 404
    assert Rule.objects.filter(pk=theirs.pk).exists()


def test_preview_shows_what_a_rule_would_have_done(alice_api, acme: Workspace):
    inbox = Inbox(acme)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        inbox.conversation("Je veux un remboursement", at=NOW - timedelta(days=1))
        inbox.conversation("Lovely product", at=NOW - timedelta(days=1), who="dave")
    with time_machine.travel(NOW, tick=False):
        unsaved = alice_api.post(f"{R}/preview", {"conditions": REFUND, "actions": TAG})
        assert unsaved.status_code == 200, unsaved.content
        body = unsaved.json()
        assert body["matched"] == 1
        assert body["items"][0]["text"] == "Je veux un remboursement"
        assert body["items"][0]["actions"]
        rule = Rule.objects.create(workspace=acme, name="R", conditions=REFUND, actions=TAG)
        saved = alice_api.post(f"{R}/{rule.pk}/preview").json()
        assert saved["matched"] == 1
        assert not rule.hits.exists()  # a dry run: nothing was done
    response = alice_api.post(f"{R}/preview", {"conditions": [{"field": "nope"}]})
    assert response.status_code == 400
