"""The dispatcher: every outcome of an attempt, retries, reconciliation, leases and holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from hubbub.core.models import AuditEntry
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from hubbub.networks.models import Channel, Health
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing import dispatcher
from hubbub.publishing.dispatcher import claim, deliver, dispatch_due
from hubbub.publishing.models import Attempt, DeliveryAttempt, DeliveryStatus, PostStatus
from tests.publishing.conftest import NOW, post_of, reload
from tests.publishing.fake import FakeConnector

D = DeliveryStatus
DUE = NOW + timedelta(minutes=10)


def outcomes(delivery) -> list[tuple[int, str]]:
    return [(a.part_index, a.outcome) for a in DeliveryAttempt.objects.filter(delivery=delivery)]


def actions(delivery) -> list[str]:
    rows = AuditEntry.objects.filter(object_type="delivery", object_id=str(delivery.pk))
    return sorted(rows.values_list("action", flat=True))


def test_it_publishes_nothing_before_the_due_time(scheduled, clock):
    delivery = scheduled("Hello")
    assert deliver(delivery.pk, "w1") is False
    assert FakeConnector.calls == []
    assert reload(delivery).status == D.SCHEDULED


def test_it_publishes_once_when_due(scheduled, clock):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    assert deliver(delivery.pk, "w1") is True
    assert deliver(delivery.pk, "w2") is False  # already out: nothing to claim
    [part] = FakeConnector.calls
    assert part.text == "Hello"
    assert part.idempotency_key == f"hubbub-{delivery.pk}-0"
    assert part.reply_to is None
    assert part.not_before == DUE
    delivery = reload(delivery)
    assert delivery.status == D.PUBLISHED
    assert delivery.published_url == "https://fake.example/p/1"
    assert delivery.claimed_by == ""
    assert delivery.in_flight_part is None
    assert outcomes(delivery) == [(0, Attempt.PUBLISHED)]
    assert post_of(delivery).status == PostStatus.PUBLISHED
    assert actions(delivery) == ["delivery.published"]
    assert AuditEntry.objects.filter(action="post.status", after__status="published").exists()


def test_a_thread_resumes_at_the_part_that_failed_and_chains_replies(scheduled, clock):
    delivery = scheduled("one", "two", "three", first_comment="link in bio")
    clock.move_to(DUE)
    FakeConnector.succeed_next()  # part 1
    FakeConnector.fail_next(TransientError("fake is down", status=503))
    assert deliver(delivery.pk, "w1")
    delivery = reload(delivery)
    assert delivery.status == D.RETRYING
    assert len(delivery.published_refs) == 1
    assert delivery.next_attempt_at == DUE + timedelta(seconds=30)
    assert deliver(delivery.pk, "w1") is False  # not before its retry time
    clock.move_to(DUE + timedelta(seconds=30))
    assert deliver(delivery.pk, "w1")
    texts = [c.text for c in FakeConnector.calls]
    assert texts == ["one", "two", "two", "three", "link in bio"]  # "one" never again
    one, two, three = (FakeConnector.published[f"hubbub-{delivery.pk}-{i}"] for i in range(3))
    calls = FakeConnector.calls
    assert calls[2].reply_to is not None and calls[2].reply_to.root == one
    assert calls[2].reply_to.parent == one
    assert calls[3].reply_to is not None and calls[3].reply_to.parent == two
    assert calls[4].reply_to is not None and calls[4].reply_to.parent == three
    assert calls[4].reply_to.root == one
    delivery = reload(delivery)
    assert delivery.status == D.PUBLISHED
    assert len(delivery.published_refs) == 4
    assert outcomes(delivery) == [
        (0, Attempt.PUBLISHED),
        (1, Attempt.TRANSIENT),
        (1, Attempt.PUBLISHED),
        (2, Attempt.PUBLISHED),
        (3, Attempt.PUBLISHED),
    ]
    assert actions(delivery) == ["delivery.published", "delivery.retry"]


def test_it_backs_off_exponentially_then_asks_a_person(scheduled, clock, alice):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    waits = []
    for _ in range(dispatcher.MAX_ATTEMPTS):
        FakeConnector.fail_next(TransientError("fake is down"))
        before = reload(delivery).next_attempt_at
        clock.move_to(before)
        assert deliver(delivery.pk, "w1")
        after = reload(delivery)
        if after.status == D.RETRYING:
            waits.append(after.next_attempt_at - before)
    assert waits[:4] == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=8),
        timedelta(minutes=32),
    ]
    assert waits[4:] == [timedelta(hours=1)] * (dispatcher.MAX_ATTEMPTS - 5)
    delivery = reload(delivery)
    assert delivery.status == D.NEEDS_ATTENTION
    assert "Gave up after 8 failed attempts" in delivery.last_error
    assert [m.to for m in mail.outbox] == [[alice.email]]


def test_a_rate_limit_waits_exactly_until_the_networks_reset_time(scheduled, clock):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    reset = DUE + timedelta(minutes=7, seconds=13)
    FakeConnector.fail_next(RateLimited("slow down", reset, network_message="Too many requests"))
    deliver(delivery.pk, "w1")
    delivery = reload(delivery)
    assert delivery.status == D.RETRYING
    assert delivery.next_attempt_at == reset
    assert delivery.network_message == "Too many requests"
    assert outcomes(delivery) == [(0, Attempt.RATE_LIMITED)]
    clock.move_to(reset)
    assert deliver(delivery.pk, "w1")
    assert reload(delivery).status == D.PUBLISHED


def test_a_rate_limit_holds_the_whole_channel_for_every_worker(scheduled, clock):
    """The limit is the account's: the channel's other due posts wait for the reset too,
    whichever worker would have claimed them, and the channel says it is rate limited."""
    first, second = scheduled("Hello"), scheduled("Hello again")
    later = scheduled("Tomorrow", minutes=10 + 24 * 60)
    clock.move_to(DUE)
    reset = DUE + timedelta(minutes=15)
    FakeConnector.fail_next(RateLimited("slow down", reset, network_message="Too many requests"))
    deliver(first.pk, "w1")

    assert reload(second).next_attempt_at == reset
    assert not deliver(second.pk, "w2")  # another worker finds nothing due on that channel
    assert reload(second).status != D.PUBLISHED
    assert reload(later).next_attempt_at == DUE + timedelta(days=1)  # not brought forward
    channel = reload(first).channel
    assert channel.health == Health.RATE_LIMITED and channel.rate_limited_until == reset
    clock.move_to(reset)
    assert deliver(second.pk, "w2")
    assert reload(second).status == D.PUBLISHED


def test_an_unknown_outcome_is_reconciled_and_not_published_twice(scheduled, clock):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    # The network stores the post, then the connection drops before we read the answer.
    FakeConnector.fail_next(
        ConnectorError("timed out after sending", permanent=False, sent=True), after_recording=True
    )
    deliver(delivery.pk, "w1")
    delivery = reload(delivery)
    assert delivery.status == D.RETRYING
    assert delivery.in_flight_part == 0
    assert outcomes(delivery) == [(0, Attempt.UNKNOWN)]
    clock.move_to(delivery.next_attempt_at)
    deliver(delivery.pk, "w1")
    assert len(FakeConnector.calls) == 1  # never sent again
    assert FakeConnector.lookups == [f"hubbub-{delivery.pk}-0"]
    delivery = reload(delivery)
    assert delivery.status == D.PUBLISHED
    assert delivery.published_url == "https://fake.example/p/1"
    assert outcomes(delivery) == [(0, Attempt.UNKNOWN), (0, Attempt.RECONCILED_FOUND)]
    assert "delivery.reconciled" in actions(delivery)


def test_an_unknown_outcome_not_found_on_the_network_is_sent_again(scheduled, clock):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    FakeConnector.fail_next(ConnectorError("connection reset", permanent=False, sent=True))
    deliver(delivery.pk, "w1")
    clock.move_to(reload(delivery).next_attempt_at)
    deliver(delivery.pk, "w1")
    assert len(FakeConnector.calls) == 2
    assert len(FakeConnector.published) == 1
    assert outcomes(delivery) == [
        (0, Attempt.UNKNOWN),
        (0, Attempt.RECONCILED_ABSENT),
        (0, Attempt.PUBLISHED),
    ]


def test_a_crash_in_the_connector_counts_as_an_unknown_outcome(scheduled, clock, monkeypatch):
    delivery = scheduled("Hello")
    clock.move_to(DUE)

    def boom(self, part):
        self._store(part)
        raise RuntimeError("bug after the request left")

    publish = FakeConnector.publish
    monkeypatch.setattr(FakeConnector, "publish", boom)
    deliver(delivery.pk, "w1")
    assert reload(delivery).in_flight_part == 0
    monkeypatch.setattr(FakeConnector, "publish", publish)
    clock.move_to(reload(delivery).next_attempt_at)
    deliver(delivery.pk, "w1")
    assert len(FakeConnector.published) == 1
    assert reload(delivery).status == D.PUBLISHED


def test_a_permanent_error_needs_attention_and_tells_people(scheduled, clock, acme, alice, bob):
    acme.language = "fr"
    acme.save()
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    FakeConnector.fail_next(
        PermanentError("fake rejected the request (HTTP 422)", network_message="Text is spam")
    )
    deliver(delivery.pk, "w1")
    delivery = reload(delivery)
    assert delivery.status == D.NEEDS_ATTENTION
    assert delivery.network_message == "Text is spam"
    assert delivery.in_flight_part is None
    assert outcomes(delivery) == [(0, Attempt.PERMANENT)]
    assert post_of(delivery).status == PostStatus.FAILED
    [message] = mail.outbox
    assert message.to == [alice.email]  # the author and the owner: alice is both; bob is an editor
    assert "Text is spam" in message.body
    assert "attend" in message.subject  # in the workspace's language (French)
    clock.shift(timedelta(hours=1))
    assert deliver(delivery.pk, "w1") is False  # never retried on its own


def test_a_revoked_token_holds_the_channels_deliveries(scheduled, clock, channel):
    first = scheduled("one")
    second = scheduled("two")
    clock.move_to(DUE)
    FakeConnector.fail_next(AuthError("fake refused the credentials", status=401))
    deliver(first.pk, "w1")
    assert reload(first).status == D.HELD
    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert AuditEntry.objects.filter(action="channel.health").exists()
    deliver(second.pk, "w1")
    assert reload(second).status == D.HELD
    assert len(FakeConnector.calls) == 1  # the second never reached the network
    assert post_of(second).status == PostStatus.SCHEDULED
    assert actions(second) == ["delivery.hold"]


def test_reconnecting_releases_held_deliveries_within_the_cutoff(
    scheduled, clock, channel, owner, django_capture_on_commit_callbacks
):
    from hubbub.networks.actions import save_connection
    from hubbub.networks.base import Account, Connection

    delivery = scheduled("Hello")
    Channel.objects.filter(pk=channel.pk).update(health=Health.NEEDS_RECONNECT)
    clock.move_to(DUE)
    deliver(delivery.pk, "w1")
    assert reload(delivery).status == D.HELD
    clock.move_to(DUE + timedelta(hours=1, minutes=59))
    with django_capture_on_commit_callbacks(execute=True):
        save_connection(
            owner, "fake", Connection(Account("1", "@acme", "Acme"), credentials={}, config={})
        )
    delivery = reload(delivery)
    assert delivery.status == D.PUBLISHED  # released and sent by the queued job
    assert len(FakeConnector.calls) == 1
    assert "delivery.release" in actions(delivery)


def test_reconnecting_after_the_cutoff_waits_for_a_person(scheduled, clock, channel, alice):
    from hubbub.publishing.holds import release_held

    delivery = scheduled("Hello")
    Channel.objects.filter(pk=channel.pk).update(health=Health.NEEDS_RECONNECT)
    clock.move_to(DUE)
    deliver(delivery.pk, "w1")
    clock.move_to(DUE + timedelta(hours=2, minutes=1))
    Channel.objects.filter(pk=channel.pk).update(health=Health.OK)
    released, waiting = release_held(channel)
    assert released == []
    assert [d.pk for d in waiting] == [delivery.pk]
    delivery = reload(delivery)
    assert delivery.status == D.NEEDS_ATTENTION
    assert "send it now, reschedule or cancel" in delivery.last_error
    assert FakeConnector.calls == []
    assert mail.outbox and mail.outbox[0].to == [alice.email]


def test_a_second_worker_cannot_claim_a_claimed_delivery(scheduled, clock):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    assert claim(delivery.pk, "w1")
    assert not claim(delivery.pk, "w2")
    assert deliver(delivery.pk, "w2") is False
    assert FakeConnector.calls == []
    dispatcher.run_claimed([delivery.pk], "w2")  # not its claim: does nothing
    assert FakeConnector.calls == []
    dispatcher.run_claimed([delivery.pk], "w1")
    assert len(FakeConnector.published) == 1


def test_an_expired_lease_is_taken_over_and_reconciled(scheduled, clock):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    assert claim(delivery.pk, "w1")
    # w1 marks part 0 in flight, the network stores it, and w1 is killed before recording.
    assert dispatcher._fence(dispatcher._Job(reload(delivery), "w1"), 0)
    FakeConnector.published[f"hubbub-{delivery.pk}-0"] = PublishedRef("p-9")
    clock.shift(dispatcher.LEASE - timedelta(seconds=1))
    assert not claim(delivery.pk, "w2")  # the lease still holds
    clock.shift(timedelta(seconds=1))
    assert deliver(delivery.pk, "w2")
    assert FakeConnector.calls == []  # found, not sent again
    delivery = reload(delivery)
    assert delivery.status == D.PUBLISHED
    assert delivery.published_refs[0]["external_id"] == "p-9"
    # w1 wakes up: every write of its is conditional on its claim, so nothing changes.
    assert not dispatcher._fence(dispatcher._Job(delivery, "w1"), 0)


def test_dispatch_due_publishes_every_due_delivery_once(scheduled, clock):
    deliveries = [scheduled(f"post {i}") for i in range(5)]
    later = scheduled("later", minutes=60)
    clock.move_to(DUE)
    assert dispatch_due(worker="w1", limit=3) == 3
    assert dispatch_due(worker="w2", limit=10) == 2
    assert dispatch_due(worker="w3", limit=10) == 0
    assert sorted(FakeConnector.published) == sorted(f"hubbub-{d.pk}-0" for d in deliveries)
    assert reload(later).status == D.SCHEDULED


@pytest.mark.parametrize("status", [D.PUBLISHED, D.CANCELLED, D.HELD, D.NEEDS_ATTENTION])
def test_only_waiting_deliveries_are_claimed(scheduled, clock, status):
    delivery = scheduled("Hello")
    type(delivery).objects.filter(pk=delivery.pk).update(status=status)
    clock.move_to(DUE)
    assert not claim(delivery.pk, "w1")
