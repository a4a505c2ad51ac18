from __future__ import annotations

import csv
from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import ACTIONS
from hubbub.core.audit_query import AuditFilter
from hubbub.core.form_errors import show_error
from hubbub.web.decorators import workspace_view


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Who"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Object"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        areas = sorted({name.split(".")[0] for name in ACTIONS})
        choices: list[tuple[str, object]] = [("", _("All actions"))]
        choices += [(f"{area}.*", f"{area}.*") for area in areas]
        choices += [(name, f"{name} — {label}") for name, label in ACTIONS.items()]
        self.fields["action"].choices = choices  # type: ignore[attr-defined]


@workspace_view("audit.view")
def audit_log(request: HttpRequest, access: Access) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = None
    if form.is_bound and not form.is_valid():
        entries = access.workspace.audit_entries.none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        try:
            entries = AuditFilter(
                action=data.get("action") or "",
                actor=data.get("actor") or "",
                since=data.get("since"),
                until=data.get("until"),
                text=data.get("text") or "",
            ).apply(access.workspace)
        except ActionError as exc:
            show_error(form, exc)
            entries = access.workspace.audit_entries.none()
    if request.GET.get("format") == "csv":
        return _csv(access, entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "labels": ACTIONS,
        },
    )


def _csv(access: Access, entries: object) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{access.workspace.slug}-{date.today():%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["time", "who", "via", "action", "object_type", "object", "before", "after"])
    tz = access.workspace.tz
    for entry in entries:  # type: ignore[attr-defined]
        writer.writerow(
            [
                entry.created_at.astimezone(tz).isoformat(timespec="seconds"),
                # People choose their e-mail too, and "=cmd|..."@example.com is a valid one.
                _safe_cell(entry.actor_label),
                entry.via,
                entry.action,
                entry.object_type,
                _safe_cell(entry.object_label),
                _safe_cell(str(entry.before)),
                _safe_cell(str(entry.after)),
            ]
        )
    return response


def _safe_cell(value: str) -> str:
    # A cell that starts with = + - @ is run as a formula by spreadsheets (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
