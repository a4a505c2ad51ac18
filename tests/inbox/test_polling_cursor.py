"""Polling with a cursor: pages are followed, the cursor is stored with the items, and
nothing is read twice or missed, even when a worker dies between the read and the save."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from hubbub.inbox import polling
from hubbub.inbox.models import InboxSource, Message, SourceKind
from hubbub.networks.models import Channel
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, InboxNetwork, said

# Fixtures shared by the ingestion tests.
channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

MINUTE = timedelta(minutes=1)


def mentions(first: int, last: int) -> list:  # type: ignore[type-arg]
    return [
        said(f"@me number {n}", f"m{n}", f"fan{n % 3}", NOW - timedelta(hours=3) + n * MINUTE)
        for n in range(first, last + 1)
    ]


def source_of(channel: Channel, kind: str = SourceKind.MENTIONS) -> InboxSource:
    return InboxSource.objects.get(channel=channel, kind=kind)


def read(network: type[InboxNetwork], method: str = "mentions") -> list[str | None]:
    """The cursors `method` was called with, in order."""
    return [cursor for name, _channel, cursor in network.calls if name == method]


def stored() -> list[str]:
    return list(Message.objects.order_by("created_at").values_list("external_id", flat=True))


def test_two_and_a_half_pages_then_two_new_then_none(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.limit = 4
    network.mentions["me"] = mentions(1, 10)
    polling.ensure_sources(channel)

    first = polling.poll_due()

    # One poll follows `more` at once: three calls, each from the cursor before it.
    assert read(network) == [None, "m4", "m8"]
    assert first.created == 10
    assert stored() == [f"m{n}" for n in range(1, 11)]
    source = source_of(channel)
    assert source.cursor == "m10"
    assert source.last_polled_at == NOW
    assert source.next_poll_at == NOW + MINUTE

    # Not due again before the interval.
    network.calls.clear()
    assert polling.poll_due().polled == 0
    assert network.calls == []

    network.mentions["me"] += mentions(11, 12)
    clock.shift(MINUTE)
    second = polling.poll_due()
    assert second.created == 2
    assert read(network) == ["m10"]
    assert source_of(channel).cursor == "m12"

    clock.shift(MINUTE)
    third = polling.poll_due()
    assert third.polled >= 1 and third.created == 0
    assert source_of(channel).cursor == "m12"  # an empty answer keeps the cursor
    assert len(stored()) == 12 and len(set(stored())) == 12


def test_a_worker_that_dies_between_reading_and_saving_misses_nothing(
    channel: Channel,
    network: type[InboxNetwork],
    clock: time_machine.Traveller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    network.limit = 4
    network.mentions["me"] = mentions(1, 6)
    polling.ensure_sources(channel)

    class Died(BaseException):  # the process killed mid-poll: nothing catches it
        pass

    real = polling._saved
    saves = 0

    def dies_on_second_page(*args: object, **kwargs: object) -> None:
        nonlocal saves
        saves += 1
        real(*args, **kwargs)  # type: ignore[arg-type]
        if saves == 2:
            raise Died  # inside the transaction of the second page: it is rolled back

    monkeypatch.setattr(polling, "_saved", dies_on_second_page)
    with pytest.raises(Died):
        polling.poll_due()
    monkeypatch.setattr(polling, "_saved", real)

    # The first page and its cursor were saved together; the second page neither.
    assert stored() == ["m1", "m2", "m3", "m4"]
    assert source_of(channel).cursor == "m4"
    # The dead worker still holds its lease: nobody reads the source meanwhile…
    network.calls.clear()
    clock.shift(MINUTE)
    polling.poll_due()
    assert read(network) == []
    # … until the lease runs out; then it is read again from the saved cursor.
    clock.shift(polling.LEASE)
    result = polling.poll_due()
    assert read(network) == ["m4"]
    assert result.created == 2
    assert stored() == [f"m{n}" for n in range(1, 7)]


def test_items_returned_again_are_not_stored_twice(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.mentions["me"] = mentions(1, 3)
    polling.ensure_sources(channel)
    polling.poll_due()
    # A network that answers from before the cursor (its own clock skew, a reset cursor).
    InboxSource.objects.filter(channel=channel).update(cursor=None)
    network.mentions["me"] += mentions(4, 4)

    clock.shift(MINUTE)
    result = polling.poll_due()

    assert result.created == 1
    assert stored() == ["m1", "m2", "m3", "m4"]


def test_two_workers_never_read_the_same_source(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.mentions["me"] = mentions(1, 2)
    polling.ensure_sources(channel)
    # Both workers read the due sources at the same moment…
    seen_by_one = source_of(channel)
    seen_by_two = source_of(channel)

    first = polling.poll_source(seen_by_one)
    second = polling.poll_source(seen_by_two)  # … the second finds it claimed

    assert (first.polled, second.polled) == (1, 0)
    assert read(network) == [None]


def test_every_stream_of_a_channel_is_polled(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    from tests.inbox.conftest_ingest import published_post

    published_post(channel, "post-1", NOW - timedelta(hours=5))
    network.mentions["me"] = mentions(1, 1)
    network.messages["me"] = [said("Private question", "d1", "dave", conversation_id="conv-1")]
    network.comments["post-1"] = [said("Nice post", "c1", "erin")]

    assert polling.ensure_sources(channel) == 3
    result = polling.poll_due()

    assert result.polled == 3 and result.created == 3
    kinds = dict(Message.objects.values_list("external_id", "kind"))
    assert kinds == {"m1": "mention", "d1": "message", "c1": "comment"}
    assert source_of(channel, SourceKind.COMMENTS).cursor == "c1"
