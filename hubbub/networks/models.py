"""A channel: one account on one network, connected to one workspace."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core import crypto
from hubbub.core.models import Workspace


class Health(models.TextChoices):
    OK = "ok", _("Healthy")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    ERROR = "error", _("Error")
    DISCONNECTED = "disconnected", _("Disconnected")


class ChannelQuerySet(models.QuerySet["Channel"]):
    def connected(self) -> ChannelQuerySet:
        return self.filter(disconnected_at__isnull=True)


class Channel(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    network = models.CharField(max_length=32)  # a key of hubbub.networks.registry.NETWORKS
    external_id = models.CharField(max_length=255)  # the account's id on the network
    handle = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    avatar_url = models.URLField(max_length=1000, blank=True)
    profile_url = models.URLField(max_length=1000, blank=True)
    config = models.JSONField(default=dict, blank=True)  # typed by the connector's config_model
    credentials_encrypted = models.TextField(blank=True)
    health = models.CharField(max_length=20, choices=Health.choices, default=Health.OK)
    health_message = models.TextField(blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # The expiry the managers were last told about (hubbub.networks.actions.warn_expiring):
    # one notice per expiry, and a reconnect with a new expiry arms the next one.
    expiry_warned_for = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_channel_per_account"
            )
        ]
        ordering = ["network", "handle"]

    def __str__(self) -> str:
        return f"{self.network}: {self.handle}"

    @property
    def credentials(self) -> dict[str, Any]:
        return crypto.decrypt_json(self.credentials_encrypted)

    @credentials.setter
    def credentials(self, value: dict[str, Any]) -> None:
        self.credentials_encrypted = crypto.encrypt_json(value) if value else ""

    @property
    def network_label(self) -> str:
        from hubbub.networks.registry import UnknownNetwork, connector_class

        try:
            return connector_class(self.network).label
        except UnknownNetwork:
            return self.network

    @property
    def is_connected(self) -> bool:
        return self.disconnected_at is None


class OAuthApp(models.Model):
    """A client application Hubbub registered on one server of a federated network.

    Mastodon has no central developer portal: every server issues its own client id, so the
    first person to connect an account on a server registers Hubbub there and everyone after
    reuses it. It is keyed by the redirect address too: a deployment that changes
    HUBBUB_BASE_URL needs a new registration, because the server checks the redirect.
    """

    network = models.CharField(max_length=32)
    server = models.CharField(max_length=255)  # normalised base URL, https://host[:port]
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField()
    scopes = models.CharField(max_length=500)
    redirect_uri = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "server", "redirect_uri"], name="one_oauth_app_per_server"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.server}"

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(value)
