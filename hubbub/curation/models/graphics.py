"""Graphics templates: quote card, announcement, key figure and event, drawn with the
workspace's brand (logo and colours from core.models.Brand) and the template's font."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class TemplateKind(models.TextChoices):
    QUOTE = "quote", _("Quote card")
    ANNOUNCEMENT = "announcement", _("Announcement")
    KEY_FIGURE = "key_figure", _("Key figure")
    EVENT = "event", _("Event")


class GraphicTemplate(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices)
    # "primary" or "accent" (the brand's colours, followed when the brand changes) or "#rrggbb"
    background = models.CharField(_("background"), max_length=7, default="primary")
    # An uploaded TrueType/OpenType font (relative to MEDIA_ROOT), checked on upload; empty,
    # or a file gone missing, falls back to the bundled DejaVu Sans.
    font_path = models.CharField(max_length=500, blank=True)
    font_name = models.CharField(_("font"), max_length=100, blank=True)
    logo_position = models.CharField(_("logo position"), max_length=20, default="bottom-right")
    # What the fields hold before someone types (e.g. {"label": "New"} for an announcement)
    defaults = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_template_name")
        ]

    def __str__(self) -> str:
        return self.name
