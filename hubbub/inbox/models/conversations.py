"""Conversations and their messages, notes, tags, teams, saved replies and saved views.

A conversation groups the messages of one person in one thread on one channel: the comments
someone leaves under one of our posts, a mention and the replies around it, or a direct
message thread. Ingestion computes `thread_key` (see hubbub.inbox.ingest.thread_key_for) so
that the same thread and person always land in the same conversation.

Status:  open ──reply sent──▶ pending (waiting for the customer) ──customer writes──▶ open
         open / pending ──close──▶ closed ──customer writes again──▶ open (a new cycle:
         opened_at moves, first response and resolution targets start again)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.inbox.models.people import Customer, Identity
from hubbub.networks.models import Channel


class Kind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    MENTION = "mention", _("Mention")
    MESSAGE = "message", _("Direct message")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    CLOSED = "closed", _("Closed")


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    colour = models.CharField(_("colour"), max_length=7, default="#6b7280")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_tag_per_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inbox_teams")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_team_per_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _someone() -> Any:
    """A member, or nobody, as on most rows: indexed only where set (see the Meta indexes),
    so that a row for nobody adds no entry (0004)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )


class Conversation(models.Model):
    # No index of their own: the composite indexes below start with the workspace, and
    # one_conversation_per_thread with the channel; one more costs every write (0004).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    thread_key = models.CharField(max_length=1000)
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    customer = models.ForeignKey(  # indexed with last_message_at (0002), not alone (0004)
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        db_index=False,
    )
    subject = models.CharField(max_length=200, blank=True)  # an excerpt, for the list
    root_url = models.URLField(max_length=2000, blank=True)  # the thread on the network
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Mostly empty: indexed only where set (see Meta), so that a new conversation does not
    # add an entry for nobody to each of their indexes (0004).
    assignee = _someone()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    language = models.CharField(max_length=8, blank=True)  # of the latest inbound message
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField()  # start of the current cycle (first or reopening message)
    last_message_at = models.DateTimeField()
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # The oldest inbound message not yet answered; None when we spoke last.
    waiting_since = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)  # in the current cycle
    closed_at = models.DateTimeField(null=True, blank=True)
    # Response-time targets (hubbub.inbox.sla): due times in UTC, computed in business hours.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    auto_replied_at = models.DateTimeField(null=True, blank=True)  # rules auto-reply at most once
    # "Someone is already replying": set while a colleague types, for REPLYING_LEASE.
    replying_user = _someone()
    replying_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "thread_key"], name="one_conversation_per_thread"
            )
        ]
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status", "-last_message_at"]),
            models.Index(fields=["workspace", "-last_message_at"]),
            models.Index(fields=["workspace", "assignee", "status"]),
            models.Index(fields=["workspace", "channel", "status"]),
            models.Index(fields=["status", "first_response_due_at"]),
            models.Index(fields=["status", "resolution_due_at"]),
            # Reports (hubbub.inbox.reports): the conversations opened in a period.
            models.Index(fields=["workspace", "opened_at"]),
            # For deleting a person or a team (SET_NULL): where set only. Both databases
            # use such an index for "= x" and "IN (…)", which imply "IS NOT NULL".
            models.Index(
                fields=["assignee"], condition=Q(assignee__isnull=False), name="inbox_conv_assignee"
            ),
            models.Index(fields=["team"], condition=Q(team__isnull=False), name="inbox_conv_team"),
            models.Index(
                fields=["replying_user"],
                condition=Q(replying_user__isnull=False),
                name="inbox_conv_replying",
            ),
        ]

    def __str__(self) -> str:
        return f"conversation {self.pk} on {self.channel}"


class Direction(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class Message(models.Model):
    """One comment, mention, direct message or reply. Inbound text is untrusted: it is stored
    as received (after hubbub.inbox.text.clean) and escaped wherever it is shown."""

    # No index of their own: (workspace, direction, created_at) and (conversation,
    # created_at) start with them (0004).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    external_id = models.CharField(max_length=1000, blank=True)  # blank until a reply is out
    in_reply_to = models.CharField(max_length=1000, blank=True)
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    sent_by = _someone()  # who wrote an outbound reply (None: a rule's auto-reply)
    is_auto_reply = models.BooleanField(default=False)
    text = models.TextField()
    url = models.URLField(max_length=2000, blank=True)
    data = models.JSONField(default=dict, blank=True)  # what a reply to it needs (Incoming.data)
    created_at = models.DateTimeField()  # on the network (for outbound: when written)
    received_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)  # edited on the network
    original_text = models.TextField(blank=True)  # the text before the first edit
    deleted_at = models.DateTimeField(null=True, blank=True)  # deleted on the network
    hidden_at = models.DateTimeField(null=True, blank=True)  # hidden by us, where allowed
    liked_at = models.DateTimeField(null=True, blank=True)  # liked by us
    delivery = models.ForeignKey(  # an outbound reply's exactly-once delivery
        "publishing.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # indexed where set (see Meta)
    )
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)  # -1 … 1

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="one_message_per_network_id",
            )
        ]
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(fields=["workspace", "direction", "created_at"]),
            # Outbound replies only (where set, as the conversations' people above).
            models.Index(
                fields=["sent_by"], condition=Q(sent_by__isnull=False), name="inbox_msg_sent_by"
            ),
            models.Index(
                fields=["delivery"], condition=Q(delivery__isnull=False), name="inbox_msg_delivery"
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.direction}) in {self.conversation_id}"


class Note(models.Model):
    """An internal note on a conversation: never sent to the network."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.conversation_id}"


class SavedReply(models.Model):
    """A canned answer; placeholders {first_name}, {name}, {handle}, {agent}, {channel}
    are filled by hubbub.inbox.saved_replies.render."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "language"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class SavedView(models.Model):
    """A named set of inbox filters (the list page's query string); shared when owner is None."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(max_length=2000)  # e.g. "status=open&assignee=me&tag=3"
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
