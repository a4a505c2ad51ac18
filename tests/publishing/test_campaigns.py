"""Campaigns: the action, the page and the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry
from hubbub.publishing.actions.campaigns import CampaignInput, create_campaign, update_campaign
from hubbub.publishing.models import Campaign
from tests.api.conftest import token_api
from tests.conftest import signed_in
from tests.web.conftest import text


def test_a_manager_creates_a_campaign_and_it_is_audited(owner):
    campaign = create_campaign(
        owner,
        CampaignInput("Spring sale", "sell the old stock", date(2026, 3, 1), date(2026, 3, 31)),
    )
    assert (campaign.name, campaign.colour) == ("Spring sale", "#3b82f6")
    entry = AuditEntry.objects.get(action="campaign.create")
    assert entry.after["name"] == "Spring sale"


def test_an_editor_may_not(editor):
    with pytest.raises(PermissionDenied):
        create_campaign(editor, CampaignInput("Mine"))


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        (CampaignInput(""), "name", "Give the campaign a name"),
        (CampaignInput("X", colour="red"), "colour", "red is not a colour: write it as #rrggbb"),
        (
            CampaignInput("X", starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 1)),
            "ends_on",
            "The campaign ends (2026-03-01) before it starts (2026-03-02)",
        ),
    ],
)
def test_bad_input_names_the_fix(owner, given, field, message):
    with pytest.raises(ActionError) as caught:
        create_campaign(owner, given)
    assert caught.value.field == field
    assert message in caught.value.message


def test_names_are_unique_per_workspace_whatever_the_case(owner):
    create_campaign(owner, CampaignInput("Spring"))
    with pytest.raises(ActionError, match="There is already a campaign called spring"):
        create_campaign(owner, CampaignInput("spring"))


def test_an_update_is_audited_with_before_and_after(owner):
    campaign = create_campaign(owner, CampaignInput("Spring"))
    update_campaign(owner, campaign, CampaignInput("Spring 2026", colour="#ff0000"))
    entry = AuditEntry.objects.get(action="campaign.update")
    assert (entry.before["name"], entry.after["name"]) == ("Spring", "Spring 2026")


def test_the_page_lists_and_creates(alice, bob, acme):
    alice_client = signed_in(alice)
    response = alice_client.post(
        "/w/acme/campaigns/",
        {
            "name": "Launch",
            "purpose": "the new app",
            "colour": "#10b981",
            "starts_on": "2026-04-01",
        },
        follow=True,
    )
    assert "Campaign Launch created." in text(response)
    assert "Launch the new app 2026-04-01" in text(response)
    editor_page = signed_in(bob).get("/w/acme/campaigns/")
    assert "Launch" in text(editor_page)
    assert "Create campaign" not in text(editor_page)
    assert signed_in(bob).post("/w/acme/campaigns/", {"name": "Nope"}).status_code == 403


def test_the_page_shows_the_error_on_the_field(alice, acme):
    response = signed_in(alice).post("/w/acme/campaigns/", {"name": "X", "starts_on": "soon"})
    assert "soon is not a date: write it as YYYY-MM-DD." in text(response)
    assert not Campaign.objects.exists()


def test_the_api_lists_creates_and_changes(alice, acme):
    api = token_api(alice, acme)
    created = api.post("/workspaces/acme/campaigns", {"name": "Launch", "starts_on": "2026-04-01"})
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]
    changed = api.patch(f"/workspaces/acme/campaigns/{campaign_id}", {"colour": "#000000"})
    assert changed.json()["colour"] == "#000000"
    assert changed.json()["starts_on"] == "2026-04-01"
    listed = api.get("/workspaces/acme/campaigns")
    assert [c["name"] for c in listed.json()] == ["Launch"]
    refused = api.post("/workspaces/acme/campaigns", {"name": "Launch"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "name"
