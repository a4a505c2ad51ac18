"""Coverage: who is on duty now, the weekly rota (a grid and its shifts), one-off overrides
and absences. Times are typed and shown on the workspace's clock.

The rules are hubbub.inbox.coverage (who is on duty) and hubbub.inbox.coverage_admin (the
changes): the rota and overrides need inbox.configure; anyone who answers conversations
(inbox.reply) records and removes their own absence.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.inbox import coverage, coverage_admin
from hubbub.inbox.forms import ShiftForm, WindowForm, weekday_labels
from hubbub.inbox.models import Absence, CoverageOverride, Shift
from hubbub.inbox.views.settings_common import people
from hubbub.web.decorators import workspace_view

WINDOW_FIELDS = {"user": "user", "starts_at": "starts_at", "ends_at": "ends_at", "note": "note"}
SHIFT_FIELDS = {"user": "user", "weekday": "weekday", "start": "start", "end": "end"}


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def rota_grid(shifts: list[Shift]) -> list[dict[str, Any]]:
    """24 rows (hours) by 7 days: who is scheduled during some part of each local hour.

    A shift whose end is not after its start runs into the next day (end == start: 24 h).
    The rota is a weekly template on the local clock, so no time-zone arithmetic here."""
    week = 7 * 24 * 60
    cells: list[list[list[str]]] = [[[] for _d in range(7)] for _h in range(24)]
    for shift in shifts:
        start = (shift.weekday - 1) * 24 * 60 + _minutes(shift.start)
        length = (_minutes(shift.end) - _minutes(shift.start)) % (24 * 60) or 24 * 60
        for hour_start in range(0, week, 60):
            # does [start, start + length) (wrapping round the week) meet this hour?
            offset = (hour_start - start) % week
            if offset < length or (start - hour_start) % week < 60:
                day, hour = divmod(hour_start // 60, 24)
                name = shift.user.display_name
                if name not in cells[hour][day]:
                    cells[hour][day].append(name)
    return [{"hour": hour, "cells": cells[hour]} for hour in range(24)]


def _absence_people(access: Access) -> list[tuple[int, str]]:
    """Whose absence the person may record: anyone's with inbox.configure, else their own."""
    if access.can("inbox.configure"):
        return people(access)
    return [(access.user.pk, access.user.display_name)]


def _local(value: datetime, access: Access) -> datetime:
    return value.astimezone(access.workspace.tz)


def _page(
    request: HttpRequest,
    access: Access,
    *,
    shift_form: ShiftForm | None = None,
    override_form: WindowForm | None = None,
    absence_form: WindowForm | None = None,
) -> HttpResponse:
    workspace = access.workspace
    now = timezone.now()
    responders = people(access, coverage.on_duty_roles())
    configure = access.can("inbox.configure")
    shifts = list(Shift.objects.filter(workspace=workspace).select_related("user"))
    labels = dict(weekday_labels())
    by_day = [
        {"name": labels[str(day)], "shifts": [s for s in shifts if s.weekday == day]}
        for day in range(1, 8)
    ]
    overrides = CoverageOverride.objects.filter(workspace=workspace, ends_at__gt=now)
    absences = Absence.objects.filter(workspace=workspace, ends_at__gt=now)
    absence_people = _absence_people(access)
    tomorrow = (now.astimezone(workspace.tz) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0, tzinfo=None
    )
    window_initial = {"starts_at": tomorrow, "ends_at": tomorrow + timedelta(hours=8)}
    failed = any(f is not None and f.errors for f in (shift_form, override_form, absence_form))
    return render(
        request,
        "inbox/settings_coverage.html",
        {
            "on_duty": coverage.on_duty(workspace, now),
            "now": now,
            "grid": rota_grid(shifts),
            "weekdays": [labels[str(day)] for day in range(1, 8)],
            "by_day": by_day,
            "overrides": overrides.select_related("user"),
            "absences": absences.select_related("user"),
            "shift_form": shift_form or ShiftForm(people=responders, prefix="shift"),
            "override_form": override_form
            or WindowForm(people=responders, prefix="duty", initial=window_initial),
            "absence_form": absence_form
            or WindowForm(
                people=absence_people,
                prefix="away",
                initial={**window_initial, "user": access.user.pk},
            ),
            "configure": configure,
            "may_add_absence": configure or access.can("inbox.reply"),
        },
        status=400 if failed else 200,
    )


def _back(access: Access, anchor: str) -> HttpResponse:
    response = redirect("inbox_settings:coverage", slug=access.workspace.slug)
    response["Location"] += f"#{anchor}"
    return response


def _when(access: Access, row: CoverageOverride | Absence) -> str:
    start, end = _local(row.starts_at, access), _local(row.ends_at, access)
    return _("%(start)s to %(end)s") % {
        "start": f"{start:%Y-%m-%d %H:%M}",
        "end": f"{end:%Y-%m-%d %H:%M}",
    }


@workspace_view("inbox.view")
def coverage_page(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access)
    access.require("inbox.configure")
    responders = people(access, coverage.on_duty_roles())
    if request.POST.get("form") == "override":
        form = WindowForm(request.POST, people=responders, prefix="duty")
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = coverage_admin.save_override(
                    access, data["user"], data["starts_at"], data["ends_at"], data["note"]
                )
            except ActionError as exc:
                show_error(form, exc, WINDOW_FIELDS)
            else:
                messages.success(
                    request,
                    _("%(name)s is on duty %(when)s.")
                    % {"name": row.user.display_name, "when": _when(access, row)},
                )
                return _back(access, "overrides")
        return _page(request, access, override_form=form)
    shift_form = ShiftForm(request.POST, people=responders, prefix="shift")
    if shift_form.is_valid():
        data = shift_form.cleaned_data
        try:
            shift = coverage_admin.save_shift(
                access, data["user"], data["weekday"], data["start"], data["end"]
            )
        except ActionError as exc:
            show_error(shift_form, exc, SHIFT_FIELDS)
        else:
            messages.success(
                request,
                _("Shift added: %(name)s, %(day)s %(start)s to %(end)s.")
                % {
                    "name": shift.user.display_name,
                    "day": dict(weekday_labels())[str(shift.weekday)],
                    "start": f"{shift.start:%H:%M}",
                    "end": f"{shift.end:%H:%M}",
                },
            )
            return _back(access, "rota")
    return _page(request, access, shift_form=shift_form)


@require_POST
@workspace_view("inbox.reply")
def absence_add(request: HttpRequest, access: Access) -> HttpResponse:
    """Anyone who answers records their own absence; managers record anyone's."""
    form = WindowForm(request.POST, people=_absence_people(access), prefix="away")
    if form.is_valid():
        data = form.cleaned_data
        try:
            absence = coverage_admin.save_absence(
                access, data["user"], data["starts_at"], data["ends_at"], data["note"]
            )
        except ActionError as exc:
            show_error(form, exc, WINDOW_FIELDS)
        else:
            text = _("Absence of %(name)s recorded: %(when)s.") % {
                "name": absence.user.display_name,
                "when": _when(access, absence),
            }
            if absence.handed_off_at is not None:
                text += " " + _("%(n)s open conversations were handed over.") % {
                    "n": absence.handed_off_count
                }
            messages.success(request, text)
            return _back(access, "absences")
    return _page(request, access, absence_form=form)


@require_POST
@workspace_view("inbox.configure")
def shift_delete(request: HttpRequest, access: Access, shift_id: int) -> HttpResponse:
    shift = get_object_or_404(
        Shift.objects.select_related("user"), pk=shift_id, workspace=access.workspace
    )
    coverage_admin.delete_shift(access, shift)
    messages.success(request, _("Shift removed from the rota."))
    return _back(access, "rota")


@require_POST
@workspace_view("inbox.configure")
def duty_delete(request: HttpRequest, access: Access, duty_id: int) -> HttpResponse:
    row = get_object_or_404(CoverageOverride, pk=duty_id, workspace=access.workspace)
    coverage_admin.delete_override(access, row)
    messages.success(request, _("Override removed."))
    return _back(access, "overrides")


@require_POST
@workspace_view("inbox.reply")
def absence_delete(request: HttpRequest, access: Access, absence_id: int) -> HttpResponse:
    absence = get_object_or_404(
        Absence.objects.select_related("user"), pk=absence_id, workspace=access.workspace
    )
    # Someone else's absence needs inbox.configure: the action refuses (403) otherwise.
    coverage_admin.delete_absence(access, absence)
    messages.success(request, _("Absence removed."))
    return _back(access, "absences")
