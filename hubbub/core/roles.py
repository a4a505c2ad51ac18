"""The roles a member can hold, from most to least trusted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    EDITOR = "editor", _("Editor")
    MODERATOR = "moderator", _("Moderator")
    ANALYST = "analyst", _("Analyst")
    CLIENT_VIEWER = "client_viewer", _("Client viewer")


# Rank decides who may grant what: nobody hands out a role above their own.
RANK: dict[str, int] = {
    Role.OWNER: 60,
    Role.MANAGER: 50,
    Role.EDITOR: 40,
    Role.MODERATOR: 30,
    Role.ANALYST: 20,
    Role.CLIENT_VIEWER: 10,
}


def outranks_or_equals(role: str, other: str) -> bool:
    return RANK[role] >= RANK[other]
