"""The content library: approved snippets, images, links, hashtag sets and saved articles,
tagged and searchable; and the record of what was shared from it or from a feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.curation.models.feeds import FeedItem
from hubbub.publishing.models import Post


class LibraryKind(models.TextChoices):
    SNIPPET = "snippet", _("Snippet")
    IMAGE = "image", _("Image")
    LINK = "link", _("Link")
    HASHTAGS = "hashtags", _("Hashtag set")
    ARTICLE = "article", _("Saved article")


class LibraryTag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("tag"), max_length=50)  # lower-cased, no leading '#'

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_library_tag")
        ]

    def __str__(self) -> str:
        return self.name


class LibraryItem(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=LibraryKind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)  # snippet text, hashtags, a note on a link
    url = models.URLField(_("link"), max_length=2000, blank=True)
    # An image: relative to MEDIA_ROOT, written by publishing.media (sniffed, never trusted)
    media_path = models.CharField(max_length=500, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.TextField(_("alt text"), blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    tags = models.ManyToManyField(LibraryTag, blank=True, related_name="items")
    # Credit for curated content: where it came from and who wrote it
    feed_item = models.ForeignKey(
        FeedItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_name = models.CharField(_("source"), max_length=300, blank=True)
    source_author = models.CharField(_("author"), max_length=255, blank=True)
    # Approved content may be used by anyone as is; the rest is a proposal
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "kind"], name="curation_library_kind")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class Share(models.Model):
    """A post made from a feed item or a library item: how suggestions know what was
    already shared, and how the guardrails know a post carries curated content."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    feed_item = models.ForeignKey(
        FeedItem, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    library_item = models.ForeignKey(
        LibraryItem, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    # What credit the post must carry (the guardrail checks the text names one of them)
    source_url = models.URLField(max_length=2000, blank=True)
    source_author = models.CharField(max_length=255, blank=True)
    source_name = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="curation_share_recent")]

    def __str__(self) -> str:
        return f"share {self.pk} of post {self.post_id}"
