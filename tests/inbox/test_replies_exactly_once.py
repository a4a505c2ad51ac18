"""A reply from the inbox goes out exactly once: a double click makes one delivery, two
workers publish it once, and a time-out after the network got it is looked up, not resent.
Through the real dispatcher, with the fake network."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from hubbub.core.models import Notification
from hubbub.inbox import (
    actions,
    receivers,  # noqa: F401  (connects the receivers, as the app does)
)
from hubbub.inbox.models import Conversation, Direction, Message
from hubbub.networks.base import PermanentError, TransientError
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import (
    Attempt,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Post,
    PostStatus,
)
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    NOW,
    chan,
    clock,
    conversation,
    editor,
    inbox_network,
    member,
    owner,
    sla_calls,
)

pytestmark = pytest.mark.django_db
D = DeliveryStatus


def delivery_of(message: Message) -> Delivery:
    assert message.delivery is not None, "the reply has its delivery"
    return message.delivery


def delivery_id(message: Message) -> int:
    return delivery_of(message).pk


def fresh(message: Message) -> Message:
    return Message.objects.select_related("delivery").get(pk=message.pk)


def test_a_double_click_makes_one_reply(owner, conversation, clock, sla_calls):
    first = actions.reply(owner, conversation, "On its way!")
    clock.shift(timedelta(seconds=3))
    second = actions.reply(owner, conversation, "On its way!")
    assert second.pk == first.pk
    assert Delivery.objects.count() == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1
    assert Conversation.objects.get(pk=conversation.pk).message_count == 2


def test_a_colleague_clicking_the_same_reply_at_once_makes_one_reply(
    owner, editor, conversation, clock, sla_calls
):
    first = actions.reply(owner, conversation, "On its way!")
    assert actions.reply(editor, conversation, "On its way!").pk == first.pk
    assert Delivery.objects.count() == 1


def test_the_same_text_later_or_different_is_a_new_reply(owner, conversation, clock, sla_calls):
    actions.reply(owner, conversation, "Thanks!")
    actions.reply(owner, conversation, "Thanks!!")  # not the same text
    clock.shift(actions.DUPLICATE_WINDOW + timedelta(seconds=1))
    actions.reply(owner, conversation, "Thanks!")  # a deliberate repeat
    assert Delivery.objects.count() == 3


def test_a_reply_goes_out_once_through_the_queue_and_the_thread_shows_it(
    owner, conversation, clock, sla_calls, inbox_network, django_capture_on_commit_callbacks
):
    # The jobs run inline in the tests (HUBBUB_JOBS_IMMEDIATE): committing the reply hands
    # its delivery to the dispatcher, which publishes it at once.
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.reply(owner, conversation, "On its way!")
    [part] = inbox_network.calls
    assert part.text == "On its way!"
    assert part.reply_to is not None
    assert part.reply_to.parent == PublishedRef(
        "m1", "https://fake.example/m/m1", {"uri": "at://m1", "cid": "c1"}
    )
    assert part.reply_to.root == part.reply_to.parent
    message = fresh(message)
    assert delivery_of(message).status == D.PUBLISHED
    assert message.external_id == "post-1"
    assert message.url == "https://fake.example/p/1"
    assert message.data == {"n": 1}
    assert Post.objects.get().status == PostStatus.PUBLISHED
    # Queued again (the sweep, a second worker): nothing more goes out.
    assert deliver(delivery_id(message), "w2") is False
    assert len(inbox_network.calls) == 1


def test_a_time_out_after_the_network_got_it_is_reconciled_not_resent(
    owner, conversation, clock, sla_calls, inbox_network, django_capture_on_commit_callbacks
):
    message = actions.reply(owner, conversation, "On its way!")
    inbox_network.fail_next(TransientError("read timed out", sent=True), after_recording=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(delivery_id(message), "w1")
    delivery = delivery_of(fresh(message))
    assert delivery.status == D.RETRYING
    assert delivery.in_flight_part == 0  # the outcome is unknown: look before sending
    assert fresh(message).external_id == ""
    clock.shift(timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(delivery_id(message), "w2")
    assert len(inbox_network.calls) == 1  # never sent twice
    assert inbox_network.lookups == [f"hubbub-{delivery.pk}-0"]
    message = fresh(message)
    assert delivery_of(message).status == D.PUBLISHED
    assert message.external_id == "post-1"
    outcomes = list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("outcome", flat=True)
    )
    assert outcomes == [Attempt.UNKNOWN, Attempt.RECONCILED_FOUND]


def test_a_time_out_before_the_network_got_it_is_sent_once_after_the_lookup(
    owner, conversation, clock, sla_calls, inbox_network, django_capture_on_commit_callbacks
):
    message = actions.reply(owner, conversation, "On its way!")
    inbox_network.fail_next(TransientError("connection reset", sent=True))
    assert deliver(delivery_id(message), "w1")
    clock.shift(timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(delivery_id(message), "w1")
    assert len(inbox_network.published) == 1
    assert fresh(message).external_id == "post-1"


def test_polling_that_read_the_reply_back_first_leaves_one_message(
    owner, conversation, clock, sla_calls, inbox_network, django_capture_on_commit_callbacks
):
    message = actions.reply(owner, conversation, "On its way!")
    # Ingestion saw our reply on the network before the worker recorded it as published.
    Message.objects.create(
        workspace=conversation.workspace,
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        kind=conversation.kind,
        external_id="post-1",
        text="On its way!",
        created_at=NOW,
    )
    Conversation.objects.filter(pk=conversation.pk).update(message_count=3)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(delivery_id(message), "w1")
    assert list(Message.objects.filter(external_id="post-1").values_list("pk", flat=True)) == [
        message.pk
    ]
    assert Conversation.objects.get(pk=conversation.pk).message_count == 2


def test_a_refused_reply_tells_its_author_with_a_link_to_the_conversation(
    owner, editor, conversation, clock, sla_calls, inbox_network, django_capture_on_commit_callbacks
):
    message = actions.reply(editor, conversation, "On its way!")
    inbox_network.fail_next(PermanentError("Fakechat refused: the comment was deleted"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(delivery_id(message), "w1")
    assert delivery_of(fresh(message)).status == D.NEEDS_ATTENTION
    notice = Notification.objects.get(user=editor.user, kind="inbox.reply_failed")
    assert notice.text == (
        "Your reply to Carol Jones could not be sent: Fakechat refused: the comment was deleted"
    )
    assert notice.url == f"/w/acme/inbox/{conversation.pk}/"
    assert fresh(message).external_id == ""
