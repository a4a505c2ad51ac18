"""Spike and crisis alerts: the list, and one alert's page (the address alert e-mails and
messages link to, hubbub.listening.alerts.url_of): what was seen in which window against
what was usual, the new terms, the most-shared mentions, the window's mentions, and the
buttons: acknowledge, and — for those who may pause publishing — crisis mode, which pauses
publishing and brings the mentions into the inbox tagged "crisis", shown there next."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access
from hubbub.listening import actions
from hubbub.listening.conversations import CRISIS_TAG
from hubbub.listening.models import ListeningAlert
from hubbub.listening.views.common import attempt, back, web_link
from hubbub.listening.views.mentions import decorate
from hubbub.web.decorators import workspace_view

LIST_SIZE = 100
WINDOW_MENTIONS = 200


def _alert(access: Access, pk: int) -> ListeningAlert:
    return get_object_or_404(
        ListeningAlert.objects.select_related("query", "acknowledged_by"),
        pk=pk,
        workspace=access.workspace,
    )


def _url(access: Access, alert: ListeningAlert) -> str:
    return reverse("listening:alert", args=[access.workspace.slug, alert.pk])


@require_GET
@workspace_view("listening.view")
def alert_list(request: HttpRequest, access: Access) -> HttpResponse:
    alerts = ListeningAlert.objects.filter(workspace=access.workspace).select_related("query")
    return render(request, "listening/alerts.html", {"alerts": alerts[:LIST_SIZE]})


@require_GET
@workspace_view("listening.view")
def alert_page(request: HttpRequest, access: Access, alert_id: int) -> HttpResponse:
    alert = _alert(access, alert_id)
    window = list(actions.mentions_of(alert))
    facts: dict[str, Any] = alert.facts or {}
    ratio = alert.mentions / alert.expected if alert.expected else None
    return render(
        request,
        "listening/alert.html",
        {
            "alert": alert,
            "ratio": round(ratio, 1) if ratio is not None else None,
            "negative_percent": round(alert.negative_share * 100),
            "usual_percent": round(alert.usual_negative_share * 100),
            "terms": [str(t) for t in facts.get("terms") or []],
            "shared": [
                {**m, "link": web_link(str(m.get("url") or ""))}
                for m in facts.get("mentions") or []
                if isinstance(m, dict)
            ],
            "rows": decorate(window[:WINDOW_MENTIONS]),
            "more": max(0, len(window) - WINDOW_MENTIONS),
            "here": request.get_full_path(),
        },
    )


@require_POST
@workspace_view("listening.view")
def acknowledge(request: HttpRequest, access: Access, alert_id: int) -> HttpResponse:
    alert = _alert(access, alert_id)
    if attempt(request, lambda: actions.acknowledge(access, alert)) is not None:
        messages.success(request, _("Alert acknowledged."))
    return redirect(back(request, _url(access, alert)))


@require_POST
@workspace_view("publishing.pause")
def crisis(request: HttpRequest, access: Access, alert_id: int) -> HttpResponse:
    """Crisis mode: publishing paused, the alert's mentions in the inbox tagged "crisis";
    the inbox opens on them."""
    alert = _alert(access, alert_id)
    conversations = attempt(request, lambda: actions.crisis_mode(access, alert))
    if conversations is None:
        return redirect(_url(access, alert))
    messages.success(
        request,
        ngettext(
            "Crisis mode is on: publishing is paused and %(n)s conversation is tagged “%(tag)s”.",
            "Crisis mode is on: publishing is paused and %(n)s conversations are tagged “%(tag)s”.",
            len(conversations),
        )
        % {"n": len(conversations), "tag": CRISIS_TAG},
    )
    inbox = reverse("inbox:list", args=[access.workspace.slug])
    return redirect(f"{inbox}?{urlencode({'tag': CRISIS_TAG})}")
