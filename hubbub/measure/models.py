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


class GoalMetric(models.TextChoices):
    NEW_FOLLOWERS = "new_followers", _("New followers")
    IMPRESSIONS = "impressions", _("Impressions")
    REACH = "reach", _("Reach")
    ENGAGEMENTS = "engagements", _("Engagements")
    ENGAGEMENT_RATE = "engagement_rate_reach", _("Engagement rate (by reach), %")
    CLICKS = "clicks", _("Link clicks")


class CampaignGoal(models.Model):
    """What a campaign aims at: one target per metric, over the campaign's dates."""

    campaign = models.ForeignKey(
        "publishing.Campaign", on_delete=models.CASCADE, related_name="goals"
    )
    metric = models.CharField(max_length=30, choices=GoalMetric.choices)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric"], name="one_goal_per_metric")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.metric} {self.target}"


class CampaignBudget(models.Model):
    """A campaign's paid budget, in one currency (spend in another is refused, not converted:
    an exchange rate is the finance team's choice, not ours)."""

    campaign = models.OneToOneField(
        "publishing.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="budget"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)  # ISO 4217
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class SpendSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    CSV = "csv", _("Imported from CSV")


class SpendEntry(models.Model):
    """Money spent on a campaign on one day (ads, boosts), with what it bought where known."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "publishing.Campaign", on_delete=models.CASCADE, related_name="spend"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    results = models.BigIntegerField(null=True, blank=True)  # what the ad platform counted
    paid_reach = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=SpendSource.choices, default="manual")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "pk"]
        indexes = [models.Index(fields=["campaign", "day"], name="spend_by_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.amount} {self.currency}"
