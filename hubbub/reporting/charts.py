"""The report's charts as PNG images, drawn by matplotlib in the brand's colours.

The Results page draws with plotly in the browser; a PDF has no browser, and plotly's own
image export needs Kaleido and a Chromium of its own, so the PDF's charts are matplotlib's
(no window, no download). Figures are made with matplotlib.figure.Figure, not pyplot: no
global state, so two workers drawing at once do not draw on each other's charts.

A day without a count is drawn as a gap with a light band, never as a zero.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from hubbub.core.numbers import number
from hubbub.measure import besttime
from hubbub.measure.views.overview import weekday_names

DPI = 150
GAP = "#e5e7eb"
INK = "#1f2937"


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return out.getvalue()


def _style(ax: object) -> None:
    ax.spines[["top", "right"]].set_visible(False)  # type: ignore[attr-defined]
    ax.tick_params(colors=INK, labelsize=8)  # type: ignore[attr-defined]


def daily(rows: Sequence[tuple[date, int, int | None]], colour: str, accent: str) -> bytes:
    """Engagements by day (bars) and posts published (diamonds, right axis)."""
    figure = Figure(figsize=(7.2, 2.8))
    ax = figure.subplots()
    _style(ax)
    days = [day for day, _posts, _engaged in rows]
    known = [(day, value) for day, _posts, value in rows if value is not None]
    for day, posts, value in rows:
        if value is None and posts:
            ax.axvspan(day.toordinal() - 0.5, day.toordinal() + 0.5, color=GAP, lw=0)
    ax.bar(
        [day.toordinal() for day, _value in known],
        [value for _day, value in known],
        width=0.8,
        color=colour,
        label=_("Engagements"),
    )
    ax.set_ylabel(_("Engagements"), fontsize=8, color=INK)
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    right.spines[["top"]].set_visible(False)
    right.tick_params(colors=INK, labelsize=8)
    right.plot(
        [day.toordinal() for day in days],
        [posts for _day, posts, _value in rows],
        linestyle="none",
        marker="D",
        markersize=3,
        color=accent,
        label=_("Posts published"),
    )
    right.set_ylabel(_("Posts published"), fontsize=8, color=INK)
    right.set_ylim(bottom=0)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, math.ceil(len(days) / 8))
    ticks = days[::step]
    ax.set_xticks([day.toordinal() for day in ticks])
    ax.set_xticklabels([day.strftime("%d/%m") for day in ticks])
    if days:
        ax.set_xlim(days[0].toordinal() - 0.7, days[-1].toordinal() + 0.7)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    figure.legend(handles=handles, loc="upper center", ncols=2, fontsize=8, frameon=False)
    return _png(figure)


def channels(names: Sequence[str], values: Sequence[int | None], colour: str) -> bytes:
    """Engagements per channel, largest on top; a channel without counts gets no bar."""
    pairs = sorted(zip(names, values, strict=True), key=lambda pair: pair[1] or 0)
    figure = Figure(figsize=(7.2, 0.45 * len(pairs) + 0.8))
    ax = figure.subplots()
    _style(ax)
    ax.barh([name for name, _value in pairs], [value or 0 for _name, value in pairs], color=colour)
    for index, (_name, value) in enumerate(pairs):
        label = number(value) if value is not None else "—"
        ax.annotate(
            label,
            (value or 0, index),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color=INK,
        )
    ax.set_xlabel(_("Engagements"), fontsize=8, color=INK)
    return _png(figure)


def heatmap(found: besttime.BestTime, colour: str) -> bytes:
    """Score by weekday and hour (1 = the channel's usual post); empty cells: no posts."""
    grid = [
        [
            found.heatmap[(day, hour)][0] if (day, hour) in found.heatmap else math.nan
            for hour in range(24)
        ]
        for day in range(7)
    ]
    colours = LinearSegmentedColormap.from_list("brand", ["#ffffff", colour]).with_extremes(
        bad="#f3f4f6"
    )
    figure = Figure(figsize=(7.2, 2.6))
    ax = figure.subplots()
    image = ax.imshow(grid, aspect="auto", cmap=colours, vmin=0)
    ax.set_yticks(range(7))
    ax.set_yticklabels(weekday_names(), fontsize=7)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xticklabels([f"{hour:02d}" for hour in range(0, 24, 2)], fontsize=7)
    ax.set_xlabel(_("Hour (workspace time zone)"), fontsize=8, color=INK)
    bar = figure.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    bar.ax.tick_params(labelsize=7)
    bar.set_label(_("× usual"), fontsize=7)  # noqa: RUF001
    return _png(figure)
