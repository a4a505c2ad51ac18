"""A post's page: each channel's state, the published links, every attempt, and the
decisions a person can take (cancel the post; send now, reschedule or cancel a delivery)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.publishing import recurrence, recurrence_text
from hubbub.publishing.actions import approvals
from hubbub.publishing.actions import pause as pause_actions
from hubbub.publishing.actions import posts as post_actions
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from hubbub.publishing.models.deliveries import WAITING
from hubbub.publishing.models.posts import EDITABLE
from hubbub.web.decorators import workspace_view

D = DeliveryStatus
APPROVALS_PANEL = "publishing/approvals/_panel.html"


def _approval_panel(access: Access, post: Post) -> dict[str, Any]:
    """The approvals area's panel (its template, and where the post stands in the workflow)."""
    try:
        template = select_template([APPROVALS_PANEL])
    except TemplateDoesNotExist:  # pragma: no cover - shipped with the approvals work
        return {}
    return {
        "approval_template": template.template.name,
        "approval": approvals.approval_state(post, access.user),
    }


def _repeat(access: Access, post: Post) -> dict[str, Any]:
    """The post's series ("Repeats every Tuesday at 09:00…", Stop repeating), or the Repeat
    builder when the post may start one (the rules recurrence.create_series checks)."""
    series = recurrence_text.series_info(access, post)
    may = access.can("posts.schedule") and (
        post.author_id == access.user.pk or access.can("posts.edit_any")
    )
    return {
        "series": series,
        "repeatable": series is None and may and post.status in recurrence.STARTABLE,
        "repeat_choice": recurrence_text.RepeatChoice(),
        "weekdays": recurrence_text.weekday_names(),
    }


@workspace_view("posts.view")
def post_detail(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    post = get_object_or_404(
        Post.objects.posts().select_related("author", "campaign"),
        pk=post_id,
        workspace=access.workspace,
    )
    variants = list(
        post.variants.select_related("channel", "delivery").prefetch_related(
            "media", "delivery__attempts"
        )
    )
    rows = []
    for variant in variants:
        delivery: Delivery | None = getattr(variant, "delivery", None)
        rows.append(
            {
                "variant": variant,
                "delivery": delivery,
                "attempts": list(delivery.attempts.all()) if delivery else [],
                "decidable": delivery is not None
                and delivery.status in (*pause_actions.DECIDABLE, *WAITING),
                "can_send_now": delivery is not None and delivery.status in pause_actions.DECIDABLE,
            }
        )
    context = {
        "post": post,
        "rows": rows,
        "editable": post.status in EDITABLE,
        "cancellable": post.status not in (PostStatus.PUBLISHED, PostStatus.CANCELLED),
        **_approval_panel(access, post),
        **_repeat(access, post),
    }
    return render(request, "publishing/post.html", context)


@require_POST
@workspace_view("posts.cancel")
def post_cancel(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=post_id, workspace=access.workspace)
    try:
        post_actions.cancel_post(access, post)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Post cancelled."))
    return redirect("publishing:post", slug=access.workspace.slug, post_id=post.pk)


# --- decisions on one delivery (from the post page and the health panel) ----------------------


def _delivery(access: Access, delivery_id: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related("channel"), pk=delivery_id, workspace=access.workspace
    )


def _back(request: HttpRequest, access: Access, delivery: Delivery) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(
        reverse(
            "publishing:post", kwargs={"slug": access.workspace.slug, "post_id": delivery.post_id}
        )
    )


@require_POST
@workspace_view("posts.schedule")
def delivery_send_now(request: HttpRequest, access: Access, delivery_id: int) -> HttpResponse:
    delivery = _delivery(access, delivery_id)
    try:
        pause_actions.send_now(access, delivery)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(channel)s: sending now.") % {"channel": delivery.channel.handle}
        )
    return _back(request, access, delivery)


@require_POST
@workspace_view("posts.schedule")
def delivery_reschedule(request: HttpRequest, access: Access, delivery_id: int) -> HttpResponse:
    delivery = _delivery(access, delivery_id)
    raw = request.POST.get("at", "")
    fold = request.POST.get("fold")
    try:
        try:
            when = datetime.strptime(raw[:16], "%Y-%m-%dT%H:%M")
        except ValueError:
            raise ActionError(
                _("%(value)s is not a date and time: write it as YYYY-MM-DD HH:MM.")
                % {"value": raw or "—"},
                field="scheduled_at",
            ) from None
        pause_actions.reschedule_delivery(
            access, delivery, when, fold=int(fold) if fold in ("0", "1") else None
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(channel)s: rescheduled for %(time)s.")
            % {"channel": delivery.channel.handle, "time": when.strftime("%Y-%m-%d %H:%M")},
        )
    return _back(request, access, delivery)


@require_POST
@workspace_view("posts.cancel")
def delivery_cancel(request: HttpRequest, access: Access, delivery_id: int) -> HttpResponse:
    delivery = _delivery(access, delivery_id)
    try:
        pause_actions.cancel_delivery(access, delivery)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(channel)s: cancelled.") % {"channel": delivery.channel.handle}
        )
    return _back(request, access, delivery)


urlpatterns: list[URLPattern] = [
    path("w/<slug:slug>/posts/<int:post_id>/", post_detail, name="post"),
    path("w/<slug:slug>/posts/<int:post_id>/cancel/", post_cancel, name="post_cancel"),
    path(
        "w/<slug:slug>/deliveries/<int:delivery_id>/send-now/",
        delivery_send_now,
        name="delivery_send_now",
    ),
    path(
        "w/<slug:slug>/deliveries/<int:delivery_id>/reschedule/",
        delivery_reschedule,
        name="delivery_reschedule",
    ),
    path(
        "w/<slug:slug>/deliveries/<int:delivery_id>/cancel/",
        delivery_cancel,
        name="delivery_cancel",
    ),
]
