"""The publishing-health panel: what goes out in the next 24 hours, what is held, failed or
missed, which channels need reconnecting, and the crisis pause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.inbox.models import Message
from hubbub.networks.models import Channel, Health
from hubbub.publishing.actions import pause as pause_actions
from hubbub.publishing.models import Delivery, DeliveryStatus, PostKind, WorkspacePublishing
from hubbub.publishing.models.deliveries import WAITING
from hubbub.web.decorators import workspace_view

D = DeliveryStatus


@dataclass
class HealthNumbers:
    """The panel's counts; the workspace overview shows them too."""

    next_24h: int
    held: int
    needs_attention: int
    reconnect: int
    missed: int

    @property
    def trouble(self) -> int:
        return self.held + self.needs_attention + self.reconnect + self.missed


def _deliveries(workspace: Workspace) -> QuerySet[Delivery]:
    """The workspace's deliveries, inbox replies included: one that needs a person is shown
    as an inbox reply, linked to its conversation (inbox_conversation_id)."""
    conversation = Message.objects.filter(delivery_id=OuterRef("pk")).values("conversation_id")
    return (
        Delivery.objects.filter(workspace=workspace)
        .select_related("post", "channel", "post__author")
        .annotate(inbox_conversation_id=Subquery(conversation[:1]))
    )


def upcoming(workspace: Workspace, now: datetime) -> QuerySet[Delivery]:
    """The brand's posts going out in the next 24 hours (an inbox reply is due at once and
    is no planned post)."""
    return _deliveries(workspace).filter(
        status__in=WAITING,
        due_at__gte=now,
        due_at__lt=now + timedelta(hours=24),
        post__kind=PostKind.POST,
    )


def reconnect_channels(workspace: Workspace) -> QuerySet[Channel]:
    return Channel.objects.connected().filter(workspace=workspace, health=Health.NEEDS_RECONNECT)


def missed(workspace: Workspace) -> QuerySet[Delivery]:
    """Past due, never claimed, reported by the dispatcher's sweep (the "missed post" alarm)."""
    return _deliveries(workspace).filter(missed_reported_at__isnull=False, status__in=WAITING)


def numbers(workspace: Workspace, now: datetime | None = None) -> HealthNumbers:
    now = now or timezone.now()
    counts = {
        row["status"]: row["n"]
        for row in Delivery.objects.filter(
            workspace=workspace, status__in=[D.HELD, D.NEEDS_ATTENTION]
        )
        .values("status")
        .annotate(n=Count("id"))
    }
    return HealthNumbers(
        next_24h=upcoming(workspace, now).count(),
        held=counts.get(D.HELD, 0),
        needs_attention=counts.get(D.NEEDS_ATTENTION, 0),
        reconnect=reconnect_channels(workspace).count(),
        missed=missed(workspace).count(),
    )


@workspace_view("posts.view")
def health(request: HttpRequest, access: Access) -> HttpResponse:
    workspace = access.workspace
    now = timezone.now()
    state = WorkspacePublishing.objects.select_related("paused_by").filter(workspace=workspace)
    publishing = state.first()
    paused = publishing is not None and publishing.is_paused
    context = {
        "numbers": numbers(workspace, now),
        "upcoming": upcoming(workspace, now)[:50],
        "held": _deliveries(workspace).filter(status=D.HELD),
        "attention": _deliveries(workspace).filter(status=D.NEEDS_ATTENTION),
        "reconnect": reconnect_channels(workspace),
        "missed": missed(workspace),
        "publishing": publishing,
        "paused": paused,
        # While paused: what will wait for a decision on resume (its time has passed).
        "passed": _deliveries(workspace).filter(status__in=WAITING, next_attempt_at__lte=now)
        if paused
        else Delivery.objects.none(),
    }
    return render(request, "publishing/health.html", context)


@require_POST
@workspace_view("publishing.pause")
def pause(request: HttpRequest, access: Access) -> HttpResponse:
    pause_actions.pause_publishing(access)
    messages.warning(
        request,
        _(
            "Publishing is paused: nothing goes out until you resume. Posts already on their way "
            "finish."
        ),
    )
    return redirect("publishing:health", slug=access.workspace.slug)


@require_POST
@workspace_view("publishing.pause")
def resume(request: HttpRequest, access: Access) -> HttpResponse:
    passed = pause_actions.resume_publishing(access)
    if passed:
        messages.warning(
            request,
            ngettext(
                "Publishing resumed. %(n)s post's time passed meanwhile: send it now, "
                "reschedule or cancel it below.",
                "Publishing resumed. %(n)s posts' time passed meanwhile: send them now, "
                "reschedule or cancel them below.",
                len(passed),
            )
            % {"n": len(passed)},
        )
    else:
        messages.success(request, _("Publishing resumed."))
    return redirect("publishing:health", slug=access.workspace.slug)


urlpatterns: list[URLPattern] = [
    path("w/<slug:slug>/publishing/", health, name="health"),
    path("w/<slug:slug>/publishing/pause/", pause, name="pause"),
    path("w/<slug:slug>/publishing/resume/", resume, name="resume"),
]
