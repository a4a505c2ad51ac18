"""A campaign's goals, budget and spend: actual beside target with a projection, cost per
result, organic against paid reach; spend by hand and from CSV (wrong columns, bad lines
and other currencies said clearly, the good lines kept); the page and its forms."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from hubbub.core.access import ActionError, access_workspace
from hubbub.core.models import AuditEntry, Workspace
from hubbub.measure import campaigns
from hubbub.measure.campaigns import SpendInput
from hubbub.measure.models import ChannelSnapshot, SpendEntry
from hubbub.publishing.models import Campaign
from tests.measure.test_reports import PARIS, channel, local, paris, post

__all__ = ["paris"]
pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 10, 16, 12, 0, tzinfo=PARIS)  # day 16 of 31


@pytest.fixture
def launch(paris: Workspace, alice: Any) -> Campaign:
    bluesky = channel(paris, "bluesky", "brand.bsky.social")
    campaign = Campaign.objects.create(
        workspace=paris, name="Launch", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    post(
        bluesky,
        local(2026, 10, 3, 9),
        campaign=campaign,
        likes=300,
        comments=50,
        shares=50,
        reach=8000,
    )
    post(bluesky, local(2026, 10, 9, 9), campaign=campaign, likes=100, reach=2000)
    post(bluesky, local(2026, 10, 10, 9), likes=999)  # not in the campaign
    for when, value in [(local(2026, 9, 30, 6), 1000), (local(2026, 10, 15, 6), 1240)]:
        ChannelSnapshot.objects.create(
            workspace=paris, channel=bluesky, taken_at=when, followers=value
        )
    return campaign


def owner(workspace: Workspace, alice: Any) -> Any:
    return access_workspace(alice, workspace.slug)


def test_goals_with_projection_budget_and_cost_per_result(
    launch: Campaign, paris: Workspace, alice: Any
) -> None:
    access = owner(paris, alice)
    with time_machine.travel(TODAY, tick=False):
        campaigns.set_goal(access, launch, "engagements", "1000")
        campaigns.set_goal(access, launch, "new_followers", "500")
        campaigns.set_budget(access, launch, "2 000,00", "eur")
        campaigns.add_spend(access, launch, SpendInput(date(2026, 10, 2), "300", paid_reach=15000))
        campaigns.add_spend(access, launch, SpendInput(date(2026, 10, 9), "150.50"))
        found = campaigns.report(launch)
    goals = {g.goal.metric: g for g in found.goals}
    assert goals["engagements"].actual == 500  # 400 + 100: the campaign's posts only
    assert goals["engagements"].share == pytest.approx(50.0)
    assert goals["engagements"].projected == round(500 * 31 / 16)  # the pace carried on
    assert goals["new_followers"].actual == 240
    assert (found.spent, found.left, found.currency) == (
        Decimal("450.50"),
        Decimal("1549.50"),
        "EUR",
    )
    # No spend entry counted results: cost per result divides by the first goal's actual.
    assert found.results_from == "engagements" and found.results == 500
    assert found.cost_per_result == Decimal("0.90")  # 450.50 / 500
    assert (found.organic_reach, found.paid_reach) == (10000, 15000)
    assert AuditEntry.objects.filter(action="campaign.spend").count() == 2


def test_other_currencies_and_bad_amounts_say_what_to_do(
    launch: Campaign, paris: Workspace, alice: Any
) -> None:
    access = owner(paris, alice)
    campaigns.set_budget(access, launch, "1000", "EUR")
    with pytest.raises(ActionError, match="counts in EUR, not USD: convert the amount"):
        campaigns.add_spend(access, launch, SpendInput(date(2026, 10, 2), "10", currency="USD"))
    with pytest.raises(ActionError, match="is not an amount"):
        campaigns.add_spend(access, launch, SpendInput(date(2026, 10, 2), "ten"))
    with pytest.raises(ActionError, match="not a currency code"):
        campaigns.set_budget(access, launch, "10", "euros")
    campaigns.add_spend(access, launch, SpendInput(date(2026, 10, 2), "10"))
    with pytest.raises(ActionError, match="Spend is already entered in EUR"):
        campaigns.set_budget(access, launch, "10", "USD")


CSV = """date,amount,currency,channel,results,reach,note
2026-10-02,120.00,EUR,brand.bsky.social,40,9000,boost
2026-10-03,abc,EUR,,,,typo
2026-10-04,80,USD,,,,wrong currency
2026-13-01,50,EUR,,,,bad date
2026-10-05,"1 200,50",,,,,comma decimal
2026-10-06,30,EUR,@nobody,,,unknown channel
"""


def test_a_spend_csv_keeps_the_good_lines_and_names_the_bad(
    launch: Campaign, paris: Workspace, alice: Any
) -> None:
    access = owner(paris, alice)
    campaigns.set_budget(access, launch, "5000", "EUR")
    result = campaigns.import_spend(access, launch, CSV)
    assert result.added == 2
    lines = dict(result.problems)
    assert sorted(lines) == [3, 4, 5, 7]
    assert "not an amount" in lines[3] and "convert the amount to EUR" in lines[4]
    assert "YYYY-MM-DD" in lines[5] and "No channel @nobody" in lines[7]
    amounts = sorted(SpendEntry.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("120.00"), Decimal("1200.50")]
    assert SpendEntry.objects.get(amount=Decimal("120.00")).channel is not None


def test_a_csv_with_the_wrong_columns_is_refused_whole(
    launch: Campaign, paris: Workspace, alice: Any
) -> None:
    with pytest.raises(ActionError, match="must name the columns: date and amount"):
        campaigns.import_spend(owner(paris, alice), launch, "day,cost\n2026-10-01,5\n")
    assert SpendEntry.objects.count() == 0


def test_the_page_and_its_forms(launch: Campaign, paris: Workspace, alice_client: Any) -> None:
    slug, pk = paris.slug, launch.pk
    with time_machine.travel(TODAY, tick=False):
        alice_client.post(
            reverse("measure:goal", args=[slug, pk]), {"metric": "engagements", "target": "1000"}
        )
        alice_client.post(
            reverse("measure:budget", args=[slug, pk]), {"amount": "2000", "currency": "EUR"}
        )
        alice_client.post(
            reverse("measure:spend", args=[slug, pk]),
            {"day": "2026-10-02", "amount": "300", "results": "150"},
        )
        answer = alice_client.post(
            reverse("measure:spend", args=[slug, pk]),
            {"day": "2026-10-02", "amount": "5", "currency": "USD"},
            follow=True,
        )
        assert "convert the amount to EUR first" in answer.content.decode()
        html = alice_client.get(reverse("measure:campaign", args=[slug, pk])).content.decode()
    assert 'data-goal="engagements"' in html and "50.0&nbsp;%" in html
    assert "300.00 EUR" in html and "1700.00 EUR" in html  # spent, left
    assert "2.00 EUR" in html  # 300 / 150 results counted by the ads
    campaigns_page = alice_client.get(reverse("publishing:campaigns", args=[slug])).content.decode()
    assert reverse("measure:campaign", args=[slug, pk]) in campaigns_page
