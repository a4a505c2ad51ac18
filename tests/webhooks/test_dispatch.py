"""End to end: the dispatcher publishes (on the fake network) and the endpoint hears of it."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail

from hubbub.networks.base import PermanentError
from hubbub.publishing.dispatcher import deliver
from tests.publishing.conftest import NOW
from tests.publishing.fake import FakeConnector
from tests.webhooks.conftest import Receiver


def events(receiver: Receiver) -> list[str]:
    return [r.json["event"] for r in receiver.requests]


def test_a_published_delivery_reaches_the_endpoint(
    hook, receiver: Receiver, scheduled, clock, django_capture_on_commit_callbacks
):
    delivery = scheduled("Hello")
    clock.move_to(NOW + timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(delivery.pk, "w1") is True
    assert "delivery.published" in events(receiver)
    published = next(r for r in receiver.requests if r.json["event"] == "delivery.published")
    assert published.json["data"]["delivery"]["published_url"] == "https://fake.example/p/1"
    assert published.json["data"]["channel"]["network"] == "fake"


def test_a_rejected_post_is_announced_with_the_network_words(
    hook, receiver: Receiver, scheduled, clock, django_capture_on_commit_callbacks
):
    delivery = scheduled("Hello")
    FakeConnector.fail_next(PermanentError("Text is too long", network_message="too long!"))
    clock.move_to(NOW + timedelta(minutes=10))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(delivery.pk, "w1")
    attention = [r for r in receiver.requests if r.json["event"] == "delivery.needs_attention"]
    assert len(attention) == 1
    assert attention[0].json["data"]["delivery"]["network_message"] == "too long!"


def test_a_workspace_without_endpoints_costs_publishing_one_query_per_signal(
    published, django_assert_num_queries
):
    from hubbub.publishing import signals
    from hubbub.webhooks.models import WebhookMessage

    # Publishing sends three signals per delivery: with nobody listening, no payload is built.
    with django_assert_num_queries(1):
        signals.delivery_published.send(sender=None, delivery=published)
    assert not WebhookMessage.objects.exists()


def test_the_worker_remembers_for_a_moment_that_nobody_listens_until_an_endpoint_is_saved(
    published, settings, django_assert_num_queries, owner
):
    from hubbub.publishing import signals
    from hubbub.webhooks.models import WebhookEndpoint, WebhookMessage

    settings.HUBBUB_WEBHOOK_LISTENERS_TTL = 60.0
    signals.delivery_published.send(sender=None, delivery=published)
    with django_assert_num_queries(0):  # the next deliveries of the batch ask nothing
        signals.delivery_published.send(sender=None, delivery=published)

    endpoint = WebhookEndpoint(
        workspace=published.workspace, url="https://hooks.example.com/in", created_by=owner.user
    )
    endpoint.events = ["delivery.published"]
    endpoint.secret = "whsec_" + "A" * 43
    endpoint.save()  # clears what this process remembered about the workspace
    signals.delivery_published.send(sender=None, delivery=published)
    assert WebhookMessage.objects.filter(endpoint=endpoint).count() == 1
