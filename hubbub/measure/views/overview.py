"""Measure's overview: a period in the workspace's time zone (a preset or custom dates) and
what it is compared with, for the workspace or one channel or campaign. Headline figures
with their formulas, posts and engagements by day (plotly, served locally, and the same
numbers in a table), channels, and the best and weakest posts; each table also as CSV.
Every number comes from hubbub.measure.reports."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hubbub.core.access import Access
from hubbub.core.numbers import number, percent
from hubbub.inbox.csv_export import guard
from hubbub.measure import besttime, formulas, reports
from hubbub.measure.models import POST_COUNTS
from hubbub.measure.periods import COMPARISONS, PRESETS, Period, period_of
from hubbub.measure.views import engagement
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from hubbub.web.decorators import workspace_view

TOP = 5
HEADLINE = (
    "engagements",
    "engagement_rate_reach",
    "engagement_rate_impressions",
    "click_through_rate",
    "follower_growth",
)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def scope_of(request: HttpRequest, access: Access) -> reports.Scope:
    """channel=ID or campaign=ID, only the workspace's own (anything else: the workspace)."""
    workspace = access.workspace
    channel = _int(request.GET.get("channel", ""))
    if channel is not None and not Channel.objects.filter(pk=channel, workspace=workspace).exists():
        channel = None
    campaign = _int(request.GET.get("campaign", ""))
    if (
        campaign is not None
        and not Campaign.objects.filter(pk=campaign, workspace=workspace).exists()
    ):
        campaign = None
    return reports.Scope(workspace.pk, channel, campaign)


def request_period(request: HttpRequest, access: Access) -> tuple[Period, str]:
    zone = access.workspace.tz
    return period_of(request.GET, zone, timezone.now().astimezone(zone).date())


def shown(value: Any, unit: str) -> str:
    """A figure as people read it; "—" when unknown."""
    if value is None:
        return "—"
    if unit == "percent":
        return percent(value)
    if unit == "money":
        return number(float(value), 2)
    return number(value)


def headline_rows(now: reports.Totals, before: reports.Totals) -> list[dict[str, Any]]:
    rows = []
    mine, theirs = now.figures, before.figures
    counts: list[tuple[str, str, int | None, int | None, str]] = [
        ("posts", _("Posts published"), now.posts, before.posts, "")
    ]
    for name, label in (("impressions", _("Impressions")), ("reach", _("Reach"))):
        counts.append((name, label, now.counts.get(name), before.counts.get(name), ""))
    for key, label, value, earlier, formula in counts:
        rows.append(
            {
                "key": key,
                "label": label,
                "value": shown(value, "count"),
                "before": shown(earlier, "count"),
                "change": reports.change(value, earlier),
                "formula": formula,
            }
        )
    for key in HEADLINE:
        found = formulas.FORMULAS[key]
        rows.append(
            {
                "key": key,
                "label": str(found.label),
                "value": shown(mine.get(key), found.unit),
                "before": shown(theirs.get(key), found.unit),
                "change": reports.change(mine.get(key), theirs.get(key)),
                "formula": str(found.text),
            }
        )
    return rows


def daily_figure(rows: list[tuple[Any, int, int | None]]) -> dict[str, Any] | None:
    try:
        import plotly.graph_objects as go  # type: ignore[import-untyped]
        import plotly.io as pio  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - plotly is a dependency; the table still shows
        return None
    if not rows:
        return None
    x = [day.isoformat() for day, _posts, _engaged in rows]
    figure = go.Figure(
        [
            # None stays None: no bar where no count was known (a gap, not a zero).
            go.Bar(
                name=_("Engagements"),
                x=x,
                y=[e for _d, _p, e in rows],
                marker={"color": "#4338ca"},
            ),
            go.Scatter(
                name=_("Posts published"),
                x=x,
                y=[p for _d, p, _e in rows],
                yaxis="y2",
                mode="markers",
                marker={"color": "#b45309", "size": 7, "symbol": "diamond"},
            ),
        ]
    )
    figure.update_layout(
        margin={"l": 50, "r": 50, "t": 10, "b": 40},
        height=320,
        legend={"orientation": "h"},
        yaxis={"title": _("Engagements"), "rangemode": "tozero"},
        yaxis2={
            "title": _("Posts published"),
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "dtick": 1,
        },
    )
    parsed: dict[str, Any] = json.loads(pio.to_json(figure, validate=True))
    return parsed


def weekday_names() -> list[str]:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]


def slot_label(slot: besttime.Slot) -> str:
    return f"{weekday_names()[slot[0]]} {slot[1]:02d}:00"


def heatmap_figure(found: besttime.BestTime) -> dict[str, Any] | None:
    try:
        import plotly.graph_objects as go  # type: ignore[import-untyped]
        import plotly.io as pio  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - plotly is a dependency; the table still shows
        return None
    if not found.heatmap:
        return None
    days = weekday_names()
    hours = [f"{h:02d}:00" for h in range(24)]
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for day in range(7):
        row: list[float | None] = []
        labels: list[str] = []
        for hour in range(24):
            cell = found.heatmap.get((day, hour))
            row.append(round(cell[0], 2) if cell else None)
            labels.append(
                _("%(score)s× the usual, %(n)d posts")  # noqa: RUF001
                % {"score": number(float(cell[0]), 2), "n": cell[1]}
                if cell
                else ""
            )
        z.append(row)
        text.append(labels)
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=hours,
            y=days,
            text=text,
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
            colorscale="Blues",
            zmin=0,
            colorbar={"title": _("× usual")},  # noqa: RUF001
        )
    )
    figure.update_layout(
        margin={"l": 90, "r": 20, "t": 10, "b": 40},
        height=300,
        yaxis={"autorange": "reversed"},
    )
    parsed: dict[str, Any] = json.loads(pio.to_json(figure, validate=True))
    return parsed


def best_time_context(access: Access, scope: reports.Scope) -> dict[str, Any]:
    found = besttime.best_time(
        access.workspace.pk, access.workspace.tz, timezone.now(), scope.channel_id
    )
    cells = sorted(found.heatmap.items(), key=lambda item: (-item[1][0], item[0]))
    return {
        "best_time": found,
        "best_slots": [slot_label(slot) for slot in found.recommended],
        "best_cells": [
            {"slot": slot_label(slot), "score": number(float(mean), 2), "posts": n}
            for slot, (mean, n) in cells
        ],
        "best_figure": heatmap_figure(found),
        "best_needed": besttime.MIN_HISTORY,
        "best_weeks": besttime.HELD_OUT,
    }


def _post_rows(rows: list[reports.PostRow], channels: dict[int, Channel]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        figures = row.figures
        out.append(
            {
                "row": row,
                "channel": channels.get(row.channel_id),
                "engagements": shown(figures["engagements"], "count"),
                "rate": shown(figures["engagement_rate_reach"], "percent"),
                "rate_impressions": shown(figures["engagement_rate_impressions"], "percent"),
            }
        )
    return out


@require_GET
@workspace_view("measure.view")
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    workspace = access.workspace
    period, preset = request_period(request, access)
    compare = request.GET.get("compare", "previous")
    compare = compare if compare in COMPARISONS else "previous"
    earlier = period.compared(compare)
    scope = scope_of(request, access)
    # The totals, channel table and daily series of the period from one pass over it.
    summary = reports.summary(scope, period)
    now = summary.totals
    before = reports.totals(scope, earlier)
    channels = {c.pk: c for c in Channel.objects.filter(workspace=workspace)}
    per_channel = [
        {
            "channel": channels.get(channel_id),
            "totals": found,
            "figures": {
                key: shown(value, formulas.FORMULAS[key].unit)
                for key, value in found.figures.items()
            },
            "counts": {name: shown(found.counts.get(name), "count") for name in POST_COUNTS},
            "followers": shown(found.followers_end, "count"),
        }
        for channel_id, found in sorted(
            summary.by_channel.items(),
            key=lambda item: str(channels.get(item[0], "")),
        )
    ]
    daily = summary.daily
    query = request.GET.urlencode()
    context: dict[str, Any] = {
        "period": period,
        "preset": preset,
        "presets": PRESETS,
        "compare": compare,
        "comparisons": COMPARISONS,
        "earlier": earlier,
        "scope": scope,
        "channels": sorted(channels.values(), key=str),
        "campaigns": Campaign.objects.filter(workspace=workspace).order_by("name"),
        "totals": now,
        "headline": headline_rows(now, before),
        "per_channel": per_channel,
        "daily": daily,
        "daily_figure": daily_figure(daily),
        "best": _post_rows(reports.posts(scope, period, limit=TOP), channels),
        "weakest": _post_rows(
            reports.posts(scope, period, order="engagements", limit=TOP), channels
        ),
        "formulas": formulas.FORMULAS.values(),
        "query": query,
        # Custom dates asked for but not usable (backwards, too long, half given): say so
        # instead of quietly showing the default period.
        "dates_refused": bool(request.GET.get("from") or request.GET.get("to"))
        and request.GET.get("period", "") in ("", "custom")
        and preset != "",
        **best_time_context(access, scope),
        # Response times and listening: their own data, beside the compared period's.
        **engagement.panels(access, scope, period, earlier),
    }
    return render(request, "measure/overview.html", context)


class _Line:
    def write(self, value: str) -> str:
        return value


def _csv(rows: Iterator[list[str]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _number(value: Any) -> str:
    """A figure in a CSV cell: digits, a dot for decimals, empty when unknown."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


FIGURE_COLUMNS = (
    "engagements",
    "engagement_rate_reach",
    "engagement_rate_impressions",
    "click_through_rate",
)


def _formula_lines() -> list[list[str]]:
    """The formulas under the table, as the PDF's appendix will have them."""
    return [[]] + [
        [f"# {formula.key}", str(formula.text)]
        for formula in formulas.FORMULAS.values()
        if formula.key in FIGURE_COLUMNS or formula.key.startswith("follower")
    ]


@require_GET
@workspace_view("measure.view")
def channels_csv(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    """The overview's channel table: one line a channel, then the formulas."""
    period, _preset = request_period(request, access)
    scope = scope_of(request, access)
    channels = {c.pk: c for c in Channel.objects.filter(workspace=access.workspace)}

    def rows() -> Iterator[list[str]]:
        yield [
            "channel",
            "network",
            "from",
            "to",
            "posts",
            "measured",
            *POST_COUNTS,
            *FIGURE_COLUMNS,
            "followers_start",
            "followers_end",
            "follower_growth",
        ]
        for channel_id, found in reports.by_channel(scope, period).items():
            channel = channels.get(channel_id)
            figures = found.figures
            yield [
                guard(channel.handle if channel else str(channel_id)),
                guard(channel.network if channel else ""),
                period.first.isoformat(),
                period.last.isoformat(),
                str(found.posts),
                str(found.measured),
                *(_number(found.counts.get(name)) for name in POST_COUNTS),
                *(_number(figures[key]) for key in FIGURE_COLUMNS),
                _number(found.followers_start),
                _number(found.followers_end),
                _number(figures["follower_growth"]),
            ]
        yield from _formula_lines()

    return _csv(rows(), f"{access.workspace.slug}-channels-{period.first}-{period.last}.csv")


@require_GET
@workspace_view("measure.view")
def posts_csv(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    """Every post of the period with its counts as of the period's end, then the formulas."""
    period, _preset = request_period(request, access)
    scope = scope_of(request, access)
    channels = {c.pk: c for c in Channel.objects.filter(workspace=access.workspace)}
    zone = access.workspace.tz

    def rows() -> Iterator[list[str]]:
        yield ["published_at", "channel", "network", "url", "text", *POST_COUNTS, *FIGURE_COLUMNS]
        for row in reports.posts(scope, period):
            channel = channels.get(row.channel_id)
            figures = row.figures
            yield [
                row.published_at.astimezone(zone).isoformat(timespec="seconds"),
                guard(channel.handle if channel else ""),
                guard(channel.network if channel else ""),
                guard(row.url),
                guard(row.text),
                *(_number(row.counts.get(name)) for name in POST_COUNTS),
                *(_number(figures[key]) for key in FIGURE_COLUMNS),
            ]
        yield from _formula_lines()

    return _csv(rows(), f"{access.workspace.slug}-posts-{period.first}-{period.last}.csv")


@require_GET
@workspace_view("measure.view")
def summary_csv(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    """Every figure of the page beside the compared period's: posts and followers, response
    times, listening and its top queries, each with its formula (views/engagement.py)."""
    period, _preset = request_period(request, access)
    compare = request.GET.get("compare", "previous")
    earlier = period.compared(compare if compare in COMPARISONS else "previous")
    scope = scope_of(request, access)
    return _csv(
        engagement.summary_rows(scope, period, earlier),
        f"{access.workspace.slug}-summary-{period.first}-{period.last}.csv",
    )
