"""Where mentions come from: a network's search (through one of the workspace's connected
channels) or an RSS/Atom feed. Each source has its own interval, cursor and error state, and
is read on its own (hubbub.listening.sources), so one failing does not stop the others."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel


class SourceKind(models.TextChoices):
    SEARCH = "search", _("Network search")
    FEED = "feed", _("RSS or Atom feed")


class ListeningSource(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    # search: the channel whose account searches, and the words or #tag it sends
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    terms = models.CharField(_("search terms"), max_length=500, blank=True)
    # feed: its address (checked against private addresses on save and on every read)
    url = models.URLField(_("feed address"), max_length=2000, blank=True)
    interval = models.PositiveIntegerField(_("read every (seconds)"), default=300)
    backfill_days = models.PositiveIntegerField(_("backfill (days)"), default=7)
    is_active = models.BooleanField(_("active"), default=True)
    cursor = models.TextField(null=True, blank=True)
    next_read_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_found = models.PositiveIntegerField(default=0)  # mentions new at the last read
    last_error = models.TextField(blank=True)
    # What a read could not use (a broken feed item, say), kept for people to inspect.
    last_problems = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["next_read_at"], name="listening_source_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def network(self) -> str:
        return self.channel.network if self.channel_id and self.channel else "rss"
