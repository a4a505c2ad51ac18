"""The webhooks pages: create (secret shown once), the endpoint's page with its messages,
test, rotate, switch off, delete; editors are refused."""

from __future__ import annotations

from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.webhooks.models import WebhookEndpoint
from tests.conftest import signed_in
from tests.web.conftest import messages_of
from tests.webhooks.conftest import Answer, Receiver


def test_creating_a_webhook_shows_its_secret_once(alice, acme):
    client = signed_in(alice)
    response = client.post(
        "/w/acme/webhooks/",
        {
            "url": "https://hooks.example.com/in",
            "description": "CRM",
            "events": ["delivery.failed"],
        },
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    secret = endpoint.secret
    assert secret in response.content.decode()
    assert endpoint.events == ["delivery.failed"]
    page = client.get(f"/w/acme/webhooks/{endpoint.pk}/").content.decode()
    assert "https://hooks.example.com/in" in page
    assert secret not in page
    assert secret not in client.get("/w/acme/webhooks/").content.decode()


def test_a_private_address_is_refused_on_the_form(alice, acme):
    response = signed_in(alice).post(
        "/w/acme/webhooks/", {"url": "https://192.168.0.10/hook", "events": ["delivery.failed"]}
    )
    assert response.status_code == 200
    assert "private or local address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_sending_a_test_event_says_what_the_endpoint_answered(
    alice, acme, hook, receiver: Receiver
):
    endpoint, _secret = hook
    client = signed_in(alice)
    response = client.post(f"/w/acme/webhooks/{endpoint.pk}/test/")
    assert messages_of(response) == ["Test event delivered: the endpoint answered 200."]
    receiver.answer(Answer(403, body="bad signature"))
    response = client.post(f"/w/acme/webhooks/{endpoint.pk}/test/")
    assert messages_of(response) == [
        "Test event not delivered: The endpoint answered 403: bad signature"
    ]
    page = client.get(f"/w/acme/webhooks/{endpoint.pk}/").content.decode()
    assert page.count('data-testid="message-row"') == 2
    assert "webhook.test" in page


def test_rotate_switch_off_and_delete(alice, acme, hook):
    endpoint, secret = hook
    client = signed_in(alice)
    response = client.post(f"/w/acme/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != secret
    assert endpoint.secret in response.content.decode()
    response = client.post(
        f"/w/acme/webhooks/{endpoint.pk}/",
        {"url": endpoint.url, "description": "paused", "events": ["delivery.published"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.description) == (False, "paused")
    response = client.post(f"/w/acme/webhooks/{endpoint.pk}/delete/")
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_untrusted_text_is_escaped(alice, acme, owner):
    from hubbub.webhooks.actions import create_endpoint

    create_endpoint(owner, "https://hooks.example.com/in", "<script>alert(1)</script>")
    page = signed_in(alice).get("/w/acme/webhooks/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_an_editor_is_refused(bob, acme):
    assert signed_in(bob).get("/w/acme/webhooks/").status_code == 403


def test_a_manager_may_see_the_page(make_user, acme):
    maya = make_user("maya@example.com")
    Membership.objects.create(workspace=acme, user=maya, role=Role.MANAGER)
    assert signed_in(maya).get("/w/acme/webhooks/").status_code == 200
