"""Response times and listening for the Results page, its summary CSV and the API: a Scope
and a Period in, plain dataclasses out.

Nothing is measured again here. Response times are the inbox's own report
(hubbub.inbox.reports.response_report) run over the period's bounds, so the Results page
and the inbox's report page give the same medians for the same days; listening's figures
are hubbub.listening.stats over Filters built for the period, as the Listening page builds
them (reposts counted, like its charts). What this module adds is the choice of figures,
their derived shares (hubbub.measure.formulas) and which scopes they apply to:

- a channel: response times of that channel's conversations; listening does not apply
  (a mention is about the brand wherever it was said, not about one of our channels);
- a campaign: neither applies. Conversations and mentions are not linked to publishing
  campaigns (a listening group of kind "campaign" is only a name), and showing the
  workspace's figures under a campaign's heading would pass them off as the campaign's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.inbox.reports import Durations, response_report
from hubbub.listening import stats
from hubbub.listening.models import AlertSeverity, ListeningAlert, MentionMatch, Query
from hubbub.measure import formulas
from hubbub.measure.periods import Period
from hubbub.measure.reports import Scope

TOP_QUERIES = 3

NOT_FOR_CAMPAIGN_RESPONSES = _(
    "Response times are not shown for a campaign: conversations are not linked to campaigns. "
    "Choose all campaigns to see the workspace's."
)
NOT_FOR_CAMPAIGN_LISTENING = _(
    "Listening is not shown for a campaign: mentions are not linked to campaigns. Choose all "
    "campaigns to see the workspace's."
)
NOT_FOR_CHANNEL_LISTENING = _(
    "Listening is not shown for one channel: mentions are about your brand wherever they were "
    "said, not about one of your channels. Choose all channels to see them."
)

# The figures of each panel, in the order they are shown, exported and answered.
RESPONSE_KEYS = (
    "conversations",
    "messages",
    "answered",
    "response_rate",
    "first_response_median",
    "first_response_p90",
    "first_response_business_median",
    "first_response_business_p90",
    "first_response_within_target",
)


def response_keys(now: Responses, before: Responses) -> tuple[str, ...]:
    """The response figures worth showing for two periods: without any conversation that had
    a due time (no response targets), "within target" is left out, since a row of dashes
    would read as "we met none of them"."""
    if now.measured or before.measured:
        return RESPONSE_KEYS
    return tuple(k for k in RESPONSE_KEYS if k != "first_response_within_target")


LISTENING_KEYS = (
    "mentions",
    "positive_share",
    "neutral_share",
    "negative_share",
    "net_sentiment",
    "alerts",
)


@dataclass(frozen=True)
class Responses:
    """The inbox's report for a period, reduced to what Results shows.

    conversations: conversations whose current cycle opened in the period (the inbox's
    rule: a conversation reopened later counts in the period it reopened in); messages:
    inbound messages received; answered: of the conversations, those with a first answer."""

    conversations: int
    messages: int
    answered: int
    first_response: Durations  # wall clock
    first_response_business: Durations  # the response policy's hours only
    measured: int  # answered conversations that had a first-response due time
    within_target: int  # of those, answered by it

    @property
    def empty(self) -> bool:
        return not self.conversations and not self.messages

    @property
    def figures(self) -> dict[str, int | float | None]:
        """Every figure by key: the counts, then those of formulas.FORMULAS."""
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "answered": self.answered,
            "response_rate": formulas.response_rate(self.answered, self.conversations),
            "first_response_median": self.first_response.median,
            "first_response_p90": self.first_response.p90,
            "first_response_business_median": self.first_response_business.median,
            "first_response_business_p90": self.first_response_business.p90,
            "first_response_within_target": formulas.target_attainment(
                self.within_target, self.measured
            ),
        }


@dataclass(frozen=True)
class QueryVolume:
    query_id: int
    name: str
    group: str  # its group's name, "" without one
    mentions: int
    share_of_voice: float | None  # percent of every query's mentions


@dataclass(frozen=True)
class Listening:
    """Listening over a period: mentions and their sentiment (mentions without one count in
    `mentions` only, as on the Listening page), alerts raised, and every query with at least
    one mention, most mentioned first."""

    mentions: int
    positive: int
    neutral: int
    negative: int
    alerts: int
    crisis_alerts: int
    queries: tuple[QueryVolume, ...] = field(default_factory=tuple)
    has_queries: bool = True  # False: the workspace listens for nothing yet

    @property
    def empty(self) -> bool:
        return not self.mentions and not self.alerts

    @property
    def top_queries(self) -> tuple[QueryVolume, ...]:
        return self.queries[:TOP_QUERIES]

    def query(self, query_id: int) -> QueryVolume | None:
        return next((q for q in self.queries if q.query_id == query_id), None)

    def mentions_of(self, query_id: int) -> int:
        found = self.query(query_id)
        return found.mentions if found else 0

    def share_of(self, query_id: int) -> float | None:
        """A query's share of voice; 0 when others were mentioned and not it, None when no
        query was (a share of nothing)."""
        found = self.query(query_id)
        if found is not None:
            return found.share_of_voice
        return 0.0 if self.queries else None

    @property
    def figures(self) -> dict[str, int | float | None]:
        return {
            "mentions": self.mentions,
            "positive_share": formulas.share(self.positive, self.mentions),
            "neutral_share": formulas.share(self.neutral, self.mentions),
            "negative_share": formulas.share(self.negative, self.mentions),
            "net_sentiment": formulas.net_sentiment(self.positive, self.negative),
            "alerts": self.alerts,
        }


def _workspace(scope: Scope) -> Workspace:
    return Workspace.objects.get(pk=scope.workspace_id)


def responses_reason(scope: Scope) -> str | Promise:
    """Why response times are not shown for this scope; "" when they are."""
    return NOT_FOR_CAMPAIGN_RESPONSES if scope.campaign_id is not None else ""


def listening_reason(scope: Scope) -> str | Promise:
    """Why listening is not shown for this scope; "" when it is."""
    if scope.campaign_id is not None:
        return NOT_FOR_CAMPAIGN_LISTENING
    if scope.channel_id is not None:
        return NOT_FOR_CHANNEL_LISTENING
    return ""


def responses(scope: Scope, period: Period) -> Responses | None:
    """The period's response times, or None when they do not apply (responses_reason)."""
    if responses_reason(scope):
        return None
    # The whole report (its groups and heatmap are not needed here) so that nothing is
    # measured a second way. Note: its business calendar comes from sla.policy_for, which
    # saves the default response policy when the workspace has none yet.
    report = response_report(_workspace(scope), period.start, period.end, channel=scope.channel_id)
    total = report.total
    return Responses(
        conversations=total.conversations,
        messages=report.inbound_messages,
        answered=total.first_response.count,
        first_response=total.first_response,
        first_response_business=total.first_response_business,
        measured=total.first_response_measured,
        within_target=total.first_response_within_target,
    )


def listening_filters(workspace: Workspace, period: Period) -> stats.Filters:
    """The Listening page's filters for these days: its own parser, given local dates."""
    return stats.filters_from(
        {"from": period.first.isoformat(), "to": period.last.isoformat()}, workspace
    )


def query_volumes(workspace: Workspace, filters: stats.Filters) -> list[QueryVolume]:
    """Each query's mentions among those that pass `filters`, most first (then by name).

    One grouped count rather than a count per query; a match is unique per query and
    mention, so it equals stats.mentions with that query's filter (tests check it): the
    number people find when they follow the query's link to the mentions list. The share
    is over the sum of every query's mentions, as stats.share_of_voice does for groups, so
    the shares of all queries add up to 100."""
    base = stats.mentions(workspace, filters).order_by().values("pk")
    counted: dict[int, int] = dict(
        MentionMatch.objects.filter(workspace=workspace, mention_id__in=base)
        .order_by()
        .values("query_id")
        .annotate(n=Count("mention_id"))
        .values_list("query_id", "n")
    )
    total = sum(counted.values())
    found = Query.objects.filter(workspace=workspace, pk__in=list(counted)).select_related("group")
    rows = [
        QueryVolume(
            query_id=query.pk,
            name=query.name,
            group=query.group.name if query.group else "",
            mentions=counted[query.pk],
            share_of_voice=formulas.share(counted[query.pk], total),
        )
        for query in found
    ]
    return sorted(rows, key=lambda row: (-row.mentions, row.name.lower(), row.query_id))


def listening(scope: Scope, period: Period) -> Listening | None:
    """The period's listening figures, or None when they do not apply (listening_reason)."""
    if listening_reason(scope):
        return None
    workspace = _workspace(scope)
    filters = listening_filters(workspace, period)
    totals = stats.sentiment_totals(workspace, filters)
    raised: dict[str, Any] = ListeningAlert.objects.filter(
        workspace=workspace, raised_at__gte=period.start, raised_at__lt=period.end
    ).aggregate(
        alerts=Count("pk"),
        crisis=Count("pk", filter=Q(severity=AlertSeverity.CRISIS)),
    )
    return Listening(
        mentions=totals["total"],
        positive=totals["positive"],
        neutral=totals["neutral"],
        negative=totals["negative"],
        alerts=int(raised["alerts"] or 0),
        crisis_alerts=int(raised["crisis"] or 0),
        queries=tuple(query_volumes(workspace, filters)),
        has_queries=Query.objects.filter(workspace=workspace).exists(),
    )
