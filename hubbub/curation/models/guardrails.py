"""Guardrails' settings: for each rule, whether it is off, warns or blocks in this
workspace, and its options. A rule with no row has its default (see curation.guardrails)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class RuleMode(models.TextChoices):
    OFF = "off", _("Off")
    WARN = "warn", _("Warn")
    BLOCK = "block", _("Block")


class GuardrailSetting(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=40)  # a rule's code, e.g. "personal_data"
    mode = models.CharField(max_length=5, choices=RuleMode.choices)
    options = models.JSONField(default=dict, blank=True)  # e.g. {"days": 30} for duplicates
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "rule"], name="one_setting_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.mode}"


class Sponsorship(models.Model):
    """A post that is a paid partnership: the disclosure guardrail asks its text to say so
    (#ad, #sponsorisé, "paid partnership"…)."""

    post = models.OneToOneField(
        "publishing.Post", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"post {self.post_id} sponsored by {self.partner or '?'}"
