"""Forms of the inbox's settings and reports pages. They only read and shape what was typed;
every rule about what is allowed lives in the actions they feed (policy_admin, rules,
actions, coverage), whose ActionError lands next to the field it names."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.inbox.models import Kind, Priority, ResponsePolicy, Sentiment, Tag
from hubbub.networks.models import Channel

TIME_ZONES = sorted(zoneinfo.available_timezones())
UNITS = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 24 * 60}


def weekday_labels() -> list[tuple[str, str]]:
    """("1", "Monday") … ("7", "Sunday") in the active language (ISO weekdays)."""
    monday = date(2024, 1, 1)  # a Monday
    return [(str(i + 1), date_format(monday + timedelta(days=i), "l")) for i in range(7)]


def split_minutes(minutes: int | None) -> tuple[int | None, str]:
    """480 → (8, "hours"): how a target is shown in the form."""
    if minutes is None:
        return None, "hours"
    if minutes % (24 * 60) == 0 and minutes >= 2 * 24 * 60:
        return minutes // (24 * 60), "days"
    if minutes % 60 == 0:
        return minutes // 60, "hours"
    return minutes, "minutes"


class TimeText(forms.TextInput):
    """A browser time picker; the value stays the "HH:MM" string the policy stores."""

    input_type = "time"


def _time_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=5, widget=TimeText())


def _amount_field(label: Any, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=1, max_value=525600)


def _unit_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=UNITS, initial="hours")


def _minutes_of(cleaned: dict[str, Any], amount: str, unit: str) -> int | None:
    value = cleaned.get(amount)
    if value is None:
        return None
    return int(value) * UNIT_MINUTES.get(cleaned.get(unit) or "minutes", 1)


class PolicyForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)
    business_hours_only = forms.BooleanField(
        label=_("Count business hours only"),
        required=False,
        help_text=_(
            "On: the clock stops outside business hours and on holidays (a message at 17:55 "
            "with a 1-hour target is due 09:55 the next working day). Off: targets run "
            "around the clock."
        ),
    )
    first_response = _amount_field(_("First response within"))
    first_response_unit = _unit_field(_("Unit of the first-response target"))
    resolution = _amount_field(_("Resolved within"))
    resolution_unit = _unit_field(_("Unit of the resolution target"))
    warn_before = forms.IntegerField(
        label=_("Warn this many minutes before a breach"),
        min_value=0,
        max_value=525600,
        help_text=_("The assignee (or the people on duty) and the alert destinations are told."),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        zone: Any = self.fields["time_zone"]
        zone.choices = [
            ("", _("The workspace's (%(zone)s)") % {"zone": workspace.time_zone}),
            *[(tz, tz) for tz in TIME_ZONES],
        ]
        self.days = weekday_labels()
        for key, name in self.days:
            self.fields[f"day_{key}_start_1"] = _time_field(_("%(day)s opens at") % {"day": name})
            self.fields[f"day_{key}_end_1"] = _time_field(_("%(day)s closes at") % {"day": name})
            self.fields[f"day_{key}_start_2"] = _time_field(
                _("%(day)s opens again at") % {"day": name}
            )
            self.fields[f"day_{key}_end_2"] = _time_field(
                _("%(day)s closes again at") % {"day": name}
            )

    @classmethod
    def initial_for(cls, policy: ResponsePolicy) -> dict[str, Any]:
        first, first_unit = split_minutes(policy.first_response_minutes)
        resolution, resolution_unit = split_minutes(policy.resolution_minutes)
        initial: dict[str, Any] = {
            "time_zone": policy.time_zone,
            "business_hours_only": policy.business_hours_only,
            "first_response": first,
            "first_response_unit": first_unit,
            "resolution": resolution,
            "resolution_unit": resolution_unit,
            "warn_before": policy.warn_before_minutes,
        }
        for key, intervals in (policy.hours or {}).items():
            for n, (start, end) in enumerate(intervals[:2], start=1):
                initial[f"day_{key}_start_{n}"] = start
                # A time picker cannot show 24:00: midnight is 00:00 as an end.
                initial[f"day_{key}_end_{n}"] = "00:00" if end == "24:00" else end
        return initial

    def hours(self) -> dict[str, list[list[str]]]:
        """The intervals typed, by ISO weekday; a half-filled interval is kept so that the
        action says what is missing."""
        hours: dict[str, list[list[str]]] = {}
        for key, _name in self.days:
            intervals = []
            for n in (1, 2):
                start = (self.cleaned_data.get(f"day_{key}_start_{n}") or "").strip()[:5]
                end = (self.cleaned_data.get(f"day_{key}_end_{n}") or "").strip()[:5]
                if not start and not end:
                    continue
                if end == "00:00":
                    end = "24:00"  # closing at midnight
                intervals.append([start, end] if start and end else [start or end])
            hours[key] = intervals
        return hours

    def day_rows(self) -> list[dict[str, Any]]:
        """For the template: one row per weekday with its four fields and its errors."""
        rows = []
        for key, name in self.days:
            fields = [
                self[f"day_{key}_{part}"] for part in ("start_1", "end_1", "start_2", "end_2")
            ]
            errors = [e for f in fields for e in f.errors]
            rows.append({"key": key, "name": name, "fields": fields, "errors": errors})
        return rows

    def minutes(self, name: str) -> int | None:
        return _minutes_of(self.cleaned_data, name, f"{name}_unit")


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, help_text=_("e.g. Christmas Day")
    )


class HolidayImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One holiday per line: date,name (e.g. 2026-12-25,Christmas Day). A header line "
            "and semicolons are accepted."
        ),
    )


def _empty(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class OverrideForm(forms.Form):
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, empty_label=_("Any")
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=Tag.objects.none(), required=False, empty_label=_("Any")
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=_empty(_("Any")) + list(Priority.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), choices=_empty(_("Any")) + list(Sentiment.choices), required=False
    )
    kind = forms.ChoiceField(
        label=_("Message type"), choices=_empty(_("Any")) + list(Kind.choices), required=False
    )
    first_response = _amount_field(_("First response within"), required=False)
    first_response_unit = _unit_field(_("Unit of the first-response target"))
    resolution = _amount_field(_("Resolved within"), required=False)
    resolution_unit = _unit_field(_("Unit of the resolution target"))

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel_field: Any = self.fields["channel"]
        channel_field.queryset = Channel.objects.filter(workspace=workspace).order_by("handle")
        tag_field: Any = self.fields["tag"]
        tag_field.queryset = Tag.objects.filter(workspace=workspace)

    def minutes(self, name: str) -> int | None:
        return _minutes_of(self.cleaned_data, name, f"{name}_unit")


LANGUAGE_CHOICES = list(settings.LANGUAGES)


# --- saved replies, tags, teams -------------------------------------------------------------

PLACEHOLDERS = ("{first_name}", "{name}", "{handle}", "{agent}", "{channel}")


class SavedReplyForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        help_text=_("The same title in English and in French makes one reply in two languages."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Placeholders: {first_name} and {name} of the customer, {handle} their account, "
            "{agent} your first name, {channel} our account. They are filled in when you pick "
            "the reply."
        ),
    )


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#6b7280",
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    members = forms.TypedMultipleChoiceField(
        label=_("Members"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Ctrl or ⌘ + click to choose several."),
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members: Any = self.fields["members"]
        members.choices = people


# --- coverage -------------------------------------------------------------------------------


class LocalDateTime(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _person_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int)


class ShiftForm(forms.Form):
    user = _person_field(_("Who"))
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int)
    start = forms.TimeField(label=_("From"), widget=TimeText())
    end = forms.TimeField(
        label=_("To"),
        widget=TimeText(),
        help_text=_("Earlier than the start: the shift runs past midnight."),
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user: Any = self.fields["user"]
        user.choices = people
        weekday: Any = self.fields["weekday"]
        weekday.choices = [(int(k), name) for k, name in weekday_labels()]


class WindowForm(forms.Form):
    """A one-off on-duty override, or an absence: who, from, to, a note."""

    user = _person_field(_("Who"))
    starts_at = forms.DateTimeField(label=_("From"), widget=LocalDateTime())
    ends_at = forms.DateTimeField(label=_("Until"), widget=LocalDateTime())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user: Any = self.fields["user"]
        user.choices = people

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Django made the typed time aware in the *active* time zone; what was typed is the
        # workspace's clock, which the coverage actions apply to naive times.
        for name in ("starts_at", "ends_at"):
            if data.get(name) is not None:
                data[name] = timezone.make_naive(data[name])
        return data


# --- reports --------------------------------------------------------------------------------

PERIODS = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("custom", _("Custom dates")),
]


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="30", required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, empty_label=_("All")
    )
    member = forms.TypedChoiceField(label=_("Member"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, workspace: Workspace, people: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        channel: Any = self.fields["channel"]
        channel.queryset = Channel.objects.filter(workspace=workspace).order_by("handle")
        member: Any = self.fields["member"]
        member.choices = [("", _("All")), *people]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None:
                self.add_error("start", _("Choose the first day."))
            if end is None:
                self.add_error("end", _("Choose the last day."))
            if start and end:
                if end < start:
                    self.add_error("end", _("The last day must not be before the first."))
                elif (end - start).days > 366:
                    self.add_error("end", _("At most a year at a time."))
        return data
