"""Alert destinations: what is accepted, what is refused and why, the audit log (never a
secret in it), alerts.send reaching members and destinations, and test alerts."""

from __future__ import annotations

import json

import pytest
import respx
from django.core import mail
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry, Notification
from hubbub.notify import actions, alerts
from hubbub.notify.models import EVENTS, Destination
from tests.notify.conftest import HOMESERVER, ROOM, SLACK_URL

MATRIX = {"homeserver": HOMESERVER, "room_id": ROOM, "access_token": "syt_secret_token"}


def test_each_kind_is_created_and_audited_without_its_secret(owner):
    slack = actions.create_destination(owner, "slack", "#support", {"webhook_url": SLACK_URL})
    matrix = actions.create_destination(owner, "matrix", "Room", MATRIX, ["inbox.breached"])
    email = actions.create_destination(
        owner, "email", "On call", {"addresses": "a@example.com, b@example.com\na@example.com"}
    )
    assert slack.config == {"webhook_url": SLACK_URL}
    assert matrix.config["access_token"] == "syt_secret_token"
    assert matrix.events == ["inbox.breached"]
    assert email.config == {"addresses": ["a@example.com", "b@example.com"]}
    assert slack.events == list(EVENTS)  # every alert unless chosen
    # Secrets are encrypted at rest and absent from the audit log.
    assert "abcdefghijklmnopqrstuvwx" not in slack.config_encrypted
    entries = AuditEntry.objects.filter(action="alert_destination.create")
    assert entries.count() == 3
    logged = json.dumps([e.after for e in entries], ensure_ascii=False)
    assert "abcdefghijklmnopqrstuvwx" not in logged and "syt_secret_token" not in logged
    assert "hooks.slack.com/services/T0ACME001/B0ALERT01/…" in logged


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        (
            "slack",
            {"webhook_url": "https://example.com/services/T0ACME001/B0ALERT01/x"},
            "webhook_url",
        ),
        ("slack", {"webhook_url": SLACK_URL + "?channel=general"}, "webhook_url"),
        ("email", {"addresses": "not-an-address"}, "addresses"),
        ("email", {"addresses": ""}, "addresses"),
        ("matrix", {**MATRIX, "homeserver": "matrix.example.com"}, "homeserver"),
        ("matrix", {**MATRIX, "homeserver": "http://matrix.example.com"}, "homeserver"),
        ("matrix", {**MATRIX, "homeserver": "https://matrix.internal"}, "homeserver"),
        ("matrix", {**MATRIX, "room_id": "#support:example.com"}, "room_id"),
        ("matrix", {**MATRIX, "access_token": ""}, "access_token"),
        ("pigeon", {}, "kind"),
    ],
)
def test_bad_settings_are_refused_with_the_field_to_fix(owner, kind, config, field):
    with pytest.raises(ActionError) as refused:
        actions.create_destination(owner, kind, "Somewhere", config)
    assert refused.value.field == field
    assert not Destination.objects.exists()


def test_a_private_homeserver_is_accepted_where_the_deployment_allows(
    owner, private_networks_allowed
):
    destination = actions.create_destination(
        owner, "matrix", "Local", {**MATRIX, "homeserver": "http://matrix.internal:8008"}
    )
    assert destination.config["homeserver"] == "http://matrix.internal:8008"


def test_an_editor_cannot_manage_destinations(editor, owner):
    with pytest.raises(PermissionDenied):
        actions.create_destination(editor, "slack", "#support", {"webhook_url": SLACK_URL})
    destination = actions.create_destination(owner, "slack", "#s", {"webhook_url": SLACK_URL})
    with pytest.raises(PermissionDenied):
        actions.delete_destination(editor, destination)


def test_editing_keeps_a_secret_left_blank_and_notes_a_changed_one(owner):
    destination = actions.create_destination(owner, "matrix", "Room", MATRIX)
    actions.update_destination(
        owner, destination, name="Support room", config={**MATRIX, "access_token": ""}
    )
    destination.refresh_from_db()
    assert destination.name == "Support room"
    assert destination.config["access_token"] == "syt_secret_token"
    actions.update_destination(
        owner, destination, config={**MATRIX, "access_token": "syt_new_token"}
    )
    destination.refresh_from_db()
    assert destination.config["access_token"] == "syt_new_token"
    updates = list(AuditEntry.objects.filter(action="alert_destination.update").order_by("pk"))
    assert updates[0].after == {"name": "Support room"}
    assert updates[1].after == {"secret": "changed"}
    assert "syt_new_token" not in json.dumps(
        [u.before for u in updates] + [u.after for u in updates]
    )


def test_delete_is_audited(owner):
    destination = actions.create_destination(owner, "email", "Ops", {"addresses": "o@example.com"})
    actions.delete_destination(owner, destination)
    assert not Destination.objects.exists()
    entry = AuditEntry.objects.get(action="alert_destination.delete")
    assert entry.before["target"] == "o@example.com"


def test_alerts_reach_members_and_the_subscribed_destinations_only(
    owner, alice, acme, django_capture_on_commit_callbacks
):
    actions.create_destination(owner, "email", "Ops", {"addresses": "ops@example.com"})
    actions.create_destination(
        owner, "email", "Rules only", {"addresses": "rules@example.com"}, ["inbox.rule_notify"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send(acme, "inbox.breached", lambda: "Carol waited too long", "/w/acme/", [alice])
    assert Notification.objects.get().text == "Carol waited too long"
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["alice@example.com", "ops@example.com"]
    [ops] = [m for m in mail.outbox if m.to == ["ops@example.com"]]
    assert "Carol waited too long" in ops.subject
    assert "http://" in ops.body and "/w/acme/" in ops.body


def test_an_unknown_event_is_a_programming_error(acme):
    with pytest.raises(KeyError):
        alerts.send(acme, "inbox.typo", "x")


def test_a_switched_off_destination_gets_nothing(owner, acme, django_capture_on_commit_callbacks):
    destination = actions.create_destination(owner, "email", "Ops", {"addresses": "o@example.com"})
    actions.update_destination(owner, destination, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send(acme, "inbox.breached", "late")
    assert mail.outbox == []


def test_a_test_alert_is_sent_at_once_and_says_how_it_went(owner):
    destination = actions.create_destination(owner, "slack", "#s", {"webhook_url": SLACK_URL})
    with respx.mock(assert_all_mocked=True) as router:
        route = router.post(SLACK_URL)
        route.side_effect = [
            respx.MockResponse(200, text="ok"),
            respx.MockResponse(404, text="no_service"),
        ]
        ok = actions.send_test(owner, destination)
        failed = actions.send_test(owner, destination)
    assert ok.sent and "test alert" in json.loads(route.calls[0].request.content)["text"]
    assert not failed.sent and not failed.retry
    assert "no_service" in failed.error
    destination.refresh_from_db()
    assert "no_service" in destination.last_error
    assert AuditEntry.objects.filter(action="alert_destination.test").count() == 2


def test_a_private_address_is_refused_when_sending(owner, fake_dns):
    destination = actions.create_destination(owner, "matrix", "Room", MATRIX)
    fake_dns["matrix.example.com"] = ["127.0.0.1"]  # the name now points inside
    with respx.mock(assert_all_mocked=True):
        outcome = actions.send_test(owner, destination)
    assert not outcome.sent and not outcome.retry
    assert "private or local address" in outcome.error
