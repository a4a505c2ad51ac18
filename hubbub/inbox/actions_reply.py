"""Answering a conversation: replies (by a person or a rule) and the "already replying" lease.

A reply is a Post of kind REPLY with one variant answering a message on the network, and
its Delivery: it goes out through the publishing dispatcher, exactly once (the fence, the
lease, the lookup after an unknown outcome), yet no post list, calendar or export shows it
(Post.objects.posts()). The outbound Message in the thread points at the delivery, so the
thread shows its status; hubbub.inbox.receivers fills in its address on the network once
it is out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.inbox.actions_common import audit, same_workspace, sla
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
from hubbub.inbox.saved_replies import render
from hubbub.networks.base import Capability, Counting
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.registry import connector_class
from hubbub.publishing import tasks, writes
from hubbub.publishing.models import (
    Delivery,
    DeliveryStatus,
    Post,
    PostKind,
    PostStatus,
    PostVariant,
)
from hubbub.publishing.models.deliveries import ref_to_json
from hubbub.publishing.validation import limits_of

# The same text to the same message within this time is one reply clicked twice.
DUPLICATE_WINDOW = timedelta(seconds=10)
# How long "Bob is replying" holds without the page renewing it (it renews while typing).
REPLYING_LEASE = timedelta(seconds=90)


# --- what a reply answers --------------------------------------------------------------------


def message_ref(message: Message) -> PublishedRef:
    """A message as the network knows it: what a reply to it, a like or a hide needs."""
    return PublishedRef(external_id=message.external_id, url=message.url, data=dict(message.data))


def _ref_of(value: Any) -> PublishedRef | None:
    """A thread root as ingestion stored it in Message.data["root"]: a PublishedRef as JSON
    ({"external_id", "url", "data"}) or the network's own reference (Bluesky: {uri, cid})."""
    if not isinstance(value, dict) or not value:
        return None
    if "external_id" in value:
        data = value.get("data")
        return PublishedRef(
            external_id=str(value["external_id"]),
            url=str(value.get("url", "")),
            data=dict(data) if isinstance(data, dict) else {},
        )
    external_id = value.get("uri") or value.get("id") or ""
    return PublishedRef(external_id=str(external_id), data=dict(value)) if external_id else None


def _commented_post(conversation: Conversation) -> PublishedRef | None:
    """The post of ours a comment thread hangs under: the comments source whose post one of
    the conversation's messages answers."""
    answered = set(
        conversation.messages.exclude(in_reply_to="").values_list("in_reply_to", flat=True)
    )
    if not answered:
        return None
    source = (
        InboxSource.objects.filter(
            channel_id=conversation.channel_id,
            kind=SourceKind.COMMENTS,
            ref_external_id__in=answered,
        )
        .order_by("pk")
        .first()
    )
    if source is None:
        return None
    return _ref_of(source.ref_data) or PublishedRef(external_id=source.ref_external_id)


def thread_root(conversation: Conversation, message: Message) -> PublishedRef:
    """The root of the thread a reply to `message` joins: the network's own record of it
    (message.data["root"]), else for comments the commented post, else the message itself
    (a mention starting a thread, a direct message)."""
    root = _ref_of(message.data.get("root"))
    if root is not None:
        return root
    if conversation.kind == Kind.COMMENT:
        post = _commented_post(conversation)
        if post is not None:
            return post
    return message_ref(message)


def latest_inbound(conversation: Conversation) -> Message | None:
    return (
        conversation.messages.filter(direction=Direction.INBOUND, deleted_at__isnull=True)
        .exclude(external_id="")
        .order_by("-created_at", "-pk")
        .first()
    )


# --- checks ----------------------------------------------------------------------------------


def _check_can_reply(conversation: Conversation) -> None:
    channel = conversation.channel
    if not channel.is_connected:
        raise ActionError(
            _("%(channel)s is disconnected: reconnect it to reply.") % {"channel": channel.handle}
        )
    if (channel.config or {}).get("demo"):
        raise ActionError(_("This is a demo channel (hubbub demo): nothing is sent to a network."))
    cls = connector_class(channel.network)
    needed = Capability.DIRECT_MESSAGES if conversation.kind == Kind.MESSAGE else Capability.REPLY
    if needed not in cls.capabilities:
        if conversation.kind == Kind.MESSAGE:
            message = _("Hubbub cannot send direct messages on %(network)s: answer there.")
        else:
            message = _("Hubbub cannot reply on %(network)s: answer on the network itself.")
        raise ActionError(message % {"network": cls.label})


def _check_text(conversation: Conversation, text: str) -> None:
    if not text.strip():
        raise ActionError(_("Write the reply first."), field="text")
    limits = limits_of(conversation.channel).text
    length = limits.count(text)
    if length <= limits.max_length:
        return
    values = {
        "network": conversation.channel.network_label,
        "length": length,
        "max": limits.max_length,
        "over": length - limits.max_length,
    }
    if limits.counting == Counting.BYTES:
        message = _(
            "The reply takes %(length)s bytes (an accented letter takes 2, an emoji 4); "
            "%(network)s allows %(max)s: shorten it by %(over)s."
        )
    else:
        message = _(
            "The reply is %(length)s characters long; %(network)s allows %(max)s: shorten it "
            "by %(over)s."
        )
    raise ActionError(message % values, field="text")


def _answered(conversation: Conversation, to_message: Message | None) -> Message:
    if to_message is not None:
        if to_message.conversation_id != conversation.pk:
            raise ActionError(_("That message is not part of this conversation."))
        if not to_message.external_id:
            raise ActionError(_("That reply is not on the network yet: answer another message."))
        return to_message
    found = latest_inbound(conversation)
    if found is None:
        raise ActionError(_("There is no message on the network to answer in this conversation."))
    return found


# --- sending -----------------------------------------------------------------------------------


def _duplicate(
    conversation: Conversation, parent: Message, text: str, now: datetime
) -> Message | None:
    """The same reply to the same message sent moments ago (a double click, a resent form)."""
    return (
        Message.objects.filter(
            conversation=conversation,
            direction=Direction.OUTBOUND,
            in_reply_to=parent.external_id,
            text=text,
            created_at__gte=now - DUPLICATE_WINDOW,
            delivery__isnull=False,
        )
        .exclude(delivery__status=DeliveryStatus.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )


def _send(
    conversation: Conversation,
    parent: Message,
    text: str,
    *,
    author: User | None,
    auto: bool,
    now: datetime,
) -> Message:
    """The reply's post, variant, delivery and outbound message (inside the caller's
    transaction); the delivery is handed to the workers once it commits."""
    root = thread_root(conversation, parent)
    post = Post.objects.create(
        workspace_id=conversation.workspace_id,
        author=author,
        kind=PostKind.REPLY,
        purpose=_("Reply in conversation %(n)s") % {"n": conversation.pk},
        status=PostStatus.SCHEDULED,
        scheduled_at=now,
    )
    variant = PostVariant.objects.create(
        post=post,
        channel_id=conversation.channel_id,
        parts=[text],
        language=conversation.language,
        reply_to={"root": ref_to_json(root), "parent": ref_to_json(message_ref(parent))},
    )
    delivery = Delivery.objects.create(
        workspace_id=conversation.workspace_id,
        post=post,
        variant=variant,
        channel_id=conversation.channel_id,
        due_at=now,
        next_attempt_at=now,
    )
    message = Message.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        channel_id=conversation.channel_id,
        direction=Direction.OUTBOUND,
        kind=conversation.kind,
        in_reply_to=parent.external_id,
        sent_by=author,
        is_auto_reply=auto,
        text=text,
        created_at=now,
        received_at=now,
        delivery=delivery,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=F("message_count") + 1, last_message_at=now, updated_at=now
    )
    conversation.message_count += 1
    conversation.last_message_at = conversation.updated_at = now
    tasks.enqueue(delivery.pk)
    return message


def reply(
    access: Access,
    conversation: Conversation,
    text: str,
    *,
    to_message: Message | None = None,
    saved_reply: SavedReply | None = None,
) -> Message:
    """Send `text` as a reply to `to_message` (default: the latest message received), through
    the publishing dispatcher. The conversation becomes pending (waiting for the customer);
    the first reply of a cycle is its first response. Sending the same text to the same
    message again within DUPLICATE_WINDOW returns the first reply instead of a second one."""
    access.require("inbox.reply")
    same_workspace(access, conversation)
    same_workspace(access, saved_reply)
    if saved_reply is not None and not text.strip():
        text = render(saved_reply.text, conversation, access.user)
    text = text.strip()
    _check_can_reply(conversation)
    _check_text(conversation, text)
    parent = _answered(conversation, to_message)
    now = timezone.now()
    with writes.write():
        # Locked: two clicks in two requests meet here one after the other.
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        existing = _duplicate(locked, parent, text, now)
        if existing is not None:
            return existing
        message = _send(locked, parent, text, author=access.user, auto=False, now=now)
        before = {"status": locked.status}
        first = locked.first_response_at is None
        locked.status = Status.PENDING
        locked.waiting_since = None
        locked.closed_at = None
        if locked.replying_user_id == access.user.pk:
            locked.replying_user, locked.replying_until = None, None
        locked.save(
            update_fields=[
                "status",
                "waiting_since",
                "closed_at",
                "replying_user",
                "replying_until",
            ]
        )
        audit(
            access,
            "conversation.reply",
            locked,
            before=before,
            after={
                "status": locked.status,
                "message": message.pk,
                "delivery": message.delivery_id,
                "in_reply_to": parent.external_id,
                "saved_reply": saved_reply.pk if saved_reply is not None else None,
            },
        )
        if first:  # it sets first_response_at, and records a breach if late
            sla("on_first_response", locked, now)
    _copy(locked, conversation)
    return message


def _copy(source: Conversation, target: Conversation) -> None:
    """Bring the caller's instance up to date with what an action saved on a locked copy."""
    if source is target:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def auto_reply(conversation: Conversation, text: str, rule: Rule) -> Message | None:
    """A rule's automatic answer: at most once per conversation, whatever the number of
    rules, messages and workers (a conditional update of auto_replied_at). None when the
    conversation had one already, or the channel cannot reply (nothing then is marked).
    An acknowledgement is no response: targets keep running and the status stays."""
    now = timezone.now()
    try:
        _check_can_reply(conversation)
        text = render(text, conversation, None).strip()
        _check_text(conversation, text)
        parent = _answered(conversation, None)
    except ActionError:
        return None
    with writes.write():
        if not Conversation.objects.filter(pk=conversation.pk, auto_replied_at__isnull=True).update(
            auto_replied_at=now
        ):
            return None
        conversation.auto_replied_at = now
        message = _send(conversation, parent, text, author=None, auto=True, now=now)
        record(
            "conversation.auto_reply",
            workspace=conversation.workspace,
            actor=None,
            via="system",
            obj=conversation,
            after={"rule": rule.pk, "message": message.pk, "delivery": message.delivery_id},
        )
    return message


# --- "someone is already replying" -------------------------------------------------------------


def start_replying(access: Access, conversation: Conversation) -> User | None:
    """Take (or renew) the replying lease: None when it is ours now, else the colleague
    who holds it (the page then warns "Bob is already replying")."""
    access.require("inbox.reply")
    same_workspace(access, conversation)
    now = timezone.now()
    free = Q(replying_user__isnull=True) | Q(replying_until__lt=now) | Q(replying_user=access.user)
    if Conversation.objects.filter(free, pk=conversation.pk).update(
        replying_user=access.user, replying_until=now + REPLYING_LEASE
    ):
        conversation.replying_user_id = access.user.pk
        conversation.replying_until = now + REPLYING_LEASE
        return None
    holder = (
        Conversation.objects.filter(pk=conversation.pk)
        .select_related("replying_user")
        .values_list("replying_user", flat=True)
        .first()
    )
    return User.objects.filter(pk=holder).first() if holder is not None else None


def stop_replying(access: Access, conversation: Conversation) -> None:
    """Give the lease back (the reply was sent or the draft closed); someone else's stays."""
    access.require("inbox.reply")
    same_workspace(access, conversation)
    Conversation.objects.filter(pk=conversation.pk, replying_user=access.user).update(
        replying_user=None, replying_until=None
    )
