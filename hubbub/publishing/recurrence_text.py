"""Recurring posts in words: the "Repeat" builder's choices turned into an RFC 5545 rule, and
a stored rule turned back into a sentence ("Repeats every Tuesday and Thursday at 09:00 until
1 March 2027").

The builder offers what most people want (every day, every week on chosen weekdays, every
month; until a date or N posts); anything else is pasted as a rule in the advanced field.
`describe` reads the rules the builder makes and the common hand-written ones; a rule it
cannot put in words honestly is shown as the rule itself, never as a wrong sentence.

Weekday and month names come from Django's date formats, so they follow the active language
(Tuesday → mardi); every sentence is a translated string with named placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hubbub.core.access import Access, ActionError
from hubbub.publishing.models import Post

FREQS = ("daily", "weekly", "monthly")
ENDS = ("never", "until", "count")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RFC 5545 BYDAY, Monday first
MAX_COUNT = 1000  # posts in a series: more is a typo (the horizon creates them 60 days ahead)
# Fields the builder posts; a form that has none of them does not ask for a repeat.
FIELDS = ("repeat_freq", "repeat_days", "repeat_end", "repeat_until", "repeat_count", "rrule")


class FormData(Protocol):
    """A QueryDict, or anything else that reads like one (tests pass a MultiValueDict)."""

    def get(self, key: str, default: str = ...) -> str: ...

    def getlist(self, key: str) -> list[str]: ...


@dataclass
class RepeatChoice:
    """What the builder holds. The texts are kept as typed so that a form shown again with an
    error shows them unchanged."""

    freq: str = ""  # "" (does not repeat), "daily", "weekly" or "monthly"
    weekdays: list[int] = field(default_factory=list)  # 0 = Monday … 6 = Sunday
    end: str = "never"
    until_text: str = ""  # YYYY-MM-DD, from <input type="date">
    count_text: str = ""
    rrule: str = ""  # the advanced field: a pasted rule replaces the choices above

    @property
    def wanted(self) -> bool:
        return bool(self.freq or self.rrule.strip())


def weekday_names() -> list[tuple[int, str]]:
    """(0, "Monday") … (6, "Sunday") in the active language."""
    monday = date(2024, 1, 1)  # a Monday
    return [(i, date_format(monday + timedelta(days=i), "l")) for i in range(7)]


def choice_from_form(data: FormData | Mapping[str, str]) -> RepeatChoice:
    """The builder's fields as posted; unknown values are dropped, not guessed."""
    getlist = getattr(data, "getlist", None)
    days = getlist("repeat_days") if getlist is not None else []
    freq = str(data.get("repeat_freq", "") or "")
    end = str(data.get("repeat_end", "") or "never")
    until = str(data.get("repeat_until", "") or "").strip()
    count = str(data.get("repeat_count", "") or "").strip()
    if end not in ENDS or (end == "never" and bool(until) != bool(count)):
        # A date or a number typed without ticking its choice (no JavaScript to tick it)
        # means that end; both or neither: no end.
        end = "until" if until and not count else "count" if count and not until else "never"
    return RepeatChoice(
        freq=freq if freq in FREQS else "",
        weekdays=sorted({int(d) for d in days if d in {"0", "1", "2", "3", "4", "5", "6"}}),
        end=end,
        until_text=until,
        count_text=count,
        rrule=str(data.get("rrule", "") or "").strip(),
    )


def _until(choice: RepeatChoice, start: datetime | None) -> date:
    try:
        until = date.fromisoformat(choice.until_text)
    except ValueError:
        raise ActionError(
            _("Choose the date of the last post, e.g. 2027-03-01."), field="repeat_until"
        ) from None
    if start is not None and until < start.date():
        raise ActionError(
            _("The series would end on %(until)s, before its first post: choose a later date.")
            % {"until": date_format(until, "j F Y")},
            field="repeat_until",
        )
    return until


def _count(choice: RepeatChoice) -> int:
    try:
        count = int(choice.count_text)
    except ValueError:
        count = 0
    if not 2 <= count <= MAX_COUNT:
        raise ActionError(
            _("Say how many posts in all, the first one included: from 2 to %(max)s.")
            % {"max": MAX_COUNT},
            field="repeat_count",
        )
    return count


def build_rule(choice: RepeatChoice, start: datetime | None) -> str:
    """The rule for the builder's choices, or "" when the post does not repeat.

    `start` is the first post's wall-clock time in the workspace (naive or aware in its zone):
    the rule names its hour and minute (and for "every month", its day), so the sentence shown
    later does not depend on which post of the series one looks at. Without a start the rule
    takes the post's planned time when the series is created.
    """
    pasted = choice.rrule.strip()
    if pasted:
        return pasted[6:] if pasted.upper().startswith("RRULE:") else pasted
    if not choice.freq:
        return ""
    parts = [f"FREQ={choice.freq.upper()}"]
    if choice.freq == "weekly":
        days = choice.weekdays or ([start.weekday()] if start is not None else [])
        if days:
            parts.append("BYDAY=" + ",".join(DAY_CODES[d] for d in sorted(set(days))))
    if choice.freq == "monthly" and start is not None:
        parts.append(f"BYMONTHDAY={start.day}")
    if start is not None:
        parts += [f"BYHOUR={start.hour}", f"BYMINUTE={start.minute}"]
    if choice.end == "until":
        parts.append(f"UNTIL={_until(choice, start):%Y%m%d}")
    elif choice.end == "count":
        parts.append(f"COUNT={_count(choice)}")
    return ";".join(parts)


def rule_from_form(data: FormData | Mapping[str, str], start: datetime | None, tz: ZoneInfo) -> str:
    """The rule a builder form asks for, for a post planned at `start` (UTC or None)."""
    local = start.astimezone(tz).replace(tzinfo=None) if start is not None else None
    return build_rule(choice_from_form(data), local)


# --- a rule in words --------------------------------------------------------------------------


def _and(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(list)s and %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]}


def _fields(rule: str) -> dict[str, str] | None:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    fields: dict[str, str] = {}
    for piece in text.split(";"):
        if not piece:
            continue
        if "=" not in piece:
            return None
        key, value = piece.split("=", 1)
        fields[key.strip().upper()] = value.strip().upper()
    return fields


def _int(value: str | None, default: int | None = None) -> int | None:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return None


def _until_date(value: str, tz: ZoneInfo) -> date | None:
    """UNTIL as the workspace's date. The series stores it in UTC (…T225959Z for a Paris
    date); a local date or date-time is read as it is."""
    try:
        if value.endswith("Z"):
            moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return moment.astimezone(tz).date()
        if "T" in value:
            return datetime.strptime(value, "%Y%m%dT%H%M%S").date()
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def _time(fields: dict[str, str], start: datetime | None) -> time | None:
    hours, minutes = fields.get("BYHOUR"), fields.get("BYMINUTE")
    if "," in (hours or "") or "," in (minutes or ""):  # several times a day: say the rule
        return None
    if hours is None:
        return start.time() if start is not None else None
    hour, minute = _int(hours), _int(minutes, start.minute if start is not None else 0)
    if hour is None or minute is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _weekdays(value: str) -> list[int] | None:
    codes = value.split(",")
    if any(code not in DAY_CODES for code in codes):  # "1TU", "-1FR": an ordinal day
        return None
    return sorted({DAY_CODES.index(code) for code in codes})


def _frequency(fields: dict[str, str], start: datetime | None) -> str | None:
    """ "every Tuesday and Thursday", "every 2 weeks on Monday", "every month on day 15"…"""
    freq = fields.get("FREQ", "")
    n = _int(fields.get("INTERVAL"), 1)
    if n is None or n < 1:
        return None
    names = dict(weekday_names())
    days = _weekdays(fields["BYDAY"]) if "BYDAY" in fields else None
    if "BYDAY" in fields and days is None:
        return None
    if freq == "HOURLY" and "BYDAY" not in fields:
        return ngettext("every hour", "every %(n)s hours", n) % {"n": n}
    if freq == "DAILY" and days is None:
        return ngettext("every day", "every %(n)s days", n) % {"n": n}
    if freq in ("DAILY", "WEEKLY"):
        if days is None:
            if start is None:
                return ngettext("every week", "every %(n)s weeks", n) % {"n": n}
            days = [start.weekday()]
        listed = _and([names[d] for d in days])
        if n == 1:
            return _("every %(days)s") % {"days": listed}
        if freq == "DAILY":
            return None  # every other day, but only on Tuesdays: say the rule instead
        return ngettext("every week on %(days)s", "every %(n)s weeks on %(days)s", n) % {
            "n": n,
            "days": listed,
        }
    if freq == "MONTHLY" and days is None:
        day = _int(fields.get("BYMONTHDAY"), start.day if start is not None else None)
        if day is None:
            if "BYMONTHDAY" in fields:
                return None
            return ngettext("every month", "every %(n)s months", n) % {"n": n}
        if not 1 <= day <= 31:  # a negative day counts from the month's end: say the rule
            return None
        return ngettext("every month on day %(day)s", "every %(n)s months on day %(day)s", n) % {
            "n": n,
            "day": day,
        }
    if (
        freq == "YEARLY"
        and days is None
        and start is not None
        and not fields.keys()
        & {
            "BYMONTH",
            "BYMONTHDAY",
        }
    ):
        return ngettext("every year on %(date)s", "every %(n)s years on %(date)s", n) % {
            "n": n,
            "date": date_format(start.date(), "j F"),
        }
    return None


# Parts this module puts in words; a rule with any other part is shown as the rule.
KNOWN = {"FREQ", "INTERVAL", "BYDAY", "BYHOUR", "BYMINUTE", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}


def describe(rule: str, start: datetime | None, tz: ZoneInfo) -> str:
    """The rule as a sentence in the active language. `start` is the series' first post (any
    zone, or None): the time of day, weekday or day of the month when the rule leaves them to
    the start, as RFC 5545 does."""
    local = start.astimezone(tz) if start is not None else None
    fields = _fields(rule)
    frequency = None
    if fields is not None and not fields.keys() - KNOWN:
        frequency = _frequency(fields, local)
    if fields is None or frequency is None:
        return _("Repeats by the rule %(rule)s") % {"rule": rule.strip()}
    moment = None if fields.get("FREQ") == "HOURLY" else _time(fields, local)
    if moment is None and fields.keys() & {"BYHOUR", "BYMINUTE"}:
        # Several times a day, or one out of range: "every day" alone would be wrong.
        return _("Repeats by the rule %(rule)s") % {"rule": rule.strip()}
    if moment is not None:
        sentence = _("Repeats %(frequency)s at %(time)s") % {
            "frequency": frequency,
            "time": moment.strftime("%H:%M"),
        }
    else:
        sentence = _("Repeats %(frequency)s") % {"frequency": frequency}
    if "UNTIL" in fields:
        until = _until_date(fields["UNTIL"], tz)
        if until is None:
            return _("Repeats by the rule %(rule)s") % {"rule": rule.strip()}
        return _("%(repeats)s until %(date)s") % {
            "repeats": sentence,
            "date": date_format(until, "j F Y"),
        }
    count = _int(fields.get("COUNT"))
    if count is not None and count > 0:
        return ngettext(
            "%(repeats)s, %(n)s post in all", "%(repeats)s, %(n)s posts in all", count
        ) % {"repeats": sentence, "n": count}
    return sentence


# --- a post's series, for the composer and the post page --------------------------------------


@dataclass(frozen=True)
class SeriesInfo:
    origin: Post
    is_origin: bool  # this post is the one the series started from
    running: bool  # False once stopped: the posts stay, no new one is made
    description: str  # "" once stopped
    may_stop: bool  # the viewer may stop it (as recurrence.stop_series checks)


def series_info(access: Access, post: Post) -> SeriesInfo | None:
    """Where `post` stands in a recurring series, or None when it is not part of one."""
    if post.series_id is None and not post.rrule:
        return None
    origin = post if post.series_id is None else Post.objects.get(pk=post.series_id)
    running = bool(origin.rrule)
    description = (
        describe(origin.rrule, origin.scheduled_at, access.workspace.tz) if running else ""
    )
    # The same rule as the repeat view and recurrence.stop_series: may schedule, and the
    # series is one's own or one may edit anyone's.
    may_stop = (
        running
        and access.can("posts.schedule")
        and (origin.author_id == access.user.pk or access.can("posts.edit_any"))
    )
    return SeriesInfo(origin, origin.pk == post.pk, running, description, may_stop)
