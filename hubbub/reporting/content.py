"""What a report says, gathered once from Measure's own functions: the PDF (pdf.py) and the
e-mail that carries it (schedules.py) both read a ReportContent, so the figures in a report
are the figures of the Results page for the same period and scope (tests/reporting checks
they agree)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hubbub.core.models import Brand, Workspace
from hubbub.measure import besttime, campaigns, engagement, formulas, reports
from hubbub.measure.periods import COMPARISONS, Period
from hubbub.measure.views.engagement import figure_text
from hubbub.measure.views.engagement import rows as panel_rows
from hubbub.measure.views.overview import headline_rows, shown, slot_label
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign

TOP = 5
TEXT_CHARS = 90  # a post's text in a table: its start, the rest is on the network


@dataclass(frozen=True)
class ChannelLine:
    name: str
    network: str
    posts: int
    engagements: str
    rate: str
    followers: str
    growth: str
    engaged: int | None  # for the chart


@dataclass(frozen=True)
class PostLine:
    published: str
    channel: str
    text: str
    engagements: str
    rate: str


@dataclass(frozen=True)
class Panel:
    """Response times or listening, as on the Results page: rows shaped as the headline's,
    or the reason the panel does not apply to this scope."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    queries: list[list[str]] = field(default_factory=list)  # listening's top queries


@dataclass
class ReportContent:
    workspace: Workspace
    brand: Brand
    scope: reports.Scope
    scope_label: str
    period: Period
    earlier: Period
    compare_label: str
    generated_at: datetime
    totals: reports.Totals
    headline: list[dict[str, Any]]
    channels: list[ChannelLine]
    daily: list[tuple[date, int, int | None]]
    best: list[PostLine]
    weakest: list[PostLine]
    best_time: besttime.BestTime
    best_slots: list[str]
    campaign: campaigns.CampaignReport | None
    responses: Panel = field(default_factory=Panel)
    listening: Panel = field(default_factory=Panel)
    formulas: list[formulas.Formula] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("Results: %(scope)s") % {"scope": self.scope_label}

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def gap_days(self) -> int:
        """Days with posts but no count: shown as gaps, said in words under the chart."""
        return sum(1 for _day, posts, engaged in self.daily if posts and engaged is None)


def period_label(period: Period) -> str:
    first = formats.date_format(period.first, "DATE_FORMAT")
    if period.first == period.last:
        return first
    return f"{first} – {formats.date_format(period.last, 'DATE_FORMAT')}"  # noqa: RUF001


def scope_label(workspace: Workspace, scope: reports.Scope) -> str:
    if scope.channel_id is not None:
        channel = Channel.objects.filter(pk=scope.channel_id, workspace=workspace).first()
        if channel is not None:
            return f"{workspace.name} · {channel.handle} ({channel.network_label})"
    if scope.campaign_id is not None:
        campaign = Campaign.objects.filter(pk=scope.campaign_id, workspace=workspace).first()
        if campaign is not None:
            return f"{workspace.name} · {campaign.name}"
    return workspace.name


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def _posts(rows: list[reports.PostRow], names: dict[int, str], zone: Any) -> list[PostLine]:
    return [
        PostLine(
            published=formats.date_format(
                row.published_at.astimezone(zone), "SHORT_DATETIME_FORMAT"
            ),
            channel=names.get(row.channel_id, ""),
            text=_short(row.text),
            engagements=shown(row.figures["engagements"], "count"),
            rate=shown(row.figures["engagement_rate_reach"], "percent"),
        )
        for row in rows
    ]


def responses_panel(scope: reports.Scope, period: Period, earlier: Period) -> Panel:
    now, before = engagement.responses(scope, period), engagement.responses(scope, earlier)
    if now is None or before is None:
        return Panel(reason=str(engagement.responses_reason(scope)))
    return Panel(
        rows=panel_rows(engagement.response_keys(now, before), now.figures, before.figures)
    )


def listening_panel(scope: reports.Scope, period: Period, earlier: Period) -> Panel:
    now, before = engagement.listening(scope, period), engagement.listening(scope, earlier)
    if now is None or before is None:
        return Panel(reason=str(engagement.listening_reason(scope)))
    unit = formulas.FORMULAS["share_of_voice"].unit
    queries = [
        [
            found.name,
            figure_text(found.mentions, "count"),
            figure_text(before.mentions_of(found.query_id), "count"),
            figure_text(found.share_of_voice, unit),
        ]
        for found in now.top_queries
    ]
    return Panel(
        rows=panel_rows(engagement.LISTENING_KEYS, now.figures, before.figures), queries=queries
    )


def build(
    workspace: Workspace,
    scope: reports.Scope,
    period: Period,
    compare: str = "previous",
    now: datetime | None = None,
) -> ReportContent:
    """Everything a report shows; call it inside translation.override(language)."""
    now = now or timezone.now()
    compare = compare if compare in COMPARISONS else "previous"
    earlier = period.compared(compare)
    # One grouped pass gives the totals, the channel table and the daily series.
    found_now = reports.summary(scope, period)
    totals = found_now.totals
    before = reports.totals(scope, earlier)
    channels = {c.pk: c for c in Channel.objects.filter(workspace=workspace)}
    names = {pk: channel.handle for pk, channel in channels.items()}
    lines = []
    for channel_id, found in sorted(
        found_now.by_channel.items(), key=lambda item: names.get(item[0], "")
    ):
        figures = found.figures
        channel = channels.get(channel_id)
        lines.append(
            ChannelLine(
                name=names.get(channel_id, str(channel_id)),
                network=channel.network_label if channel else "",
                posts=found.posts,
                engagements=shown(figures["engagements"], "count"),
                rate=shown(figures["engagement_rate_reach"], "percent"),
                followers=shown(found.followers_end, "count"),
                growth=shown(figures["follower_growth"], "count"),
                engaged=figures["engagements"],
            )
        )
    zone = workspace.tz
    found_best = besttime.best_time(workspace.pk, zone, now, scope.channel_id)
    campaign = None
    if scope.campaign_id is not None:
        campaign_row = Campaign.objects.filter(pk=scope.campaign_id, workspace=workspace).first()
        if campaign_row is not None:
            campaign = campaigns.report(campaign_row)
    return ReportContent(
        workspace=workspace,
        brand=Brand.of(workspace),
        scope=scope,
        scope_label=scope_label(workspace, scope),
        period=period,
        earlier=earlier,
        compare_label=str(COMPARISONS[compare]),
        generated_at=now.astimezone(zone),
        totals=totals,
        headline=headline_rows(totals, before),
        channels=lines,
        daily=found_now.daily,
        best=_posts(reports.posts(scope, period, limit=TOP), names, zone),
        weakest=_posts(reports.posts(scope, period, order="engagements", limit=TOP), names, zone),
        best_time=found_best,
        best_slots=[slot_label(slot) for slot in found_best.recommended],
        campaign=campaign,
        responses=responses_panel(scope, period, earlier),
        listening=listening_panel(scope, period, earlier),
        formulas=list(formulas.FORMULAS.values()),
    )
