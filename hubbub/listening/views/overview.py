"""Listening's overview: a period (the last 7, 30 or 90 days, or custom dates in the
workspace's time zone) and a query or group; the volume by sentiment, share of voice and
languages drawn with plotly (served locally, hubbub.inbox.plotly_static), the same numbers
in tables, top authors, terms and hashtags, and the latest alerts.

Drill-down: each chart point carries the address of the mentions list filtered to it (its
bucket's from/to, its sentiment, the query or group), which listening.js opens on click;
every table row links to the same list, so all of it works without JavaScript.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hubbub.core.access import Access
from hubbub.listening import stats
from hubbub.listening.models import ListeningAlert
from hubbub.listening.views.common import (
    PERIODS,
    SENTIMENT_LABELS,
    Period,
    choices,
    mentions_url,
    period_of,
)
from hubbub.web.decorators import workspace_view

COLOURS = {"negative": "#b91c1c", "neutral": "#6b7280", "positive": "#047857", "": "#d1d5db"}
RECENT_ALERTS = 5


def bucket_for(period: Period) -> str:
    if period.span <= 3:
        return "hour"
    if period.span <= 120:
        return "day"
    return "week"


def _bucket_bounds(row: dict[str, Any], bucket: str, zone: ZoneInfo) -> tuple[str, str]:
    """The mentions list's from/to for one bucket: local days (to included), or for an hour
    its start and end with their offsets."""
    start = row["start"]
    if bucket == "hour":
        end = stats.next_bucket(start, zone, "hour")
        return start.isoformat(timespec="minutes"), end.isoformat(timespec="minutes")
    last = start.date() + timedelta(days=6 if bucket == "week" else 0)
    return start.date().isoformat(), last.isoformat()


def _plotly() -> tuple[Any, Any] | None:
    try:
        import plotly.graph_objects as go  # type: ignore[import-untyped]
        import plotly.io as pio  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - plotly is a dependency; the tables still show
        return None
    return go, pio


def _as_json(pio: Any, figure: Any) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(pio.to_json(figure, validate=True))
    return parsed


def volume_rows(
    access: Access, rows: list[dict[str, Any]], bucket: str, scope: dict[str, Any]
) -> list[dict[str, Any]]:
    """The volume with, for each bucket and sentiment, the mentions list's address."""
    shown = []
    for row in rows:
        start, end = _bucket_bounds(row, bucket, access.workspace.tz)
        where = {**scope, "from": start, "to": end, "dups": 1}
        shown.append(
            {
                **row,
                "unrated": row["total"] - row["negative"] - row["neutral"] - row["positive"],
                "label": row["start"].strftime(
                    "%Y-%m-%d %H:%M" if bucket == "hour" else "%Y-%m-%d"
                ),
                "url": mentions_url(access, **where),
                "urls": {
                    s: mentions_url(access, **where, sentiment=s)
                    for s in ("negative", "neutral", "positive")
                },
            }
        )
    return shown


def volume_figure(rows: list[dict[str, Any]], bucket: str) -> dict[str, Any] | None:
    found = _plotly()
    if found is None or not rows:
        return None
    go, pio = found
    x = [r["start"].strftime("%Y-%m-%d %H:%M") for r in rows]
    traces = [
        go.Bar(
            name=str(SENTIMENT_LABELS[s]),
            x=x,
            y=[r[s] for r in rows],
            marker={"color": COLOURS[s]},
            customdata=[r["urls"][s] for r in rows],
            hovertemplate="%{x}: %{y}<extra>" + str(SENTIMENT_LABELS[s]) + "</extra>",
        )
        for s in ("negative", "neutral", "positive")
    ]
    if any(r["unrated"] for r in rows):
        traces.append(
            go.Bar(
                name=str(SENTIMENT_LABELS[""]),
                x=x,
                y=[r["unrated"] for r in rows],
                marker={"color": COLOURS[""]},
                customdata=[r["url"] for r in rows],
                hovertemplate="%{x}: %{y}<extra>" + str(SENTIMENT_LABELS[""]) + "</extra>",
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        barmode="stack",
        height=320,
        margin={"l": 50, "r": 20, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        yaxis={"title": {"text": _("Mentions")}},
        xaxis={"type": "date"},
    )
    return _as_json(pio, figure)


def bar_figure(labels: list[str], values: list[int], urls: list[str]) -> dict[str, Any] | None:
    found = _plotly()
    if found is None or not any(values):
        return None
    go, pio = found
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            customdata=urls,
            marker={"color": "#4338ca"},
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    figure.update_layout(height=260, margin={"l": 50, "r": 20, "t": 10, "b": 60})
    return _as_json(pio, figure)


def _scope(filters: stats.Filters) -> dict[str, Any]:
    """The query and group filters, as the mentions list reads them."""
    return {"query": filters.query_ids, "group": filters.group_id}


@require_GET
@workspace_view("listening.view")
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    period = period_of(request.GET, access)
    params: dict[str, Any] = {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "query": request.GET.getlist("query"),
        "group": request.GET.get("group", ""),
    }
    filters = stats.filters_from(params, access.workspace)
    workspace = access.workspace
    bucket = bucket_for(period)
    scope = _scope(filters)
    dates = {"from": params["from"], "to": params["to"]}
    volume = volume_rows(access, stats.volume(workspace, filters, bucket), bucket, scope)
    share = stats.share_of_voice(workspace, filters)
    for row in share:
        row["url"] = mentions_url(access, **dates, group=row["group_id"], dups=1)
        row["percent"] = round(row["share"] * 100, 1)
    langs = stats.languages(workspace, filters)
    for row in langs:
        row["url"] = mentions_url(access, **scope, **dates, lang=row["language"], dups=1)
    totals = stats.sentiment_totals(workspace, filters)
    sentiment_rows = [
        {
            "key": s,
            "label": SENTIMENT_LABELS[s],
            "n": totals[s],
            "percent": round(100 * totals[s] / totals["total"], 1) if totals["total"] else 0,
            "url": mentions_url(access, **scope, **dates, sentiment=s, dups=1),
        }
        for s in ("negative", "neutral", "positive")
    ]
    authors = stats.top_authors(workspace, filters)
    for row in authors:
        row["url"] = mentions_url(access, **scope, **dates, author=row["handle"], dups=1)
    terms = stats.top_terms(workspace, filters)
    hashtags = stats.top_hashtags(workspace, filters)
    for row in (*terms, *hashtags):
        row["url"] = mentions_url(access, **scope, **dates, q=row["term"], dups=1)
    context: dict[str, Any] = {
        "period": period,
        "periods": PERIODS,
        "bucket": bucket,
        "filters": filters,
        "volume": volume,
        "volume_figure": volume_figure(volume, bucket),
        "share": share,
        "share_figure": bar_figure(
            [r["name"] for r in share], [r["mentions"] for r in share], [r["url"] for r in share]
        ),
        "langs": langs,
        "langs_figure": bar_figure(
            [r["language"] or "?" for r in langs],
            [r["mentions"] for r in langs],
            [r["url"] for r in langs],
        ),
        "totals": totals,
        "sentiment_rows": sentiment_rows,
        "authors": authors,
        "terms": terms,
        "hashtags": hashtags,
        "all_url": mentions_url(access, **scope, **dates, dups=1),
        "alerts": ListeningAlert.objects.filter(workspace=workspace).select_related("query")[
            :RECENT_ALERTS
        ],
        **choices(access),
    }
    return render(request, "listening/overview.html", context)
