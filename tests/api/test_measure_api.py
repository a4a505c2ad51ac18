"""Measure through the API: the same figures as the page, with their formulas; posts of the
period; clear errors for bad periods and other workspaces' channels; client viewers read."""

from __future__ import annotations

from typing import Any

import pytest

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.api.conftest import token_api
from tests.measure.test_reports import month, paris

__all__ = ["month", "paris"]  # fixtures
pytestmark = pytest.mark.django_db
M = "/workspaces/acme/measure"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def test_the_summary_is_the_pages_figures_with_formulas(
    month: dict[str, Any], alice: User, paris: Workspace
) -> None:
    api = token_api(alice, paris)
    answer = api.get(f"{M}/summary", **OCTOBER)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["period"] == {
        "first": "2026-10-01",
        "last": "2026-10-31",
        "time_zone": "Europe/Paris",
    }
    assert body["compared_with"]["first"] == "2026-08-31"  # the 31 days before
    assert body["now"]["posts"] == 3 and body["now"]["figures"]["engagements"] == 34
    assert body["now"]["counts"]["impressions"] == 400 and body["now"]["counts"]["saves"] is None
    assert body["before"]["posts"] == 1  # 30 September's post
    keys = {f["key"]: f for f in body["formulas"]}
    assert keys["engagement_rate_reach"]["formula"] == "engagements ÷ reach × 100"  # noqa: RUF001
    one = api.get(f"{M}/summary", channel=month["bluesky"].pk, compare="year", **OCTOBER).json()
    assert one["now"]["counts"]["likes"] == 14 and one["compared_with"]["first"] == "2025-10-01"


def test_posts_most_engaging_first(month: dict[str, Any], alice: User, paris: Workspace):
    rows = token_api(alice, paris).get(f"{M}/posts", **OCTOBER).json()
    assert [r["figures"]["engagements"] for r in rows] == [15, 14, 5]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"period": "fortnight"}, "period is one of"),
        ({"from": "2026-10-05"}, "Give both from and to"),
        ({"from": "2026-10-05", "to": "2026-10-01"}, "from must not be after to"),
        ({"compare": "yesterday"}, "compare is one of"),
    ],
)
def test_a_bad_period_says_what_to_fix(
    alice: User, paris: Workspace, query: dict[str, str], says: str
) -> None:
    answer = token_api(alice, paris).get(f"{M}/summary", **query)
    assert answer.status_code == 400 and says in answer.json()["detail"]


def test_another_workspaces_channel_is_refused(
    alice: User, paris: Workspace, globex: Workspace
) -> None:
    theirs = Channel.objects.create(
        workspace=globex, network="bluesky", external_id="g", handle="g"
    )
    answer = token_api(alice, paris).get(f"{M}/summary", channel=theirs.pk)
    assert answer.status_code == 400 and "no such channel" in answer.json()["detail"]


def test_client_viewers_read_the_figures(month: dict[str, Any], alice: User, paris: Workspace):
    answer = token_api(alice, paris, role="client_viewer").get(f"{M}/summary", **OCTOBER)
    assert answer.status_code == 200


def test_a_campaigns_report_and_spend_through_the_api(
    month: dict[str, Any], alice: User, paris: Workspace
) -> None:
    api = token_api(alice, paris)
    path = f"{M}/campaigns/{month['launch'].pk}"
    answer = api.post(f"{path}/spend", {"day": "2026-10-02", "amount": "99.90", "currency": "EUR"})
    assert answer.status_code == 201 and answer.json()["amount"] == "99.90"
    refused = api.post(f"{path}/spend", {"day": "2026-10-03", "amount": "5", "currency": "USD"})
    assert refused.status_code == 400 and "convert the amount to EUR" in refused.json()["detail"]
    body = api.get(path).json()
    assert (body["spent"], body["currency"], body["budget"]) == ("99.90", "EUR", None)
    assert body["now"]["posts"] == 1  # the campaign's one post in October
    viewer = token_api(alice, paris, role="client_viewer")
    assert viewer.get(path).status_code == 200
    assert viewer.post(f"{path}/spend", {"day": "2026-10-02", "amount": "1"}).status_code == 403
