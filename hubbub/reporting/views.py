"""The PDF download (the Results page's period, comparison and filter) and the page where
reports are scheduled to be e-mailed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.models import Membership
from hubbub.measure.periods import COMPARISONS
from hubbub.measure.views.overview import request_period, scope_of, weekday_names
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from hubbub.reporting import schedules
from hubbub.reporting.models import Frequency, ReportSchedule
from hubbub.web.decorators import workspace_view


def pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@workspace_view("measure.view")
def report_pdf(request: HttpRequest, access: Access) -> HttpResponse:
    """The Results page as a PDF: same period, comparison and channel or campaign."""
    period, _preset = request_period(request, access)
    compare = request.GET.get("compare", "previous")
    language = request.GET.get("lang", "") or getattr(request, "LANGUAGE_CODE", "")
    if language not in schedules.LANGUAGES:
        language = access.workspace.language
    found, data = schedules.build_pdf(
        access.workspace, scope_of(request, access), period, compare, language
    )
    return pdf_response(data, schedules.filename(found))


def _input(request: HttpRequest) -> schedules.ScheduleInput:
    def number(name: str, default: int) -> int:
        try:
            return int(request.POST.get(name, default))
        except (TypeError, ValueError):
            raise ActionError(_("Choose a value from the list."), field=name) from None

    def optional(name: str) -> int | None:
        text = request.POST.get(name, "").strip()
        return int(text) if text.isdigit() else None

    return schedules.ScheduleInput(
        name=request.POST.get("name", ""),
        frequency=request.POST.get("frequency", ""),
        weekday=number("weekday", 0),
        day_of_month=number("day_of_month", 1),
        hour=number("hour", 8),
        channel_id=optional("channel"),
        campaign_id=optional("campaign"),
        compare=request.POST.get("compare", "previous"),
        language=request.POST.get("language", ""),
        member_ids=tuple(int(v) for v in request.POST.getlist("members") if v.isdigit()),
        addresses=request.POST.get("addresses", ""),
    )


def _context(access: Access, **extra: Any) -> dict[str, Any]:
    workspace = access.workspace
    zone = workspace.tz
    now = timezone.now()
    rows = []
    found = (
        ReportSchedule.objects.filter(workspace=workspace)
        .select_related("channel", "campaign")
        .prefetch_related("members")
    )
    for schedule in found:
        last = schedule.sendings.first()
        rows.append(
            {
                "schedule": schedule,
                "next": schedules.next_due(schedule, now, zone) if schedule.active else None,
                "last": last,
                "recipients": schedules.recipients(schedule),
            }
        )
    return {
        "rows": rows,
        "frequencies": Frequency.choices,
        "weekdays": list(enumerate(weekday_names())),
        "days": range(1, 29),
        "hours": range(24),
        "comparisons": COMPARISONS,
        "channels": Channel.objects.filter(workspace=workspace).order_by("network", "handle"),
        "campaigns": Campaign.objects.filter(workspace=workspace).order_by("name"),
        "members": Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__email"),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@workspace_view("measure.report")
def schedule_list(request: HttpRequest, access: Access) -> HttpResponse:
    """The scheduled reports, and the form to add one."""
    error: ActionError | None = None
    if request.method == "POST":
        try:
            schedule = schedules.save_schedule(access, _input(request))
        except ActionError as exc:
            error = exc
        else:
            messages.success(
                request, _("“%(name)s” will be sent as scheduled.") % {"name": schedule.name}
            )
            return redirect("reporting:schedules", access.workspace.slug)
    return render(
        request,
        "reporting/schedules.html",
        _context(
            access,
            error=error,
            posted=request.POST if error else None,
            chosen={int(v) for v in request.POST.getlist("members") if v.isdigit()},
        ),
    )


def _schedule(access: Access, schedule_id: int) -> ReportSchedule:
    return get_object_or_404(ReportSchedule, pk=schedule_id, workspace=access.workspace)


@require_http_methods(["GET", "POST"])
@workspace_view("measure.report")
def schedule_edit(request: HttpRequest, access: Access, schedule_id: int) -> HttpResponse:
    schedule = _schedule(access, schedule_id)
    error: ActionError | None = None
    if request.method == "POST":
        try:
            schedules.save_schedule(access, _input(request), schedule)
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect("reporting:schedules", access.workspace.slug)
    return render(
        request,
        "reporting/schedule_edit.html",
        _context(
            access,
            schedule=schedule,
            error=error,
            chosen=set(schedule.members.values_list("pk", flat=True)),
        ),
    )


@require_POST
@workspace_view("measure.report")
def schedule_delete(request: HttpRequest, access: Access, schedule_id: int) -> HttpResponse:
    schedule = _schedule(access, schedule_id)
    schedules.delete_schedule(access, schedule)
    messages.success(request, _("Removed."))
    return redirect("reporting:schedules", access.workspace.slug)


@require_POST
@workspace_view("measure.report")
def schedule_pause(request: HttpRequest, access: Access, schedule_id: int) -> HttpResponse:
    schedule = _schedule(access, schedule_id)
    schedules.set_active(access, schedule, request.POST.get("active") == "1")
    return redirect("reporting:schedules", access.workspace.slug)


@require_POST
@workspace_view("measure.report")
def schedule_test(request: HttpRequest, access: Access, schedule_id: int) -> HttpResponse:
    schedule = _schedule(access, schedule_id)
    try:
        mail = schedules.send_now(access, schedule)
    except ActionError as exc:
        messages.error(request, exc.message)
    except Exception as exc:  # the SMTP server's refusal, said on the page
        messages.error(
            request, _("The e-mail could not be sent: %(error)s") % {"error": str(exc)[:300]}
        )
    else:
        messages.success(request, _("A test was sent to %(to)s.") % {"to": ", ".join(mail.bcc)})
    return redirect("reporting:schedules", access.workspace.slug)
