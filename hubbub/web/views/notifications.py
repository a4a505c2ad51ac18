"""The notifications page: every notice for the signed-in person, across workspaces."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.models import Notification

PAGE_SIZE = 50


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(user=request.user).select_related("workspace")  # type: ignore[misc]
    if request.GET.get("unread"):
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/notifications.html",
        {"page": page, "only_unread": bool(request.GET.get("unread"))},
    )


def _safe(url: str, request: HttpRequest) -> bool:
    # Notices carry paths inside Hubbub; anything else is not followed.
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notice's link, marking it read on the way."""
    notice = get_object_or_404(Notification, pk=notification_id, user=request.user)  # type: ignore[misc]
    if notice.read_at is None:
        Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    return redirect(notice.url if _safe(notice.url, request) else "web:notifications")


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notice = get_object_or_404(Notification, pk=notification_id, user=request.user)  # type: ignore[misc]
    Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("web:notifications")


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(  # type: ignore[misc]
        read_at=timezone.now()
    )
    messages.success(request, _("%(count)s notices marked read.") % {"count": count})
    return redirect("web:notifications")
