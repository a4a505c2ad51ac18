"""Batches: deliveries claimed together, published concurrently, with few queries each."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hubbub.core.models import AuditEntry
from hubbub.networks.base import TransientError
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.publishing import dispatcher
from hubbub.publishing.dispatcher import claim_batch, dispatch_due
from hubbub.publishing.models import Attempt, Delivery, DeliveryAttempt, DeliveryStatus, Post
from hubbub.publishing.tasks import deliver_task
from tests.publishing.conftest import NOW, reload
from tests.publishing.fake import FakeConnector

D = DeliveryStatus
DUE = NOW + timedelta(minutes=10)


def _queries(run: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return len(ctx.captured_queries)


def test_a_batch_costs_two_writes_per_delivery_plus_a_fixed_number(scheduled, clock):
    """The database work that bounds throughput: claim, load, media and post statuses once per
    batch; per delivery only the fence, then the attempt, the new state and its audit entry
    in one transaction. (Here the calls are made in this thread, each fenced on its own;
    every transaction is a savepoint of the test's.)"""
    for i in range(12):
        scheduled(f"post {i}")
    clock.move_to(DUE)
    two = _queries(lambda: dispatch_due(worker="w1", limit=2))
    ten = _queries(lambda: dispatch_due(worker="w2", limit=10))
    # each delivery: the fence (1 + savepoint 2) and its result (3 + savepoint 2)
    assert ten - two == 8 * 8
    assert two < 2 * 8 + 20
    assert len(FakeConnector.published) == 12


def test_a_batch_claims_only_due_unclaimed_deliveries_in_due_order(scheduled, clock):
    first = [scheduled(f"early {i}", minutes=5) for i in range(3)]
    later = [scheduled(f"later {i}", minutes=10) for i in range(3)]
    not_yet = scheduled("not yet", minutes=60)
    clock.move_to(DUE)
    taken = claim_batch("w1", 4)
    assert taken == [d.pk for d in first] + [later[0].pk]
    assert claim_batch("w2", 10) == [d.pk for d in later[1:]]
    assert claim_batch("w3", 10) == []
    assert reload(not_yet).status == D.SCHEDULED
    assert {reload(d).claimed_by for d in first} == {"w1"}


def test_the_job_of_a_delivery_sends_whatever_else_is_due_with_it(scheduled, clock):
    deliveries = [scheduled(f"post {i}") for i in range(5)]
    later = scheduled("later", minutes=60)
    clock.move_to(DUE)
    deliver_task(deliveries[-1].pk)  # Huey runs jobs inline in tests
    assert sorted(FakeConnector.published) == sorted(f"hubbub-{d.pk}-0" for d in deliveries)
    assert {reload(d).status for d in deliveries} == {D.PUBLISHED}
    assert reload(later).status == D.SCHEDULED
    assert dispatcher.deliver_due(deliveries[0].pk) == 0  # already out: nothing to do
    assert len(FakeConnector.calls) == 5


def test_a_drain_stays_for_a_delivery_coming_due_within_a_second(scheduled, clock, monkeypatch):
    first = scheduled("now")
    second = scheduled("soon")
    clock.move_to(DUE)
    type(second).objects.filter(pk=second.pk).update(
        next_attempt_at=DUE + timedelta(milliseconds=400)
    )
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # the clock moves as a real wait would move it
        slept.append(seconds)
        clock.shift(timedelta(seconds=seconds))

    monkeypatch.setattr("hubbub.publishing.dispatcher.time.sleep", sleep)
    assert dispatcher.drain("w1") == 2
    assert slept == [0.4]
    assert {reload(first).status, reload(second).status} == {D.PUBLISHED}


def test_a_drain_does_not_wait_on_a_clock_that_does_not_move(scheduled, clock, monkeypatch):
    scheduled("now")
    soon = scheduled("soon")
    clock.move_to(DUE)
    type(soon).objects.filter(pk=soon.pk).update(next_attempt_at=DUE + timedelta(seconds=0.5))
    monkeypatch.setattr("hubbub.publishing.dispatcher.time.sleep", lambda seconds: None)
    assert dispatcher.drain("w1") == 1  # returns rather than spinning
    assert reload(soon).status == D.SCHEDULED


def test_a_job_that_comes_while_a_drain_runs_is_left_to_it(scheduled, clock, monkeypatch):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    monkeypatch.setattr(dispatcher._drains, "running", 1)
    monkeypatch.setattr(dispatcher._drains, "wanted", False)
    assert dispatcher.deliver_due(delivery.pk) == 0
    assert FakeConnector.calls == []
    assert dispatcher._drains.wanted  # the running drain looks again before it stops
    assert dispatcher._drains.stop() is False  # and so it does
    assert dispatcher._drains.stop() is True


# --- the publishing pool, with committed rows other threads can read -----------------------


@pytest.fixture
def pool(settings: Any) -> Iterator[None]:
    settings.HUBBUB_PUBLISH_CONCURRENCY = 4
    dispatcher.shutdown_pool()
    yield
    dispatcher.shutdown_pool()  # closes the threads' connections before the database goes


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_published_concurrently_and_each_delivery_once(
    scheduled, clock, pool, monkeypatch
):
    deliveries = [scheduled(f"post {i}") for i in range(8)]
    clock.move_to(DUE)
    together = threading.Barrier(4, timeout=10)  # passes only with four calls at once
    threads: set[str] = set()
    publish = FakeConnector.publish

    def concurrent(self: FakeConnector, part: OutgoingPart) -> PublishedRef:
        threads.add(threading.current_thread().name)
        together.wait()
        return publish(self, part)

    monkeypatch.setattr(FakeConnector, "publish", concurrent)
    assert dispatch_due(worker="w1", limit=8) == 8
    assert len(threads) == 4 and all(name.startswith("hubbub-publish") for name in threads)
    assert sorted(FakeConnector.published) == sorted(f"hubbub-{d.pk}-0" for d in deliveries)
    assert len(FakeConnector.calls) == 8
    assert {reload(d).status for d in deliveries} == {D.PUBLISHED}
    assert set(Post.objects.values_list("status", flat=True)) == {"published"}
    attempts = DeliveryAttempt.objects.values_list("outcome", flat=True)
    assert list(attempts) == [Attempt.PUBLISHED] * 8
    assert AuditEntry.objects.filter(action="delivery.published").count() == 8
    assert AuditEntry.objects.filter(action="post.status").count() == 16  # two steps each


@pytest.mark.django_db(transaction=True)
def test_one_failure_in_a_concurrent_batch_retries_only_that_delivery(scheduled, clock, pool):
    deliveries = [scheduled(f"post {i}") for i in range(6)]
    clock.move_to(DUE)
    FakeConnector.fail_next(TransientError("fake is down", status=503))
    assert dispatch_due(worker="w1", limit=6) == 6
    statuses = sorted(reload(d).status for d in deliveries)
    assert statuses == [D.PUBLISHED] * 5 + [D.RETRYING]
    assert len(FakeConnector.published) == 5
    retrying = Delivery.objects.get(status=D.RETRYING)
    assert retrying.in_flight_part is None and retrying.claimed_by == ""
    clock.move_to(retrying.next_attempt_at)
    assert dispatch_due(worker="w2") == 1
    assert len(FakeConnector.published) == 6
