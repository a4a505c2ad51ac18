"""The inbox's reports page and its CSV export.

Figures come from hubbub.inbox.reports.response_report (what is counted, and how, is
written there); this page picks the period in the workspace's time zone, shows the tables
and draws the weekday-by-hour volume as a plotly heatmap, with the same numbers in a table
for screen readers and for browsers without JavaScript.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from hubbub.core.access import Access
from hubbub.inbox import reports
from hubbub.inbox.forms import ReportForm
from hubbub.inbox.models import ResponsePolicy
from hubbub.inbox.views.settings_common import people
from hubbub.publishing.calendar import day_bounds, today_in
from hubbub.web.decorators import workspace_view

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    first: date  # local days, both included
    last: date
    start: datetime  # [start, end) in UTC
    end: datetime


def _period(form: ReportForm, access: Access) -> Period:
    tz = access.workspace.tz
    today = today_in(tz)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("period") == "custom":
        first, last = data["start"], data["end"]
    else:
        days = int(data.get("period") or DEFAULT_DAYS)
        first, last = today - timedelta(days=days - 1), today
    start, end = day_bounds(first, last, tz)
    return Period(first, last, start, end)


def duration(seconds: float | None) -> str:
    """12 s, 45 min, 3 h 05 min, 2 d 4 h: readable at a glance; "—" when not measured."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return _("%(s)s s") % {"s": whole}
    minutes = whole // 60
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g} %"


def _row(row: reports.Row, business: bool) -> dict[str, Any]:
    first = row.first_response_business if business else row.first_response
    resolution = row.resolution_business if business else row.resolution
    return {
        "label": row.label,
        "conversations": row.conversations,
        "first_median": duration(first.median),
        "first_p90": duration(first.p90),
        "resolution_median": duration(resolution.median),
        "resolution_p90": duration(resolution.p90),
        "first_attainment": percent(row.first_response_attainment),
        "resolution_attainment": percent(row.resolution_attainment),
        "breaches": row.breaches_first_response + row.breaches_resolution,
    }


def heatmap_rows(report: reports.Report) -> list[dict[str, Any]]:
    """The table version: one row per weekday, each cell with its count and a shade 0…1."""
    peak = max((n for day in report.heatmap for n in day), default=0) or 1
    return [
        {
            "name": reports.weekday_name(day),
            "cells": [(n, round(n / peak, 2)) for n in counts],
        }
        for day, counts in enumerate(report.heatmap)
    ]


def heatmap_summary(report: reports.Report) -> str:
    """One sentence for the chart's accessible name: the busiest hour."""
    if not report.inbound_messages:
        return _("No message came in during this period.")
    day, hour = max(
        ((d, h) for d in range(reports.DAYS) for h in range(reports.HOURS)),
        key=lambda dh: report.heatmap[dh[0]][dh[1]],
    )
    return ngettext(
        "%(total)s message came in; the busiest hour was %(day)s %(hour)02d:00 (%(n)s).",
        "%(total)s messages came in; the busiest hour was %(day)s %(hour)02d:00 (%(n)s).",
        report.inbound_messages,
    ) % {
        "total": report.inbound_messages,
        "day": reports.weekday_name(day),
        "hour": hour,
        "n": report.heatmap[day][hour],
    }


def heatmap_figure(report: reports.Report) -> dict[str, Any] | None:
    """The plotly figure (data and layout) as plain JSON, or None without plotly: the table
    shows the same numbers."""
    try:
        import plotly.graph_objects as go  # type: ignore[import-untyped]
        import plotly.io as pio  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - plotly is a dependency; the table still shows
        return None
    days = [reports.weekday_name(d) for d in range(reports.DAYS)]
    hours = [f"{h:02d}" for h in range(reports.HOURS)]
    figure = go.Figure(
        go.Heatmap(
            z=report.heatmap,
            x=hours,
            y=days,
            colorscale="Blues",
            hovertemplate="%{y} %{x}:00 · %{z}<extra></extra>",
            colorbar={"title": {"text": _("Messages")}},
        )
    )
    figure.update_layout(
        margin={"l": 90, "r": 20, "t": 10, "b": 40},
        height=320,
        yaxis={"autorange": "reversed"},  # Monday on top, as in the table
        xaxis={"title": {"text": _("Hour (%(zone)s)") % {"zone": report.time_zone}}},
    )
    parsed: dict[str, Any] = json.loads(pio.to_json(figure, validate=True))
    return parsed


def _business_default(access: Access) -> bool:
    policy = ResponsePolicy.objects.filter(workspace=access.workspace).first()
    return policy.business_hours_only if policy is not None else True


def _form(request: HttpRequest, access: Access) -> ReportForm:
    data = request.GET if request.GET else None
    return ReportForm(
        data,
        workspace=access.workspace,
        people=people(access),
        initial={"period": str(DEFAULT_DAYS)},
    )


def _report(form: ReportForm, access: Access) -> tuple[Period, reports.Report]:
    period = _period(form, access)
    data = form.cleaned_data if form.is_valid() else {}
    report = reports.response_report(
        access.workspace,
        period.start,
        period.end,
        channel=data.get("channel"),
        user=data.get("member"),
    )
    return period, report


@require_GET
@workspace_view("inbox.reports")
def reports_page(request: HttpRequest, access: Access) -> HttpResponse:
    form = _form(request, access)
    period, report = _report(form, access)
    clock = request.GET.get("clock", "")
    business = (
        clock == "business" if clock in ("business", "elapsed") else _business_default(access)
    )
    query = {k: v for k, v in request.GET.items() if v}
    return render(
        request,
        "inbox/reports.html",
        {
            "form": form,
            "period": period,
            "report": report,
            "business": business,
            "total": _row(report.total, business),
            "sections": [
                (_("By channel"), "channel", [_row(r, business) for r in report.by_channel]),
                (_("By member"), "member", [_row(r, business) for r in report.by_member]),
                (_("By week"), "week", [_row(r, business) for r in report.by_week]),
            ],
            "heatmap": heatmap_rows(report),
            "heatmap_summary": heatmap_summary(report),
            "figure": heatmap_figure(report),
            "hours": range(reports.HOURS),
            "csv_query": urlencode(query),
            "clock_links": {
                "business": urlencode({**query, "clock": "business"}),
                "elapsed": urlencode({**query, "clock": "elapsed"}),
            },
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


@require_GET
@workspace_view("inbox.reports")
def reports_csv(request: HttpRequest, access: Access) -> HttpResponse:
    form = _form(request, access)
    period, report = _report(form, access)
    response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
    filename = f"hubbub-inbox-{access.workspace.slug}-{period.first}-to-{period.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
