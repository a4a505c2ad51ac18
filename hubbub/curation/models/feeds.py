"""Feeds a workspace reads, the items they bring, and who has read which.

An item is stored once per workspace however many feeds carry it: its `key` is the
normalised link (or, with no link, the feed's id for it), so the same article from two
feeds, or read twice, is one item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class Feed(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # The feed's own address (after discovery from a site's page), checked against private
    # addresses when saved and on every read.
    url = models.URLField(_("feed address"), max_length=2000)
    site_url = models.URLField(_("site"), max_length=2000, blank=True)
    title = models.CharField(_("name"), max_length=300, blank=True)
    topic = models.CharField(_("topic"), max_length=100, blank=True)  # a folder people group by
    language = models.CharField(_("language"), max_length=16, blank=True)  # declared, BCP 47
    is_active = models.BooleanField(_("active"), default=True)
    interval = models.PositiveIntegerField(_("read every (seconds)"), default=3600)
    # HTTP caching: sent back so an unchanged feed costs a 304
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_read_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_found = models.PositiveIntegerField(default=0)  # items new at the last read
    last_error = models.TextField(blank=True)
    last_problems = models.JSONField(default=list, blank=True)  # sentences, per bad item
    error_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "url"], name="one_feed_per_address")
        ]
        indexes = [models.Index(fields=["is_active", "next_read_at"], name="curation_feed_due")]

    def __str__(self) -> str:
        return self.title or self.url


class FeedItem(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=64)  # sha256 of the normalised link or of the feed's id
    external_id = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)  # plain text, tags removed
    author = models.CharField(max_length=255, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=16, blank=True)  # detected
    published_at = models.DateTimeField()
    dated = models.BooleanField(default=True)  # False: the feed gave no date
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="one_feed_item_per_key")
        ]
        indexes = [
            models.Index(fields=["workspace", "-published_at"], name="curation_item_recent"),
            models.Index(fields=["feed", "-published_at"], name="curation_item_feed"),
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.external_id


class FeedItemRead(models.Model):
    """Read/unread is each person's own: what Alice has read is still new to Bob."""

    item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="one_read_per_person")]

    def __str__(self) -> str:
        return f"{self.item_id} read by {self.user_id}"
