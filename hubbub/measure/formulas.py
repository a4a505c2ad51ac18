# ruff: noqa: RUF001, RUF002  (the multiplication, division and minus signs are meant: people read them)
"""Every derived figure Hubbub shows, computed in one place, each with the formula people see
beside it (pages, exports and the PDF's appendix all read FORMULAS).

Counts a network did not give are None, and a figure that needs one is None too ("no
data", shown as a gap), never 0: a network that stops reporting impressions must not look
like a post nobody saw. A share over a zero base is None as well.

- engagements = likes + comments + shares + saves + clicks, over the counts the network gave
  (None only when it gave none of them);
- engagement rate by reach = engagements ÷ reach × 100;
- engagement rate by impressions = engagements ÷ impressions × 100;
- click-through rate = clicks ÷ impressions × 100;
- follower growth = followers at the end − followers at the start;
- follower growth rate = follower growth ÷ followers at the start × 100;
- cost per result = spend ÷ results (results: what the campaign's goal counts);
- response times (hubbub.measure.engagement, from the inbox's own report): conversations
  answered ÷ received, median and 90th percentile first response (nearest rank, on the
  clock and in business hours), answered within target ÷ answered with a due time;
- listening (from hubbub.listening.stats): each sentiment's mentions ÷ all mentions, net
  sentiment = (positive − negative) ÷ (positive + negative) × 100, and a query's share of
  voice = its mentions ÷ every query's mentions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ENGAGEMENT_COUNTS = ("likes", "comments", "shares", "saves", "clicks")


@dataclass(frozen=True)
class Formula:
    key: str
    label: str | Promise
    text: str | Promise  # how it is computed, in words people read
    unit: str  # "count", "percent", "money", "seconds" or "score" (net sentiment, ±100)


FORMULAS: dict[str, Formula] = {
    f.key: f
    for f in (
        Formula(
            "engagements",
            _("Engagements"),
            _("likes + comments + shares + saves + link clicks"),
            "count",
        ),
        Formula(
            "engagement_rate_reach",
            _("Engagement rate (by reach)"),
            _("engagements ÷ reach × 100"),
            "percent",
        ),
        Formula(
            "engagement_rate_impressions",
            _("Engagement rate (by impressions)"),
            _("engagements ÷ impressions × 100"),
            "percent",
        ),
        Formula(
            "click_through_rate",
            _("Click-through rate"),
            _("link clicks ÷ impressions × 100"),
            "percent",
        ),
        Formula(
            "follower_growth",
            _("Follower growth"),
            _("followers at the end of the period − followers at its start"),
            "count",
        ),
        Formula(
            "follower_growth_rate",
            _("Follower growth rate"),
            _("follower growth ÷ followers at the start × 100"),
            "percent",
        ),
        Formula(
            "cost_per_result",
            _("Cost per result"),
            _("spend ÷ results"),
            "money",
        ),
        # Response times: the inbox's report (hubbub.inbox.reports) measures them; these
        # say in words what it measures, for the Results page and its exports.
        Formula(
            "response_rate",
            _("Response rate"),
            _("conversations answered ÷ conversations received × 100"),
            "percent",
        ),
        Formula(
            "first_response_median",
            _("First response time (median)"),
            _(
                "time from the message that opened a conversation to our first answer; half "
                "of the answered conversations got it sooner (nearest rank)"
            ),
            "seconds",
        ),
        Formula(
            "first_response_p90",
            _("First response time (90th percentile)"),
            _(
                "time from the message that opened a conversation to our first answer; 9 in "
                "10 answered conversations got it sooner (nearest rank)"
            ),
            "seconds",
        ),
        Formula(
            "first_response_business_median",
            _("First response time in business hours (median)"),
            _("the median first response time, counting only the response policy's hours"),
            "seconds",
        ),
        Formula(
            "first_response_business_p90",
            _("First response time in business hours (90th percentile)"),
            _("the 90th percentile first response time, counting only the response policy's hours"),
            "seconds",
        ),
        Formula(
            "first_response_within_target",
            _("Answered within target"),
            _(
                "conversations answered by their due time ÷ answered conversations that had "
                "a due time × 100"
            ),
            "percent",
        ),
        # Listening: counts from hubbub.listening.stats, as the Listening page shows them.
        Formula(
            "positive_share",
            _("Positive mentions"),
            _("positive mentions ÷ mentions × 100"),
            "percent",
        ),
        Formula(
            "neutral_share",
            _("Neutral mentions"),
            _("neutral mentions ÷ mentions × 100"),
            "percent",
        ),
        Formula(
            "negative_share",
            _("Negative mentions"),
            _("negative mentions ÷ mentions × 100"),
            "percent",
        ),
        Formula(
            "net_sentiment",
            _("Net sentiment"),
            _(
                "(positive mentions − negative mentions) ÷ (positive + negative mentions) × "
                "100, from −100 to +100"
            ),
            "score",
        ),
        Formula(
            "share_of_voice",
            _("Share of voice (by query)"),
            _("a query's mentions ÷ the mentions of every query × 100"),
            "percent",
        ),
    )
}


def engagements(counts: Mapping[str, int | None]) -> int | None:
    given = [counts.get(name) for name in ENGAGEMENT_COUNTS]
    known = [value for value in given if value is not None]
    return sum(known) if known else None


def share(part: int | float | None, whole: int | float | None) -> float | None:
    """part ÷ whole × 100; None without either, or over nothing."""
    if part is None or whole is None or whole <= 0:
        return None
    return part / whole * 100


def engagement_rate_reach(counts: Mapping[str, int | None]) -> float | None:
    return share(engagements(counts), counts.get("reach"))


def engagement_rate_impressions(counts: Mapping[str, int | None]) -> float | None:
    return share(engagements(counts), counts.get("impressions"))


def click_through_rate(counts: Mapping[str, int | None]) -> float | None:
    return share(counts.get("clicks"), counts.get("impressions"))


def follower_growth(start: int | None, end: int | None) -> int | None:
    if start is None or end is None:
        return None
    return end - start


def follower_growth_rate(start: int | None, end: int | None) -> float | None:
    return share(follower_growth(start, end), start)


def cost_per_result(spend: Decimal | None, results: int | None) -> Decimal | None:
    if spend is None or not results:
        return None
    return (spend / results).quantize(Decimal("0.01"))


def response_rate(answered: int, received: int) -> float | None:
    return share(answered, received)


def target_attainment(within: int, measured: int) -> float | None:
    """Unrounded; the inbox's report rounds the same quotient to one decimal."""
    return share(within, measured)


def net_sentiment(positive: int | None, negative: int | None) -> float | None:
    """(positive − negative) ÷ (positive + negative) × 100. Neutral mentions are left out on
    purpose: a quiet week of neutral news should not pull the score towards 0. None without
    any positive or negative mention."""
    if positive is None or negative is None:
        return None
    return share(positive - negative, positive + negative)


def derived(counts: Mapping[str, int | None]) -> dict[str, int | float | None]:
    """The post-level figures of one set of counts (a post, or totals over many)."""
    return {
        "engagements": engagements(counts),
        "engagement_rate_reach": engagement_rate_reach(counts),
        "engagement_rate_impressions": engagement_rate_impressions(counts),
        "click_through_rate": click_through_rate(counts),
    }


def total(rows: Sequence[Mapping[str, int | None]], name: str) -> int | None:
    """The sum of a count over rows; None when no row has it (not 0: unknown)."""
    known = [row[name] for row in rows if row.get(name) is not None]
    return sum(known) if known else None  # type: ignore[arg-type]
