"""Reading ad spend from Meta's Marketing API (Ads Insights), for campaign spend in Measure.

Which token: the Marketing API reads an ad account with a *user* access token granted
`ads_read` ("Marketing API, Authentication"); a Page token cannot read ad accounts. When a
Facebook Page channel is connected, the long-lived user token of the person who connected it
is kept (encrypted) beside the Page token as `ads_access_token` (FacebookConnector
.accounts_from_token). It lasts about 60 days ("Long-Lived Access Tokens"); then Meta answers
error 190 and the person reconnects the channel, as for any expired authorization.

The calls (Graph API, the version pinned in graph.VERSION):

- GET /me/adaccounts?fields=id,account_id,name,currency,account_status,timezone_name: the ad
  accounts the person can read ("Ad Account", User's ad accounts edge).
- GET /act_{ad_account_id}/campaigns?fields=id,name,status,objective: its ad campaigns.
- GET /act_{ad_account_id}/insights with level=campaign, time_increment=1 (one row per
  campaign per day), time_range={"since","until"} and a filtering on campaign.id: spend
  ("5339.5", a decimal string in the account's currency), reach, impressions, actions
  ([{"action_type", "value"}]), account_currency, date_start and date_stop ("Ads Insights
  API", Ad Account Insights reference).

Paging follows paging.cursors.after while paging.next is given ("Pagination"), as
graph.paged does, calling our own URL again rather than paging.next (which repeats the token).

Errors keep graph.error_for's mapping and add the Marketing API's own ("Marketing API, Error
Codes", "Rate Limiting"): 80000 (the Ads Insights use case) and the other business use case
codes, 17 and 613 are rate limits; 200, 272, 294 and 10 mean ads_read is missing or the person
has no role on the ad account; 3018 is a start date beyond 37 months.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
)
from hubbub.networks.facebook import graph
from hubbub.networks.models import Channel

NETWORK = "Facebook"
# The credential key of the user token that reads ad accounts (see the module's docstring).
TOKEN_KEY = "ads_access_token"
INSIGHTS_FIELDS = (
    "campaign_id,campaign_name,spend,reach,impressions,actions,account_currency,"
    "date_start,date_stop"
)
ACCOUNT_FIELDS = "id,account_id,name,currency,account_status,timezone_name"
CAMPAIGN_FIELDS = "id,name,status,objective"
# Rows per page: the Insights API accepts a `limit`; 500 days-by-campaign rows keep a
# 28-day re-sync of a dozen ad campaigns to one call.
PAGE_SIZE = "500"
# "Rate Limiting": 17 (user), 4 (app), 613 (ad account), and the business use case codes
# 80000 (ads_insights) to 80014.
_ADS_RATE_LIMIT_CODES = frozenset({4, 17, 613, *range(80000, 80015)})
# "Marketing API, Error Codes": 200 and 10 (permission), 272 (the user is not an admin of
# the app or lacks ads_read/ads_management), 294 (ads permission missing).
_ADS_PERMISSION_CODES = frozenset({10, 200, 272, 294})


@dataclass(frozen=True)
class AdAccount:
    id: str  # the digits, without "act_"
    name: str
    currency: str
    status: int | None  # account_status: 1 active, 2 disabled, ...


@dataclass(frozen=True)
class AdCampaign:
    id: str
    name: str
    status: str
    objective: str


@dataclass(frozen=True)
class InsightRow:
    """One ad campaign's figures on one day, as Meta gave them (checked later, row by row,
    by hubbub.measure.adspend, so one bad row does not lose the others)."""

    campaign_id: str
    campaign_name: str
    day: str  # date_start, YYYY-MM-DD (the ad account's time zone)
    spend: str
    currency: str
    reach: Any
    impressions: Any
    actions: list[dict[str, Any]] = field(default_factory=list)

    def results(self, action_type: str) -> int:
        """The `actions` entries of one action type, summed; 0 when Meta gave none (Meta
        leaves out an action type nobody took that day)."""
        total = Decimal(0)
        for entry in self.actions:
            if entry.get("action_type") != action_type:
                continue
            try:
                total += Decimal(str(entry.get("value")))
            except (InvalidOperation, ValueError):
                continue
        return int(total) if total.is_finite() and total >= 0 else 0


def ads_token(channel: Channel) -> str:
    """The user token that reads ad accounts; AuthError telling to reconnect when the channel
    has none (connected before Hubbub read ads)."""
    if channel.network != "facebook" or not channel.is_connected:
        raise PermanentError(_("Choose a connected Facebook channel to read ad spend with."))
    token = channel.credentials.get(TOKEN_KEY)
    if not token:
        raise AuthError(
            _(
                "This Facebook channel was connected before Hubbub read ad spend: reconnect "
                "the Facebook channel, granting ads_read."
            )
        )
    return str(token)


def ad_account_path(ad_account_id: str) -> str:
    digits = str(ad_account_id).removeprefix("act_")
    if not digits.isdigit():
        raise PermanentError(_("An ad account id is a number, e.g. act_1234567890."))
    return f"act_{digits}"


def error_for(response: httpx.Response, body: dict[str, Any]) -> ConnectorError:
    """graph.error_for, with the Marketing API's codes and what to do about them."""
    error = graph.obj(body.get("error"))
    code = graph._int(error.get("code")) or 0
    subcode = graph._int(error.get("error_subcode")) or 0
    words = str(error.get("error_user_msg") or error.get("message") or response.reason_phrase)
    said = f"{words} (code {code}" + (f"/{subcode}" if subcode else "") + ")"
    if error.get("fbtrace_id"):
        said += f" fbtrace_id {error['fbtrace_id']}"
    status = response.status_code
    if error and code in _ADS_RATE_LIMIT_CODES:
        return RateLimited(
            _(
                "Facebook's ads rate limit for this ad account is reached: Hubbub reads the "
                "spend again after it lifts."
            ),
            graph.rate_limit_reset(response),
            network_message=said,
            status=status,
        )
    if error and code in _ADS_PERMISSION_CODES:
        return PermanentError(
            _(
                "Facebook refuses to show this ad account: reconnect the Facebook channel "
                "granting ads_read, and check that your Facebook account has a role on the ad "
                "account (Ads Manager, ad account settings). If it is still refused, the "
                "operator's Meta app needs ads_read approved (App Review)."
            ),
            network_message=said,
            status=status,
        )
    if error and code == 3018:
        return PermanentError(
            _("Facebook keeps ad figures for 37 months: choose a later start date."),
            network_message=said,
            status=status,
        )
    if error and code == 100 and subcode == 33:
        return PermanentError(
            _(
                "Facebook says this ad account or ad campaign does not exist, or your Facebook "
                "account cannot reach it: choose it again from the list."
            ),
            network_message=said,
            status=status,
        )
    found = graph.error_for(response, body, NETWORK)
    if found.needs_reconnect and subcode not in graph._SUBCODES:
        # The user token that reads ads lasts about 60 days, unlike the Page token: say so.
        return AuthError(
            _(
                "Facebook no longer accepts the authorization that reads ad spend (it lasts "
                "about 60 days): reconnect the Facebook channel, granting ads_read."
            ),
            network_message=found.network_message,
            status=status,
        )
    return found


def call(path: str, *, token: str, params: dict[str, Any]) -> dict[str, Any]:
    response = graph.call_response("GET", path, token=token, network=NETWORK, params=params)
    body = http.json_object(response)
    if response.is_success and "error" not in body:
        return body
    raise error_for(response, body)


def paged(path: str, *, token: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Each page's `data`, following paging.cursors.after while paging.next says there is
    more (at most graph.MAX_PAGES pages)."""
    query = dict(params)
    for _page in range(graph.MAX_PAGES):
        body = call(path, token=token, params=query)
        data = body.get("data")
        items = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
        yield items
        paging = graph.obj(body.get("paging"))
        after = graph.obj(paging.get("cursors")).get("after")
        if not items or not after or not paging.get("next"):
            return
        query["after"] = after


def ad_accounts(token: str) -> list[AdAccount]:
    found = []
    for items in paged(
        "me/adaccounts", token=token, params={"fields": ACCOUNT_FIELDS, "limit": "100"}
    ):
        for item in items:
            digits = str(item.get("account_id") or str(item.get("id") or "")).removeprefix("act_")
            if not digits.isdigit():
                continue
            found.append(
                AdAccount(
                    id=digits,
                    name=str(item.get("name") or digits),
                    currency=str(item.get("currency") or ""),
                    status=graph._int(item.get("account_status")),
                )
            )
    return found


def ad_campaigns(token: str, ad_account_id: str) -> list[AdCampaign]:
    found = []
    for items in paged(
        f"{ad_account_path(ad_account_id)}/campaigns",
        token=token,
        params={"fields": CAMPAIGN_FIELDS, "limit": "100"},
    ):
        for item in items:
            if not item.get("id"):
                continue
            found.append(
                AdCampaign(
                    id=str(item["id"]),
                    name=str(item.get("name") or item["id"]),
                    status=str(item.get("status") or ""),
                    objective=str(item.get("objective") or ""),
                )
            )
    return found


def insights(
    token: str, ad_account_id: str, campaign_ids: list[str], since: date, until: date
) -> Iterator[list[InsightRow]]:
    """Each page of day-by-campaign rows for the given ad campaigns, from `since` to `until`
    included (the ad account's days). A page at a time, so a failure on page three keeps what
    pages one and two gave."""
    params = {
        "level": "campaign",
        "fields": INSIGHTS_FIELDS,
        "time_increment": "1",
        "time_range": json.dumps(
            {"since": since.isoformat(), "until": until.isoformat()}, separators=(",", ":")
        ),
        "filtering": json.dumps(
            [{"field": "campaign.id", "operator": "IN", "value": list(campaign_ids)}],
            separators=(",", ":"),
        ),
        "limit": PAGE_SIZE,
    }
    for items in paged(f"{ad_account_path(ad_account_id)}/insights", token=token, params=params):
        rows = []
        for item in items:
            actions = item.get("actions")
            rows.append(
                InsightRow(
                    campaign_id=str(item.get("campaign_id") or ""),
                    campaign_name=str(item.get("campaign_name") or ""),
                    day=str(item.get("date_start") or ""),
                    spend=str(item.get("spend") if item.get("spend") is not None else ""),
                    currency=str(item.get("account_currency") or ""),
                    reach=item.get("reach"),
                    impressions=item.get("impressions"),
                    actions=[a for a in actions if isinstance(a, dict)]
                    if isinstance(actions, list)
                    else [],
                )
            )
        yield rows
