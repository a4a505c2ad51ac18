"""The alerts pages: list and create, edit, send a test alert, delete; for owners and
managers only; secrets never sent back to the browser; names escaped."""

from __future__ import annotations

import pytest
import respx
from django.urls import reverse

from hubbub.core.models import AuditEntry
from hubbub.notify import actions
from hubbub.notify.models import Destination
from tests.conftest import signed_in
from tests.notify.conftest import HOMESERVER, ROOM, SLACK_URL

pytestmark = pytest.mark.urls("tests.notify.urls")


def test_the_list_shows_destinations_and_creates_one(alice, acme, owner):
    actions.create_destination(owner, "email", "<b>Ops</b>", {"addresses": "ops@example.com"})
    client = signed_in(alice)
    url = reverse("notify:list", args=["acme"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;b&gt;Ops&lt;/b&gt;" in html and "<b>Ops</b>" not in html
    assert "ops@example.com" in html
    response = client.post(
        url,
        {
            "kind": "slack",
            "name": "#support",
            "events": ["inbox.breach_warning", "inbox.breached"],
            "webhook_url": SLACK_URL,
        },
    )
    created = Destination.objects.get(name="#support")
    assert response.status_code == 302
    assert response["Location"] == reverse("notify:detail", args=["acme", created.pk])
    assert created.events == ["inbox.breach_warning", "inbox.breached"]
    detail = client.get(response["Location"]).content.decode()
    assert "abcdefghijklmnopqrstuvwx" not in detail  # the secret never comes back
    assert "hooks.slack.com/services/T0ACME001/B0ALERT01/…" in detail
    assert "Send test alert" in detail


def test_a_bad_value_is_shown_on_its_field(alice, acme):
    response = signed_in(alice).post(
        reverse("notify:list", args=["acme"]),
        {
            "kind": "matrix",
            "name": "Room",
            "events": ["inbox.breached"],
            "homeserver": HOMESERVER,
            "room_id": "#support:example.com",
            "access_token": "t",
        },
    )
    assert response.status_code == 200
    assert "internal id" in response.content.decode()
    assert not Destination.objects.exists()


def test_editing_keeps_the_secret_when_left_blank(alice, acme, owner):
    destination = actions.create_destination(
        owner, "matrix", "Room", {"homeserver": HOMESERVER, "room_id": ROOM, "access_token": "s"}
    )
    client = signed_in(alice)
    url = reverse("notify:detail", args=["acme", destination.pk])
    page = client.get(url).content.decode()
    assert 'name="access_token"' in page and 'name="webhook_url"' not in page
    response = client.post(
        url,
        {
            "name": "Support room",
            "events": ["inbox.breached"],
            "homeserver": HOMESERVER,
            "room_id": ROOM,
            "access_token": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    destination.refresh_from_db()
    assert (destination.name, destination.config["access_token"]) == ("Support room", "s")
    assert destination.events == ["inbox.breached"]


def test_send_test_alert_and_delete(alice, acme, owner):
    destination = actions.create_destination(owner, "slack", "#s", {"webhook_url": SLACK_URL})
    client = signed_in(alice)
    with respx.mock(assert_all_mocked=True) as router:
        router.post(SLACK_URL).respond(410, text="channel_is_archived")
        response = client.post(reverse("notify:test", args=["acme", destination.pk]), follow=True)
    html = response.content.decode()
    assert "Test alert not sent" in html and "channel_is_archived" in html
    response = client.post(reverse("notify:delete", args=["acme", destination.pk]))
    assert response["Location"] == reverse("notify:list", args=["acme"])
    assert not Destination.objects.exists()
    assert AuditEntry.objects.filter(action="alert_destination.delete").exists()


def test_an_editor_is_refused(bob, acme):
    assert signed_in(bob).get(reverse("notify:list", args=["acme"])).status_code == 403
