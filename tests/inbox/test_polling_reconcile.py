"""Edits and deletions of comments, found by reading recent posts' comments again; and the
periodic jobs that run polling and this."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from hubbub.inbox import polling, reconcile, tasks_polling
from hubbub.inbox.models import Message
from hubbub.networks.base import RateLimited
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Channel
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, InboxNetwork, published_post, said

# Fixtures shared by the ingestion tests.
channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

HOUR = timedelta(hours=1)


@pytest.fixture
def post(channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller) -> str:
    published_post(channel, "post-1", NOW - 5 * HOUR)
    network.comments["post-1"] = [
        said(f"Comment {n}", f"c{n}", f"fan{n}", NOW - 4 * HOUR + n * timedelta(minutes=1))
        for n in range(1, 6)
    ]
    polling.ensure_sources(channel)
    polling.poll_due()
    assert Message.objects.count() == 5
    clock.shift(timedelta(minutes=15))
    return "post-1"


def retext(item: Incoming, text: str) -> Incoming:
    return Incoming(
        external_id=item.external_id,
        text=text,
        author=item.author,
        created_at=item.created_at,
        url=item.url,
        data=item.data,
    )


def deleted() -> set[str]:
    return set(
        Message.objects.filter(deleted_at__isnull=False).values_list("external_id", flat=True)
    )


def test_edits_and_deletions_are_found_by_reading_again(
    post: str, network: type[InboxNetwork]
) -> None:
    shown = network.comments[post]
    network.comments[post] = [shown[0], retext(shown[1], "Comment 2 (edited)"), *shown[3:]]

    result = reconcile.reconcile_due()

    assert (result.sources, result.edited, result.deleted) == (1, 1, 1)
    assert deleted() == {"c3"}
    edited = Message.objects.get(external_id="c2")
    assert (edited.text, edited.original_text) == ("Comment 2 (edited)", "Comment 2")
    assert edited.edited_at == NOW + timedelta(minutes=15)
    assert network.calls[-1] == ("comments:post-1", "me", None)  # the whole tree


def test_an_answer_with_more_to_read_deletes_nothing(
    post: str, network: type[InboxNetwork]
) -> None:
    network.limit = 2  # the answer stops before the newest comments
    network.comments[post] = network.comments[post][2:]

    result = reconcile.reconcile_due()

    assert result.deleted == 0 and deleted() == set()


def test_an_answer_cut_at_the_limit_judges_only_what_it_covers(
    post: str, network: type[InboxNetwork], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first read cut at MAX_ITEMS_PER_FETCH keeps the newest: here c3 … c5, c4 deleted.
    monkeypatch.setattr(reconcile, "MAX_ITEMS_PER_FETCH", 2)
    shown = network.comments[post]
    network.comments[post] = [shown[2], shown[4]]

    reconcile.reconcile_due()

    assert deleted() == {"c4"}  # c1 and c2 are older than what the answer covers


def test_only_posts_with_recent_activity_are_read_again(
    post: str, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    clock.shift(timedelta(days=3))
    network.calls.clear()

    assert reconcile.reconcile_due().sources == 0
    assert network.calls == []


def test_a_rate_limit_skips_the_channel_until_the_next_run(
    post: str, network: type[InboxNetwork]
) -> None:
    network.fail_next("comments:post-1", RateLimited("slow down", None))

    result = reconcile.reconcile_due()

    assert result.errors and "slow down" in result.errors[0]
    assert deleted() == set()


def test_the_periodic_jobs_poll_every_minute_and_reconcile_every_quarter_hour(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.mentions["me"] = [said("@me hello", "m1", "carol")]

    tasks_polling.poll_inbox()  # the worker's minute: sources set up, then read

    assert Message.objects.get().external_id == "m1"
    poll = tasks_polling.poll_inbox.task_class()
    again = tasks_polling.reconcile_inbox.task_class()
    moment = NOW.replace(tzinfo=None)
    for minute in (0, 7, 15, 44):
        at = moment.replace(minute=minute)
        assert poll.validate_datetime(at) is True
        assert again.validate_datetime(at) is (minute % 15 == 0)
