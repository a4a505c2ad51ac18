"""What the networks counted, as time series: a row per reading, never overwritten.

- PostSnapshot: a published post's counts at one reading (hubbub.networks.incoming.PostMetrics:
  likes, shares, comments, impressions, reach, views, clicks, saves). A count the network did
  not give is NULL, not 0: a chart shows the gap instead of a fall to nothing.
- ChannelSnapshot: an account's counts at one reading (followers, following, posts, profile
  views), once a day.
- LatestCounts: each post's latest reading, copied (hubbub.measure.latest), so that a report
  need not look for it among all the readings.
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


class LatestCounts(models.Model):
    """A published post's latest reading, copied from its PostSnapshots (hubbub.measure.latest
    keeps it so whenever readings are written): a report whose period ends after a post's
    last reading, the usual case, sums these rows instead of looking up each post's latest
    reading among all of them, which at a year of posts takes seconds. Also the reading a
    week after publishing that the best time to post scores (besttime.SETTLED)."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, primary_key=True, related_name="latest_counts"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    # The post's, copied too so that a report reads this table alone (a published post's
    # time does not change: PUBLISHED is final).
    published_at = models.DateTimeField()
    # The copied reading: its time and id (ties on time go to the higher id, as in reports).
    taken_at = models.DateTimeField()
    snapshot_id = models.BigIntegerField()
    likes = models.BigIntegerField(null=True)
    shares = models.BigIntegerField(null=True)
    comments = models.BigIntegerField(null=True)
    impressions = models.BigIntegerField(null=True)
    reach = models.BigIntegerField(null=True)
    views = models.BigIntegerField(null=True)
    clicks = models.BigIntegerField(null=True)
    saves = models.BigIntegerField(null=True)
    # The known engagement counts added up (0 when none is known): what the best and weakest
    # posts are ordered by, through an index, instead of sorting every post of the period.
    engagements = models.BigIntegerField(default=0)
    # The latest reading within besttime.SETTLED of publishing, as engagements (NULL: none
    # then, or none of the engagement counts given).
    week_taken_at = models.DateTimeField(null=True)
    week_engagements = models.BigIntegerField(null=True)

    class Meta:
        # No index on the time of publishing: a report reads most of a workspace's rows, and
        # SQLite, given one, looks every row up through it (three times slower than a scan).
        indexes = [
            models.Index(fields=["taken_at"], name="latest_by_time"),  # read since an end?
            models.Index(fields=["workspace", "engagements"], name="latest_by_engagements"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} as of {self.taken_at:%Y-%m-%d %H:%M}"


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
    META_ADS = "meta_ads", _("Facebook/Instagram Ads")


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
    # What the row is in its source, for a source that is read again (Facebook/Instagram Ads:
    # "<ad campaign id>:<YYYY-MM-DD>"): a re-sync updates that row instead of adding another.
    # Empty for rows entered by hand or imported from CSV, which no sync ever touches.
    external_id = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "pk"]
        indexes = [models.Index(fields=["campaign", "day"], name="spend_by_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="spend_once_per_source_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.amount} {self.currency}"


class AdSpendLink(models.Model):
    """A campaign's spend read from Meta's Ads Insights API (hubbub.measure.adspend): which ad
    account, which of its ad campaigns, through which connected Facebook channel (its stored
    user token, granted ads_read, is what reads the ad account), and what counts as a result.

    One link per campaign: a Hubbub campaign is usually bought in one ad account; several
    ad campaigns of that account can feed it."""

    campaign = models.OneToOneField(
        "publishing.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="ads"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # SET_NULL: removing the channel must not remove the campaign's link and its history;
    # the next sync says to choose another channel.
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ad_account_id = models.CharField(max_length=40)  # the digits, without "act_"
    ad_account_name = models.CharField(max_length=200, blank=True)
    # [{"id": "1202...", "name": "Autumn launch"}]: the names as they were when chosen, to
    # show them without calling Meta on every page view.
    ad_campaigns = models.JSONField(default=list)
    # The `actions` entry counted as the result (action_type, e.g. link_click).
    result_action = models.CharField(max_length=100, default="link_click")
    last_synced_at = models.DateTimeField(null=True, blank=True)  # last sync that finished
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.campaign_id}: act_{self.ad_account_id}"

    @property
    def ad_campaign_ids(self) -> list[str]:
        return [str(item.get("id")) for item in self.ad_campaigns if isinstance(item, dict)]
