"""A post: one message with a purpose, tailored per channel (a variant each), with media.

Post status, and how it moves (every change is audited):

    draft ──submit──▶ in_review ──approve──▶ approved ──schedule──▶ scheduled
      └──────────────────schedule (no approval workflow)──────────────┘
    scheduled ──a delivery is claimed──▶ publishing ──▶ published  (every channel out)
                                      publishing ──▶ partly_failed (some out, some need a person)
                                      publishing ──▶ failed        (none out)
    draft / in_review / approved / scheduled ──cancel──▶ cancelled

Editing an in_review or approved post sends it back to draft; a scheduled post can be edited
until one of its deliveries is being published. From `scheduled` on, the post's status is
derived from its deliveries (see hubbub.publishing.status).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.publishing.models.campaigns import Campaign


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    PARTLY_FAILED = "partly_failed", _("Partly failed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


EDITABLE = (PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED)


class PostKind(models.TextChoices):
    POST = "post", _("Post")
    # An answer written in the inbox: it goes out through the same exactly-once deliveries,
    # but is no post of the calendar, the lists, the exports or the approvals.
    REPLY = "reply", _("Inbox reply")


class PostQuerySet(models.QuerySet["Post"]):
    def posts(self) -> PostQuerySet:
        """The brand's own posts, without the inbox's replies."""
        return self.filter(kind=PostKind.POST)


class Post(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    purpose = models.TextField(_("purpose"))  # what it is for: required, shown in the calendar
    status = models.CharField(
        max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT, db_index=True
    )
    # UTC. The planned time: set on drafts and posts in review too (the calendar shows them
    # there); deliveries exist only once the post is scheduled.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    # Approvals: each submission (or edit after one) starts a new round of decisions.
    approval_round = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Recurring posts: the first post holds the RFC 5545 rule (e.g.
    # "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270101T000000Z", in the workspace's wall-clock time);
    # each occurrence is a post of its own pointing at it through `series`.
    rrule = models.TextField(_("repeats"), blank=True)
    series = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="occurrences"
    )
    kind = models.CharField(max_length=10, choices=PostKind.choices, default=PostKind.POST)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["workspace", "scheduled_at"])]

    def __str__(self) -> str:
        return self.purpose[:60] or f"post {self.pk}"


class PostVariant(models.Model):
    """The post as it goes to one channel: a thread of one or more text parts."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    parts = models.JSONField(default=list)  # list[str], in thread order; one for a single post
    first_comment = models.TextField(blank=True)
    link = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=16, blank=True)  # BCP 47
    # An inbox reply answers a message on the network: {"root": ref, "parent": ref} with refs
    # as hubbub.publishing.models.deliveries.ref_to_json writes them. The first part goes out
    # as a reply to it.
    reply_to = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_variant_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.post} on {self.channel}"

    def texts(self) -> list[str]:
        """Every part published in order: the thread, then the first comment as its last reply."""
        texts = [str(p) for p in self.parts]
        if self.first_comment.strip():
            texts.append(self.first_comment)
        return texts


class PostMedia(models.Model):
    """An image or video of a post (all its variants) or of one variant, attached to one part."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    variant = models.ForeignKey(
        PostVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    path = models.CharField(max_length=500)  # relative to MEDIA_ROOT
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    alt_text = models.TextField(blank=True)
    part_index = models.PositiveIntegerField(default=0)  # which part of a thread carries it
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["part_index", "position", "id"]

    def __str__(self) -> str:
        return self.path
