"""Links: UTM templates applied to outgoing links (a workspace default and one per
campaign), the optional shortener, and the short links it made (kept, so a link is
shortened once and a retry publishes the same one)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.publishing.models import Campaign


class UtmTemplate(models.Model):
    """Values may hold {network}, {channel}, {campaign}, {post} (filled per delivery)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.OneToOneField(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # none: the workspace's default
    utm_source = models.CharField("utm_source", max_length=200, default="{network}")
    utm_medium = models.CharField("utm_medium", max_length=200, default="social")
    utm_campaign = models.CharField("utm_campaign", max_length=200, default="{campaign}")
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)
    # Only links to these hosts are tagged (one per line; empty: every link)
    domains = models.TextField(_("only for these sites"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(campaign__isnull=True),
                name="one_default_utm",
            )
        ]

    def __str__(self) -> str:
        return f"UTM of campaign {self.campaign_id or '(default)'}"


class ShortenerProvider(models.TextChoices):
    NONE = "", _("No shortening")
    BITLY = "bitly", "Bitly"
    YOURLS = "yourls", "YOURLS"
    KUTT = "kutt", "Kutt"


class LinkSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    shortener = models.CharField(
        _("shortener"), max_length=10, choices=ShortenerProvider.choices, blank=True
    )
    api_url = models.URLField(_("service address"), max_length=500, blank=True)
    domain = models.CharField(_("short domain"), max_length=200, blank=True)
    token = models.TextField(blank=True)  # encrypted (core.crypto), never shown back
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.shortener or "no shortener"


class ShortLink(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    long_url = models.URLField(max_length=2000)
    long_key = models.CharField(max_length=64)  # sha256 of long_url: the unique index's key
    short_url = models.URLField(max_length=500)
    provider = models.CharField(max_length=10)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "long_key"], name="one_short_link")
        ]

    def __str__(self) -> str:
        return self.short_url
