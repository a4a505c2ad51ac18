"""Measure over HTTP: a period's figures (the workspace, a channel or a campaign, compared
with the previous period or the same period last year), each with its formula; the posts of
the period with their counts; the formulas. Every number comes from hubbub.measure.reports,
as on the pages and in the CSV files."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja import Query as QueryParams
from ninja.errors import HttpError

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers
from hubbub.core.access import ActionError
from hubbub.inbox import reports as inbox_reports
from hubbub.measure import besttime, campaigns, engagement, formulas, reports
from hubbub.measure.models import POST_COUNTS
from hubbub.measure.periods import COMPARISONS, PRESETS, Period, period_of
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign

router = Router(tags=["measure"])
M = "/workspaces/{slug}/measure"


class PeriodQuery(Schema):
    period: str = Field(
        "30", description=f"One of {', '.join(PRESETS)}; ignored when from and to are given."
    )
    from_: date | None = Field(None, alias="from", description="First day, local (YYYY-MM-DD).")
    to: date | None = Field(None, description="Last day, included, local (YYYY-MM-DD).")
    compare: str = Field("previous", description="previous (period) or year (same dates).")
    channel: int | None = Field(None, description="One channel of the workspace.")
    campaign: int | None = Field(None, description="One campaign of the workspace.")


class FormulaOut(Schema):
    key: str
    label: str
    formula: str
    unit: str = Field(description="count, percent, money, seconds or score (from -100 to +100)")


class PeriodOut(Schema):
    first: date
    last: date
    time_zone: str


class FiguresOut(Schema):
    posts: int = Field(description="Posts published in the period.")
    measured: int = Field(description="Of those, posts with at least one reading.")
    counts: dict[str, int | None] = Field(
        description="Sums over the posts, as of the period's end; null: no post had the count."
    )
    figures: dict[str, float | int | None] = Field(description="Keys of /measure/formulas.")
    followers_start: int | None
    followers_end: int | None


class DurationsOut(Schema):
    count: int = Field(description="Conversations answered (the durations measured).")
    median: float | None = Field(description="Seconds, nearest rank; null: none answered.")
    p90: float | None = Field(description="Seconds, nearest rank; null: none answered.")


class ResponseFiguresOut(Schema):
    conversations: int = Field(description="Conversations whose current cycle opened.")
    messages: int = Field(description="Inbound messages received.")
    answered: int = Field(description="Of the conversations, those with a first answer.")
    first_response: DurationsOut = Field(description="On the clock.")
    first_response_business: DurationsOut = Field(
        description="Counting only the response policy's business hours."
    )
    measured_against_target: int = Field(
        description="Answered conversations that had a first-response due time."
    )
    within_target: int = Field(description="Of those, answered by their due time.")
    figures: dict[str, float | int | None] = Field(
        description="The counts and the keys of /measure/formulas (durations in seconds)."
    )


class ResponsesOut(Schema):
    now: ResponseFiguresOut | None
    before: ResponseFiguresOut | None
    not_shown: str | None = Field(
        description="Why now and before are null (a campaign: conversations are not linked "
        "to campaigns); null when they are given."
    )


class ListeningFiguresOut(Schema):
    mentions: int = Field(description="Mentions published in the period, reposts included.")
    positive: int
    neutral: int
    negative: int = Field(description="Mentions without a sentiment count in mentions only.")
    alerts: int = Field(description="Spike and crisis alerts raised in the period.")
    crisis_alerts: int
    figures: dict[str, float | int | None] = Field(
        description="The counts and the keys of /measure/formulas."
    )


class QueryVolumeOut(Schema):
    query_id: int
    name: str
    group: str = Field(description="Its group's name; empty without one.")
    mentions: int
    share_of_voice: float | None = Field(
        description="Percent of every query's mentions in the period."
    )
    mentions_before: int = Field(description="In the compared period.")
    share_of_voice_before: float | None


class ListeningOut(Schema):
    now: ListeningFiguresOut | None
    before: ListeningFiguresOut | None
    top_queries: list[QueryVolumeOut] = Field(
        description="The three most mentioned queries of the period."
    )
    not_shown: str | None = Field(
        description="Why now and before are null (a channel or a campaign: mentions are not "
        "linked to them); null when they are given."
    )


class SummaryOut(Schema):
    period: PeriodOut
    compared_with: PeriodOut
    now: FiguresOut
    before: FiguresOut
    responses: ResponsesOut = Field(description="Response times, from the inbox.")
    listening: ListeningOut = Field(description="Mentions and sentiment, from listening.")
    formulas: list[FormulaOut]


class PostOut(Schema):
    delivery_id: int
    channel_id: int
    published_at: datetime
    url: str
    text: str = Field(description="Our own post's first part.")
    counts: dict[str, int | None]
    figures: dict[str, float | int | None]


def _formulas() -> list[FormulaOut]:
    return [
        FormulaOut(key=f.key, label=str(f.label), formula=str(f.text), unit=f.unit)
        for f in formulas.FORMULAS.values()
    ]


def _scope_and_period(request: HttpRequest, slug: str, params: PeriodQuery) -> Any:
    access = api_access(request, slug)
    access.require("measure.view")
    workspace = access.workspace
    if (
        params.channel is not None
        and not Channel.objects.filter(pk=params.channel, workspace=workspace).exists()
    ):
        raise ActionError("channel: no such channel in this workspace.", field="channel")
    if (
        params.campaign is not None
        and not Campaign.objects.filter(pk=params.campaign, workspace=workspace).exists()
    ):
        raise ActionError("campaign: no such campaign in this workspace.", field="campaign")
    if params.compare not in COMPARISONS:
        raise ActionError(f"compare is one of {', '.join(COMPARISONS)}.", field="compare")
    if (params.from_ is None) != (params.to is None):
        raise ActionError("Give both from and to, or neither.", field="from")
    if params.from_ is not None and params.to is not None and params.from_ > params.to:
        raise ActionError("from must not be after to.", field="from")
    if params.from_ is None and params.period not in PRESETS:
        raise ActionError(f"period is one of {', '.join(PRESETS)}.", field="period")
    zone = workspace.tz
    values = {"period": params.period}
    if params.from_ is not None and params.to is not None:
        values = {"from": params.from_.isoformat(), "to": params.to.isoformat()}
    period, _preset = period_of(values, zone, timezone.now().astimezone(zone).date())
    scope = reports.Scope(workspace.pk, params.channel, params.campaign)
    return access, scope, period


def _figures(found: reports.Totals) -> FiguresOut:
    return FiguresOut(
        posts=found.posts,
        measured=found.measured,
        counts={name: found.counts.get(name) for name in POST_COUNTS},
        figures=found.figures,
        followers_start=found.followers_start,
        followers_end=found.followers_end,
    )


def _period(period: Period, zone: str) -> PeriodOut:
    return PeriodOut(first=period.first, last=period.last, time_zone=zone)


def _durations(found: inbox_reports.Durations) -> DurationsOut:
    return DurationsOut(count=found.count, median=found.median, p90=found.p90)


def _response_figures(found: engagement.Responses | None) -> ResponseFiguresOut | None:
    if found is None:
        return None
    return ResponseFiguresOut(
        conversations=found.conversations,
        messages=found.messages,
        answered=found.answered,
        first_response=_durations(found.first_response),
        first_response_business=_durations(found.first_response_business),
        measured_against_target=found.measured,
        within_target=found.within_target,
        figures=found.figures,
    )


def _responses(scope: reports.Scope, period: Period, earlier: Period) -> ResponsesOut:
    reason = engagement.responses_reason(scope)
    return ResponsesOut(
        now=_response_figures(engagement.responses(scope, period)),
        before=_response_figures(engagement.responses(scope, earlier)),
        not_shown=str(reason) if reason else None,
    )


def _listening_figures(found: engagement.Listening) -> ListeningFiguresOut:
    return ListeningFiguresOut(
        mentions=found.mentions,
        positive=found.positive,
        neutral=found.neutral,
        negative=found.negative,
        alerts=found.alerts,
        crisis_alerts=found.crisis_alerts,
        figures=found.figures,
    )


def _listening(scope: reports.Scope, period: Period, earlier: Period) -> ListeningOut:
    now = engagement.listening(scope, period)
    before = engagement.listening(scope, earlier)
    if now is None or before is None:
        reason = engagement.listening_reason(scope)
        return ListeningOut(now=None, before=None, top_queries=[], not_shown=str(reason))
    return ListeningOut(
        now=_listening_figures(now),
        before=_listening_figures(before),
        top_queries=[
            QueryVolumeOut(
                query_id=q.query_id,
                name=q.name,
                group=q.group,
                mentions=q.mentions,
                share_of_voice=q.share_of_voice,
                mentions_before=before.mentions_of(q.query_id),
                share_of_voice_before=before.share_of(q.query_id),
            )
            for q in now.top_queries
        ],
        not_shown=None,
    )


@router.get(
    M + "/summary",
    response=answers(200, SummaryOut),
    summary="A period's figures beside the period it is compared with, and the formulas",
    description="Posts published in the period (workspace's time zone), counted as of the "
    "period's end; followers from each channel's readings around it; response times from the "
    "inbox's report and mentions from listening over the same days. The same numbers as "
    "the Results page and its CSV files.",
)
def summary(request: HttpRequest, slug: str, params: QueryParams[PeriodQuery]) -> SummaryOut:
    access, scope, period = _scope_and_period(request, slug, params)
    earlier = period.compared(params.compare)
    zone = access.workspace.time_zone
    return SummaryOut(
        period=_period(period, zone),
        compared_with=_period(earlier, zone),
        now=_figures(reports.totals(scope, period)),
        before=_figures(reports.totals(scope, earlier)),
        responses=_responses(scope, period, earlier),
        listening=_listening(scope, period, earlier),
        formulas=_formulas(),
    )


@router.get(
    M + "/posts",
    response=answers(200, list[PostOut]),
    summary="The period's posts with their counts as of its end, most engaging first",
)
def posts(request: HttpRequest, slug: str, params: QueryParams[PeriodQuery]) -> list[PostOut]:
    _access, scope, period = _scope_and_period(request, slug, params)
    return [
        PostOut(
            delivery_id=row.delivery_id,
            channel_id=row.channel_id,
            published_at=row.published_at,
            url=row.url,
            text=row.text,
            counts=row.counts,
            figures=row.figures,
        )
        for row in reports.posts(scope, period)
    ]


@router.get(
    M + "/formulas",
    response=answers(200, list[FormulaOut]),
    summary="How each figure is computed",
)
def formula_list(request: HttpRequest, slug: str) -> list[FormulaOut]:
    access = api_access(request, slug)
    access.require("measure.view")
    return _formulas()


class SlotOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday, in the workspace's time zone.")
    hour: int
    score: float = Field(description="Mean of the posts' scores there (1.0: a usual post).")
    posts: int


class BestTimeOut(Schema):
    posts: int = Field(description="Posts of the last 26 weeks scored (older than a week).")
    enough: bool = Field(description="Whether there is enough history to recommend.")
    recommended: list[SlotOut]
    lift: float | None = Field(
        description="Held-out weeks: recommended times' mean score over all posts' mean."
    )
    interval: list[float] | None = Field(description="90 % bootstrap interval of the lift.")
    held_out_posts: int
    held_out_in_slots: int
    heatmap: list[SlotOut]


class BestTimeQuery(Schema):
    channel: int | None = Field(None, description="One channel of the workspace.")


@router.get(
    M + "/best-time",
    response=answers(200, BestTimeOut),
    summary="Best time to post, from the workspace's own history, with its backtest",
    description="Each post scored against its channel's usual post a week after it went out; "
    "the recommendation is checked on the last four weeks, each predicted from the weeks "
    "before it (hubbub/measure/besttime.py).",
)
def best_time(request: HttpRequest, slug: str, params: QueryParams[BestTimeQuery]) -> BestTimeOut:
    access = api_access(request, slug)
    access.require("measure.view")
    workspace = access.workspace
    if (
        params.channel is not None
        and not Channel.objects.filter(pk=params.channel, workspace=workspace).exists()
    ):
        raise ActionError("channel: no such channel in this workspace.", field="channel")
    found = besttime.best_time(workspace.pk, workspace.tz, timezone.now(), params.channel)

    def slot(key: besttime.Slot) -> SlotOut:
        mean, posts = found.heatmap.get(key, (0.0, 0))
        return SlotOut(weekday=key[0], hour=key[1], score=round(mean, 4), posts=posts)

    return BestTimeOut(
        posts=found.posts,
        enough=found.enough,
        recommended=[slot(key) for key in found.recommended],
        lift=found.lift,
        interval=list(found.interval) if found.interval else None,
        held_out_posts=found.held_out_posts,
        held_out_in_slots=found.held_out_in_slots,
        heatmap=[slot(key) for key in sorted(found.heatmap)],
    )


class GoalOut(Schema):
    metric: str
    target: float
    actual: float | None
    share: float | None = Field(description="actual / target * 100")
    projected: float | None = Field(description="The pace so far carried to the end.")


class CampaignReportOut(Schema):
    campaign_id: int
    period: PeriodOut
    days_gone: int
    goals: list[GoalOut]
    budget: str | None = Field(description="Decimal amount, as a string.")
    currency: str | None
    spent: str
    left: str | None
    cost_per_result: str | None
    results: int | None
    results_from: str = Field(description='"ads" (the spend entries), or the goal metric.')
    organic_reach: int | None
    paid_reach: int | None
    now: FiguresOut


class SpendIn(Schema):
    day: date
    amount: str = Field(description="Decimal, e.g. 120.50")
    currency: str = Field("", description="ISO 4217; empty: the campaign's.")
    channel_id: int | None = Field(None, description="The channel it was spent on, if one.")
    results: int | None = None
    paid_reach: int | None = None
    note: str = ""


class SpendOut(Schema):
    id: int
    day: date
    amount: str
    currency: str


def _campaign_of(request: HttpRequest, slug: str, campaign_id: int, permission: str) -> Any:
    access = api_access(request, slug)
    access.require(permission)
    campaign = Campaign.objects.filter(pk=campaign_id, workspace=access.workspace).first()
    if campaign is None:
        raise HttpError(404, "No such campaign in this workspace.")
    return access, campaign


@router.get(
    M + "/campaigns/{campaign_id}",
    response=answers(200, CampaignReportOut),
    summary="A campaign's goals, budget, spend and cost per result",
)
def campaign_report(request: HttpRequest, slug: str, campaign_id: int) -> CampaignReportOut:
    access, campaign = _campaign_of(request, slug, campaign_id, "measure.view")
    found = campaigns.report(campaign)

    def money(value: Any) -> str | None:
        return None if value is None else str(value)

    return CampaignReportOut(
        campaign_id=campaign.pk,
        period=_period(found.period, access.workspace.time_zone),
        days_gone=found.days_gone,
        goals=[
            GoalOut(
                metric=g.goal.metric,
                target=float(g.goal.target),
                actual=None if g.actual is None else float(g.actual),
                share=g.share,
                projected=None if g.projected is None else float(g.projected),
            )
            for g in found.goals
        ],
        budget=money(found.budget.amount if found.budget else None),
        currency=found.currency,
        spent=str(found.spent),
        left=money(found.left),
        cost_per_result=money(found.cost_per_result),
        results=found.results,
        results_from=found.results_from,
        organic_reach=found.organic_reach,
        paid_reach=found.paid_reach,
        now=_figures(found.totals),
    )


@router.post(
    M + "/campaigns/{campaign_id}/spend",
    response=answers(201, SpendOut),
    summary="Add money spent on a campaign on one day",
)
def campaign_spend(
    request: HttpRequest, slug: str, campaign_id: int, body: SpendIn
) -> Status[SpendOut]:
    access, campaign = _campaign_of(request, slug, campaign_id, "campaigns.manage")
    entry = campaigns.add_spend(
        access,
        campaign,
        campaigns.SpendInput(
            day=body.day,
            amount=body.amount,
            currency=body.currency,
            channel_id=body.channel_id,
            results=body.results,
            paid_reach=body.paid_reach,
            note=body.note,
        ),
    )
    return Status(
        201,
        SpendOut(id=entry.pk, day=entry.day, amount=str(entry.amount), currency=entry.currency),
    )
