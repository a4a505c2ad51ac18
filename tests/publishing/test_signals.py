"""What publishing tells the rest of Hubbub: each signal, sent once the change is committed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.dispatch import Signal
from huey.contrib.djhuey import HUEY

from hubbub.networks.base import PermanentError, RateLimited, TransientError
from hubbub.networks.models import Channel, Health
from hubbub.publishing import signals
from hubbub.publishing.actions.pause import pause_publishing, resume_publishing
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.holds import release_held
from hubbub.publishing.models import DeliveryStatus, Post, PostStatus
from hubbub.publishing.status import refresh_post_status
from tests.publishing.conftest import NOW, reload
from tests.publishing.fake import FakeConnector

D = DeliveryStatus
DUE = NOW + timedelta(minutes=10)


class Heard:
    """Every call a signal made, with the delivery's status as it was when it was sent."""

    def __init__(self, signal: Signal) -> None:
        self.calls: list[dict[str, Any]] = []
        self.signal = signal
        signal.connect(self.receive, weak=False)

    def receive(self, sender: Any, **kwargs: Any) -> None:
        if "delivery" in kwargs:
            kwargs["status"] = kwargs["delivery"].status
        self.calls.append(kwargs)


@pytest.fixture
def listen() -> Iterator[Callable[[Signal], Heard]]:
    heard: list[Heard] = []

    def make(signal: Signal) -> Heard:
        heard.append(Heard(signal))
        return heard[-1]

    yield make
    for h in heard:
        h.signal.disconnect(h.receive)


def test_published_is_sent_after_commit_with_the_published_delivery(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    published = listen(signals.delivery_published)
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deliver(delivery.pk, "w1")
        assert published.calls == []  # not before the commit
    assert callbacks
    [call] = published.calls
    assert call["delivery"].pk == delivery.pk
    assert call["status"] == D.PUBLISHED
    assert call["delivery"].published_url == "https://fake.example/p/1"
    assert call["delivery"].post.pk == delivery.post_id  # loaded for receivers


@pytest.mark.parametrize(
    "error",
    [
        TransientError("fake is down", status=503),
        RateLimited("slow down", NOW + timedelta(hours=1)),
    ],
)
def test_failed_is_sent_for_an_attempt_that_will_be_retried(
    scheduled, clock, listen, django_capture_on_commit_callbacks, error
):
    failed = listen(signals.delivery_failed)
    attention = listen(signals.delivery_needs_attention)
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    FakeConnector.fail_next(error)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(delivery.pk, "w1")
    [call] = failed.calls
    assert call["status"] == D.RETRYING
    assert call["delivery"].last_error == str(error)
    assert attention.calls == []


def test_a_retry_is_queued_for_its_own_time(scheduled, clock, django_capture_on_commit_callbacks):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    FakeConnector.fail_next(TransientError("fake is down"))
    HUEY.storage.flush_schedule()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            deliver(delivery.pk, "w1")
        retry_at = reload(delivery).next_attempt_at
        queued = [(t.name, t.args, t.eta) for t in HUEY.scheduled()]
        assert ("deliver_task", (delivery.pk,), retry_at.replace(tzinfo=None)) in queued
    finally:
        HUEY.storage.flush_schedule()


def test_needs_attention_is_sent_for_a_permanent_error(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    failed = listen(signals.delivery_failed)
    attention = listen(signals.delivery_needs_attention)
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    FakeConnector.fail_next(PermanentError("rejected", network_message="Text is spam"))
    with django_capture_on_commit_callbacks(execute=True):
        deliver(delivery.pk, "w1")
    [call] = attention.calls
    assert call["status"] == D.NEEDS_ATTENTION
    assert call["delivery"].network_message == "Text is spam"
    assert failed.calls == []


def test_needs_attention_is_sent_when_a_reconnect_comes_after_the_cutoff(
    scheduled, clock, channel, listen, django_capture_on_commit_callbacks
):
    attention = listen(signals.delivery_needs_attention)
    delivery = scheduled("Hello")
    Channel.objects.filter(pk=channel.pk).update(health=Health.NEEDS_RECONNECT)
    clock.move_to(DUE)
    deliver(delivery.pk, "w1")
    assert reload(delivery).status == D.HELD
    clock.move_to(DUE + timedelta(hours=3))
    Channel.objects.filter(pk=channel.pk).update(health=Health.OK)
    with django_capture_on_commit_callbacks(execute=True):
        release_held(channel)
    assert [(c["delivery"].pk, c["status"]) for c in attention.calls] == [
        (delivery.pk, D.NEEDS_ATTENTION)
    ]


def test_needs_attention_is_sent_for_deliveries_whose_time_passed_during_a_pause(
    scheduled, clock, owner, listen, django_capture_on_commit_callbacks
):
    attention = listen(signals.delivery_needs_attention)
    delivery = scheduled("Hello")
    pause_publishing(owner)
    clock.move_to(DUE + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        resume_publishing(owner)
    assert [(c["delivery"].pk, c["status"]) for c in attention.calls] == [
        (delivery.pk, D.NEEDS_ATTENTION)
    ]


def test_post_status_changed_follows_each_transition(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    changed = listen(signals.post_status_changed)
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(delivery.pk, "w1")
    assert [(c["post"].pk, c["before"], c["after"]) for c in changed.calls] == [
        (delivery.post_id, PostStatus.SCHEDULED, PostStatus.PUBLISHING),
        (delivery.post_id, PostStatus.PUBLISHING, PostStatus.PUBLISHED),
    ]
    assert changed.calls[-1]["post"].status == PostStatus.PUBLISHED


def test_post_status_changed_is_not_sent_when_the_change_is_rolled_back(
    scheduled, listen, django_capture_on_commit_callbacks
):
    changed = listen(signals.post_status_changed)
    delivery = scheduled("Hello")
    type(delivery).objects.filter(pk=delivery.pk).update(status=D.CANCELLED)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        refresh_post_status(delivery.post_id)
        assert Post.objects.get(pk=delivery.post_id).status == PostStatus.CANCELLED
        raise RuntimeError("rolled back")
    assert changed.calls == []
    assert Post.objects.get(pk=delivery.post_id).status == PostStatus.SCHEDULED


def test_a_failing_receiver_does_not_undo_or_stop_publishing(
    scheduled, clock, django_capture_on_commit_callbacks
):
    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("webhook endpoint down")

    signals.delivery_published.connect(broken, weak=False)
    try:
        delivery = scheduled("Hello")
        clock.move_to(DUE)
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(delivery.pk, "w1")
    finally:
        signals.delivery_published.disconnect(broken)
    assert reload(delivery).status == D.PUBLISHED
