"""After ingestion: a closed conversation reopens for a new cycle; edits and deletions on the
network are reflected; targets, rules and webhooks hear of what is new, after the commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hubbub.inbox.ingest import ingest
from hubbub.inbox.models import Conversation, Direction, Kind, Message, Status
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.models import PostKind
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, Hooks, published_post, said

# Fixtures shared by the ingestion tests.
channel, clock, hooks, network = (
    conftest_ingest.channel,
    conftest_ingest.clock,
    conftest_ingest.hooks,
    conftest_ingest.network,
)

pytestmark = pytest.mark.usefixtures("clock")

POST = PublishedRef(external_id="post-1", url="https://inbox.example/me/post-1")


def at(minutes: int):  # type: ignore[no-untyped-def]
    return NOW - timedelta(hours=2) + timedelta(minutes=minutes)


def edited(item: Incoming, text: str, when: Any = None, deleted: bool = False) -> Incoming:
    return Incoming(
        external_id=item.external_id,
        text=text,
        author=item.author,
        created_at=item.created_at,
        url=item.url,
        data=item.data,
        edited_at=when,
        deleted=deleted,
    )


def test_a_closed_conversation_reopens_as_a_new_cycle(
    channel: Channel, hooks: Hooks, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ingest(channel, "comments", [said("Broken!", "c1", "carol", at(1))], post_ref=POST)
    conversation = Conversation.objects.get()
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Status.CLOSED,
        closed_at=at(20),
        waiting_since=None,
        first_response_at=at(10),
        first_response_due_at=at(60),
        resolution_due_at=at(480),
        first_response_warned_at=at(50),
        resolution_breached_at=at(481),
    )
    hooks.calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ingest(
            channel,
            "comments",
            [said("Broken again", "c2", "carol", at(30)), said("Hello?", "c3", "carol", at(31))],
            post_ref=POST,
        )

    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.opened_at == at(30)
    assert conversation.waiting_since == at(30)
    assert conversation.message_count == 3
    for name in (
        "first_response_at",
        "closed_at",
        "first_response_due_at",
        "resolution_due_at",
        "first_response_warned_at",
        "resolution_breached_at",
    ):
        assert getattr(conversation, name) is None, name
    c2, c3 = Message.objects.get(external_id="c2"), Message.objects.get(external_id="c3")
    # Targets hear once that a cycle starts, each message goes through the rules.
    assert hooks.calls == [
        ("sla", conversation.pk, c2.pk, True),
        ("rules", c2.pk),
        ("sla", conversation.pk, c3.pk, False),
        ("rules", c3.pk),
    ]


def test_new_conversations_and_messages_are_announced_after_the_commit(
    channel: Channel, hooks: Hooks, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as pending:
        result = ingest(
            channel,
            "mentions",
            [
                said("@me angry!!", "m1", "carol", at(1)),
                said("Merci beaucoup", "m2", "dave", at(2)),
            ],
        )
        assert hooks.calls == []  # nothing before the commit
    for callback in pending:
        callback()

    m1, m2 = Message.objects.get(external_id="m1"), Message.objects.get(external_id="m2")
    assert hooks.calls == [
        ("sla", m1.conversation_id, m1.pk, False),
        ("rules", m1.pk),
        ("sla", m2.conversation_id, m2.pk, False),
        ("rules", m2.pk),
        ("created", m1.conversation_id),
        ("created", m2.conversation_id),
    ]
    assert result.message_ids == [m1.pk, m2.pk]
    # Language and sentiment of each message, and of the conversation (its latest inbound).
    assert (m1.language, m1.sentiment, m1.sentiment_score) == ("en", "negative", -0.8)
    assert (m2.language, m2.sentiment) == ("fr", "positive")
    assert (m2.conversation.language, m2.conversation.sentiment) == ("fr", "positive")


def test_a_failing_rule_loses_nothing(
    channel: Channel, hooks: Hooks, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    hooks.fail_rules = True
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(
            channel,
            "mentions",
            [said("one", "m1", "carol", at(1)), said("two", "m2", "dave", at(2))],
        )

    assert Message.objects.count() == 2
    assert len(hooks.named("rules")) == 2  # the second still went through the rules
    assert len(hooks.named("created")) == 2
    assert result.errors == ["rules.apply_rules: a broken rule"] * 2


def test_an_answer_from_the_network_app_counts_as_the_first_response(
    channel: Channel, hooks: Hooks, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ingest(channel, "comments", [said("Question", "c1", "carol", at(1))], post_ref=POST)
        ingest(
            channel,
            "comments",
            [said("Answer", "ours-1", "me", at(5), in_reply_to="c1")],
            post_ref=POST,
        )

    conversation = Conversation.objects.get()
    assert hooks.named("first_response") == [("first_response", conversation.pk, at(5))]


def test_a_reply_sent_from_hubbub_gets_its_network_id_not_a_twin(channel: Channel) -> None:
    ingest(channel, "mentions", [said("@me help", "m1", "carol", at(1))])
    conversation = Conversation.objects.get()
    delivery = published_post(channel, "ours-7", at(3), kind=PostKind.REPLY)
    ours = Message.objects.create(
        workspace=channel.workspace,
        conversation=conversation,
        channel=channel,
        direction=Direction.OUTBOUND,
        kind=Kind.MENTION,
        text="On it!",
        created_at=at(2),
        delivery=delivery,
    )

    result = ingest(channel, "mentions", [said("On it!", "ours-7", "me", at(3), in_reply_to="m1")])

    assert (result.created, result.skipped) == (0, 1)
    ours.refresh_from_db()
    assert ours.external_id == "ours-7"
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_an_edit_keeps_the_first_text_once(channel: Channel) -> None:
    original = said("Teh product is great", "c1", "carol", at(1))
    ingest(channel, "comments", [original], post_ref=POST)

    first = ingest(
        channel, "comments", [edited(original, "The product is great", at(3))], post_ref=POST
    )
    ingest(channel, "comments", [edited(original, "The product is GREAT", at(4))], post_ref=POST)
    unchanged = ingest(
        channel, "comments", [edited(original, "The product is GREAT", at(4))], post_ref=POST
    )

    message = Message.objects.get()
    assert first.updated == 1 and unchanged.updated == 0
    assert message.text == "The product is GREAT"
    assert message.original_text == "Teh product is great"
    assert message.edited_at == at(4)
    # An edit read without a time (a full re-read) is dated when it was seen.
    ingest(channel, "comments", [edited(original, "Fixed")], post_ref=POST)
    message.refresh_from_db()
    assert message.edited_at == NOW
    assert Conversation.objects.get().message_count == 1


def test_a_deletion_is_recorded_and_the_text_kept(channel: Channel) -> None:
    item = said("Something I regret", "c1", "carol", at(1))
    ingest(channel, "comments", [item], post_ref=POST)

    result = ingest(channel, "comments", [edited(item, "", deleted=True)], post_ref=POST)
    # A webhook may say so with data["deleted"] too; a deletion of something never seen
    # leaves nothing behind.
    ingest(channel, "comments", [said("", "c9", "carol", at(2), deleted=True)], post_ref=POST)

    message = Message.objects.get()
    assert result.updated == 1
    assert message.deleted_at == NOW
    assert message.text == "Something I regret"  # what the person had written stays readable
    assert Conversation.objects.get().message_count == 1

    # Shown again by the network (a full re-read after a cut one): it is there after all.
    ingest(channel, "comments", [item], post_ref=POST)
    message.refresh_from_db()
    assert message.deleted_at is None


def test_our_reply_read_back_as_the_network_rewrote_it_is_no_edit(channel: Channel) -> None:
    ingest(channel, "mentions", [said("@me help", "m1", "carol", at(1))])
    Message.objects.create(
        workspace=channel.workspace,
        conversation=Conversation.objects.get(),
        channel=channel,
        direction=Direction.OUTBOUND,
        kind=Kind.MENTION,
        external_id="ours-1",
        text="See https://example.com/a-very-long-link",
        created_at=at(2),
    )

    result = ingest(
        channel,
        "mentions",
        [said("@carol See https://t.example/x", "ours-1", "me", at(2), in_reply_to="m1")],
    )

    ours = Message.objects.get(external_id="ours-1")
    assert (result.updated, result.skipped) == (0, 1)
    assert ours.text == "See https://example.com/a-very-long-link"
    assert ours.edited_at is None
