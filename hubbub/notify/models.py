"""Alert destinations outside Hubbub: e-mail addresses, a Slack incoming webhook, a Matrix
room. Members are told in-app and by e-mail (hubbub.core.notifications); these reach the team
where it already talks. Signed webhooks for programs live in hubbub.webhooks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core import crypto
from hubbub.core.models import Workspace

# Alert events a destination can subscribe to; later capabilities add theirs here.
EVENTS: dict[str, object] = {
    "inbox.breach_warning": _("A conversation is about to miss its response target"),
    "inbox.breached": _("A conversation missed its response target"),
    "inbox.new_conversation": _("A new conversation arrived in the inbox"),
    "inbox.rule_notify": _("An inbox rule asked to notify"),
    "listening.spike": _("Mentions of a listening query spiked"),
    "listening.crisis": _("A listening query shows a possible crisis (a negative spike)"),
}


class DestinationKind(models.TextChoices):
    EMAIL = "email", _("E-mail addresses")
    SLACK = "slack", _("Slack (incoming webhook)")
    MATRIX = "matrix", _("Matrix room")


class Destination(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=DestinationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    events = models.JSONField(default=list)  # keys of EVENTS
    # email: {"addresses": [...]}; slack: {"webhook_url": ...};
    # matrix: {"homeserver": ..., "room_id": ..., "access_token": ...}. Encrypted: a webhook
    # URL or an access token is a secret.
    config_encrypted = models.TextField()
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def config(self) -> dict[str, Any]:
        return crypto.decrypt_json(self.config_encrypted)

    @config.setter
    def config(self, value: dict[str, Any]) -> None:
        self.config_encrypted = crypto.encrypt_json(value)

    def wants(self, event: str) -> bool:
        return self.is_active and event in self.events
