"""The calendar (month, week, list), its iCal feed, queue slots, CSV import and export.

Every rule lives in hubbub.publishing.calendar, .queue, .recurrence, .csv_io and .ical;
these views only read the request and render the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.models import Membership
from hubbub.networks.models import Channel
from hubbub.publishing import calendar as cal
from hubbub.publishing import csv_io, ical, queue, recurrence, recurrence_text
from hubbub.publishing.models import Campaign, Post, PostStatus
from hubbub.web.decorators import workspace_view

VIEWS = ("month", "week", "list")
LIST_DAYS = 30


def _weekday_labels() -> list[tuple[int, str]]:
    # Django's date formatting follows the active language (Monday → lundi).
    monday = date(2024, 1, 1)  # a Monday
    return [(i, date_format(monday + timedelta(days=i), "l")) for i in range(7)]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def filters_from(request: HttpRequest) -> cal.Filters:
    status = request.GET.get("status", "")
    return cal.Filters(
        channel=_int(request.GET.get("channel")),
        campaign=_int(request.GET.get("campaign")),
        status=status if status in PostStatus.values else "",
        author=_int(request.GET.get("author")),
    )


@dataclass(frozen=True)
class Nav:
    prev: str
    next: str
    today: str
    title: str


def _query(request: HttpRequest, **changes: str) -> str:
    params = {k: v for k, v in request.GET.items() if v}
    params.update(changes)
    return "?" + urlencode(params)


def _nav(request: HttpRequest, view: str, anchor: date, today: date) -> Nav:
    if view == "month":
        prev = (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
        nxt = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
        title = date_format(anchor, "F Y")
    elif view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        prev, nxt = monday - timedelta(days=7), monday + timedelta(days=7)
        title = _("Week of %(day)s") % {"day": date_format(monday, "j F Y")}
    else:
        prev, nxt = anchor - timedelta(days=LIST_DAYS), anchor + timedelta(days=LIST_DAYS)
        last = anchor + timedelta(days=LIST_DAYS - 1)
        title = _("%(first)s to %(last)s") % {
            "first": date_format(anchor, "j F Y"),
            "last": date_format(last, "j F Y"),
        }
    return Nav(
        prev=_query(request, date=prev.isoformat()),
        next=_query(request, date=nxt.isoformat()),
        today=_query(request, date=today.isoformat()),
        title=title,
    )


def _filter_choices(access: Access) -> dict[str, Any]:
    return {
        "channels": Channel.objects.filter(workspace=access.workspace).order_by("handle"),
        "campaigns": Campaign.objects.filter(workspace=access.workspace),
        "statuses": PostStatus.choices,
        "authors": Membership.objects.filter(workspace=access.workspace)
        .select_related("user")
        .order_by("user__email"),
    }


@require_GET
@workspace_view("posts.view")
def calendar_page(request: HttpRequest, access: Access) -> HttpResponse:
    tz = access.workspace.tz
    view = request.GET.get("view", "month")
    view = view if view in VIEWS else "month"
    today = cal.today_in(tz)
    anchor = _date(request.GET.get("date"), today)
    filters = filters_from(request)
    context: dict[str, Any] = {
        "view": view,
        "anchor": anchor,
        "filters": filters,
        "nav": _nav(request, view, anchor, today),
        "weekdays": _weekday_labels(),
        "feed_url": ical.feed_url(access.workspace),
        "hours": range(24),
        "here": request.get_full_path(),
        **_filter_choices(access),
    }
    if view == "month":
        context["weeks"] = cal.month_grid(access, anchor.year, anchor.month, filters)
    elif view == "week":
        week = cal.week_grid(access, anchor, filters)
        context["week"] = week
        context["hour_rows"] = [
            (hour, list(zip(week.days, cells, strict=True)))
            for hour, cells in enumerate(week.hours)
        ]
    else:
        context["days"] = cal.list_days(access, anchor, LIST_DAYS, filters)
    return render(request, "publishing/calendar/calendar.html", context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, access: Access) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("publishing:calendar", args=[access.workspace.slug])
    return redirect(target)


def _parse_when(request: HttpRequest, post: Post, access: Access) -> datetime:
    """The new local time from the form: a date, and a time (or the post's own time of day,
    when a chip is dropped on a day of the month view)."""
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        raise ActionError(_("Choose a date, e.g. 2026-12-01."), field="date") from None
    raw_time = request.POST.get("time", "").strip()
    if raw_time:
        try:
            moment = time.fromisoformat(raw_time)
        except ValueError:
            raise ActionError(_("Write the time as HH:MM, e.g. 09:30."), field="time") from None
    elif post.scheduled_at is not None:
        moment = post.scheduled_at.astimezone(access.workspace.tz).time()
    else:
        moment = time(9, 0)
    return datetime.combine(day, moment.replace(second=0, microsecond=0, tzinfo=None))


@require_POST
@workspace_view("posts.schedule")
def move(request: HttpRequest, access: Access) -> HttpResponse:
    post_id = _int(request.POST.get("post"))
    if post_id is None:
        raise Http404(_("No such post."))
    post = get_object_or_404(Post.objects.posts(), pk=post_id, workspace=access.workspace)
    fold = _int(request.POST.get("fold"))
    try:
        when = _parse_when(request, post, access)
        post = cal.move_post(access, post, when, fold=fold)
    except (ActionError, PermissionDenied) as exc:
        message = exc.message if isinstance(exc, ActionError) else str(exc)
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": message}, status=400)
        messages.error(request, message)
        return _back(request, access)
    assert post.scheduled_at is not None
    local = post.scheduled_at.astimezone(access.workspace.tz)
    text = _("“%(post)s” moved to %(time)s (%(status)s).") % {
        "post": post.purpose[:60],
        "time": local.strftime("%Y-%m-%d %H:%M"),
        "status": PostStatus(post.status).label,
    }
    messages.success(request, text)  # the page the script reloads shows it too
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": text, "local": local.isoformat()})
    return _back(request, access)


@require_POST
@workspace_view("posts.schedule")
def repeat(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """Start (rrule given) or stop (action=stop) a recurring series from a post."""
    post = get_object_or_404(Post.objects.posts(), pk=post_id, workspace=access.workspace)
    try:
        if request.POST.get("action") == "stop":
            cancelled = recurrence.stop_series(access, post)
            messages.success(
                request,
                _("The series is stopped; %(n)s future posts cancelled.") % {"n": len(cancelled)},
            )
        else:
            # A rule pasted as is, or the post page's Repeat builder's choices.
            rule = recurrence_text.rule_from_form(
                request.POST, post.scheduled_at, access.workspace.tz
            )
            result = recurrence.create_series(access, post, rule)
            messages.success(
                request,
                _("The post now repeats: %(n)s posts planned so far.")
                % {"n": 1 + len(result.created)},
            )
            for problem in result.problems:
                messages.warning(request, problem)
    except (ActionError, PermissionDenied) as exc:
        messages.error(request, exc.message if isinstance(exc, ActionError) else str(exc))
    return _back(request, access)


@require_POST
@workspace_view("workspace.edit")
def ical_regenerate(request: HttpRequest, access: Access) -> HttpResponse:
    ical.regenerate_token(access)
    messages.success(
        request,
        _("The calendar feed has a new address: subscribe again with it; the old one stopped."),
    )
    return redirect("publishing:calendar", slug=access.workspace.slug)


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    workspace = ical.workspace_for_token(token)
    if workspace is None:
        raise Http404("No such calendar.")
    response = HttpResponse(ical.build_feed(workspace), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{workspace.slug}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- queue slots ----------------------------------------------------------------------------


@workspace_view("posts.view")
def queue_page(request: HttpRequest, access: Access) -> HttpResponse:
    channels = list(Channel.objects.connected().filter(workspace=access.workspace))
    if request.method == "POST":
        access.require("queue.manage")
        channel = get_object_or_404(
            Channel, pk=_int(request.POST.get("channel")) or 0, workspace=access.workspace
        )
        try:
            if request.POST.get("action") == "remove":
                queue.remove_slot(access, channel, _int(request.POST.get("slot")) or 0)
                messages.success(request, _("Slot removed from %(c)s.") % {"c": channel.handle})
            else:
                weekday = _int(request.POST.get("weekday"))
                try:
                    moment = time.fromisoformat(request.POST.get("time", ""))
                except ValueError:
                    raise ActionError(_("Write the time as HH:MM, e.g. 09:30."), "time") from None
                queue.add_slot(access, channel, -1 if weekday is None else weekday, moment)
                messages.success(request, _("Slot added to %(c)s.") % {"c": channel.handle})
        except ActionError as exc:
            messages.error(request, exc.message)
        return redirect("publishing:queue", slug=access.workspace.slug)
    tz = access.workspace.tz
    labels = dict(_weekday_labels())
    rows = []
    for channel in channels:
        slots = queue.slots_of(channel)
        upcoming = queue.upcoming_slots(access, [channel], limit=3) if slots else []
        rows.append(
            {
                "channel": channel,
                "slots": [(s, labels[s.weekday]) for s in slots],
                "upcoming": [u.astimezone(tz) for u in upcoming],
            }
        )
    return render(
        request,
        "publishing/calendar/queue.html",
        {"rows": rows, "weekdays": _weekday_labels()},
    )


# --- CSV import and export ------------------------------------------------------------------


@workspace_view("posts.create")
def import_page(request: HttpRequest, access: Access) -> HttpResponse:
    result = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV file to import.")
        elif upload.size and upload.size > csv_io.MAX_FILE_BYTES:
            error = _("The file is larger than %(max)s MB: split it.") % {
                "max": csv_io.MAX_FILE_BYTES // (1024 * 1024)
            }
        else:
            try:
                result = csv_io.import_posts(access, upload.read(), filename=upload.name or "")
            except ActionError as exc:
                error = exc.message
    return render(
        request,
        "publishing/calendar/import.html",
        {"result": result, "error": error, "columns": csv_io.COLUMNS},
    )


@require_GET
@workspace_view("posts.create")
def import_template(request: HttpRequest, access: Access) -> HttpResponse:
    response = HttpResponse(csv_io.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hubbub-import-template.csv"'
    return response


@require_GET
@workspace_view("posts.view")
def export(request: HttpRequest, access: Access) -> HttpResponse:
    tz = access.workspace.tz
    start = end = None
    if request.GET.get("start"):
        start = cal.day_start(_date(request.GET["start"], cal.today_in(tz)), tz)
    if request.GET.get("end"):
        end = cal.day_start(_date(request.GET["end"], cal.today_in(tz)) + timedelta(days=1), tz)
    body = csv_io.export_csv(access, filters_from(request), start, end)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = csv_io.export_filename(access)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns: list[URLPattern] = [
    path("w/<slug:slug>/calendar/", calendar_page, name="calendar"),
    path("w/<slug:slug>/calendar/move/", move, name="move"),
    path("w/<slug:slug>/calendar/feed/regenerate/", ical_regenerate, name="ical_regenerate"),
    path("calendar/<str:token>.ics", ical_feed, name="ical"),
    path("w/<slug:slug>/posts/<int:post_id>/repeat/", repeat, name="repeat"),
    path("w/<slug:slug>/queue/", queue_page, name="queue"),
    path("w/<slug:slug>/posts/import/", import_page, name="import"),
    path("w/<slug:slug>/posts/import/template.csv", import_template, name="import_template"),
    path("w/<slug:slug>/posts/export.csv", export, name="export"),
]
