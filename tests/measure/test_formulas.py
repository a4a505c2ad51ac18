"""The one computation module: each formula against figures worked out by hand, and unknown
counts kept unknown (a gap, not a zero)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hubbub.measure import formulas

# A post: 120 likes, 30 comments, 25 shares, 15 saves, 10 link clicks = 200 engagements;
# seen 8,000 times by 5,000 accounts.
POST = {
    "likes": 120,
    "comments": 30,
    "shares": 25,
    "saves": 15,
    "clicks": 10,
    "impressions": 8000,
    "reach": 5000,
}


def test_engagement_figures_by_hand() -> None:
    assert formulas.engagements(POST) == 200
    assert formulas.engagement_rate_reach(POST) == pytest.approx(4.0)  # 200 / 5,000
    assert formulas.engagement_rate_impressions(POST) == pytest.approx(2.5)  # 200 / 8,000
    assert formulas.click_through_rate(POST) == pytest.approx(0.125)  # 10 / 8,000


def test_a_count_the_network_did_not_give_is_not_a_zero() -> None:
    bluesky = {"likes": 4, "comments": 1, "shares": 2}  # no impressions, reach or clicks
    assert formulas.engagements(bluesky) == 7
    assert formulas.engagement_rate_reach(bluesky) is None
    assert formulas.click_through_rate(bluesky) is None
    assert formulas.engagements({}) is None
    assert formulas.engagement_rate_impressions({**POST, "impressions": 0}) is None


def test_follower_growth_and_its_rate() -> None:
    assert formulas.follower_growth(1200, 1260) == 60
    assert formulas.follower_growth_rate(1200, 1260) == pytest.approx(5.0)
    assert formulas.follower_growth(1200, 1150) == -50
    assert formulas.follower_growth(None, 1150) is None
    assert formulas.follower_growth_rate(0, 10) is None  # over nothing


def test_cost_per_result_in_money() -> None:
    assert formulas.cost_per_result(Decimal("250.00"), 40) == Decimal("6.25")
    assert formulas.cost_per_result(Decimal("100"), 3) == Decimal("33.33")
    assert formulas.cost_per_result(Decimal("100"), 0) is None
    assert formulas.cost_per_result(None, 5) is None


def test_response_and_listening_shares_by_hand() -> None:
    assert formulas.response_rate(17, 23) == pytest.approx(73.913, abs=1e-3)  # 17 / 23
    assert formulas.response_rate(0, 0) is None  # nothing received: no rate, not 0 %
    assert formulas.target_attainment(2, 3) == pytest.approx(66.667, abs=1e-3)
    assert formulas.target_attainment(0, 0) is None  # no due time: not "none met"
    # 30 positive, 10 negative (neutral left out): (30 - 10) / 40 = +50
    assert formulas.net_sentiment(30, 10) == pytest.approx(50.0)
    assert formulas.net_sentiment(1, 3) == pytest.approx(-50.0)
    assert formulas.net_sentiment(4, 0) == pytest.approx(100.0)
    assert formulas.net_sentiment(0, 0) is None  # only neutral mentions: no score
    assert formulas.net_sentiment(None, 3) is None


def test_totals_skip_unknown_rows_and_stay_unknown_without_any() -> None:
    rows: list[dict[str, int | None]] = [
        {"impressions": 100},
        {"impressions": None},
        {"impressions": 50},
    ]
    assert formulas.total(rows, "impressions") == 150
    assert formulas.total([{"impressions": None}], "impressions") is None


def test_every_figure_has_its_formula_in_words() -> None:
    for key in (
        "engagements",
        "engagement_rate_reach",
        "engagement_rate_impressions",
        "click_through_rate",
        "follower_growth",
        "follower_growth_rate",
        "cost_per_result",
        "response_rate",
        "first_response_median",
        "first_response_p90",
        "first_response_business_median",
        "first_response_business_p90",
        "first_response_within_target",
        "positive_share",
        "neutral_share",
        "negative_share",
        "net_sentiment",
        "share_of_voice",
    ):
        found = formulas.FORMULAS[key]
        assert str(found.text) and str(found.label)
        assert found.unit in ("count", "percent", "money", "seconds", "score")
    assert set(formulas.derived(POST)) <= set(formulas.FORMULAS)
