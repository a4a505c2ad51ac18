"""The days a report is about, in the workspace's time zone, and what it is compared with.

A period is a run of whole local days, first and last included. Its bounds are local
midnights turned into instants, so a day of 23 or 25 hours (a change of clocks) is that long
and no hour is counted twice or lost. The comparison is the previous period of the same
number of days, or the same dates a year earlier (29 February becoming the 28th).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

PRESETS = {
    "7": _("Last 7 days"),
    "30": _("Last 30 days"),
    "90": _("Last 90 days"),
    "365": _("Last 12 months"),
    "month": _("This month"),
    "last-month": _("Last month"),
}
DEFAULT = "30"
MAX_DAYS = 3 * 366
COMPARISONS = {"previous": _("Previous period"), "year": _("Same period last year")}


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: ZoneInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """The first day's local midnight, as an instant."""
        return datetime.combine(self.first, time(), self.zone)

    @property
    def end(self) -> datetime:
        """The local midnight after the last day: the period is start <= t < end."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)

    def previous(self) -> Period:
        return Period(
            self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.zone
        )

    def last_year(self) -> Period:
        return Period(_year_before(self.first), _year_before(self.last), self.zone)

    def compared(self, how: str) -> Period:
        return self.last_year() if how == "year" else self.previous()

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def period_of(params: Mapping[str, str], zone: ZoneInfo, today: date) -> tuple[Period, str]:
    """The period a page or an export asks for, and its preset ("" for custom dates):
    period=7|30|90|365|month|last-month, or from=YYYY-MM-DD&to=YYYY-MM-DD. Dates that make
    no sense (backwards, longer than three years) give the default, the last 30 days."""
    first, last = _date(params.get("from", "")), _date(params.get("to", ""))
    preset = params.get("period", "")
    if (
        preset in ("", "custom")
        and first
        and last
        and first <= last
        and (last - first).days < MAX_DAYS
    ):
        return Period(first, last, zone), ""
    preset = preset if preset in PRESETS else DEFAULT
    if preset == "month":
        return Period(today.replace(day=1), today, zone), preset
    if preset == "last-month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end, zone), preset
    days = int(preset)
    return Period(today - timedelta(days=days - 1), today, zone), preset
