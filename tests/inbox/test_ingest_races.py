"""Two writers at once (a webhook and a poll, two sources reading the same reply): what the
other stored between this batch's reads and its writes is neither stored twice nor lost."""

from __future__ import annotations

from typing import Any

import pytest

from hubbub.inbox import ingest as ingestion
from hubbub.inbox.ingest import ingest
from hubbub.inbox.models import Conversation, Customer, Identity, Message
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import said

# Fixtures shared by the ingestion tests.
channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

pytestmark = pytest.mark.usefixtures("clock")

POST = PublishedRef(external_id="post-1", url="https://inbox.example/me/post-1")


def stale_once(monkeypatch: pytest.MonkeyPatch, manager: Any, name: str) -> None:
    """The first lookup through `manager.name` happens before the other writer's commit: it
    finds nothing; later ones see the database as it is."""
    real = getattr(manager, name)
    calls = 0

    def lookup(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return manager.none() if calls == 1 else real(*args, **kwargs)

    monkeypatch.setattr(manager, name, lookup)


def test_messages_and_a_conversation_stored_meanwhile_are_used_not_doubled(
    channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(channel, "comments", [said("Hi", "c1", "carol")], post_ref=POST)  # the other writer
    monkeypatch.setattr(ingestion._Batch, "_known", lambda self, ids: {})
    stale_once(monkeypatch, Conversation.objects, "select_for_update")

    result = ingest(
        channel, "comments", [said("Hi", "c1", "carol"), said("Hey", "c2", "dave")], post_ref=POST
    )

    assert (result.created, result.skipped, result.conversations_created) == (1, 1, 1)
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["c1", "c2"]
    carol = Conversation.objects.get(thread_key__endswith=" carol")
    assert carol.message_count == 1
    assert Conversation.objects.count() == 2


def test_a_person_seen_meanwhile_stays_one_identity_and_one_customer(
    channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(channel, "mentions", [said("@me hi", "m1", "carol")])  # the other writer
    stale_once(monkeypatch, Identity.objects, "filter")

    result = ingest(channel, "mentions", [said("@me again", "m2", "carol")])

    assert result.created == 1
    identity = Identity.objects.get()
    assert Customer.objects.get() == identity.customer  # the spare customer is gone
    assert set(Message.objects.values_list("identity", flat=True)) == {identity.pk}
