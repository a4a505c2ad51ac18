"""Like, hide and delete on the network, through the channel's connector."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry
from hubbub.inbox import actions
from hubbub.inbox.models import Direction, Message
from hubbub.networks.base import PermanentError, TransientError
from hubbub.networks.models import Channel
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
    stranger,
)

pytestmark = pytest.mark.django_db


def test_like(editor, conversation, clock, inbox_network):
    message = actions.like(editor, inbound(conversation))
    assert inbox_network.actions == [("like", "m1", None)]
    assert Message.objects.get(pk=message.pk).liked_at == NOW
    assert AuditEntry.objects.get(action="message.like").actor == editor.user
    actions.like(editor, message)  # already liked: no second call
    assert len(inbox_network.actions) == 1


def test_hide_and_show_again(moderator, conversation, clock, inbox_network):
    message = inbound(conversation)
    actions.hide(moderator, message)
    assert Message.objects.get(pk=message.pk).hidden_at == NOW
    actions.hide(moderator, message, hidden=False)
    assert Message.objects.get(pk=message.pk).hidden_at is None
    assert inbox_network.actions == [("hide", "m1", True), ("hide", "m1", False)]
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == [
        "message.hide",
        "message.unhide",
    ]


def test_delete_a_comment_keeps_it_in_the_inbox_marked_deleted(
    moderator, conversation, clock, inbox_network
):
    message = actions.delete_on_network(moderator, inbound(conversation))
    assert inbox_network.actions == [("delete_comment", "m1", None)]
    message.refresh_from_db()
    assert message.deleted_at == NOW and message.text == "Where is my order?"
    with pytest.raises(ActionError, match="deleted on the network"):
        actions.like(moderator, message)


def test_delete_our_own_reply(moderator, conversation, clock, inbox_network):
    ours = Message.objects.create(
        workspace=conversation.workspace,
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        kind=conversation.kind,
        external_id="post-1",
        text="Oops",
        created_at=NOW,
    )
    actions.delete_on_network(moderator, ours)
    assert inbox_network.actions == [("delete", "post-1", None)]


def test_a_network_refusal_is_told_and_nothing_is_marked(moderator, conversation, inbox_network):
    inbox_network.refuse = PermanentError("Fakechat: not your post")
    with pytest.raises(ActionError, match="The network refused: Fakechat: not your post"):
        actions.hide(moderator, inbound(conversation))
    inbox_network.refuse = TransientError("Fakechat is down")
    with pytest.raises(ActionError, match="did not answer"):
        actions.like(moderator, inbound(conversation))
    message = inbound(conversation)
    assert message.hidden_at is None and message.liked_at is None
    assert not AuditEntry.objects.exists()


def test_a_network_that_cannot_says_so_before_any_call(owner, acme, inbox_network):
    channel = Channel.objects.create(
        workspace=acme, network="readonly", external_id="r", handle="@ro"
    )
    message = inbound(make_conversation(channel))
    with pytest.raises(ActionError, match="Readonlygram does not let Hubbub like messages"):
        actions.like(owner, message)
    with pytest.raises(ActionError, match="Readonlygram does not let Hubbub hide messages"):
        actions.hide(owner, message)
    with pytest.raises(ActionError, match="Readonlygram does not let Hubbub delete comments"):
        actions.delete_on_network(owner, message)


def test_moderation_needs_the_moderate_permission(editor, analyst, conversation, inbox_network):
    message = inbound(conversation)
    with pytest.raises(PermissionDenied):
        actions.hide(editor, message)  # editors reply; they do not moderate
    with pytest.raises(PermissionDenied):
        actions.delete_on_network(editor, message)
    with pytest.raises(PermissionDenied):
        actions.like(analyst, message)
    assert inbox_network.actions == []


def test_another_workspaces_message_is_refused(owner, other_conversation, inbox_network):
    message = inbound(other_conversation)
    for act in (actions.like, actions.hide, actions.delete_on_network):
        with pytest.raises(ActionError, match="another workspace"):
            act(owner, message)
    assert inbox_network.actions == []
