"""Replying from the inbox: what is created, the checks, the status, the "already replying"
lease, and a rule's auto-reply."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry
from hubbub.inbox import actions
from hubbub.inbox.models import (
    Conversation,
    Direction,
    InboxSource,
    Kind,
    Message,
    Rule,
    SavedReply,
    SourceKind,
    Status,
)
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, PostKind, PostStatus
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    NOW,
    analyst,
    chan,
    clock,
    conversation,
    editor,
    inbound,
    inbox_network,
    make_conversation,
    member,
    moderator,
    other_conversation,
    owner,
    sla_calls,
    stranger,
)

pytestmark = pytest.mark.django_db


def test_a_reply_is_a_hidden_post_with_a_delivery_due_now(
    owner, conversation, clock, sla_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        message = actions.reply(owner, conversation, "  On its way, Carol!  ")
    assert len(callbacks) == 1  # the delivery is handed to the workers once committed
    assert message.direction == Direction.OUTBOUND
    assert message.text == "On its way, Carol!"
    assert message.sent_by == owner.user
    assert message.in_reply_to == "m1"
    assert message.external_id == ""  # set once published
    post = Post.objects.get()
    assert post.kind == PostKind.REPLY
    assert post.status == PostStatus.SCHEDULED
    assert post.author == owner.user
    assert post.scheduled_at == NOW
    assert post.purpose == f"Reply in conversation {conversation.pk}"
    assert list(Post.objects.posts()) == []
    variant = post.variants.get()
    assert variant.parts == ["On its way, Carol!"]
    parent = {
        "external_id": "m1",
        "url": "https://fake.example/m/m1",
        "data": {"uri": "at://m1", "cid": "c1"},
    }
    # A mention that starts a thread is its own root.
    assert variant.reply_to == {"root": parent, "parent": parent}
    delivery = Delivery.objects.get()
    assert message.delivery == delivery
    assert delivery.status == DeliveryStatus.SCHEDULED
    assert delivery.due_at == NOW and delivery.next_attempt_at == NOW
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING
    assert conversation.waiting_since is None
    assert conversation.message_count == 2
    assert sla_calls == [("on_first_response", conversation.pk)]
    entry = AuditEntry.objects.get(action="conversation.reply")
    assert entry.actor == owner.user
    assert entry.after["delivery"] == delivery.pk


def test_only_the_first_reply_of_a_cycle_is_the_first_response(owner, conversation, clock):
    # The real response-time targets: the first reply is recorded, a late one is a breach.
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_due_at=NOW - timedelta(minutes=1)
    )
    conversation.refresh_from_db()
    actions.reply(owner, conversation, "Looking into it")
    clock.shift(timedelta(minutes=5))
    actions.reply(owner, conversation, "Found it: it ships today")
    conversation.refresh_from_db()
    assert conversation.first_response_at == NOW
    assert [(b.kind, b.breached_at) for b in conversation.breaches.all()] == [
        ("first_response", NOW)
    ]
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 2


def test_a_second_reply_calls_no_first_response_hook(owner, conversation, clock, sla_calls):
    Conversation.objects.filter(pk=conversation.pk).update(first_response_at=NOW)
    conversation.refresh_from_db()
    actions.reply(owner, conversation, "Anything else?")
    assert sla_calls == []


def test_a_thread_reply_names_the_network_root(owner, chan, clock, sla_calls):
    conversation = make_conversation(
        chan,
        external_id="m9",
        data={"uri": "at://m9", "cid": "c9", "root": {"uri": "at://root", "cid": "r1"}},
    )
    actions.reply(owner, conversation, "Thanks!")
    reply_to = Post.objects.get().variants.get().reply_to
    assert reply_to is not None
    assert reply_to["root"] == {
        "external_id": "at://root",
        "url": "",
        "data": {"uri": "at://root", "cid": "r1"},
    }
    assert reply_to["parent"]["external_id"] == "m9"


def test_a_comment_reply_hangs_under_the_commented_post(owner, chan, clock, sla_calls):
    InboxSource.objects.create(
        workspace=chan.workspace,
        channel=chan,
        kind=SourceKind.COMMENTS,
        ref_external_id="post-7",
        ref_data={"external_id": "post-7", "url": "https://fake.example/p/7", "data": {"n": 7}},
    )
    conversation = make_conversation(
        chan, kind=Kind.COMMENT, external_id="c1", in_reply_to="post-7", data={"n": "c1"}
    )
    actions.reply(owner, conversation, "Glad you like it")
    reply_to = Post.objects.get().variants.get().reply_to
    assert reply_to is not None
    assert reply_to["root"] == {
        "external_id": "post-7",
        "url": "https://fake.example/p/7",
        "data": {"n": 7},
    }
    assert reply_to["parent"]["external_id"] == "c1"


def test_a_reply_answers_the_message_chosen(owner, conversation, clock, sla_calls):
    first = inbound(conversation)
    Message.objects.create(
        workspace=conversation.workspace,
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.INBOUND,
        kind=conversation.kind,
        external_id="m2",
        text="Hello?",
        created_at=NOW - timedelta(minutes=1),
    )
    assert actions.reply(owner, conversation, "Hi").in_reply_to == "m2"  # the latest
    assert actions.reply(owner, conversation, "Hi", to_message=first).in_reply_to == "m1"


def test_a_saved_reply_fills_its_placeholders(owner, conversation, clock, sla_calls):
    saved = SavedReply.objects.create(
        workspace=owner.workspace,
        title="Thanks",
        language="en",
        text="Thanks {first_name}! {agent}",
    )
    message = actions.reply(owner, conversation, "", saved_reply=saved)
    assert message.text == "Thanks Carol! Alice Martin"


def test_a_reply_over_the_network_limit_is_refused_with_the_numbers(owner, conversation, clock):
    with pytest.raises(ActionError) as refused:
        actions.reply(owner, conversation, "x" * 305)
    assert refused.value.message == (
        "The reply is 305 characters long; Fakechat allows 300: shorten it by 5."
    )
    assert not Post.objects.exists() and not Delivery.objects.exists()


def test_an_empty_reply_is_refused(owner, conversation):
    with pytest.raises(ActionError, match="Write the reply first"):
        actions.reply(owner, conversation, "   ")


def test_a_network_that_cannot_reply_says_so(owner, acme, inbox_network, clock):
    channel = Channel.objects.create(
        workspace=acme, network="readonly", external_id="r", handle="@ro"
    )
    conversation = make_conversation(channel, kind=Kind.COMMENT)
    with pytest.raises(ActionError, match="Hubbub cannot reply on Readonlygram"):
        actions.reply(owner, conversation, "Hi")
    dm = make_conversation(channel, kind=Kind.MESSAGE, external_id="d1", author="eve")
    with pytest.raises(ActionError, match="cannot send direct messages on Readonlygram"):
        actions.reply(owner, dm, "Hi")
    assert not Post.objects.exists()


def test_a_disconnected_channel_cannot_reply(owner, conversation, chan):
    Channel.objects.filter(pk=chan.pk).update(disconnected_at=NOW)
    conversation.channel.refresh_from_db()
    with pytest.raises(ActionError, match="disconnected"):
        actions.reply(owner, conversation, "Hi")


def test_replying_needs_the_inbox_reply_permission(analyst, conversation):
    with pytest.raises(PermissionDenied):
        actions.reply(analyst, conversation, "Hi")
    assert not Post.objects.exists()


def test_moderators_and_editors_may_reply(moderator, editor, conversation, clock, sla_calls):
    actions.reply(moderator, conversation, "One")
    actions.reply(editor, conversation, "Two")
    assert Delivery.objects.count() == 2


def test_another_workspaces_conversation_is_refused(owner, other_conversation):
    with pytest.raises(ActionError, match="another workspace"):
        actions.reply(owner, other_conversation, "Hi")
    assert not Post.objects.exists()


def test_a_message_of_another_conversation_is_refused(owner, conversation, chan):
    elsewhere = make_conversation(chan, external_id="m5", author="frank")
    with pytest.raises(ActionError, match="not part of this conversation"):
        actions.reply(owner, conversation, "Hi", to_message=inbound(elsewhere))


def test_another_workspaces_saved_reply_is_refused(owner, conversation, globex):
    saved = SavedReply.objects.create(workspace=globex, title="x", language="en", text="x")
    with pytest.raises(ActionError, match="another workspace"):
        actions.reply(owner, conversation, "", saved_reply=saved)


# --- the replying lease -------------------------------------------------------------------------


def test_the_second_person_learns_who_is_already_replying(owner, editor, conversation, clock):
    assert actions.start_replying(owner, conversation) is None
    assert actions.start_replying(editor, conversation) == owner.user
    assert actions.start_replying(owner, conversation) is None  # renewing one's own
    actions.stop_replying(editor, conversation)  # not theirs: nothing changes
    assert Conversation.objects.get(pk=conversation.pk).replying_user == owner.user
    actions.stop_replying(owner, conversation)
    assert actions.start_replying(editor, conversation) is None


def test_the_lease_runs_out(owner, editor, conversation, clock):
    actions.start_replying(owner, conversation)
    clock.shift(actions.REPLYING_LEASE + timedelta(seconds=1))
    assert actions.start_replying(editor, conversation) is None
    assert Conversation.objects.get(pk=conversation.pk).replying_user == editor.user


def test_sending_the_reply_gives_the_lease_back(owner, editor, conversation, clock, sla_calls):
    actions.start_replying(owner, conversation)
    actions.reply(owner, conversation, "Done")
    assert actions.start_replying(editor, conversation) is None


def test_the_lease_needs_permission_and_the_workspace(analyst, owner, other_conversation):
    with pytest.raises(PermissionDenied):
        actions.start_replying(analyst, other_conversation)
    with pytest.raises(ActionError):
        actions.start_replying(owner, other_conversation)


# --- auto-reply ---------------------------------------------------------------------------------


def test_a_rule_auto_replies_at_most_once(owner, conversation, clock, sla_calls):
    rule = Rule.objects.create(workspace=owner.workspace, name="ack", actions=[])
    first = actions.auto_reply(conversation, "Hi {first_name}, we read every message.", rule)
    assert first is not None
    assert first.is_auto_reply and first.sent_by is None
    assert first.text == "Hi Carol, we read every message."
    assert actions.auto_reply(conversation, "again", rule) is None
    assert Delivery.objects.count() == 1
    assert Post.objects.get().author is None
    conversation.refresh_from_db()
    assert conversation.auto_replied_at == NOW
    # An acknowledgement is no answer: the conversation still waits for a person.
    assert conversation.status == Status.OPEN
    assert conversation.first_response_at is None
    assert sla_calls == []
    assert AuditEntry.objects.get(action="conversation.auto_reply").after["rule"] == rule.pk


def test_an_auto_reply_where_the_network_cannot_reply_marks_nothing(owner, acme, inbox_network):
    channel = Channel.objects.create(
        workspace=acme, network="readonly", external_id="r", handle="@ro"
    )
    conversation = make_conversation(channel)
    rule = Rule.objects.create(workspace=acme, name="ack", actions=[])
    assert actions.auto_reply(conversation, "Hi", rule) is None
    conversation.refresh_from_db()
    assert conversation.auto_replied_at is None
