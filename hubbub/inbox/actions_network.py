"""Acting on a message on the network itself: like it, hide it, delete it.

Each goes through the channel's connector and is recorded only once the network said yes;
a network that cannot do it is told to the person in a sentence, before any call.
No database transaction is held open across the network call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.inbox.actions_common import audit, same_workspace
from hubbub.inbox.actions_reply import message_ref
from hubbub.inbox.models import Direction, Message
from hubbub.networks.base import Capability, Connector, ConnectorError
from hubbub.networks.registry import connector_class, connector_for


def _on_network(message: Message, capability: Capability, refusal: str) -> Connector:
    """The connector of the message's channel, once sure it can do `capability`."""
    channel = message.channel
    if not message.external_id:
        raise ActionError(_("This message is not on the network yet."))
    if message.deleted_at is not None:
        raise ActionError(_("This message was deleted on the network."))
    if not channel.is_connected:
        raise ActionError(
            _("%(channel)s is disconnected: reconnect it first.") % {"channel": channel.handle}
        )
    if (channel.config or {}).get("demo"):
        raise ActionError(_("This is a demo channel (hubbub demo): nothing is sent to a network."))
    cls = connector_class(channel.network)
    if capability not in cls.capabilities:
        raise ActionError(refusal % {"network": cls.label})
    return connector_for(channel)


def _call(function: Callable[..., Any], *args: Any) -> None:
    try:
        function(*args)
    except ConnectorError as exc:
        raise ActionError(
            _("The network refused: %(error)s") % {"error": exc}
            if exc.permanent
            else _("The network did not answer (%(error)s): try again in a moment.")
            % {"error": exc}
        ) from None


def like(access: Access, message: Message) -> Message:
    access.require("inbox.reply")
    same_workspace(access, message)
    if message.liked_at is not None:
        return message
    connector = _on_network(
        message, Capability.LIKE, _("%(network)s does not let Hubbub like messages: like it there.")
    )
    _call(connector.like, message_ref(message))
    message.liked_at = timezone.now()
    message.save(update_fields=["liked_at"])
    audit(access, "message.like", message, after={"liked_at": message.liked_at.isoformat()})
    return message


def hide(access: Access, message: Message, hidden: bool = True) -> Message:
    """Hide a comment from the public (or show it again), where the network allows."""
    access.require("inbox.moderate")
    same_workspace(access, message)
    if (message.hidden_at is not None) == hidden:
        return message
    if message.direction != Direction.INBOUND:
        raise ActionError(_("Only messages from others can be hidden."))
    connector = _on_network(
        message, Capability.HIDE, _("%(network)s does not let Hubbub hide messages: hide it there.")
    )
    _call(connector.hide, message_ref(message), hidden)
    message.hidden_at = timezone.now() if hidden else None
    message.save(update_fields=["hidden_at"])
    audit(
        access,
        "message.hide" if hidden else "message.unhide",
        message,
        {"hidden": not hidden},
        {"hidden": hidden},
    )
    return message


def delete_on_network(access: Access, message: Message) -> Message:
    """Delete a comment on one of our posts, or one of our own replies. The message stays in
    the inbox, marked deleted: the conversation's history keeps what was said."""
    access.require("inbox.moderate")
    same_workspace(access, message)
    if message.direction == Direction.OUTBOUND:
        connector = _on_network(
            message,
            Capability.DELETE,
            _("%(network)s does not let Hubbub delete posts: delete it there."),
        )
        _call(connector.delete, message_ref(message))
    else:
        connector = _on_network(
            message,
            Capability.DELETE_COMMENTS,
            _("%(network)s does not let Hubbub delete comments: delete it there."),
        )
        _call(connector.delete_comment, message_ref(message))
    message.deleted_at = timezone.now()
    message.save(update_fields=["deleted_at"])
    audit(access, "message.delete", message, after={"deleted_at": message.deleted_at.isoformat()})
    return message
