# ruff: noqa: RUF001, RUF002  (the multiplication and minus signs are meant)
"""The PDF report: the workspace's logo and colours, its figures with the change against the
compared period, its charts, its tables, and the formulas in an appendix.

fpdf2 writes it (pure Python, Unicode fonts, PNG images, tables); the font is the DejaVu
Sans that matplotlib ships, so the PDF needs no font installed on the server and French
text, "×" and "−" print as they should. With white-label on, nothing in the file names
Hubbub: not the footer, not the document's metadata.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from hubbub.core.actions.brand import logo_path
from hubbub.core.numbers import number, percent
from hubbub.measure.besttime import HELD_OUT, MIN_HISTORY
from hubbub.reporting import charts
from hubbub.reporting.content import Panel, ReportContent, period_label

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FAMILY = "DejaVu"
BAND = 26.0  # mm: the coloured band at the top of each page
MARGIN = 15.0
INK = (31, 41, 55)
MUTED = (107, 114, 128)


def rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def on_colour(colour: str) -> tuple[int, int, int]:
    """White or near-black text, whichever reads better on `colour` (WCAG luminance)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (255, 255, 255) if luminance < 0.4 else INK


def change_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f} %"


class ReportPDF(FPDF):
    def __init__(self, content: ReportContent) -> None:
        super().__init__(format="A4", unit="mm")
        self.content = content
        self.brand = content.brand
        self.set_margins(MARGIN, BAND + 8, MARGIN)
        self.set_auto_page_break(True, margin=18)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font(FAMILY, "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
        self.logo = logo_path(self.brand)
        author = self.brand.prepared_by or content.workspace.name
        self.set_title(content.title)
        self.set_author(author)
        self.set_creator(author if self.brand.white_label else "Hubbub")
        # fpdf2 names itself as the producer by default: a white-label report names no tool.
        self.set_producer(author if self.brand.white_label else "Hubbub (fpdf2)")
        self.set_lang(content.workspace.language)

    # --- page furniture -----------------------------------------------------------------

    def header(self) -> None:
        colour = self.brand.primary_colour
        self.set_fill_color(*rgb(colour))
        self.rect(0, 0, self.w, BAND, style="F")
        x = MARGIN
        if self.logo is not None:
            # The logo sits on a white card so a dark logo still shows on a dark band.
            self.set_fill_color(255, 255, 255)
            self.rect(MARGIN - 2, 4, 40, BAND - 8, style="F", round_corners=True, corner_radius=2)
            self.image(self.logo, x=MARGIN, y=6, h=BAND - 12, w=36, keep_aspect_ratio=True)
            x = MARGIN + 44
        self.set_text_color(*on_colour(colour))
        self.set_xy(x, 6)
        self.set_font(FAMILY, "B", 14)
        self.cell(self.w - x - MARGIN, 7, self.content.title, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 9)
        self.cell(self.w - x - MARGIN, 6, self.content.period_label)
        self.set_text_color(*INK)
        self.set_y(BAND + 8)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(*MUTED)
        width = (self.w - 2 * MARGIN) / 3
        prepared = self.brand.prepared_by
        self.cell(width, 5, _("Prepared by %(name)s") % {"name": prepared} if prepared else "")
        self.cell(width, 5, "" if self.brand.white_label else _("Made with Hubbub"), align="C")
        self.cell(
            width,
            5,
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="R",
        )
        self.set_text_color(*INK)

    # --- building blocks ----------------------------------------------------------------

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 60:
            self.add_page()
        self.ln(3)
        self.set_font(FAMILY, "B", 12)
        self.set_text_color(*rgb(self.brand.primary_colour))
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font(FAMILY, "", 9)

    def paragraph(self, text: str, *, muted: bool = False, size: float = 9) -> None:
        self.set_font(FAMILY, "", size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def chart(self, png: bytes, alt: str, width: float | None = None) -> None:
        width = width or self.w - 2 * MARGIN
        self.image(io.BytesIO(png), x=MARGIN, w=width, alt_text=alt)  # y moves below it
        self.ln(1)

    def grid(
        self,
        head: list[str],
        rows: list[list[str]],
        widths: tuple[float, ...],
        align: tuple[str, ...],
    ) -> None:
        colour = rgb(self.brand.primary_colour)
        style = FontFace(
            emphasis="BOLD", color=on_colour(self.brand.primary_colour), fill_color=colour
        )
        self.set_font(FAMILY, "", 8)
        with self.table(
            col_widths=widths,
            text_align=align,
            headings_style=style,
            line_height=5.5,
            borders_layout="HORIZONTAL_LINES",
            width=self.w - 2 * MARGIN,
        ) as table:
            table.row(head)
            for row in rows:
                table.row(row)
        self.ln(2)


def _figures(
    pdf: ReportPDF, content: ReportContent, numbers: dict[str, int], rows: list[dict[str, Any]]
) -> None:
    """Figures beside the compared period's, each named with its formula's number."""
    lines = []
    for row in rows:
        label = row["label"]
        if row["key"] in numbers:
            label = f"{label} [{numbers[row['key']]}]"
        lines.append([label, row["value"], row["before"], change_text(row["change"])])
    pdf.grid(
        [
            _("Figure"),
            _("This period"),
            content.compare_label,
            pgettext("figure: change against the compared period", "Change"),
        ],
        lines,
        (70, 35, 40, 35),
        ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )


def _headline(pdf: ReportPDF, content: ReportContent, numbers: dict[str, int]) -> None:
    pdf.heading(_("Headline figures"))
    pdf.paragraph(
        _("%(period)s, compared with %(how)s (%(earlier)s). Times in %(zone)s.")
        % {
            "period": content.period_label,
            "how": content.compare_label.lower(),
            "earlier": period_label(content.earlier),
            "zone": content.workspace.time_zone,
        },
        muted=True,
    )
    _figures(pdf, content, numbers, content.headline)
    if not content.totals.posts:
        pdf.paragraph(_("No posts were published in this period."), muted=True)
    elif content.totals.measured < content.totals.posts:
        pdf.paragraph(
            _("%(measured)s of the %(posts)s posts had counts; the others are not in the sums.")
            % {"measured": content.totals.measured, "posts": content.totals.posts},
            muted=True,
        )


def _panel(
    pdf: ReportPDF,
    content: ReportContent,
    numbers: dict[str, int],
    title: str,
    panel: Panel,
    empty: str,
) -> None:
    pdf.heading(title)
    if panel.reason:
        pdf.paragraph(panel.reason, muted=True)
        return
    _figures(pdf, content, numbers, panel.rows)
    if panel.rows and panel.rows[0]["value"] in ("0", "—"):
        pdf.paragraph(empty, muted=True)
    if panel.queries:
        label = _("Share of voice")
        if "share_of_voice" in numbers:
            label = f"{label} [{numbers['share_of_voice']}]"
        pdf.grid(
            [_("Most mentioned queries"), _("Mentions"), content.compare_label, label],
            panel.queries,
            (70, 35, 40, 35),
            ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        )


def _daily(pdf: ReportPDF, content: ReportContent) -> None:
    pdf.heading(_("Posts and engagements by day"))
    if not any(posts for _day, posts, _engaged in content.daily):
        pdf.paragraph(_("No posts in this period: nothing to chart."), muted=True)
        return
    brand = content.brand
    pdf.chart(
        charts.daily(content.daily, brand.primary_colour, brand.accent_colour),
        _("Engagements and posts published by day"),
    )
    if content.gap_days:
        pdf.paragraph(
            ngettext(
                "Grey days had posts but no counts from the network: they are left as gaps, "
                "not counted as zero (%(days)s day).",
                "Grey days had posts but no counts from the network: they are left as gaps, "
                "not counted as zero (%(days)s days).",
                content.gap_days,
            )
            % {"days": content.gap_days},
            muted=True,
            size=8,
        )


def _channels(pdf: ReportPDF, content: ReportContent) -> None:
    if not content.channels:
        return
    pdf.heading(_("Channels"))
    pdf.grid(
        [
            _("Channel"),
            _("Posts"),
            _("Engagements"),
            _("Rate (reach)"),
            _("Followers"),
            _("Growth"),
        ],
        [
            [
                f"{line.name}",
                number(line.posts),
                line.engagements,
                line.rate,
                line.followers,
                line.growth,
            ]
            for line in content.channels
        ],
        (56, 24, 28, 26, 24, 22),
        ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )
    if len(content.channels) > 1:
        pdf.chart(
            charts.channels(
                [line.name for line in content.channels],
                [line.engaged for line in content.channels],
                content.brand.primary_colour,
            ),
            _("Engagements by channel"),
        )


def _posts(pdf: ReportPDF, content: ReportContent) -> None:
    for title, lines in ((_("Best posts"), content.best), (_("Weakest posts"), content.weakest)):
        if not lines:
            continue
        pdf.heading(title)
        pdf.grid(
            [_("Published"), _("Channel"), _("Text"), _("Engagements"), _("Rate (reach)")],
            [
                [line.published, line.channel, line.text, line.engagements, line.rate]
                for line in lines
            ],
            (24, 34, 78, 24, 20),
            ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
        )


def _best_time(pdf: ReportPDF, content: ReportContent) -> None:
    found = content.best_time
    pdf.heading(_("Best time to post"))
    if not found.heatmap:
        pdf.paragraph(
            _("Not enough history yet: the heatmap needs posts that are at least a week old."),
            muted=True,
        )
        return
    pdf.chart(
        charts.heatmap(found, content.brand.primary_colour),
        _("Engagement by weekday and hour against the channel's usual post"),
    )
    if found.enough and content.best_slots:
        text = _("Recommended: %(slots)s.") % {"slots": ", ".join(content.best_slots)}
        if found.lift is not None and found.interval is not None:
            text += " " + _(
                "On the last %(weeks)s weeks, held out, posts in these slots did %(lift)s× "
                "the usual (90 %% interval %(low)s–%(high)s)."
            ) % {
                "weeks": HELD_OUT,
                "lift": number(float(found.lift), 2),
                "low": number(float(found.interval[0]), 2),
                "high": number(float(found.interval[1]), 2),
            }
            if found.interval[0] <= 1 <= found.interval[1]:
                text += " " + _("The interval includes 1: the advantage is not proven yet.")
        pdf.paragraph(text)
    else:
        pdf.paragraph(
            _("No recommendation yet: it needs %(n)s scored posts.") % {"n": MIN_HISTORY},
            muted=True,
        )


def _money(value: Any, currency: str | None) -> str:
    if value is None:
        return "—"
    return f"{formats.number_format(value, 2, force_grouping=True)} {currency or ''}".strip()


def _campaign(pdf: ReportPDF, content: ReportContent, numbers: dict[str, int]) -> None:
    found = content.campaign
    if found is None:
        return
    pdf.heading(_("Campaign"))
    pdf.paragraph(
        _("Campaign dates: %(dates)s (%(gone)s of %(days)s days gone).")
        % {"dates": period_label(found.period), "gone": found.days_gone, "days": found.period.days},
        muted=True,
    )
    if found.goals:
        rows = []
        for progress in found.goals:
            goal = progress.goal
            rows.append(
                [
                    str(goal.get_metric_display()),
                    number(goal.target),
                    "—" if progress.actual is None else _actual(progress.actual),
                    "—" if progress.share is None else percent(progress.share, 0),
                    "—" if progress.projected is None else number(progress.projected),
                ]
            )
        pdf.grid(
            [_("Goal"), _("Target"), _("Actual"), _("Of target"), _("Projected")],
            rows,
            (60, 30, 30, 30, 30),
            ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        )
    label = _("Cost per result")
    if "cost_per_result" in numbers:
        label = f"{label} [{numbers['cost_per_result']}]"
    budget = found.budget.amount if found.budget is not None else None
    pdf.grid(
        [_("Money"), _("Amount")],
        [
            [_("Budget"), _money(budget, found.currency)],
            [_("Spent"), _money(found.spent, found.currency)],
            [_("Left"), _money(found.left, found.currency)],
            [label, _money(found.cost_per_result, found.currency)],
            [
                _("Organic reach"),
                "—" if found.organic_reach is None else number(found.organic_reach),
            ],
            [_("Paid reach"), "—" if found.paid_reach is None else number(found.paid_reach)],
        ],
        (90, 90),
        ("LEFT", "RIGHT"),
    )


def _appendix(pdf: ReportPDF, content: ReportContent, numbers: dict[str, int]) -> None:
    pdf.add_page()
    pdf.heading(_("Appendix: how the figures are computed"))
    pdf.paragraph(
        _(
            "A period's posts are those published in it, in the workspace's time zone "
            "(%(zone)s), each counted as of its latest reading before the period ended: the "
            "same report run again later gives the same figures. Followers are each channel's "
            "reading before the period's start against its reading before the end. A count a "
            "network does not give stays unknown (—) and is never counted as zero."
        )
        % {"zone": content.workspace.time_zone}
    )
    pdf.ln(2)
    pdf.grid(
        ["#", _("Figure"), _("Formula")],
        [[str(numbers[f.key]), str(f.label), str(f.text)] for f in content.formulas],
        (10, 60, 110),
        ("RIGHT", "LEFT", "LEFT"),
    )
    generated = formats.date_format(content.generated_at, "DATETIME_FORMAT")
    pdf.paragraph(_("Generated: %(when)s") % {"when": generated}, muted=True, size=8)


def render(content: ReportContent) -> bytes:
    """The report as PDF bytes; call inside translation.override(language)."""
    pdf = ReportPDF(content)
    numbers = {formula.key: n for n, formula in enumerate(content.formulas, start=1)}
    pdf.add_page()
    _headline(pdf, content, numbers)
    _daily(pdf, content)
    _channels(pdf, content)
    _campaign(pdf, content, numbers)
    _panel(
        pdf,
        content,
        numbers,
        _("Response times"),
        content.responses,
        _("No conversations in this period."),
    )
    _panel(
        pdf, content, numbers, _("Listening"), content.listening, _("No mentions in this period.")
    )
    _posts(pdf, content)
    _best_time(pdf, content)
    _appendix(pdf, content, numbers)
    return bytes(pdf.output())


def _actual(value: float) -> str:
    """A goal's actual: whole counts without decimals, rates with two."""
    return number(int(value)) if float(value).is_integer() else number(float(value), 2)
