"""Measure's pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave as
it was."""

from __future__ import annotations

from datetime import date
from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.measure.models import AdSpendLink, CampaignBudget, CampaignGoal, SpendEntry
from hubbub.publishing.models import Campaign

VIEW = {"GET": "measure.view"}

WEB: dict[str, dict[str, str]] = {
    "measure:overview": VIEW,
    "measure:channels_csv": VIEW,
    "measure:posts_csv": VIEW,
    "measure:summary_csv": VIEW,
    "measure:campaign": VIEW,
    "measure:budget": {"POST": "campaigns.manage"},
    "measure:goal": {"POST": "campaigns.manage"},
    "measure:goal_delete": {"POST": "campaigns.manage"},
    "measure:spend": {"POST": "campaigns.manage"},
    "measure:spend_import": {"POST": "campaigns.manage"},
    "measure:spend_delete": {"POST": "campaigns.manage"},
    "measure:ads_link": {"POST": "campaigns.manage"},
    "measure:ads_unlink": {"POST": "campaigns.manage"},
    "measure:ads_sync": {"POST": "campaigns.manage"},
}

M = "api/workspaces/{slug}/measure"
API: dict[tuple[str, str], str] = {
    ("GET", f"{M}/summary"): "measure.view",
    ("GET", f"{M}/posts"): "measure.view",
    ("GET", f"{M}/formulas"): "measure.view",
    ("GET", f"{M}/best-time"): "measure.view",
    ("GET", f"{M}/campaigns/{{campaign_id}}"): "measure.view",
    ("POST", f"{M}/campaigns/{{campaign_id}}/spend"): "campaigns.manage",
    ("GET", f"{M}/campaigns/{{campaign_id}}/ads"): "measure.view",
    ("POST", f"{M}/campaigns/{{campaign_id}}/ads"): "campaigns.manage",
    ("DELETE", f"{M}/campaigns/{{campaign_id}}/ads"): "campaigns.manage",
    ("POST", f"{M}/campaigns/{{campaign_id}}/ads/sync"): "campaigns.manage",
    ("GET", f"{M}/campaigns/{{campaign_id}}/ads/accounts"): "campaigns.manage",
    ("GET", f"{M}/campaigns/{{campaign_id}}/ads/campaigns"): "campaigns.manage",
}
BODY: dict[str, Any] = {"day": "2026-06-01", "amount": "10"}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    campaign = Campaign.objects.create(workspace=acme, name="Acme results campaign")
    goal = CampaignGoal.objects.create(campaign=campaign, metric="engagements", target=100)
    spend = SpendEntry.objects.create(
        workspace=acme, campaign=campaign, day=date(2026, 6, 1), amount=10, currency="EUR"
    )
    # Linked to ads with no channel: a refused unlink or sync must leave it as it was.
    AdSpendLink.objects.create(campaign=campaign, workspace=acme, ad_account_id="1234")
    return {"campaign_id": campaign.pk, "goal_id": goal.pk, "spend_id": spend.pk}


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {
        "goals": sorted(CampaignGoal.objects.values_list("pk", "metric", "target")),
        "budgets": sorted(CampaignBudget.objects.values_list("pk", "amount", "currency")),
        "spend": sorted(SpendEntry.objects.values_list("pk", "amount", "currency")),
        "ad_links": sorted(
            AdSpendLink.objects.values_list("pk", "ad_account_id", "ad_campaigns", "last_error")
        ),
    }
