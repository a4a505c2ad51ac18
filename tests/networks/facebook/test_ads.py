"""Ad spend from the Marketing API (hubbub.networks.facebook.ads): the ad accounts of the
person (GET /me/adaccounts), an account's ad campaigns, and Ads Insights by campaign by day
(GET /act_{id}/insights, level=campaign, time_increment=1), with the user token kept for ads;
paging followed; each documented error said with what to do ("Marketing API, Error Codes",
"Rate Limiting", "Handling Errors")."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
import time_machine

from hubbub.networks.base import AuthError, PermanentError, RateLimited
from hubbub.networks.facebook import ads
from hubbub.networks.models import Channel
from tests.networks.facebook.conftest import GRAPH, REVOKED, buc_usage, error, query

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 16, 10, 0, tzinfo=UTC)
ADS_TOKEN = "EAAGlong-lived-user-token-ads"
ACCOUNT = "1234567890"
INSIGHTS = f"{GRAPH}/act_{ACCOUNT}/insights"


@pytest.fixture
def ads_channel(channel: Channel) -> Channel:
    channel.credentials = {**channel.credentials, "ads_access_token": ADS_TOKEN}
    channel.save()
    return channel


def insight(campaign_id: str, day: str, spend: str, **extra: Any) -> dict[str, Any]:
    """One row of Ad Account Insights at level=campaign with time_increment=1."""
    return {
        "campaign_id": campaign_id,
        "campaign_name": "Autumn launch",
        "spend": spend,
        "reach": "1200",
        "impressions": "3400",
        "actions": [
            {"action_type": "link_click", "value": "41"},
            {"action_type": "post_engagement", "value": "97"},
        ],
        "account_currency": "EUR",
        "date_start": day,
        "date_stop": day,
        **extra,
    }


def page_of(items: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    paging: dict[str, Any] = {"cursors": {"before": "MAZDZD", "after": after or "MjQZD"}}
    if after:
        paging["next"] = f"{INSIGHTS}?after={after}&access_token=should-not-be-followed"
    return {"data": items, "paging": paging}


def test_the_token_kept_for_ads_is_the_one_used(ads_channel: Channel) -> None:
    assert ads.ads_token(ads_channel) == ADS_TOKEN


def test_a_channel_connected_before_ads_asks_for_a_reconnect(channel: Channel) -> None:
    with pytest.raises(AuthError) as caught:
        ads.ads_token(channel)
    assert "reconnect the Facebook channel, granting ads_read" in str(caught.value)


def test_the_ad_accounts_are_listed_with_their_currency(
    router: respx.MockRouter, ads_channel: Channel
) -> None:
    route = router.get(f"{GRAPH}/me/adaccounts").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "data": [
                        {
                            "id": f"act_{ACCOUNT}",
                            "account_id": ACCOUNT,
                            "name": "Acme Coffee ads",
                            "currency": "EUR",
                            "account_status": 1,
                            "timezone_name": "Europe/Paris",
                        }
                    ],
                    "paging": {
                        "cursors": {"before": "a", "after": "QVFIUnext"},
                        "next": f"{GRAPH}/me/adaccounts?after=QVFIUnext",
                    },
                },
            ),
            httpx.Response(
                200,
                json={
                    "data": [{"id": "act_222", "name": "Old", "currency": "USD"}],
                    "paging": {"cursors": {"before": "b", "after": "c"}},
                },
            ),
        ]
    )

    found = ads.ad_accounts(ADS_TOKEN)

    assert found == [
        ads.AdAccount(id=ACCOUNT, name="Acme Coffee ads", currency="EUR", status=1),
        ads.AdAccount(id="222", name="Old", currency="USD", status=None),
    ]
    first, second = (call.request for call in route.calls)
    assert first.url.path == "/v23.0/me/adaccounts"
    assert query(first) == {
        "fields": ["id,account_id,name,currency,account_status,timezone_name"],
        "limit": ["100"],
        "access_token": [ADS_TOKEN],
    }
    assert query(second)["after"] == ["QVFIUnext"]


def test_the_ad_campaigns_of_an_account(router: respx.MockRouter) -> None:
    route = router.get(f"{GRAPH}/act_{ACCOUNT}/campaigns").respond(
        200,
        json={
            "data": [
                {
                    "id": "120210000000000001",
                    "name": "Autumn launch",
                    "status": "ACTIVE",
                    "objective": "OUTCOME_TRAFFIC",
                }
            ],
            "paging": {"cursors": {"before": "a", "after": "b"}},
        },
    )

    found = ads.ad_campaigns(ADS_TOKEN, f"act_{ACCOUNT}")

    assert found == [
        ads.AdCampaign("120210000000000001", "Autumn launch", "ACTIVE", "OUTCOME_TRAFFIC")
    ]
    assert query(route.calls.last.request) == {
        "fields": ["id,name,status,objective"],
        "limit": ["100"],
        "access_token": [ADS_TOKEN],
    }


def test_an_ad_account_id_is_a_number() -> None:
    with pytest.raises(PermanentError):
        ads.ad_campaigns(ADS_TOKEN, "act_../../me")


def test_insights_by_campaign_by_day_follow_the_cursor(router: respx.MockRouter) -> None:
    route = router.get(INSIGHTS).mock(
        side_effect=[
            httpx.Response(
                200, json=page_of([insight("1202", "2026-10-01", "12.34")], after="MjQZD")
            ),
            httpx.Response(200, json=page_of([insight("1202", "2026-10-02", "5")])),
        ]
    )

    pages = list(ads.insights(ADS_TOKEN, ACCOUNT, ["1202"], date(2026, 10, 1), date(2026, 10, 2)))

    assert [[(r.campaign_id, r.day, r.spend, r.currency) for r in p] for p in pages] == [
        [("1202", "2026-10-01", "12.34", "EUR")],
        [("1202", "2026-10-02", "5", "EUR")],
    ]
    assert pages[0][0].results("link_click") == 41
    assert pages[0][0].results("lead") == 0  # Meta leaves out what nobody did
    first, second = (call.request for call in route.calls)
    assert first.method == "GET" and first.url.path == f"/v23.0/act_{ACCOUNT}/insights"
    assert query(first) == {
        "level": ["campaign"],
        "fields": [
            "campaign_id,campaign_name,spend,reach,impressions,actions,account_currency,"
            "date_start,date_stop"
        ],
        "time_increment": ["1"],
        "time_range": ['{"since":"2026-10-01","until":"2026-10-02"}'],
        "filtering": ['[{"field":"campaign.id","operator":"IN","value":["1202"]}]'],
        "limit": ["500"],
        "access_token": [ADS_TOKEN],
    }
    assert json.loads(query(first)["time_range"][0]) == {
        "since": "2026-10-01",
        "until": "2026-10-02",
    }
    # The next page is our own URL again with `after`, not paging.next (which repeats a
    # token in its query).
    assert query(second)["after"] == ["MjQZD"]
    assert query(second)["access_token"] == [ADS_TOKEN]


def test_the_ads_insights_rate_limit_waits_for_metas_estimate(router: respx.MockRouter) -> None:
    router.get(INSIGHTS).respond(
        400,
        headers=buc_usage(ACCOUNT, 15, kind="ads_insights"),
        json=error("(#80000) There have been too many calls from this ad-account.", 80000),
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        list(ads.insights(ADS_TOKEN, ACCOUNT, ["1202"], date(2026, 10, 1), date(2026, 10, 2)))

    assert caught.value.retry_at == NOW + timedelta(minutes=15)
    assert "ads rate limit" in caught.value.message
    assert "80000" in caught.value.network_message


@pytest.mark.parametrize("code", [17, 613, 80004])
def test_other_marketing_api_throttling_is_a_rate_limit(
    router: respx.MockRouter, code: int
) -> None:
    router.get(INSIGHTS).respond(400, json=error("User request limit reached", code))

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        list(ads.insights(ADS_TOKEN, ACCOUNT, ["1"], date(2026, 10, 1), date(2026, 10, 1)))

    assert caught.value.retry_at == NOW + timedelta(hours=1)  # no estimate: a rolling hour


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (200, "(#200) Requires ads_read permission"),
        (272, "(#272) This Ads API call requires the user to be admin of the ad account"),
        (294, "(#294) Managing advertisements requires the extended permission ads_management"),
        (10, "(#10) Application does not have permission for this action"),
    ],
)
def test_a_missing_ads_read_says_to_reconnect_granting_it(
    router: respx.MockRouter, code: int, words: str
) -> None:
    router.get(INSIGHTS).respond(403, json=error(words, code))

    with pytest.raises(PermanentError) as caught:
        list(ads.insights(ADS_TOKEN, ACCOUNT, ["1"], date(2026, 10, 1), date(2026, 10, 1)))

    assert "reconnect the Facebook channel granting ads_read" in caught.value.message
    assert words in caught.value.network_message


def test_an_expired_user_token_asks_for_a_reconnect(router: respx.MockRouter) -> None:
    router.get(f"{GRAPH}/me/adaccounts").respond(
        400, json=error("Error validating access token: Session has expired.", 190)
    )

    with pytest.raises(AuthError) as caught:
        ads.ad_accounts(ADS_TOKEN)

    assert caught.value.needs_reconnect
    assert "lasts about 60 days" in caught.value.message
    assert "granting ads_read" in caught.value.message


def test_a_password_change_keeps_metas_reason(router: respx.MockRouter) -> None:
    router.get(f"{GRAPH}/me/adaccounts").respond(400, json=REVOKED)

    with pytest.raises(AuthError) as caught:
        ads.ad_accounts(ADS_TOKEN)

    assert "changed their Facebook password" in caught.value.message


def test_a_start_beyond_37_months_is_said(router: respx.MockRouter) -> None:
    router.get(INSIGHTS).respond(
        400,
        json=error(
            "The start date of the time range cannot be beyond 37 months from the current date",
            3018,
            kind="OAuthException",
        ),
    )

    with pytest.raises(PermanentError) as caught:
        list(ads.insights(ADS_TOKEN, ACCOUNT, ["1"], date(2020, 1, 1), date(2026, 10, 1)))

    assert "37 months" in caught.value.message


def test_an_unknown_ad_account_is_said(router: respx.MockRouter) -> None:
    router.get(f"{GRAPH}/act_{ACCOUNT}/campaigns").respond(
        400, json=error("Unsupported get request. Object with ID 'act_1' does not exist", 100, 33)
    )

    with pytest.raises(PermanentError) as caught:
        ads.ad_campaigns(ADS_TOKEN, ACCOUNT)

    assert "choose it again from the list" in caught.value.message


def test_a_server_error_is_transient(router: respx.MockRouter) -> None:
    router.get(INSIGHTS).respond(500, json=error("An unknown error occurred", 1))

    with pytest.raises(Exception) as caught:
        list(ads.insights(ADS_TOKEN, ACCOUNT, ["1"], date(2026, 10, 1), date(2026, 10, 1)))

    assert getattr(caught.value, "permanent", True) is False
