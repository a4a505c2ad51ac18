"""A post's page: each channel's state, the published link, the attempts, the decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone

from hubbub.core.access import Access
from hubbub.networks.models import Channel
from hubbub.publishing.actions.posts import VariantInput, create_draft
from hubbub.publishing.models import Attempt, Delivery, DeliveryAttempt, DeliveryStatus, Post
from tests.conftest import signed_in
from tests.publishing import conftest as publishing
from tests.publishing.conftest import NOW, post_of
from tests.web.conftest import count, text

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


def test_it_shows_the_link_the_attempts_and_the_planned_time(alice_client, scheduled):
    delivery = scheduled("Spring sale!")
    started = NOW + timedelta(minutes=10)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        part_index=0,
        started_at=started,
        finished_at=started,
        outcome=Attempt.TRANSIENT,
        error="Fakebook is unavailable right now (HTTP 503)",
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        part_index=0,
        started_at=started + timedelta(minutes=1),
        outcome=Attempt.PUBLISHED,
        response_id="fake-42",
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PUBLISHED, published_url="https://fake.example/p/42"
    )
    response = alice_client.get(f"/w/acme/posts/{delivery.post_id}/")
    page = text(response)
    assert "announce the sale" in page
    assert "Planned for 2026-06-01 12:10" in page  # 10:10 UTC in Paris (summer time)
    assert "Author Alice Martin" in page
    assert 'href="https://fake.example/p/42"' in response.content.decode()
    assert count(response, "attempt") == 2
    assert "Temporary error Fakebook is unavailable right now (HTTP 503)" in page
    assert "fake-42" in page


def test_a_delivery_needing_attention_shows_the_networks_words_and_decisions(
    alice_client, scheduled
):
    delivery = scheduled()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.NEEDS_ATTENTION,
        last_error="Fakebook rejected the request (HTTP 422)",
        network_message="Text contains a banned word",
    )
    page = alice_client.get(f"/w/acme/posts/{delivery.post_id}/")
    assert "The network said: Text contains a banned word" in text(page)
    assert "Send now" in text(page)

    sent = alice_client.post(
        f"/w/acme/deliveries/{delivery.pk}/send-now/",
        {"next": f"/w/acme/posts/{delivery.post_id}/"},
    )
    assert sent["Location"] == f"/w/acme/posts/{delivery.post_id}/"
    assert Delivery.objects.get(pk=delivery.pk).status in (
        DeliveryStatus.SCHEDULED,
        DeliveryStatus.PUBLISHED,  # Huey runs immediately in tests
    )


def test_a_delivery_can_be_rescheduled_from_the_page(alice_client, scheduled):
    delivery = scheduled()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.NEEDS_ATTENTION)
    alice_client.post(f"/w/acme/deliveries/{delivery.pk}/reschedule/", {"at": "2026-06-02T09:00"})
    fresh = Delivery.objects.get(pk=delivery.pk)
    assert fresh.status == DeliveryStatus.SCHEDULED
    assert fresh.due_at.isoformat() == "2026-06-02T07:00:00+00:00"


def test_a_reschedule_in_the_past_says_so(alice_client, scheduled):
    delivery = scheduled()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.NEEDS_ATTENTION)
    response = alice_client.post(
        f"/w/acme/deliveries/{delivery.pk}/reschedule/", {"at": "2026-05-01T09:00"}, follow=True
    )
    assert "2026-05-01 09:00 has already passed: choose a time in the future." in text(response)


def test_the_post_can_be_cancelled(alice_client, scheduled):
    delivery = scheduled()
    alice_client.post(f"/w/acme/posts/{delivery.post_id}/cancel/")
    assert post_of(delivery).status == "cancelled"
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.CANCELLED


def test_a_draft_has_an_edit_button_and_no_deliveries(
    alice_client, owner: Access, channel: Channel
):
    post = create_draft(owner, purpose="draft it", variants=[VariantInput(channel, ["Hi"])])
    page = alice_client.get(f"/w/acme/posts/{post.pk}/")
    assert f'href="/w/acme/posts/{post.pk}/edit/"' in page.content.decode()
    assert "Not scheduled" in text(page)


def test_a_client_viewer_sees_the_page_without_buttons(make_user, acme, scheduled):
    from hubbub.core.models import Membership
    from hubbub.core.roles import Role

    viewer = make_user("client@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    delivery = scheduled()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.NEEDS_ATTENTION)
    page = signed_in(viewer).get(f"/w/acme/posts/{delivery.post_id}/")
    assert page.status_code == 200
    assert "Send now" not in text(page)
    assert "Cancel post" not in text(page)


def test_another_workspaces_post_is_not_found(charlie, globex, scheduled):
    delivery = scheduled()
    assert signed_in(charlie).get(f"/w/globex/posts/{delivery.post_id}/").status_code == 404
    assert Post.objects.filter(pk=delivery.post_id).exists()
    assert timezone.now() == NOW


def test_untrusted_text_is_escaped(alice_client, owner, channel, clock):
    evil = "<script>alert(1)</script>"
    post = create_draft(owner, purpose=evil, variants=[VariantInput(channel, [evil])])
    for url in (f"/w/acme/posts/{post.pk}/", f"/w/acme/posts/{post.pk}/edit/"):
        body = alice_client.get(url).content.decode()
        assert evil not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_reschedule_into_the_repeated_autumn_hour_takes_the_chosen_one(alice_client, scheduled):
    delivery = scheduled()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.NEEDS_ATTENTION)
    url = f"/w/acme/deliveries/{delivery.pk}/reschedule/"
    asked = alice_client.post(url, {"at": "2026-10-25T02:30"}, follow=True)
    assert "2026-10-25 02:30 happens twice in Europe/Paris" in text(asked)
    alice_client.post(url, {"at": "2026-10-25T02:30", "fold": "1"})
    assert Delivery.objects.get(pk=delivery.pk).due_at.isoformat() == "2026-10-25T01:30:00+00:00"
