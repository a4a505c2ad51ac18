"""Ingestion groups what comes in into conversations: comments by post and person, mentions
by thread and person, direct messages by the network's conversation; people become
identities and customers once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.inbox.ingest import ingest, thread_key_for
from hubbub.inbox.models import (
    Conversation,
    Customer,
    Direction,
    Identity,
    InboxSource,
    Kind,
    Message,
    SourceKind,
    Status,
)
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, said

# Fixtures shared by the ingestion tests.
channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

pytestmark = pytest.mark.usefixtures("clock")

POST = PublishedRef(external_id="post-1", url="https://inbox.example/me/post-1")
OTHER_POST = PublishedRef(external_id="post-2", url="https://inbox.example/me/post-2")


def at(minutes: int):  # type: ignore[no-untyped-def]
    return NOW - timedelta(hours=2) + timedelta(minutes=minutes)


def conversation_of(external_id: str) -> Conversation:
    return Message.objects.get(external_id=external_id).conversation


def test_comments_are_grouped_by_post_and_person(channel: Channel) -> None:
    result = ingest(
        channel,
        "comments",
        [
            said("Love it", "c1", "carol", at(1)),
            said("When does it ship?", "c2", "dave", at(2)),
            said("Also: is it blue?", "c3", "carol", at(3), in_reply_to="c1"),
        ],
        post_ref=POST,
    )
    ingest(channel, "comments", [said("Another post!", "c4", "carol", at(4))], post_ref=OTHER_POST)

    assert (result.created, result.conversations_created) == (3, 2)
    carol = conversation_of("c1")
    assert conversation_of("c3") == carol
    assert conversation_of("c2") != carol
    assert conversation_of("c4") != carol  # the same person under another post
    assert carol.kind == Kind.COMMENT
    assert carol.message_count == 2
    assert carol.subject == "Love it"
    assert carol.root_url == POST.url
    assert carol.status == Status.OPEN
    assert carol.opened_at == at(1)
    assert carol.last_message_at == carol.last_inbound_at == at(3)
    assert carol.waiting_since == at(1)  # the oldest message not answered
    assert carol.thread_key == thread_key_for(channel, "comments", said("", "x"), POST)


def test_each_person_is_one_identity_and_one_customer(channel: Channel, acme: Workspace) -> None:
    ingest(channel, "comments", [said("Hi", "c1", "carol", at(1))], post_ref=POST)
    ingest(
        channel,
        "mentions",
        [said("@me hello", "m1", "carol", at(2), followers=1200)],
    )

    identity = Identity.objects.get()
    assert (identity.network, identity.external_id, identity.handle) == (
        "inboxfake",
        "carol",
        "@carol",
    )
    assert identity.followers_count == 1200  # the profile as last seen
    assert Customer.objects.get() == identity.customer
    assert identity.customer.name == "Carol"
    assert identity.workspace == acme
    conversations = Conversation.objects.all()
    assert len(conversations) == 2
    assert {c.customer_id for c in conversations} == {identity.customer_id}
    assert all(m.identity == identity for m in Message.objects.all())


def test_a_mention_thread_is_one_conversation_per_person(channel: Channel) -> None:
    ingest(
        channel,
        "mentions",
        [
            said("@me is the shop open?", "m1", "carol", at(1)),
            # A network that names the root (Bluesky's reply.root) …
            said("@me hello?", "m2", "carol", at(2), in_reply_to="m1", root={"uri": "m1"}),
            # … and one that only says what it answers, within the same read.
            said("@me still there?", "m3", "carol", at(3), in_reply_to="m2"),
            said("@me I wonder too", "m4", "dave", at(4), in_reply_to="m1", root_uri="m1"),
        ],
    )
    # Later, an answer to a stored message (the chain is followed through the database).
    ingest(channel, "mentions", [said("@me ping", "m5", "carol", at(5), in_reply_to="m3")])
    # A new thread by the same person.
    ingest(channel, "mentions", [said("@me other topic", "m6", "carol", at(6))])

    carol = conversation_of("m1")
    assert [m.external_id for m in carol.messages.all()] == ["m1", "m2", "m3", "m5"]
    assert carol.kind == Kind.MENTION
    assert carol.root_url == "https://inbox.example/carol/m1"
    assert conversation_of("m4") != carol
    assert conversation_of("m6") != carol
    assert Conversation.objects.count() == 3


def test_a_reply_to_our_post_read_as_a_mention_joins_the_comments(channel: Channel) -> None:
    InboxSource.objects.create(
        workspace=channel.workspace,
        channel=channel,
        kind=SourceKind.COMMENTS,
        ref_external_id="post-1",
        ref_data={"external_id": "post-1", "url": POST.url, "data": {}},
    )
    ingest(channel, "comments", [said("First!", "c1", "carol", at(1))], post_ref=POST)
    # Bluesky notifies replies too (reason "reply"), with the root; Mastodon gives only the
    # status it answers.
    ingest(
        channel,
        "mentions",
        [
            said(
                "@me and also", "r1", "carol", at(2), in_reply_to="post-1", root={"uri": "post-1"}
            ),
            said("@me me too", "r2", "dave", at(3), in_reply_to="post-1"),
        ],
    )

    carol = conversation_of("c1")
    assert conversation_of("r1") == carol
    assert carol.kind == Kind.COMMENT and carol.message_count == 2
    dave = conversation_of("r2")
    assert dave.kind == Kind.COMMENT and dave.root_url == POST.url


def test_direct_messages_are_grouped_by_the_network_conversation(channel: Channel) -> None:
    ingest(
        channel,
        "messages",
        [
            said("Hello in private", "d1", "carol", at(1), conversation_id="conv-9"),
            said("Are you there?", "d2", "carol", at(2), conversation_id="conv-9"),
            said("No conversation id", "d3", "dave", at(3)),
            said("Again", "d4", "dave", at(4)),
        ],
    )

    assert conversation_of("d1") == conversation_of("d2")
    assert conversation_of("d1").thread_key == "conv-9"
    assert conversation_of("d1").kind == Kind.MESSAGE
    assert conversation_of("d3") == conversation_of("d4")  # by person when the network has none
    assert conversation_of("d3").thread_key == "dave"


def test_the_same_item_twice_is_stored_once(channel: Channel) -> None:
    items = [said("Hi", "c1", "carol", at(1)), said("Hi again", "c2", "carol", at(2))]
    first = ingest(channel, "comments", items, post_ref=POST)
    again = ingest(channel, "comments", items + items, post_ref=POST)

    assert (first.created, again.created, again.skipped) == (2, 0, 4)
    assert Message.objects.count() == 2
    assert Conversation.objects.get().message_count == 2


def test_a_customer_writing_while_pending_makes_it_open_again(channel: Channel) -> None:
    ingest(channel, "comments", [said("Hi", "c1", "carol", at(1))], post_ref=POST)
    conversation = Conversation.objects.get()
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Status.PENDING, waiting_since=None, first_response_at=at(5)
    )

    ingest(channel, "comments", [said("Thanks, but…", "c2", "carol", at(10))], post_ref=POST)

    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.waiting_since == at(10)
    assert conversation.first_response_at == at(5)  # the same cycle: answered already
    assert conversation.opened_at == at(1)


def test_our_own_items_are_outbound_and_never_waiting(channel: Channel) -> None:
    ingest(channel, "comments", [said("Question?", "c1", "carol", at(1))], post_ref=POST)
    sent = Message.objects.create(
        workspace=channel.workspace,
        conversation=Conversation.objects.get(),
        channel=channel,
        direction=Direction.OUTBOUND,
        kind=Kind.COMMENT,
        external_id="ours-1",
        text="Sent from Hubbub",
        created_at=at(2),
    )

    result = ingest(
        channel,
        "comments",
        [
            said("Sent from Hubbub", "ours-1", "me", at(2), in_reply_to="c1"),  # already known
            said("Answered in the app", "ours-2", "me", at(3), in_reply_to="c1"),
            said("A post of ours elsewhere", "ours-3", "me", at(4), in_reply_to="nothing-known"),
        ],
        post_ref=POST,
    )

    assert (result.created, result.skipped) == (1, 2)
    assert Message.objects.filter(external_id="ours-1").get() == sent
    answer = Message.objects.get(external_id="ours-2")
    assert answer.direction == Direction.OUTBOUND
    assert answer.identity is None
    assert answer.conversation == sent.conversation
    conversation = Conversation.objects.get()
    assert conversation.waiting_since is None
    assert conversation.status == Status.PENDING
    assert conversation.identity is not None and conversation.identity.external_id == "carol"
    assert not Message.objects.filter(external_id="ours-3").exists()


def test_many_items_take_a_few_queries_whatever_their_number(
    channel: Channel, django_assert_max_num_queries: object
) -> None:
    items = [
        said(f"Comment {n}", f"c{n}", f"person{n % 50}", at(0) + timedelta(seconds=n))
        for n in range(300)
    ]
    # Savepoints included, and the response policy read once (new conversations are
    # inserted with their due times); a constant, whatever the number of items.
    with django_assert_max_num_queries(32):  # type: ignore[operator]
        result = ingest(channel, "comments", items, post_ref=POST)

    assert (result.created, result.conversations_created) == (300, 50)
    assert Conversation.objects.get(thread_key__endswith=" person7").message_count == 6


def test_times_from_the_future_are_taken_as_now(channel: Channel) -> None:
    with time_machine.travel(NOW, tick=False):
        ingest(channel, "mentions", [said("Hi", "m1", "carol", NOW + timedelta(days=2))])

    assert Message.objects.get().created_at == NOW
