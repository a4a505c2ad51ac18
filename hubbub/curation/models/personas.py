"""Brand personas: the voice written down so that anyone on the team (the weekend cover
included) can follow it, attached to the channels and campaigns that speak with it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign


class Persona(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    audience = models.TextField(_("audience"), blank=True)
    tone = models.TextField(_("tone"), blank=True)  # in people's words: "warm, plain, no jargon"
    topics = models.JSONField(_("topics"), default=list, blank=True)  # list[str]
    words_to_use = models.JSONField(_("words to use"), default=list, blank=True)  # list[str]
    words_to_avoid = models.JSONField(_("words to avoid"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)  # BCP 47 codes
    example_posts = models.JSONField(_("example posts"), default=list, blank=True)
    # Measured from the example posts (sentence length, exclamations, emoji, formality,
    # sentiment…): what "tone far from the persona" is compared with. Recomputed on save.
    tone_profile = models.JSONField(default=dict, blank=True)
    channels = models.ManyToManyField(Channel, blank=True, related_name="+")
    campaigns = models.ManyToManyField(Campaign, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_persona_name")
        ]

    def __str__(self) -> str:
        return self.name


class SuggestionDismissal(models.Model):
    """A suggestion someone set aside for a persona: not offered to it again."""

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="dismissals")
    item_key = models.CharField(max_length=40)  # "feed:<id>" or "library:<id>"
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["persona", "item_key"], name="one_dismissal")
        ]

    def __str__(self) -> str:
        return f"{self.item_key} set aside for {self.persona_id}"
