"""The publishing-health panel, the crisis pause and its banner on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import get_resolver

from hubbub.networks.models import Channel, Health
from hubbub.publishing.models import Delivery, DeliveryStatus, WorkspacePublishing
from tests.conftest import signed_in
from tests.publishing import conftest as publishing
from tests.publishing.conftest import NOW
from tests.web.conftest import count, text

HEALTH = "/w/acme/publishing/"

# The publishing fixtures: a fake network, its channel, the frozen clock, `scheduled`.
channel = publishing.channel
clock = publishing.clock
editor = publishing.editor
fake_network = publishing.fake_network
owner = publishing.owner
scheduled = publishing.scheduled


@pytest.fixture(autouse=True)
def urls_loaded() -> None:
    """Load the URLs before the fake network is registered: it has no pages of its own, and
    the URL conf would look for them."""
    assert get_resolver().url_patterns


def test_the_panel_counts_what_needs_looking_at(alice_client, scheduled, channel):
    scheduled("in ten minutes")
    scheduled("tomorrow evening", minutes=60 * 30)  # beyond the next 24 h
    held = scheduled("held")
    failed = scheduled("failed")
    missed = scheduled("missed")
    Delivery.objects.filter(pk=held.pk).update(status=DeliveryStatus.HELD)
    Delivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.NEEDS_ATTENTION, network_message="Token revoked by the user"
    )
    Delivery.objects.filter(pk=missed.pk).update(missed_reported_at=NOW)
    Channel.objects.filter(pk=channel.pk).update(health=Health.NEEDS_RECONNECT)

    response = alice_client.get(HEALTH)
    numbers = {
        name: response.content.decode().split(f'data-testid="n-{name}">')[1].split("<")[0]
        for name in ("next", "held", "attention", "reconnect", "missed")
    }
    assert numbers == {"next": "2", "held": "1", "attention": "1", "reconnect": "1", "missed": "1"}
    page = text(response)
    assert "The network said: Token revoked by the user" in page
    assert "Send now" in page  # the decision buttons next to the failed and held ones
    assert "@acme" in page


def test_the_overview_shows_the_numbers_compactly(alice_client, scheduled):
    failed = scheduled()
    Delivery.objects.filter(pk=failed.pk).update(status=DeliveryStatus.NEEDS_ATTENTION)
    response = alice_client.get("/w/acme/")
    assert count(response, "health-compact") == 1
    assert "1 need attention" in text(response)


def test_pause_shows_a_banner_on_every_page_until_resumed(alice_client, scheduled, clock):
    delivery = scheduled(minutes=10)
    alice_client.post("/w/acme/publishing/pause/")
    assert WorkspacePublishing.of(delivery.workspace).is_paused
    members = alice_client.get("/w/acme/members/")
    assert count(members, "pause-banner") == 1
    assert "Publishing is paused since 12:00 by Alice Martin." in text(members)  # Paris time

    clock.shift(timedelta(minutes=30))  # its time passes during the pause
    panel = alice_client.get(HEALTH)
    assert "Waiting for a decision after you resume" in text(panel)
    assert count(panel, "health-row") >= 1

    resumed = alice_client.post("/w/acme/publishing/resume/", follow=True)
    assert "1 post's time passed meanwhile" in text(resumed)
    assert count(resumed, "pause-banner") == 0
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.NEEDS_ATTENTION
    assert "Send now" in text(resumed)


def test_an_editor_sees_the_banner_but_cannot_pause(bob, alice_client, acme, channel):
    editor = signed_in(bob)
    assert "Pause all publishing" not in text(editor.get(HEALTH))
    assert editor.post("/w/acme/publishing/pause/").status_code == 403
    alice_client.post("/w/acme/publishing/pause/")
    assert count(editor.get("/w/acme/"), "pause-banner") == 1


def test_a_workspace_not_paused_has_no_banner(alice_client, acme):
    assert count(alice_client.get("/w/acme/"), "pause-banner") == 0


def test_the_networks_words_are_escaped(alice_client, scheduled):
    failed = scheduled()
    Delivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.NEEDS_ATTENTION, network_message="<img src=x onerror=alert(1)>"
    )
    body = alice_client.get(HEALTH).content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
