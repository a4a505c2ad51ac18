"""The people who write to the brand: one Customer, seen through one Identity per network.

Ingestion creates an Identity (and its own Customer) the first time an author is seen; a
person may then link identities from several networks to one Customer, so their profile shows
every conversation across channels.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class Customer(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or f"customer {self.pk}"


class Identity(models.Model):
    """An author account on one network, as the network shows it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=500)
    handle = models.CharField(max_length=500)
    name = models.CharField(max_length=500, blank=True)
    avatar_url = models.URLField(max_length=2000, blank=True)
    profile_url = models.URLField(max_length=2000, blank=True)
    followers_count = models.PositiveBigIntegerField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_identity_per_account"
            )
        ]
        ordering = ["network", "handle"]

    def __str__(self) -> str:
        return f"{self.network}: {self.handle}"

    @property
    def first_name(self) -> str:
        """For saved replies' {first_name}: the first word of the display name, else the handle
        without its @ and domain."""
        if self.name.strip():
            return self.name.split()[0]
        return self.handle.lstrip("@").split("@")[0].split(".")[0]
