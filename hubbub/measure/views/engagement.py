"""The Results page's "Response times" and "Listening" panels, and the summary CSV's lines:
what hubbub.measure.engagement computes, beside the compared period's, with the formulas.

Everyone who opens Results sees the figures (client viewers included: Results is what an
agency sends its clients, and these are totals, not conversations or mentions); the links
to the inbox's report and to Listening are shown only to people who may open those pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hubbub.core.access import Access
from hubbub.core.numbers import number, percent
from hubbub.inbox.csv_export import guard
from hubbub.inbox.views.reports import duration
from hubbub.measure import engagement, formulas, reports
from hubbub.measure.models import POST_COUNTS
from hubbub.measure.periods import Period

NBSP = "\u00a0"

# The inbox's report form and the Listening page take at most a year of custom dates; a
# longer period links to them without dates (their default) rather than to an error.
LINKED_DAYS = 366

# Plain counts: what is counted, in the place of a formula.
COUNTS: dict[str, tuple[str | Promise, str | Promise]] = {
    "conversations": (
        _("Conversations received"),
        _("conversations whose first message (or reopening message) came in the period"),
    ),
    "messages": (_("Messages received"), _("messages people sent us in the period")),
    "answered": (
        _("Conversations answered"),
        _("of the conversations received, those we answered (so far)"),
    ),
    "mentions": (
        _("Mentions"),
        _("mentions published in the period that your queries found, reposts included"),
    ),
    "alerts": (_("Alerts raised"), _("spike and crisis alerts raised in the period")),
}


# The headline's counts, named for the summary CSV's label column.
HEADLINE_COUNTS: dict[str, str | Promise] = {
    "posts": _("Posts published"),
    "measured": _("Posts with a reading"),
    "likes": _("Likes"),
    "shares": _("Shares"),
    "comments": _("Comments"),
    "impressions": _("Impressions"),
    "reach": _("Reach"),
    "views": _("Views"),
    "clicks": _("Link clicks"),
    "saves": _("Saves"),
    "followers_start": _("Followers at the start"),
    "followers_end": _("Followers at the end"),
}


def figure_text(value: Any, unit: str) -> str:
    """A figure as people read it, as overview.shown writes counts and percentages; "—"
    when unknown; durations as the inbox's report writes them. No-break spaces: "17 h 00
    min" must not break over two lines of a narrow column."""
    if value is None:
        return "—"
    if unit == "seconds":
        text = duration(value)
    elif unit == "percent":
        text = percent(value)
    elif unit == "score":
        text = f"{value:+.1f}"
    else:
        text = number(value)
    return text.replace(" ", NBSP)


def describe(key: str) -> tuple[str, str, str]:
    """label, formula (or what a count counts), unit."""
    if key in COUNTS:
        label, text = COUNTS[key]
        return str(label), str(text), "count"
    found = formulas.FORMULAS[key]
    return str(found.label), str(found.text), found.unit


def rows(
    keys: tuple[str, ...], now: dict[str, Any], before: dict[str, Any]
) -> list[dict[str, Any]]:
    """The panel's table rows, shaped as the headline's (overview._headline)."""
    out = []
    for key in keys:
        label, text, unit = describe(key)
        out.append(
            {
                "key": key,
                "label": label,
                "value": figure_text(now.get(key), unit),
                "before": figure_text(before.get(key), unit),
                "change": reports.change(now.get(key), before.get(key)),
                "formula": text,
            }
        )
    return out


def _dates(period: Period, first: str, last: str) -> dict[str, str]:
    if period.days > LINKED_DAYS:
        return {}
    return {first: period.first.isoformat(), last: period.last.isoformat()}


def inbox_link(access: Access, scope: reports.Scope, period: Period) -> str:
    if not access.can("inbox.reports"):
        return ""
    params = _dates(period, "start", "end")
    if params:
        params["period"] = "custom"
    if scope.channel_id is not None:
        params["channel"] = str(scope.channel_id)
    url = reverse("inbox_settings:reports", args=[access.workspace.slug])
    return f"{url}?{urlencode(params)}" if params else url


def listening_link(access: Access, period: Period, name: str = "overview", **more: Any) -> str:
    if not access.can("listening.view"):
        return ""
    params = {**_dates(period, "from", "to"), **{k: str(v) for k, v in more.items()}}
    url = reverse(f"listening:{name}", args=[access.workspace.slug])
    return f"{url}?{urlencode(params)}" if params else url


def responses_panel(
    access: Access, scope: reports.Scope, period: Period, earlier: Period
) -> dict[str, Any]:
    now = engagement.responses(scope, period)
    before = engagement.responses(scope, earlier)
    if now is None or before is None:
        return {"reason": str(engagement.responses_reason(scope))}
    keys = engagement.response_keys(now, before)
    return {
        "reason": "",
        "now": now,
        "before": before,
        "rows": rows(keys, now.figures, before.figures),
        "link": inbox_link(access, scope, period),
    }


def listening_panel(
    access: Access, scope: reports.Scope, period: Period, earlier: Period
) -> dict[str, Any]:
    now = engagement.listening(scope, period)
    before = engagement.listening(scope, earlier)
    if now is None or before is None:
        return {"reason": str(engagement.listening_reason(scope))}
    sov = formulas.FORMULAS["share_of_voice"]
    queries = []
    for found in now.top_queries:
        earlier_mentions = before.mentions_of(found.query_id)
        queries.append(
            {
                "query": found,
                "mentions": figure_text(found.mentions, "count"),
                "before": figure_text(earlier_mentions, "count"),
                "change": reports.change(found.mentions, earlier_mentions),
                "share": figure_text(found.share_of_voice, sov.unit),
                "share_before": figure_text(before.share_of(found.query_id), sov.unit),
                "link": listening_link(access, period, "mentions", query=found.query_id, dups=1),
            }
        )
    return {
        "reason": "",
        "now": now,
        "before": before,
        "rows": rows(engagement.LISTENING_KEYS, now.figures, before.figures),
        "queries": queries,
        "share_formula": str(sov.text),
        "link": listening_link(access, period),
        # The alerts page lists the latest alerts; it takes no dates.
        "alerts_link": reverse("listening:alerts", args=[access.workspace.slug])
        if now.alerts and access.can("listening.view")
        else "",
        "queries_link": reverse("listening:queries", args=[access.workspace.slug])
        if access.can("listening.view")
        else "",
    }


def panels(access: Access, scope: reports.Scope, period: Period, earlier: Period) -> dict[str, Any]:
    """The template context of both panels."""
    return {
        "responses": responses_panel(access, scope, period, earlier),
        "listening": listening_panel(access, scope, period, earlier),
    }


# --- the summary CSV -------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    "section",
    "figure",
    "label",
    "unit",
    "from",
    "to",
    "value",
    "compared_from",
    "compared_to",
    "compared_value",
    "change_pct",
    "formula",
)


def csv_number(value: Any) -> str:
    """As overview._number writes the page's other CSV files: digits, a dot, empty when
    unknown; durations stay whole seconds."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _line(
    section: str,
    key: str,
    label: str,
    unit: str,
    text: str,
    now: Any,
    before: Any,
    period: Period,
    earlier: Period,
) -> list[str]:
    return [
        section,
        key,
        guard(label),
        unit,
        period.first.isoformat(),
        period.last.isoformat(),
        csv_number(now),
        earlier.first.isoformat(),
        earlier.last.isoformat(),
        csv_number(before),
        csv_number(reports.change(now, before)),
        guard(text),
    ]


def _headline(now: reports.Totals, before: reports.Totals) -> Iterator[tuple[str, str, Any, Any]]:
    """The post and follower figures of the headline, with every count summed."""
    yield "posts", "count", now.posts, before.posts
    yield "measured", "count", now.measured, before.measured
    for name in POST_COUNTS:
        yield name, "count", now.counts.get(name), before.counts.get(name)
    yield "followers_start", "count", now.followers_start, before.followers_start
    yield "followers_end", "count", now.followers_end, before.followers_end
    mine, theirs = now.figures, before.figures
    for key in mine:
        yield key, formulas.FORMULAS[key].unit, mine.get(key), theirs.get(key)


def summary_rows(scope: reports.Scope, period: Period, earlier: Period) -> Iterator[list[str]]:
    """One line a figure: the headline's, the response times', listening's and its top
    queries', each beside the compared period's, with its formula; then, for a panel that
    does not apply to the scope, a # line saying why (instead of the workspace's figures)."""
    yield list(SUMMARY_COLUMNS)
    now, before = reports.totals(scope, period), reports.totals(scope, earlier)
    for key, unit, value, earlier_value in _headline(now, before):
        found = formulas.FORMULAS.get(key)
        label, text = (
            (str(found.label), str(found.text))
            if found
            else (str(HEADLINE_COUNTS.get(key, key)), "")
        )
        yield _line("posts", key, label, unit, text, value, earlier_value, period, earlier)
    notes: list[list[str]] = []
    answered = engagement.responses(scope, period), engagement.responses(scope, earlier)
    if answered[0] is not None and answered[1] is not None:
        mine, theirs = answered[0].figures, answered[1].figures
        for key in engagement.RESPONSE_KEYS:
            label, text, unit = describe(key)
            yield _line(
                "responses", key, label, unit, text, mine[key], theirs[key], period, earlier
            )
    else:
        notes.append(["# responses", str(engagement.responses_reason(scope))])
    heard = engagement.listening(scope, period), engagement.listening(scope, earlier)
    if heard[0] is not None and heard[1] is not None:
        mine, theirs = heard[0].figures, heard[1].figures
        for key in engagement.LISTENING_KEYS:
            label, text, unit = describe(key)
            yield _line(
                "listening", key, label, unit, text, mine[key], theirs[key], period, earlier
            )
        sov = formulas.FORMULAS["share_of_voice"]
        for query in heard[0].top_queries:
            yield _line(
                "query",
                "mentions",
                query.name,
                "count",
                str(COUNTS["mentions"][1]),
                query.mentions,
                heard[1].mentions_of(query.query_id),
                period,
                earlier,
            )
            yield _line(
                "query",
                "share_of_voice",
                query.name,
                sov.unit,
                str(sov.text),
                query.share_of_voice,
                heard[1].share_of(query.query_id),
                period,
                earlier,
            )
    else:
        notes.append(["# listening", str(engagement.listening_reason(scope))])
    yield from notes
