"""What the approval endpoints accept and answer: decisions, the workflow, review links.

Times go out in the workspace's time zone with their offset; a planned time comes in as the
local wall-clock time a person would type (as in hubbub.api.post_schemas).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from hubbub.api.post_schemas import PostOut, post_out
from hubbub.core.roles import Role
from hubbub.publishing.models import ApprovalDecision, ApprovalStep, WorkspacePublishing
from hubbub.publishing.workflow import ApprovalState, StepState

ROLES = ", ".join(Role.values)

# --- in -----------------------------------------------------------------------------------


class SubmitIn(Schema):
    at: datetime | None = Field(
        None,
        description="The planned time, local to the workspace, without offset "
        "(2026-06-01T09:30:00); empty: keep the post's planned time.",
    )
    fold: Literal[0, 1] | None = Field(
        None, description="For a time the clocks show twice (autumn): 0 the first, 1 the second."
    )


class CommentIn(Schema):
    # A default, so that a refused caller gets its 403 whatever it sent; the action says
    # when a comment is required (rejecting, commenting).
    comment: str = Field("", description="Required to reject and to comment.")


class StepIn(Schema):
    name: str = Field(description="Who approves, e.g. 'Legal'.")
    mode: Literal["any", "all"] = Field("any", description="any: one approver; all: every one.")
    roles: list[str] = Field(default_factory=list, description=f"Roles among {ROLES}.")
    users: list[str] = Field(
        default_factory=list, description="E-mail addresses of members who approve."
    )
    allow_external: bool = Field(False, description="Review links may approve this step.")


class WorkflowIn(Schema):
    steps: list[StepIn] | None = Field(
        None, description="Replaces every step, in order; [] removes approval. Absent: unchanged."
    )
    approved_hours_start: str | None = Field(
        None, description="HH:MM, local. Both empty (null): any time."
    )
    approved_hours_end: str | None = Field(None, description="HH:MM; before the start: wraps.")
    self_approval: bool | None = Field(None, description="May authors approve their own posts?")
    reapprove_on_reschedule: bool | None = Field(
        None, description="Does moving an approved post to another time need approval again?"
    )


class ReviewLinkIn(Schema):
    reviewer_name: str = Field("", description="Who reviews; shown with their decisions.")
    reviewer_email: str = Field("", description="Optional: the link is e-mailed to it.")
    days: int = Field(7, description="How long the link works: 1 to 30 days.")


# --- out ----------------------------------------------------------------------------------


class DecisionOut(Schema):
    round: int
    step: str | None = Field(description="The step's name; null for the out-of-hours approval.")
    out_of_hours: bool
    decision: str = Field(description="approve, reject or comment.")
    by: str = Field(description="The member's e-mail, or the external reviewer's name.")
    external: bool
    comment: str
    created_at: datetime


class StepStateOut(Schema):
    order: int
    name: str
    mode: str
    out_of_hours: bool
    allow_external: bool
    approvers: list[str] = Field(description="E-mail addresses of the members who may decide.")
    approved_by: list[str]
    waiting_on: list[str] = Field(description="'all' steps: who has not approved yet.")
    done: bool
    current: bool


class ApprovalOut(Schema):
    required: bool = Field(description="Does the post need approval before scheduling?")
    round: int
    out_of_hours: bool
    steps: list[StepStateOut]
    decisions: list[DecisionOut] = Field(description="This round's decisions, oldest first.")


class ApprovalPostOut(PostOut):
    approval: ApprovalOut


class StepOut(Schema):
    order: int
    name: str
    mode: str
    roles: list[str]
    users: list[str]
    allow_external: bool


class WorkflowOut(Schema):
    steps: list[StepOut]
    approved_hours_start: str | None
    approved_hours_end: str | None
    self_approval: bool
    reapprove_on_reschedule: bool


class ReviewLinkOut(Schema):
    id: int
    reviewer_name: str
    reviewer_email: str
    expires_at: datetime
    url: str = Field(description="The link itself: shown this once, pass it on now.")


# --- models to answers --------------------------------------------------------------------


def _by(decision: ApprovalDecision) -> str:
    if decision.user is not None:
        return decision.user.email
    if decision.review_link is not None:
        return decision.review_link.reviewer_name
    return ""


def decision_out(d: ApprovalDecision, tz: zoneinfo.ZoneInfo) -> DecisionOut:
    return DecisionOut(
        round=d.round,
        step=d.step.name if d.step is not None else None,
        out_of_hours=d.out_of_hours,
        decision=d.decision,
        by=_by(d),
        external=d.review_link_id is not None,
        comment=d.comment,
        created_at=d.created_at.astimezone(tz),
    )


def _step_state_out(s: StepState) -> StepStateOut:
    return StepStateOut(
        order=s.order,
        name=s.name,
        mode=s.mode,
        out_of_hours=s.out_of_hours,
        allow_external=s.allow_external,
        approvers=[u.email for u in s.approvers],
        approved_by=[_by(d) for d in s.approvals],
        waiting_on=[u.email for u in s.waiting_on],
        done=s.done,
        current=s.current,
    )


def approval_out(state: ApprovalState, tz: zoneinfo.ZoneInfo) -> ApprovalOut:
    return ApprovalOut(
        required=state.required,
        round=state.round,
        out_of_hours=state.out_of_hours,
        steps=[_step_state_out(s) for s in state.steps],
        decisions=[decision_out(d, tz) for d in state.decisions],
    )


def approval_post_out(state: ApprovalState, tz: zoneinfo.ZoneInfo) -> ApprovalPostOut:
    return ApprovalPostOut(
        **post_out(state.post, tz).model_dump(), approval=approval_out(state, tz)
    )


def _hhmm(value: object) -> str | None:
    return value.strftime("%H:%M") if value is not None else None  # type: ignore[attr-defined]


def workflow_out(steps: list[ApprovalStep], row: WorkspacePublishing) -> WorkflowOut:
    return WorkflowOut(
        steps=[
            StepOut(
                order=s.order,
                name=s.name,
                mode=s.mode,
                roles=list(s.roles),
                users=sorted(u.email for u in s.users.all()),
                allow_external=s.allow_external,
            )
            for s in steps
        ],
        approved_hours_start=_hhmm(row.approved_hours_start),
        approved_hours_end=_hhmm(row.approved_hours_end),
        self_approval=row.self_approval,
        reapprove_on_reschedule=row.reapprove_on_reschedule,
    )
