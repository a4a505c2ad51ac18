"""The approval queue and decisions, the workflow's settings, and review links.

Every form posts to a plain URL and redirects back (works without JavaScript); with htmx
the decision forms swap the post's approval panel in place instead.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.curation import guardrails
from hubbub.publishing.actions import approvals as actions
from hubbub.publishing.models import (
    ApprovalStep,
    Decision,
    Post,
    PostStatus,
    ReviewLink,
    StepMode,
    WorkspacePublishing,
)
from hubbub.web.decorators import workspace_view

MAX_STEPS = 10


def _post(access: Access, post_id: int) -> Post:
    return get_object_or_404(
        Post.objects.posts().select_related("author", "workspace", "campaign"),
        pk=post_id,
        workspace=access.workspace,
    )


def _back(request: HttpRequest, access: Access) -> str:
    """Where to go after a form: the page it came from (same site only), or the queue."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("publishing:approvals", args=[access.workspace.slug])


def panel_context(access: Access, post: Post, **extra: Any) -> dict[str, Any]:
    """What `publishing/approvals/_panel.html` needs (see the comment at its top)."""
    return {
        "post": post,
        "approval": actions.approval_state(post, access.user),
        "review_links": list(ReviewLink.objects.filter(post=post)),
        "findings": guardrail_findings(post),
        "findings_loaded": True,
        **extra,
    }


def guardrail_findings(post: Post) -> list[guardrails.Finding]:
    """What the guardrails say about the post, for whoever decides it: only while it can
    still change course (a published post's findings help nobody)."""
    if post.status not in (PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED):
        return []
    return guardrails.check(guardrails.subject_of(post))


def _panel(request: HttpRequest, access: Access, post: Post, **extra: Any) -> HttpResponse:
    return render(request, "publishing/approvals/_panel.html", panel_context(access, post, **extra))


@workspace_view("posts.view")
def post_guardrails(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """The guardrails' findings on a post, for the approval panel of pages that do not
    compute them (the post's page loads them with htmx)."""
    post = _post(access, post_id)
    return render(
        request,
        "publishing/compose/_guardrails.html",
        {"post": post, "findings": guardrail_findings(post)},
    )


@workspace_view("posts.approve")
def approval_queue(request: HttpRequest, access: Access) -> HttpResponse:
    mine = list(actions.waiting_for(access))
    others: list[Post] = []
    if access.can("approvals.manage"):
        others = [p for p in actions.all_in_review(access) if p not in mine]
    return render(
        request,
        "publishing/approvals/queue.html",
        {
            "mine": [panel_context(access, p) for p in mine],
            "others": [panel_context(access, p) for p in others],
        },
    )


@require_POST
@workspace_view("posts.approve")
def decide(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """Approve, reject or comment (the button pressed says which)."""
    post = _post(access, post_id)
    choice = request.POST.get("decision", "")
    text = request.POST.get("comment", "")
    error = done = ""
    try:
        if choice == Decision.APPROVE:
            post = actions.approve(access, post, text)
            done = {
                "scheduled": _("Approved: the post is scheduled."),
                "approved": _("Approved: the post is ready to be scheduled."),
            }.get(post.status, _("Approved."))
        elif choice == Decision.REJECT:
            post = actions.reject(access, post, text)
            done = _("Rejected: the post is back to draft and its author is told.")
        elif choice == Decision.COMMENT:
            actions.comment(access, post, text)
            done = _("Comment added.")
        else:
            raise ActionError(_("Choose approve, reject or comment."))
    except ActionError as exc:
        error = exc.message
    except PermissionDenied as exc:
        error = str(exc)
    if request.htmx:  # type: ignore[attr-defined]
        post = _post(access, post_id)
        return _panel(
            request,
            access,
            post,
            error=error,
            done="" if error else done,
            next=_back(request, access),
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_back(request, access))


def _when(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ActionError(
            _("'%(value)s' is not a date and time: use the form 2026-06-01 09:30.")
            % {"value": value},
            field="at",
        ) from None


@require_POST
@workspace_view("posts.schedule")
def submit(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """Submit a draft for approval (or schedule it, when it needs none)."""
    post = _post(access, post_id)
    fold = request.POST.get("fold", "")
    try:
        post = actions.submit(
            access,
            post,
            _when(request.POST.get("at", "")),
            int(fold) if fold in "01" and fold else None,
        )
    except (ActionError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        if post.status == "in_review":
            messages.success(request, _("Submitted: the approvers are told."))
        else:
            messages.success(request, _("Scheduled."))
    return redirect(_back(request, access))


# --- review links -------------------------------------------------------------------------


@require_POST
@workspace_view("posts.share_review")
def review_link_create(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    post = _post(access, post_id)
    try:
        days = int(request.POST.get("days") or actions.REVIEW_LINK_DAYS)
    except ValueError:
        days = 0  # the action says what is allowed
    try:
        link, url_path = actions.create_review_link(
            access,
            post,
            request.POST.get("reviewer_name", ""),
            request.POST.get("reviewer_email", ""),
            days,
        )
    except ActionError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return _panel(request, access, post, error=exc.message, next=_back(request, access))
        messages.error(request, exc.message)
        return redirect(_back(request, access))
    new_link = settings.BASE_URL + url_path
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(
            request, access, post, new_link=new_link, new_link_for=link, next=_back(request, access)
        )
    return render(
        request,
        "publishing/approvals/review_link_created.html",
        {"post": post, "link": link, "new_link": new_link, "next": _back(request, access)},
    )


@require_POST
@workspace_view("posts.share_review")
def review_link_revoke(request: HttpRequest, access: Access, link_id: int) -> HttpResponse:
    link = get_object_or_404(
        ReviewLink.objects.select_related("post"), pk=link_id, post__workspace=access.workspace
    )
    actions.revoke_review_link(access, link)
    messages.success(request, _("Review link of %(name)s revoked.") % {"name": link.reviewer_name})
    return redirect(_back(request, access))


# --- the workflow -------------------------------------------------------------------------


def _time(value: str, field: str) -> time | None:
    value = value.strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ActionError(
            _("'%(value)s' is not a time of day: use the form 22:00.") % {"value": value},
            field=field,
        ) from None


def _steps_from(request: HttpRequest) -> list[actions.StepInput]:
    """The rows of the steps form, in the order given; blank and removed rows are skipped."""
    rows = []
    for i in range(MAX_STEPS + 1):
        p = f"step-{i}-"
        name = request.POST.get(p + "name", "").strip()
        roles = request.POST.getlist(p + "roles")
        users = [int(u) for u in request.POST.getlist(p + "users") if u.isdigit()]
        external = request.POST.get(p + "allow_external") == "on"
        if request.POST.get(p + "remove") == "on" or not (name or roles or users or external):
            continue
        try:
            order = int(request.POST.get(p + "order") or i + 1)
        except ValueError:
            order = i + 1
        given = actions.StepInput(
            name=name,
            mode=request.POST.get(p + "mode", StepMode.ANY),
            roles=roles,
            user_ids=users,
            allow_external=external,
        )
        rows.append((order, i, given))
    return [given for _order, _i, given in sorted(rows, key=lambda r: (r[0], r[1]))]


def _row(index: int, order: int, blank: bool = False, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "index": index,
        "order": order,
        "name": "",
        "mode": StepMode.ANY,
        "roles": [],
        "users": set(),
        "allow_external": False,
        "blank": blank,
    }
    row.update(values)
    return row


def _saved_rows(access: Access) -> list[dict[str, Any]]:
    steps = ApprovalStep.objects.filter(workspace=access.workspace).prefetch_related("users")
    return [
        _row(
            i,
            s.order,
            name=s.name,
            mode=s.mode,
            roles=list(s.roles),
            users={u.pk for u in s.users.all()},
            allow_external=s.allow_external,
        )
        for i, s in enumerate(steps)
    ]


def _posted_rows(request: HttpRequest) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(MAX_STEPS + 1):
        p = f"step-{i}-"
        name = request.POST.get(p + "name", "")
        roles = request.POST.getlist(p + "roles")
        users = {int(u) for u in request.POST.getlist(p + "users") if u.isdigit()}
        external = request.POST.get(p + "allow_external") == "on"
        if not (name or roles or users or external):
            continue
        order = request.POST.get(p + "order", "")
        rows.append(
            _row(
                len(rows),
                int(order) if order.isdigit() else len(rows) + 1,
                name=name,
                mode=request.POST.get(p + "mode", StepMode.ANY),
                roles=roles,
                users=users,
                allow_external=external,
            )
        )
    return rows


@workspace_view("approvals.manage")
def workflow(request: HttpRequest, access: Access) -> HttpResponse:
    error, error_field = "", ""
    if request.method == "POST":
        try:
            if request.POST.get("form") == "settings":
                actions.set_approval_settings(
                    access,
                    hours_start=_time(request.POST.get("approved_hours_start", ""), "start"),
                    hours_end=_time(request.POST.get("approved_hours_end", ""), "end"),
                    self_approval=request.POST.get("self_approval") == "on",
                    reapprove_on_reschedule=request.POST.get("reapprove_on_reschedule") == "on",
                )
                messages.success(request, _("Approval settings saved."))
            else:
                steps = actions.set_steps(access, _steps_from(request))
                messages.success(
                    request,
                    ngettext(
                        "Workflow saved: %(count)s step.",
                        "Workflow saved: %(count)s steps.",
                        len(steps),
                    )
                    % {"count": len(steps)}
                    if steps
                    else _(
                        "Workflow saved: posts need no approval (except outside approved hours)."
                    ),
                )
        except ActionError as exc:
            error, error_field = exc.message, exc.field or ""
        else:
            return redirect("publishing:workflow", slug=access.workspace.slug)
    if error and request.POST.get("form") != "settings":
        rows = _posted_rows(request)  # what the person typed stays, with the error above it
    else:
        rows = _saved_rows(access)
    blank = len(rows)
    rows.append(_row(blank, blank + 1, blank=True))
    return render(
        request,
        "publishing/approvals/workflow.html",
        {
            "rows": rows,
            "roles": Role.choices,
            "modes": StepMode.choices,
            "members": Membership.objects.filter(workspace=access.workspace).select_related("user"),
            "settings_row": WorkspacePublishing.of(access.workspace),
            "error": error,
            "error_field": error_field,
        },
        status=400 if error else 200,
    )


urlpatterns: list[URLPattern] = [
    path("w/<slug:slug>/approvals/", approval_queue, name="approvals"),
    path("w/<slug:slug>/posts/<int:post_id>/guardrails/", post_guardrails, name="post_guardrails"),
    path("w/<slug:slug>/approvals/workflow/", workflow, name="workflow"),
    path("w/<slug:slug>/posts/<int:post_id>/decision/", decide, name="decide"),
    path("w/<slug:slug>/posts/<int:post_id>/submit/", submit, name="submit"),
    path(
        "w/<slug:slug>/posts/<int:post_id>/review-links/",
        review_link_create,
        name="review_link_create",
    ),
    path(
        "w/<slug:slug>/review-links/<int:link_id>/revoke/",
        review_link_revoke,
        name="review_link_revoke",
    ),
]
