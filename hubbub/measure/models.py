"""What the networks counted, as time series: a row per reading, never overwritten.

- PostSnapshot: a published post's counts at one reading (hubbub.networks.incoming.PostMetrics:
  likes, shares, comments, impressions, reach, views, clicks, saves). A count the network did
  not give is NULL, not 0: a chart shows the gap instead of a fall to nothing.
- ChannelSnapshot: an account's counts at one reading (followers, following, posts, profile
  views), once a day.
- PostTracking: when each published post is read next (hourly for its first three days, then
  daily up to ninety; hubbub.measure.collection), and what went wrong last time.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery

POST_COUNTS = ("likes", "shares", "comments", "impressions", "reach", "views", "clicks", "saves")
CHANNEL_COUNTS = ("followers", "following", "posts", "profile_views")


class PostSnapshot(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField(_("read at"))
    likes = models.BigIntegerField(null=True)
    shares = models.BigIntegerField(null=True)
    comments = models.BigIntegerField(null=True)
    impressions = models.BigIntegerField(null=True)
    reach = models.BigIntegerField(null=True)
    views = models.BigIntegerField(null=True)
    clicks = models.BigIntegerField(null=True)
    saves = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["taken_at"]
        indexes = [
            models.Index(fields=["delivery", "taken_at"], name="snapshot_of_post"),
            models.Index(fields=["workspace", "taken_at"], name="snapshots_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class ChannelSnapshot(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField(_("read at"))
    followers = models.BigIntegerField(null=True)
    following = models.BigIntegerField(null=True)
    posts = models.BigIntegerField(null=True)
    profile_views = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["taken_at"]
        indexes = [models.Index(fields=["channel", "taken_at"], name="snapshot_of_channel")]

    def __str__(self) -> str:
        return f"{self.channel_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class PostTracking(models.Model):
    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, primary_key=True, related_name="tracking"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()
    next_at = models.DateTimeField(null=True)  # NULL: no more readings (older than 90 days)
    last_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0)  # in a row
    missing = models.PositiveIntegerField(default=0)  # readings in a row without this post
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["next_at"], name="tracking_due")]

    def __str__(self) -> str:
        return f"{self.delivery_id}: next {self.next_at}"
