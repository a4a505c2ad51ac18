"""The response-targets page: the policy (time zone, business hours, targets), holidays (one
by one or from a CSV file) and the overrides by channel, tag, priority, sentiment or type.

Every change goes through hubbub.inbox.policy_admin; the page only reads forms and shows
what the action said, next to the field it names. Members who may not configure the inbox
(inbox.view) see the settings read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.inbox import policy_admin
from hubbub.inbox.forms import (
    HolidayForm,
    HolidayImportForm,
    OverrideForm,
    PolicyForm,
    split_minutes,
)
from hubbub.inbox.models import Holiday, Kind, Priority, Sentiment, TargetOverride
from hubbub.web.decorators import workspace_view

# ActionError.field → the form field the message is shown beside.
POLICY_FIELDS = {
    "time_zone": "time_zone",
    "first_response": "first_response",
    "resolution": "resolution",
    "warn_before": "warn_before",
    **{f"day-{day}": f"day_{day}_start_1" for day in range(1, 8)},
}
OVERRIDE_FIELDS = {
    "channel": "channel",
    "tag": "tag",
    "priority": "priority",
    "sentiment": "sentiment",
    "kind": "kind",
    "first_response": "first_response",
    "resolution": "resolution",
}


def _redirect(access: Access, anchor: str = "") -> HttpResponse:
    response = redirect("inbox_settings:policy", slug=access.workspace.slug)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _target_text(minutes: int | None) -> str:
    if minutes is None:
        return _("the policy's")
    amount, unit = split_minutes(minutes)
    return {
        "minutes": ngettext("%(n)s minute", "%(n)s minutes", amount or 0),
        "hours": ngettext("%(n)s hour", "%(n)s hours", amount or 0),
        "days": ngettext("%(n)s day", "%(n)s days", amount or 0),
    }[unit] % {"n": amount}


def _override_rows(overrides: list[TargetOverride]) -> list[dict[str, Any]]:
    priorities, sentiments, kinds = (
        dict(Priority.choices),
        dict(Sentiment.choices),
        dict(Kind.choices),
    )
    rows = []
    for o in overrides:
        conditions = []
        if o.channel is not None:
            conditions.append(_("channel %(c)s") % {"c": o.channel.handle})
        if o.tag is not None:
            conditions.append(_("tag %(t)s") % {"t": o.tag.name})
        if o.priority is not None:
            conditions.append(_("priority %(p)s") % {"p": priorities.get(o.priority, o.priority)})
        if o.sentiment:
            conditions.append(
                _("sentiment %(s)s") % {"s": sentiments.get(o.sentiment, o.sentiment)}
            )
        if o.kind:
            conditions.append(_("type %(k)s") % {"k": kinds.get(o.kind, o.kind)})
        rows.append(
            {
                "override": o,
                "conditions": conditions,
                "first_response": _target_text(o.first_response_minutes),
                "resolution": _target_text(o.resolution_minutes),
            }
        )
    return rows


def _page(
    request: HttpRequest,
    access: Access,
    *,
    policy_form: PolicyForm | None = None,
    holiday_form: HolidayForm | None = None,
    import_form: HolidayImportForm | None = None,
    import_result: policy_admin.ImportResult | None = None,
    override_form: OverrideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    policy = policy_admin.policy_of(access.workspace)
    workspace = access.workspace
    overrides = list(TargetOverride.objects.filter(policy=policy).select_related("channel", "tag"))
    return render(
        request,
        "inbox/settings_policy.html",
        {
            "policy": policy,
            "policy_form": policy_form
            or PolicyForm(initial=PolicyForm.initial_for(policy), workspace=workspace),
            "holidays": list(Holiday.objects.filter(policy=policy)),
            "holiday_form": holiday_form or HolidayForm(),
            "import_form": import_form or HolidayImportForm(),
            "import_result": import_result,
            "override_rows": _override_rows(overrides),
            "override_form": override_form
            or OverrideForm(
                workspace=workspace, prefix="ov", initial={"first_response_unit": "minutes"}
            ),
            "editable": access.can("inbox.configure"),
        },
        status=status,
    )


def _save_policy(request: HttpRequest, access: Access) -> HttpResponse:
    form = PolicyForm(request.POST, workspace=access.workspace)
    if form.is_valid():
        try:
            policy_admin.save_policy(
                access,
                time_zone=form.cleaned_data["time_zone"],
                hours=form.hours(),
                business_hours_only=form.cleaned_data["business_hours_only"],
                first_response_minutes=form.minutes("first_response") or 0,
                resolution_minutes=form.minutes("resolution") or 0,
                warn_before_minutes=form.cleaned_data["warn_before"],
            )
        except ActionError as exc:
            form.add_error(POLICY_FIELDS.get(exc.field or ""), exc.message)
        else:
            messages.success(
                request,
                _(
                    "Response targets saved. They apply to conversations that start or "
                    "reopen from now on."
                ),
            )
            return _redirect(access)
    return _page(request, access, policy_form=form, status=400)


def _add_holiday(request: HttpRequest, access: Access) -> HttpResponse:
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            holiday = policy_admin.add_holiday(
                access, form.cleaned_data["date"], form.cleaned_data["name"]
            )
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("Holiday %(date)s added.") % {"date": holiday.date.isoformat()}
            )
            return _redirect(access, "holidays")
    return _page(request, access, holiday_form=form, status=400)


def _import_holidays(request: HttpRequest, access: Access) -> HttpResponse:
    form = HolidayImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size and upload.size > policy_admin.MAX_CSV_BYTES:
            form.add_error("file", _("The file is larger than 1 MB."))
        else:
            try:
                result = policy_admin.import_holidays_csv(access, upload.read())
            except ActionError as exc:
                form.add_error("file", exc.message)
            else:
                # The page itself shows the result: which rows were refused, and why.
                return _page(request, access, import_result=result)
    return _page(request, access, import_form=form, status=400)


def _add_override(request: HttpRequest, access: Access) -> HttpResponse:
    form = OverrideForm(request.POST, workspace=access.workspace, prefix="ov")
    if form.is_valid():
        data = form.cleaned_data
        given = policy_admin.OverrideInput(
            channel_id=data["channel"].pk if data["channel"] else None,
            tag_id=data["tag"].pk if data["tag"] else None,
            priority=data["priority"],
            sentiment=data["sentiment"],
            kind=data["kind"],
            first_response_minutes=form.minutes("first_response"),
            resolution_minutes=form.minutes("resolution"),
        )
        try:
            policy_admin.save_override(access, given)
        except ActionError as exc:
            form.add_error(OVERRIDE_FIELDS.get(exc.field or ""), exc.message)
        else:
            messages.success(request, _("Override added."))
            return _redirect(access, "overrides")
    return _page(request, access, override_form=form, status=400)


@workspace_view("inbox.view")
def policy_page(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access)
    access.require("inbox.configure")
    handler = {
        "holiday": _add_holiday,
        "import": _import_holidays,
        "override": _add_override,
    }.get(request.POST.get("form", ""), _save_policy)
    return handler(request, access)


def _holiday(access: Access, holiday_id: int) -> Holiday:
    return get_object_or_404(
        Holiday.objects.select_related("policy"),
        pk=holiday_id,
        policy__workspace=access.workspace,
    )


def _override(access: Access, override_id: int) -> TargetOverride:
    return get_object_or_404(
        TargetOverride.objects.select_related("policy"),
        pk=override_id,
        policy__workspace=access.workspace,
    )


@require_POST
@workspace_view("inbox.configure")
def holiday_delete(request: HttpRequest, access: Access, holiday_id: int) -> HttpResponse:
    holiday = _holiday(access, holiday_id)
    policy_admin.delete_holiday(access, holiday)
    messages.success(request, _("Holiday %(date)s removed.") % {"date": holiday.date.isoformat()})
    return _redirect(access, "holidays")


@require_POST
@workspace_view("inbox.configure")
def override_delete(request: HttpRequest, access: Access, override_id: int) -> HttpResponse:
    policy_admin.delete_override(access, _override(access, override_id))
    messages.success(request, _("Override removed."))
    return _redirect(access, "overrides")


@require_POST
@workspace_view("inbox.configure")
def override_move(request: HttpRequest, access: Access, override_id: int) -> HttpResponse:
    offset = -1 if request.POST.get("direction") == "up" else 1
    policy_admin.move_override(access, _override(access, override_id), offset)
    messages.success(request, _("Overrides reordered."))
    return _redirect(access, "overrides")
