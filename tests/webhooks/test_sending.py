"""Webhooks out: publishing's signals become signed POSTs to a real local HTTP server, retried
on 5xx / 429 / time-outs, given up on other 4xx, and an endpoint that keeps failing is
switched off with a notice to the owners and managers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import timedelta

import pytest
import time_machine

from hubbub.core.models import AuditEntry, Notification
from hubbub.publishing import signals
from hubbub.publishing.models import Delivery, DeliveryStatus
from hubbub.webhooks import sending, tasks
from hubbub.webhooks.actions import update_endpoint
from hubbub.webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage
from tests.webhooks.conftest import NOW, Answer, Received, Receiver


def verify(secret: str, request: Received, now: int, tolerance: int = 300) -> bool:
    """What a receiver does, written from the Standard Webhooks spec (not Hubbub's code)."""
    msg_id = request.headers["webhook-id"]
    timestamp = request.headers["webhook-timestamp"]
    if abs(now - int(timestamp)) > tolerance:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + request.body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in request.headers["webhook-signature"].split(" ")]
    return any(hmac.compare_digest(expected, g) for g in given)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def publish(delivery: Delivery, capture) -> None:
    with capture(execute=True):
        signals.delivery_published.send(sender=None, delivery=delivery)


def test_a_publication_is_posted_signed_with_what_happened(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    endpoint, secret = hook
    publish(published, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    assert request.path == "/hooks/hubbub"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert verify(secret, request, int(NOW.timestamp()))
    body = request.json
    assert body["id"] == request.headers["webhook-id"]
    assert body["event"] == "delivery.published"
    assert body["workspace"] == "acme"
    assert body["created_at"] == "2026-06-01T10:00:00Z"
    data = body["data"]
    assert data["post"]["id"] == published.post_id
    assert data["post"]["purpose"] == "announce the summer sale"
    assert data["post"]["url"].endswith(f"/w/acme/posts/{published.post_id}/")
    assert data["channel"] == {
        "id": published.channel_id,
        "network": "bluesky",
        "handle": "acme.bsky.social",
    }
    assert data["delivery"]["status"] == "published"
    assert data["delivery"]["published_url"] == published.published_url
    message = WebhookMessage.objects.get()
    assert (message.status, message.attempts, message.response_status) == ("sent", 1, 200)
    endpoint.refresh_from_db()
    assert endpoint.last_success_at == NOW


def test_a_signature_does_not_verify_with_another_secret_or_a_changed_body(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    _endpoint, secret = hook
    publish(published, django_capture_on_commit_callbacks)
    [request] = receiver.requests
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert not verify(other, request, int(NOW.timestamp()))
    tampered = Received(request.path, request.headers, request.body.replace(b"summer", b"winter"))
    assert not verify(secret, tampered, int(NOW.timestamp()))
    assert not verify(secret, request, int(NOW.timestamp()) + 3600)  # a replay an hour later


def test_needs_attention_carries_the_network_words(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    Delivery.objects.filter(pk=published.pk).update(
        status=DeliveryStatus.NEEDS_ATTENTION,
        published_url="",
        last_error="Bluesky refused the app password.",
        network_message="Invalid identifier or password",
    )
    with django_capture_on_commit_callbacks(execute=True):
        signals.delivery_needs_attention.send(sender=None, delivery=published)
    delivery = receiver.requests[0].json["data"]["delivery"]
    assert receiver.requests[0].json["event"] == "delivery.needs_attention"
    assert delivery["status"] == "needs_attention"
    assert delivery["network_message"] == "Invalid identifier or password"
    assert delivery["error"] == "Bluesky refused the app password."
    assert delivery["published_url"] is None


def test_a_post_status_change_says_before_and_after(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signals.post_status_changed.send(
            sender=None, post=published.post, before="publishing", after="published"
        )
    body = receiver.requests[0].json
    assert body["event"] == "post.status_changed"
    assert (body["data"]["before"], body["data"]["after"]) == ("publishing", "published")


def test_only_subscribed_active_endpoints_receive(
    hook, owner, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    endpoint, _secret = hook
    update_endpoint(owner, endpoint, events=["delivery.needs_attention"])
    publish(published, django_capture_on_commit_callbacks)
    update_endpoint(owner, endpoint, events=["delivery.published"], is_active=False)
    publish(published, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    assert WebhookMessage.objects.count() == 0


def test_a_500_is_retried_later_with_the_same_id_then_succeeds(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    endpoint, secret = hook
    receiver.answer(Answer(500, body="database down"))
    publish(published, django_capture_on_commit_callbacks)

    message = WebhookMessage.objects.get()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    assert message.response_status == 500
    assert "500" in message.error and "database down" in message.error
    assert message.next_attempt_at == NOW + sending.BACKOFF[0]
    tasks.sweep()  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    clock.move_to(NOW + sending.BACKOFF[0])
    tasks.sweep()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.response_status) == ("sent", 2, 200)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert verify(secret, second, int((NOW + sending.BACKOFF[0]).timestamp()))
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.last_failure_at == NOW


def test_a_429_is_retried_when_retry_after_says(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    receiver.answer(Answer(429, headers={"Retry-After": "600"}))
    publish(published, django_capture_on_commit_callbacks)
    message = WebhookMessage.objects.get()
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at == NOW + timedelta(seconds=600)


def test_a_time_out_is_retried(
    hook, receiver: Receiver, published, clock, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(sending, "TIMEOUT_SECONDS", 0.3)
    receiver.answer(Answer(200, delay=1.0))
    publish(published, django_capture_on_commit_callbacks)
    message = WebhookMessage.objects.get()
    assert message.status == MessageStatus.PENDING
    assert "did not answer" in message.error
    clock.move_to(NOW + sending.BACKOFF[0])
    tasks.sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_410_is_a_permanent_failure(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    endpoint, _secret = hook
    receiver.answer(Answer(410, body="gone"))
    publish(published, django_capture_on_commit_callbacks)
    message = WebhookMessage.objects.get()
    assert (message.status, message.attempts, message.response_status) == ("failed", 1, 410)
    clock.move_to(NOW + timedelta(days=2))
    tasks.sweep()
    assert len(receiver.requests) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    assert endpoint.is_active  # one failure is not enough to switch it off
    assert "410" in endpoint.last_error


def test_it_gives_up_after_the_last_attempt(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    receiver.answer(*[Answer(503) for _ in range(sending.MAX_ATTEMPTS)])
    publish(published, django_capture_on_commit_callbacks)
    for delay in sending.BACKOFF:
        clock.shift(delay)
        tasks.sweep()
    message = WebhookMessage.objects.get()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == sending.MAX_ATTEMPTS
    assert f"Gave up after {sending.MAX_ATTEMPTS} attempts" in message.error
    assert len(receiver.requests) == sending.MAX_ATTEMPTS


def test_an_endpoint_failing_again_and_again_is_switched_off_and_managers_told(
    hook,
    receiver: Receiver,
    published,
    clock,
    alice,
    bob,
    django_capture_on_commit_callbacks,
):
    endpoint, _secret = hook
    receiver.answer(*[Answer(404, body="no such hook") for _ in range(sending.DISABLE_AFTER)])
    for _ in range(sending.DISABLE_AFTER):
        publish(published, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at == NOW
    [notice] = Notification.objects.all()
    assert notice.user == alice  # the owner; bob is an editor
    assert notice.kind == "webhook.disabled"
    assert endpoint.url in notice.text and "404" in notice.text
    assert notice.url == f"/w/acme/webhooks/{endpoint.pk}/"
    assert AuditEntry.objects.filter(action="webhook.disable", via="system").count() == 1

    publish(published, django_capture_on_commit_callbacks)  # nothing more is sent
    assert len(receiver.requests) == sending.DISABLE_AFTER


def test_a_private_address_is_refused_when_sending_too(
    hook, receiver: Receiver, published, clock, settings, django_capture_on_commit_callbacks
):
    """The address was accepted on a test network; in production the guard stops it."""
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = False
    publish(published, django_capture_on_commit_callbacks)
    message = WebhookMessage.objects.get()
    assert message.status == MessageStatus.FAILED
    assert "private or local address" in message.error
    assert receiver.requests == []


def test_a_broken_webhook_never_breaks_publishing(
    hook, published, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def explode(*args, **kwargs):
        raise RuntimeError("bug in webhooks")

    monkeypatch.setattr(sending, "queue_event", explode)
    with caplog.at_level(logging.ERROR):
        publish(published, django_capture_on_commit_callbacks)  # does not raise
    assert "could not queue delivery.published" in caplog.text


def test_the_secret_is_never_logged(
    hook, receiver: Receiver, published, clock, caplog, django_capture_on_commit_callbacks
):
    _endpoint, secret = hook
    receiver.answer(Answer(500))
    with caplog.at_level(logging.DEBUG):
        publish(published, django_capture_on_commit_callbacks)
        clock.move_to(NOW + sending.BACKOFF[0])
        tasks.sweep()
    assert caplog.records  # something was logged…
    assert secret not in caplog.text  # …but not the secret
    assert secret.removeprefix("whsec_") not in caplog.text


def test_the_same_message_is_not_sent_twice_at_once(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    receiver.answer(Answer(500))
    publish(published, django_capture_on_commit_callbacks)
    message = WebhookMessage.objects.get()
    clock.move_to(NOW + sending.BACKOFF[0])
    assert sending.attempt(message.pk) is not None
    assert sending.attempt(message.pk) is None  # sent already: the claim fails
    assert len(receiver.requests) == 2


def test_an_endpoint_row_keeps_only_the_encrypted_secret(hook):
    endpoint, secret = hook
    stored = WebhookEndpoint.objects.values_list("secret_encrypted", flat=True).get()
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32


def test_finished_messages_are_forgotten_after_30_days(
    hook, receiver: Receiver, published, clock, django_capture_on_commit_callbacks
):
    publish(published, django_capture_on_commit_callbacks)
    clock.move_to(NOW + timedelta(days=29))
    tasks.sweep()
    assert WebhookMessage.objects.count() == 1
    clock.move_to(NOW + timedelta(days=31))
    tasks.sweep()
    assert WebhookMessage.objects.count() == 0
