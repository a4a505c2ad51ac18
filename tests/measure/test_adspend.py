"""Campaign spend from Facebook/Instagram Ads (hubbub.measure.adspend): linking a campaign to
ad campaigns of an ad account, the sync (rows added, then updated and never duplicated; hand
and CSV rows untouched; another currency refused with the reason kept; a bad day or a failed
page keeps the rest), what the report makes of it, who may do it, the page's section and the
API. The Graph API is mocked at the seam (hubbub.core.http.request) with respx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from hubbub.accounts.models import User
from hubbub.core.access import ActionError, access_workspace
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.measure import adspend, campaigns, tasks
from hubbub.measure.campaigns import SpendInput
from hubbub.measure.models import AdSpendLink, SpendEntry, SpendSource
from hubbub.networks.facebook.graph import GRAPH_URL
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from tests.api.conftest import token_api
from tests.conftest import PUBLIC_TEST_ADDRESS, signed_in
from tests.measure.test_reports import PARIS, paris
from tests.networks.facebook.conftest import error, make_channel
from tests.networks.recorded import query

__all__ = ["paris"]
pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 10, 16, 12, 0, tzinfo=PARIS)
LATER = datetime(2026, 11, 20, 12, 0, tzinfo=PARIS)
ADS_TOKEN = "EAAGlong-lived-user-token-ads"
ACCOUNT = "1234567890"
AD = "120210000000000001"
OTHER_AD = "120210000000000002"
INSIGHTS = f"{GRAPH_URL}/act_{ACCOUNT}/insights"


@pytest.fixture
def graph(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["graph.facebook.com"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def page(paris: Workspace) -> Channel:
    channel = make_channel(paris)
    channel.credentials = {**channel.credentials, "ads_access_token": ADS_TOKEN}
    channel.save()
    return channel


@pytest.fixture
def launch(paris: Workspace) -> Campaign:
    return Campaign.objects.create(
        workspace=paris, name="Launch", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
    )


def owner(workspace: Workspace, alice: User) -> Any:
    return access_workspace(alice, workspace.slug)


def accounts_and_campaigns(graph: respx.MockRouter, currency: str = "EUR") -> None:
    graph.get(f"{GRAPH_URL}/me/adaccounts").respond(
        200,
        json={
            "data": [
                {
                    "id": f"act_{ACCOUNT}",
                    "account_id": ACCOUNT,
                    "name": "Acme <b>ads</b>",
                    "currency": currency,
                    "account_status": 1,
                }
            ],
            "paging": {"cursors": {"before": "a", "after": "b"}},
        },
    )
    graph.get(f"{GRAPH_URL}/act_{ACCOUNT}/campaigns").respond(
        200,
        json={
            "data": [
                {"id": AD, "name": "Autumn <launch>", "status": "ACTIVE", "objective": "X"},
                {"id": OTHER_AD, "name": "Retargeting", "status": "PAUSED", "objective": "Y"},
            ],
            "paging": {"cursors": {"before": "a", "after": "b"}},
        },
    )


def row(day: str, spend: str, ad: str = AD, clicks: str = "40", **extra: Any) -> dict[str, Any]:
    return {
        "campaign_id": ad,
        "campaign_name": "Autumn launch",
        "spend": spend,
        "reach": "1000",
        "impressions": "2500",
        "actions": [
            {"action_type": "link_click", "value": clicks},
            {"action_type": "post_engagement", "value": "90"},
        ],
        "account_currency": "EUR",
        "date_start": day,
        "date_stop": day,
        **extra,
    }


def answer(rows: list[dict[str, Any]], after: str | None = None) -> httpx.Response:
    paging: dict[str, Any] = {"cursors": {"before": "a", "after": after or "z"}}
    if after:
        paging["next"] = f"{INSIGHTS}?after={after}"
    return httpx.Response(200, json={"data": rows, "paging": paging})


def linked(
    graph: respx.MockRouter, access: Any, campaign: Campaign, page: Channel, **kw: Any
) -> AdSpendLink:
    accounts_and_campaigns(graph)
    return adspend.link_ads(
        access,
        campaign,
        channel_id=page.pk,
        ad_account_id=f"act_{ACCOUNT}",
        ad_campaign_ids=kw.pop("ids", [AD]),
        **kw,
    )


def synced_rows(campaign: Campaign) -> list[tuple[str, str, Decimal, int | None, int | None]]:
    return [
        (e.external_id, e.day.isoformat(), e.amount, e.results, e.paid_reach)
        for e in SpendEntry.objects.filter(campaign=campaign, source=SpendSource.META_ADS)
    ]


# --- linking --------------------------------------------------------------------------------


def test_a_campaign_is_linked_to_ad_campaigns_of_an_account(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)

    link = linked(graph, access, launch, page)

    assert link.channel == page and link.ad_account_id == ACCOUNT
    assert link.ad_account_name == "Acme <b>ads</b>"
    assert link.ad_campaigns == [{"id": AD, "name": "Autumn <launch>"}]
    assert link.result_action == "link_click"  # the default with no goal
    entry = AuditEntry.objects.get(action="campaign.ads_link")
    assert entry.after["ad_campaigns"] == [AD] and entry.actor == alice


def test_the_campaigns_goal_suggests_the_result(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    campaigns.set_goal(access, launch, "engagements", "1000")

    assert linked(graph, access, launch, page).result_action == "post_engagement"


def test_an_ad_campaign_of_another_account_is_refused(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    with pytest.raises(ActionError) as caught:
        linked(graph, owner(paris, alice), launch, page, ids=["999"])

    assert "999" in caught.value.message and caught.value.field == "ad_campaigns"
    assert not AdSpendLink.objects.exists()


def test_an_account_in_another_currency_is_refused_at_once(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    campaigns.set_budget(access, launch, "1000", "USD")
    accounts_and_campaigns(graph, currency="EUR")

    with pytest.raises(ActionError) as caught:
        adspend.link_ads(
            access, launch, channel_id=page.pk, ad_account_id=ACCOUNT, ad_campaign_ids=[AD]
        )

    assert "pays in EUR" in caught.value.message and "counts in USD" in caught.value.message
    assert "does not convert" in caught.value.message


def test_a_channel_connected_before_ads_says_to_reconnect(
    paris: Workspace, alice: User, launch: Campaign
) -> None:
    old = make_channel(paris)  # no ads token kept

    with pytest.raises(ActionError) as caught:
        adspend.link_ads(
            owner(paris, alice),
            launch,
            channel_id=old.pk,
            ad_account_id=ACCOUNT,
            ad_campaign_ids=[AD],
        )

    assert "granting ads_read" in caught.value.message


def test_a_viewer_may_neither_link_nor_sync(
    graph: respx.MockRouter,
    make_user: Any,
    paris: Workspace,
    alice: User,
    launch: Campaign,
    page: Channel,
) -> None:
    link = linked(graph, owner(paris, alice), launch, page)
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=paris, user=viewer, role=Role.CLIENT_VIEWER)
    access = access_workspace(viewer, paris.slug)

    with pytest.raises(PermissionDenied):
        adspend.link_ads(
            access, launch, channel_id=page.pk, ad_account_id=ACCOUNT, ad_campaign_ids=[AD]
        )
    with pytest.raises(PermissionDenied):
        adspend.sync_now(access, link)
    with pytest.raises(PermissionDenied):
        adspend.unlink_ads(access, link)
    assert AdSpendLink.objects.filter(pk=link.pk).exists()


# --- syncing --------------------------------------------------------------------------------


def test_a_sync_adds_a_line_per_ad_campaign_and_day(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    campaigns.set_budget(access, launch, "2000", "EUR")
    link = linked(graph, access, launch, page)
    route = graph.get(INSIGHTS).mock(
        side_effect=[
            answer([row("2026-10-01", "12.34")], after="MjQZD"),
            answer([row("2026-10-02", "20.5", clicks="10")]),
        ]
    )

    with time_machine.travel(TODAY, tick=False):
        result = adspend.sync_now(access, link)

    assert (result.saved, result.complete, result.problems) == (2, True, [])
    assert synced_rows(launch) == [
        (f"{AD}:2026-10-01", "2026-10-01", Decimal("12.34"), 40, 1000),
        (f"{AD}:2026-10-02", "2026-10-02", Decimal("20.50"), 10, 1000),
    ]
    entry = SpendEntry.objects.filter(source=SpendSource.META_ADS).first()
    assert entry is not None and entry.channel == page and entry.currency == "EUR"
    # The first sync reads from the campaign's first day to today.
    sent = query(route.calls[0].request)
    assert json.loads(sent["time_range"][0]) == {"since": "2026-10-01", "until": "2026-10-16"}
    assert sent["level"] == ["campaign"] and sent["time_increment"] == ["1"]
    assert sent["access_token"] == [ADS_TOKEN]
    link.refresh_from_db()
    assert link.last_synced_at == TODAY and link.last_error == ""
    assert AuditEntry.objects.get(action="campaign.ads_sync").after["saved"] == 2


def test_a_resync_replaces_the_last_28_days_never_duplicates_nor_touches_hand_rows(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    campaigns.set_budget(access, launch, "2000", "EUR")
    link = linked(graph, access, launch, page)
    with time_machine.travel(TODAY, tick=False):
        campaigns.add_spend(access, launch, SpendInput(date(2026, 10, 2), "99", note="boost"))
        campaigns.import_spend(access, launch, "date,amount\n2026-10-30,7\n")
    hand = sorted(
        SpendEntry.objects.exclude(source=SpendSource.META_ADS).values_list(
            "pk", "day", "amount", "source", "external_id"
        )
    )
    graph.get(INSIGHTS).mock(
        side_effect=[
            answer([row("2026-10-01", "10"), row("2026-10-25", "30"), row("2026-10-26", "5")]),
            # A month later: Meta revised the 25th, no longer reports the 26th (refunded),
            # and the 1st is outside the 28 days re-read.
            answer([row("2026-10-25", "31.75", clicks="44"), row("2026-11-19", "8")]),
        ]
    )

    with time_machine.travel(datetime(2026, 10, 27, 12, 0, tzinfo=PARIS), tick=False):
        adspend.sync_ads(link)
    link.refresh_from_db()
    with time_machine.travel(LATER, tick=False):
        result = adspend.sync_ads(link)

    assert (result.since, result.until) == (date(2026, 10, 24), date(2026, 11, 20))
    assert result.removed == 1
    assert synced_rows(launch) == [
        (f"{AD}:2026-10-01", "2026-10-01", Decimal("10.00"), 40, 1000),
        (f"{AD}:2026-10-25", "2026-10-25", Decimal("31.75"), 44, 1000),
        (f"{AD}:2026-11-19", "2026-11-19", Decimal("8.00"), 40, 1000),
    ]
    assert (
        sorted(
            SpendEntry.objects.exclude(source=SpendSource.META_ADS).values_list(
                "pk", "day", "amount", "source", "external_id"
            )
        )
        == hand
    )
    # Syncing the same days again changes nothing.
    graph.get(INSIGHTS).mock(
        return_value=answer([row("2026-10-25", "31.75", clicks="44"), row("2026-11-19", "8")])
    )
    with time_machine.travel(LATER, tick=False):
        adspend.sync_ads(link)
    assert SpendEntry.objects.filter(source=SpendSource.META_ADS).count() == 3


def test_spend_in_another_currency_is_refused_and_the_reason_kept(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    link = linked(graph, access, launch, page)
    campaigns.set_budget(access, launch, "1000", "USD")  # after linking: no spend yet
    graph.get(INSIGHTS).mock(return_value=answer([row("2026-10-01", "12")]))

    with time_machine.travel(TODAY, tick=False):
        result = adspend.sync_ads(link)

    assert result.saved == 0 and not SpendEntry.objects.exists()
    link.refresh_from_db()
    assert "2026-10-01" in link.last_error
    assert "pays in EUR" in link.last_error and "counts in USD" in link.last_error


def test_a_bad_day_and_a_failed_page_keep_the_rest(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    campaigns.set_budget(access, launch, "1000", "EUR")
    link = linked(graph, access, launch, page)
    graph.get(INSIGHTS).mock(
        side_effect=[
            answer([row("2026-10-01", "12"), row("2026-10-02", "lots")], after="p2"),
            httpx.Response(500, json=error("An unknown error occurred", 1, kind="OAuthException")),
        ]
    )

    with time_machine.travel(TODAY, tick=False):
        result = adspend.sync_ads(link)

    assert result.complete is False and result.saved == 1
    assert [r[0] for r in synced_rows(launch)] == [f"{AD}:2026-10-01"]
    link.refresh_from_db()
    assert link.last_synced_at is None  # not finished: the next sync starts from day one
    assert "2026-10-02" in link.last_error and "lots" in link.last_error
    assert "temporary problem" in link.last_error


def test_an_expired_token_is_kept_on_the_link(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    link = linked(graph, owner(paris, alice), launch, page)
    graph.get(INSIGHTS).respond(400, json=error("Session has expired", 190))

    with time_machine.travel(TODAY, tick=False):
        adspend.sync_ads(link)

    link.refresh_from_db()
    assert "reconnect the Facebook channel, granting ads_read" in link.last_error


def test_the_report_counts_synced_spend_results_and_paid_reach(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    campaigns.set_budget(access, launch, "1000", "EUR")
    link = linked(graph, access, launch, page)
    graph.get(INSIGHTS).mock(
        return_value=answer(
            [row("2026-10-01", "30", clicks="10"), row("2026-10-02", "50", clicks="30")]
        )
    )
    with time_machine.travel(TODAY, tick=False):
        adspend.sync_ads(link)
        found = campaigns.report(launch)

    assert found.spent == Decimal("80.00") and found.left == Decimal("920.00")
    assert (found.results, found.results_from) == (40, "ads")
    assert found.cost_per_result == Decimal("2.00")
    assert found.paid_reach == 2000


def test_changing_the_ad_campaigns_removes_the_spend_of_those_left_out(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    link = linked(graph, access, launch, page, ids=[AD, OTHER_AD])
    graph.get(INSIGHTS).mock(
        return_value=answer([row("2026-10-01", "30"), row("2026-10-01", "9", ad=OTHER_AD)])
    )
    with time_machine.travel(TODAY, tick=False):
        adspend.sync_ads(link)
    assert len(synced_rows(launch)) == 2

    linked(graph, access, launch, page, ids=[AD])

    assert [r[0] for r in synced_rows(launch)] == [f"{AD}:2026-10-01"]


def test_the_daily_task_syncs_every_link_and_one_failure_stops_none(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    linked(graph, access, launch, page)
    other = Campaign.objects.create(workspace=paris, name="Other", starts_on=date(2026, 10, 1))
    AdSpendLink.objects.create(campaign=other, workspace=paris, ad_account_id="42")  # no channel
    graph.get(INSIGHTS).mock(return_value=answer([row("2026-10-01", "30")]))

    with time_machine.travel(TODAY, tick=False):
        tasks.sync_ad_spend.call_local()

    assert len(synced_rows(launch)) == 1
    assert "link the ads again" in AdSpendLink.objects.get(campaign=other).last_error


def test_unlinking_keeps_the_spend_read(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    access = owner(paris, alice)
    link = linked(graph, access, launch, page)
    graph.get(INSIGHTS).mock(return_value=answer([row("2026-10-01", "30")]))
    with time_machine.travel(TODAY, tick=False):
        adspend.sync_ads(link)

    adspend.unlink_ads(access, link)

    assert not AdSpendLink.objects.exists() and len(synced_rows(launch)) == 1
    assert AuditEntry.objects.filter(action="campaign.ads_unlink").count() == 1


# --- the page -------------------------------------------------------------------------------


def test_the_page_lists_accounts_and_campaigns_then_links_and_syncs(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    client = signed_in(alice)
    url = reverse("measure:campaign", args=[paris.slug, launch.pk])
    plain = client.get(url).content.decode()
    assert 'data-testid="ads-channel-form"' in plain and "No ads linked" in plain
    assert not graph.calls  # an ordinary view calls nobody
    accounts_and_campaigns(graph)

    choose: dict[str, Any] = {"ads_channel": page.pk, "ads_account": ACCOUNT}
    chooser = client.get(url, choose).content.decode()

    assert "Acme &lt;b&gt;ads&lt;/b&gt; (act_1234567890, EUR)" in chooser
    assert "Autumn &lt;launch&gt;" in chooser and "<launch>" not in chooser
    assert 'data-testid="ads-link-form"' in chooser
    done = client.post(
        reverse("measure:ads_link", args=[paris.slug, launch.pk]),
        {
            "channel": page.pk,
            "ad_account": ACCOUNT,
            "ad_campaigns": [AD],
            "result_action": "landing_page_view",
        },
    )
    assert done.status_code == 302
    assert AdSpendLink.objects.get(campaign=launch).result_action == "landing_page_view"

    graph.get(INSIGHTS).mock(
        return_value=answer([row("2026-10-01", "12"), row("2026-10-02", "oops")])
    )
    with time_machine.travel(TODAY, tick=False):
        synced = client.post(reverse("measure:ads_sync", args=[paris.slug, launch.pk]), follow=True)
    text = synced.content.decode()
    assert "1 line of ad spend read." in text
    assert 'data-testid="ads-error"' in text and "oops" in text
    assert "2026-10-16" in text  # last sync (Paris)


def test_the_sync_error_is_shown_as_text(
    paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    AdSpendLink.objects.create(
        campaign=launch,
        workspace=paris,
        channel=page,
        ad_account_id=ACCOUNT,
        ad_campaigns=[{"id": AD, "name": "<img src=x onerror=alert(1)>"}],
        last_error="<script>alert(1)</script>",
    )

    text = signed_in(alice).get(reverse("measure:campaign", args=[paris.slug, launch.pk]))
    body = text.content.decode()

    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<img src=x" not in body


def test_a_viewer_sees_the_link_without_its_forms(
    make_user: Any, paris: Workspace, launch: Campaign, page: Channel
) -> None:
    AdSpendLink.objects.create(
        campaign=launch, workspace=paris, channel=page, ad_account_id=ACCOUNT
    )
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=paris, user=viewer, role=Role.CLIENT_VIEWER)
    client = signed_in(viewer)

    body = client.get(reverse("measure:campaign", args=[paris.slug, launch.pk])).content.decode()

    assert 'data-testid="ads-link"' in body
    assert 'data-testid="ads-sync"' not in body and "ads-channel-form" not in body
    refused = client.post(reverse("measure:ads_sync", args=[paris.slug, launch.pk]))
    assert refused.status_code == 403


# --- the API --------------------------------------------------------------------------------


def test_the_api_links_reads_syncs_and_unlinks(
    graph: respx.MockRouter, paris: Workspace, alice: User, launch: Campaign, page: Channel
) -> None:
    api = token_api(alice, paris)
    base = f"/workspaces/{paris.slug}/measure/campaigns/{launch.pk}/ads"
    accounts_and_campaigns(graph)

    listed = api.get(f"{base}/accounts", channel_id=page.pk)
    assert listed.status_code == 200
    assert listed.json() == [
        {"id": ACCOUNT, "name": "Acme <b>ads</b>", "currency": "EUR", "status": 1}
    ]
    choices = api.get(f"{base}/campaigns", channel_id=page.pk, ad_account_id=ACCOUNT).json()
    assert [c["id"] for c in choices] == [AD, OTHER_AD]

    missing = api.post(base, {"channel_id": page.pk, "ad_account_id": ACCOUNT})
    assert missing.status_code == 400 and missing.json()["field"] == "ad_campaigns"

    created = api.post(
        base, {"channel_id": page.pk, "ad_account_id": ACCOUNT, "ad_campaign_ids": [AD]}
    )
    assert created.status_code == 201, created.content
    assert created.json()["ad_campaigns"] == [{"id": AD, "name": "Autumn <launch>"}]
    assert api.get(base).json()["result_action"] == "link_click"

    graph.get(INSIGHTS).mock(return_value=answer([row("2026-10-01", "12")]))
    with time_machine.travel(TODAY, tick=False):
        synced = api.post(f"{base}/sync")
    assert synced.status_code == 200
    assert synced.json() == {
        "saved": 1,
        "removed": 0,
        "since": "2026-10-01",
        "until": "2026-10-16",
        "complete": True,
        "problems": [],
    }
    assert api.get(base).json()["last_synced_at"] == "2026-10-16T12:00:00+02:00"

    assert api.delete(base).status_code == 204
    assert api.get(base).status_code == 404


def test_the_api_refuses_an_editor(
    paris: Workspace, bob: User, launch: Campaign, page: Channel
) -> None:
    api = token_api(bob, paris)
    base = f"/workspaces/{paris.slug}/measure/campaigns/{launch.pk}/ads"

    refused = api.post(base, {"channel_id": page.pk, "ad_account_id": ACCOUNT})

    assert refused.status_code == 403


def test_the_openapi_description_lists_the_ads_paths(db: None) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    base = "/api/workspaces/{slug}/measure/campaigns/{campaign_id}/ads"
    assert set(paths[base]) == {"get", "post", "delete"}
    assert set(paths[base + "/sync"]) == {"post"}
    assert set(paths[base + "/accounts"]) == {"get"}
    assert set(paths[base + "/campaigns"]) == {"get"}


def test_a_campaign_not_started_yet_asks_meta_nothing(
    graph: respx.MockRouter, paris: Workspace, alice: User, page: Channel
) -> None:
    later = Campaign.objects.create(workspace=paris, name="Winter", starts_on=date(2026, 12, 1))
    link = linked(graph, owner(paris, alice), later, page)
    route = graph.get(INSIGHTS).respond(200, json={"data": []})

    with time_machine.travel(TODAY, tick=False):
        result = adspend.sync_ads(link)

    assert result.complete and result.saved == 0 and not route.called
