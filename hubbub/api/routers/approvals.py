"""Approving, rejecting and commenting on posts; the workflow; external review links.

The rules live in hubbub.publishing.actions.approvals; these handlers turn JSON into its
inputs. A person not named by the post's current step gets 403 with who decides it.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from hubbub.api.approval_schemas import (
    ApprovalPostOut,
    CommentIn,
    DecisionOut,
    ReviewLinkIn,
    ReviewLinkOut,
    SubmitIn,
    WorkflowIn,
    WorkflowOut,
    approval_post_out,
    decision_out,
    workflow_out,
)
from hubbub.api.auth import api_access
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.core.models import Membership
from hubbub.publishing.actions import approvals as actions
from hubbub.publishing.models import ApprovalStep, Post, ReviewLink, WorkspacePublishing

router = Router(tags=["approvals"])


def _post(access: Access, post_id: int) -> Post:
    return get_object_or_404(
        Post.objects.posts().select_related("author", "workspace"),
        pk=post_id,
        workspace=access.workspace,
    )


def _answer(access: Access, post: Post) -> ApprovalPostOut:
    fresh = _post(access, post.pk)
    return approval_post_out(actions.approval_state(fresh), access.workspace.tz)


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/submit",
    response=answers(200, ApprovalPostOut),
    summary="Submit a draft for approval (scheduled directly when it needs none)",
)
def submit(
    request: HttpRequest, slug: str, post_id: int, payload: SubmitIn | None = None
) -> ApprovalPostOut:
    access = api_access(request, slug)
    access.require("posts.schedule")
    at, fold = (payload.at, payload.fold) if payload is not None else (None, None)
    post = actions.submit(access, _post(access, post_id), at, fold)
    return _answer(access, post)


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/approve",
    response=answers(200, ApprovalPostOut),
    summary="Approve the post's current step (the last one schedules it)",
)
def approve(
    request: HttpRequest, slug: str, post_id: int, payload: CommentIn | None = None
) -> ApprovalPostOut:
    access = api_access(request, slug)
    access.require("posts.approve")
    post = actions.approve(
        access, _post(access, post_id), payload.comment if payload is not None else ""
    )
    return _answer(access, post)


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/reject",
    response=answers(200, ApprovalPostOut),
    summary="Reject the post with a comment: it goes back to draft",
)
def reject(request: HttpRequest, slug: str, post_id: int, payload: CommentIn) -> ApprovalPostOut:
    access = api_access(request, slug)
    access.require("posts.approve")
    post = actions.reject(access, _post(access, post_id), payload.comment)
    return _answer(access, post)


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/comment",
    response=answers(201, DecisionOut),
    summary="Comment on a post (kept with its approval round)",
)
def comment(
    request: HttpRequest, slug: str, post_id: int, payload: CommentIn
) -> Status[DecisionOut]:
    access = api_access(request, slug)
    access.require("posts.approve")
    decision = actions.comment(access, _post(access, post_id), payload.comment)
    return Status(201, decision_out(decision, access.workspace.tz))


@router.get(
    "/workspaces/{slug}/posts/{int:post_id}/approval",
    response=answers(200, ApprovalPostOut),
    summary="Where a post stands in the approval workflow",
)
def approval_state(request: HttpRequest, slug: str, post_id: int) -> ApprovalPostOut:
    access = api_access(request, slug)
    access.require("posts.view")
    return _answer(access, _post(access, post_id))


@router.get(
    "/workspaces/{slug}/approvals",
    response=answers(200, list[ApprovalPostOut]),
    summary="Posts waiting for your approval, by planned time",
)
def waiting(request: HttpRequest, slug: str) -> list[ApprovalPostOut]:
    access = api_access(request, slug)
    access.require("posts.approve")
    tz = access.workspace.tz
    return [approval_post_out(actions.approval_state(p), tz) for p in actions.waiting_for(access)]


def _workflow(access: Access) -> WorkflowOut:
    steps = list(ApprovalStep.objects.filter(workspace=access.workspace).prefetch_related("users"))
    return workflow_out(steps, WorkspacePublishing.of(access.workspace))


@router.get(
    "/workspaces/{slug}/approval-workflow",
    response=answers(200, WorkflowOut),
    summary="The approval steps, approved hours and rules",
)
def get_workflow(request: HttpRequest, slug: str) -> WorkflowOut:
    access = api_access(request, slug)
    access.require("posts.view")
    return _workflow(access)


def _hour(value: str | None, field: str) -> time | None:
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ActionError(
            f"'{value}' is not a time of day: use HH:MM, e.g. 22:00.", field=field
        ) from None


@router.put(
    "/workspaces/{slug}/approval-workflow",
    response=answers(200, WorkflowOut),
    summary="Replace the steps and/or change the approved hours and rules",
)
def put_workflow(request: HttpRequest, slug: str, payload: WorkflowIn) -> WorkflowOut:
    access = api_access(request, slug)
    access.require("approvals.manage")
    given = payload.model_fields_set
    if payload.steps is not None:
        by_email = {
            m.user.email.lower(): m.user_id
            for m in Membership.objects.filter(workspace=access.workspace).select_related("user")
        }
        inputs = []
        for index, step in enumerate(payload.steps):
            unknown = [e for e in step.users if e.lower() not in by_email]
            if unknown:
                raise ActionError(
                    f"{', '.join(unknown)} is not a member of this workspace: invite them first, "
                    "or list members with GET members.",
                    field=f"steps.{index}.users",
                )
            inputs.append(
                actions.StepInput(
                    name=step.name,
                    mode=step.mode,
                    roles=step.roles,
                    user_ids=[by_email[e.lower()] for e in step.users],
                    allow_external=step.allow_external,
                )
            )
        actions.set_steps(access, inputs)
    hours = {
        "approved_hours_start",
        "approved_hours_end",
        "self_approval",
        "reapprove_on_reschedule",
    }
    if given & hours:
        row = WorkspacePublishing.of(access.workspace)
        start = (
            _hour(payload.approved_hours_start, "approved_hours_start")
            if "approved_hours_start" in given
            else row.approved_hours_start
        )
        end = (
            _hour(payload.approved_hours_end, "approved_hours_end")
            if "approved_hours_end" in given
            else row.approved_hours_end
        )
        actions.set_approval_settings(
            access,
            hours_start=start,
            hours_end=end,
            self_approval=row.self_approval
            if payload.self_approval is None
            else payload.self_approval,
            reapprove_on_reschedule=row.reapprove_on_reschedule
            if payload.reapprove_on_reschedule is None
            else payload.reapprove_on_reschedule,
        )
    return _workflow(access)


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/review-links",
    response=answers(201, ReviewLinkOut),
    summary="Make a signed, expiring link for an external reviewer (its URL is shown once)",
)
def create_review_link(
    request: HttpRequest, slug: str, post_id: int, payload: ReviewLinkIn
) -> Status[ReviewLinkOut]:
    access = api_access(request, slug)
    access.require("posts.share_review")
    link, path = actions.create_review_link(
        access, _post(access, post_id), payload.reviewer_name, payload.reviewer_email, payload.days
    )
    return Status(
        201,
        ReviewLinkOut(
            id=link.pk,
            reviewer_name=link.reviewer_name,
            reviewer_email=link.reviewer_email,
            expires_at=link.expires_at.astimezone(access.workspace.tz),
            url=settings.BASE_URL + path,
        ),
    )


@router.delete(
    "/workspaces/{slug}/review-links/{int:link_id}",
    response=answers(204, None),
    summary="Revoke a review link",
)
def revoke_review_link(request: HttpRequest, slug: str, link_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("posts.share_review")
    link = get_object_or_404(ReviewLink, pk=link_id, post__workspace=access.workspace)
    actions.revoke_review_link(access, link)
    return Status(204, None)
