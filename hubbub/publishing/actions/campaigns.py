"""Creating and changing campaigns (a goal that groups posts: a launch, a season, an event)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.publishing.models import Campaign

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#3b82f6"


@dataclass(frozen=True)
class CampaignInput:
    name: str
    purpose: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    colour: str = DEFAULT_COLOUR


def _summary(campaign: Campaign) -> dict[str, object]:
    return {
        "name": campaign.name,
        "purpose": campaign.purpose,
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "colour": campaign.colour,
    }


def _check(access: Access, given: CampaignInput, campaign: Campaign | None = None) -> CampaignInput:
    name = given.name.strip()
    if not name:
        raise ActionError(_("Give the campaign a name, e.g. 'Spring sale 2026'."), field="name")
    if len(name) > 120:
        raise ActionError(
            _("The name is %(n)s characters long; keep it to 120.") % {"n": len(name)},
            field="name",
        )
    colour = (given.colour or DEFAULT_COLOUR).strip()
    if not COLOUR.match(colour):
        raise ActionError(
            _("%(colour)s is not a colour: write it as #rrggbb, e.g. #3b82f6.")
            % {"colour": colour},
            field="colour",
        )
    if given.starts_on and given.ends_on and given.ends_on < given.starts_on:
        raise ActionError(
            _("The campaign ends (%(end)s) before it starts (%(start)s): swap the dates.")
            % {"end": given.ends_on.isoformat(), "start": given.starts_on.isoformat()},
            field="ends_on",
        )
    taken = Campaign.objects.filter(workspace=access.workspace, name__iexact=name)
    if campaign is not None:
        taken = taken.exclude(pk=campaign.pk)
    if taken.exists():
        raise ActionError(
            _("There is already a campaign called %(name)s: choose it, or another name.")
            % {"name": name},
            field="name",
        )
    return CampaignInput(name, given.purpose.strip(), given.starts_on, given.ends_on, colour)


def create_campaign(access: Access, given: CampaignInput) -> Campaign:
    access.require("campaigns.manage")
    clean = _check(access, given)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            workspace=access.workspace,
            name=clean.name,
            purpose=clean.purpose,
            starts_on=clean.starts_on,
            ends_on=clean.ends_on,
            colour=clean.colour,
        )
        record(
            "campaign.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=campaign,
            after=_summary(campaign),
        )
    return campaign


def update_campaign(access: Access, campaign: Campaign, given: CampaignInput) -> Campaign:
    access.require("campaigns.manage")
    if campaign.workspace_id != access.workspace.pk:
        raise ActionError(_("That campaign belongs to another workspace."))
    clean = _check(access, given, campaign)
    with transaction.atomic():
        before = _summary(campaign)
        campaign.name = clean.name
        campaign.purpose = clean.purpose
        campaign.starts_on = clean.starts_on
        campaign.ends_on = clean.ends_on
        campaign.colour = clean.colour
        campaign.save()
        record(
            "campaign.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=campaign,
            before=before,
            after=_summary(campaign),
        )
    return campaign
