"""Approvals: submitting a post, approving, rejecting and commenting, the workflow's settings,
and the signed links external reviewers use without an account.

The rules (which step is current, who may decide it) live in hubbub.publishing.workflow;
these actions check the permission, lock the post, record the decision, audit it, and tell
the next approvers and the author once the change is saved.

Used by the web pages, the API and the composer:
- submit(access, post, when=None, fold=None) -> Post
- approve(access, post, comment="") -> Post; reject(access, post, comment) -> Post;
  comment(access, post, text) -> ApprovalDecision
- waiting_for(access) -> QuerySet[Post]; approval_state(post, viewer=None) -> ApprovalState
- create_review_link(access, post, reviewer_name, reviewer_email="", days=7)
  -> tuple[ReviewLink, str]  (the link's path, shown once; only its hash is kept)
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.curation import guardrails
from hubbub.publishing import workflow
from hubbub.publishing.actions.posts import (
    _lock,
    problems,
    require_own_or,
    schedule_approved,
    schedule_post,
)
from hubbub.publishing.models import (
    ApprovalDecision,
    ApprovalStep,
    Decision,
    Post,
    PostStatus,
    ReviewLink,
    StepMode,
    WorkspacePublishing,
)
from hubbub.publishing.models.approvals import hash_token
from hubbub.publishing.tz import local_to_utc
from hubbub.publishing.workflow import ApprovalState, StepState

log = logging.getLogger(__name__)

REVIEW_LINK_DAYS = 7
REVIEW_LINK_MAX_DAYS = 30
COMMENT_MAX = 5000

approval_state = workflow.evaluate


def _same_workspace(access: Access, post: Post) -> None:
    if post.workspace_id != access.workspace.pk:
        raise ActionError(_("That post belongs to another workspace."))


def _summary(post: Post, **extra: object) -> dict[str, object]:
    return {"status": post.status, "round": post.approval_round, **extra}


def _step_label(step: StepState) -> str:
    return "out of hours" if step.step is None else f"{step.order}. {step.name}"


def _clean_comment(text: str, *, required: bool, why: str = "") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionError(why, field="comment")
    if len(text) > COMMENT_MAX:
        raise ActionError(
            _("A comment holds at most %(max)s characters: shorten it.") % {"max": COMMENT_MAX},
            field="comment",
        )
    return text


# --- submitting ---------------------------------------------------------------------------


def submit(
    access: Access, post: Post, when: datetime | None = None, fold: int | None = None
) -> Post:
    """The composer's "Schedule" / "Submit for approval" button. Without approval needed,
    the post is scheduled at `when` (or its planned time); otherwise `when` becomes its planned
    time and the post waits for the first step's approvers, who are told."""
    require_own_or(access, post, "posts.schedule")
    due = local_to_utc(when, access.workspace.tz, fold) if when is not None else post.scheduled_at
    if post.status in (PostStatus.APPROVED, PostStatus.SCHEDULED) or not (
        workflow.approval_required(access.workspace, due)
    ):
        if due is None:
            raise ActionError(_("Choose when to publish it."), field="scheduled_at")
        return schedule_post(access, post, due.astimezone(access.workspace.tz), fold=fold)
    if due is not None and due <= timezone.now():
        raise ActionError(
            _("%(time)s has already passed: choose a time in the future.")
            % {"time": due.astimezone(access.workspace.tz).strftime("%Y-%m-%d %H:%M")},
            field="scheduled_at",
        )
    guardrails.refuse_blocked(post)  # approvers must not be asked to approve a blocked post
    with transaction.atomic():
        post = _lock(post)
        if post.status == PostStatus.IN_REVIEW:
            raise ActionError(_("This post is already waiting for approval."))
        if post.status != PostStatus.DRAFT:
            raise ActionError(
                _("This post is %(status)s: only a draft can be submitted for approval.")
                % {"status": PostStatus(post.status).label}
            )
        found = problems(post)
        if found:  # approving a post that cannot go out would waste the approvers' time
            raise ActionError(" ".join(p.message for p in found), field=found[0].field)
        before = _summary(post)
        post.status = PostStatus.IN_REVIEW
        post.approval_round += 1
        post.submitted_at = timezone.now()
        post.scheduled_at = due
        post.save()
        record(
            "post.submit",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            before=before,
            after=_summary(
                post, scheduled_at=post.scheduled_at.isoformat() if post.scheduled_at else None
            ),
        )
    workflow.tell_next_approvers(post, actor=access.user)
    return post


# --- deciding -----------------------------------------------------------------------------


def _current_or_refuse(state: ApprovalState) -> StepState:
    if state.post.status != PostStatus.IN_REVIEW or state.current is None:
        raise ActionError(
            _("This post is not waiting for approval (it is %(status)s).")
            % {"status": PostStatus(state.post.status).label}
        )
    return state.current


def _finish(post: Post, actor: User | None, via: str) -> str:
    """Every step is done: schedule the post at its planned time when that is still ahead,
    otherwise leave it approved for someone to schedule. Returns why it was not scheduled."""
    due = post.scheduled_at
    if due is None or due <= timezone.now():
        post.status = PostStatus.APPROVED
        post.save(update_fields=["status", "updated_at"])
        return ""
    found = problems(post)  # a channel disconnected meanwhile: approved, but cannot go yet
    if found:
        post.status = PostStatus.APPROVED
        post.save(update_fields=["status", "updated_at"])
        return " ".join(p.message for p in found)
    schedule_approved(post, due, actor=actor, via=via)
    return ""


def _decide(
    access: Access | None,
    post: Post,
    decision: str,
    comment: str,
    *,
    link: ReviewLink | None = None,
) -> tuple[Post, StepState | None]:
    """Record one approval or rejection on the post's current step (locked), audit it."""
    actor = access.user if access is not None else None
    via = access.via if access is not None else "review link"
    with transaction.atomic():
        post = _lock(post)
        state = workflow.evaluate(post)
        step = _current_or_refuse(state)
        if link is not None:
            _check_external(step, state, link, decision)
        else:
            assert actor is not None
            reason = workflow.refusal(state, actor, approving=decision == Decision.APPROVE)
            if reason:
                raise PermissionDenied(reason)
        before = _summary(post)
        ApprovalDecision.objects.create(
            post=post,
            round=post.approval_round,
            step=step.step,
            out_of_hours=step.out_of_hours,
            user=actor,
            review_link=link,
            decision=decision,
            comment=comment,
        )
        not_scheduled = ""
        if decision == Decision.REJECT:
            post.status = PostStatus.DRAFT
            post.save(update_fields=["status", "updated_at"])
        elif workflow.evaluate(post).current is None:
            not_scheduled = _finish(post, actor, via)
        record(
            "post.reject" if decision == Decision.REJECT else "post.approve",
            workspace=post.workspace,
            actor=actor,
            via=via,
            obj=post,
            before=before,
            after=_summary(
                post,
                step=_step_label(step),
                comment=comment,
                **({"reviewer": link.reviewer_name} if link is not None else {}),
                **({"not_scheduled": not_scheduled} if not_scheduled else {}),
            ),
        )
    return post, step


def _tell(
    post: Post, decision: str, actor: User | None, link: ReviewLink | None, comment: str
) -> None:
    reviewer = link.reviewer_name if link is not None else ""
    if decision == Decision.REJECT:
        workflow.tell_author(
            post, "approval.rejected", actor=actor, reviewer=reviewer, comment=comment
        )
        return
    kind = "approval.approved"
    workflow.tell_author(post, kind, actor=actor, reviewer=reviewer, comment=comment)
    if post.status == PostStatus.IN_REVIEW:
        workflow.tell_next_approvers(post, actor=actor)


def approve(access: Access, post: Post, comment: str = "") -> Post:
    """Approve the post's current step. After the last step the post is scheduled at its
    planned time (when still ahead) or stays approved for someone to schedule."""
    access.require("posts.approve")
    _same_workspace(access, post)
    comment = _clean_comment(comment, required=False)
    guardrails.refuse_blocked(post)  # the rules (or the settings) may have changed since submit
    post, _step = _decide(access, post, Decision.APPROVE, comment)
    _tell(post, Decision.APPROVE, access.user, None, comment)
    return post


def reject(access: Access, post: Post, comment: str) -> Post:
    """Send the post back to draft, saying why (required: the author must know what to fix)."""
    access.require("posts.approve")
    _same_workspace(access, post)
    comment = _clean_comment(
        comment, required=True, why=_("Say why you reject it, so the author knows what to change.")
    )
    post, _step = _decide(access, post, Decision.REJECT, comment)
    _tell(post, Decision.REJECT, access.user, None, comment)
    return post


def comment(access: Access, post: Post, text: str) -> ApprovalDecision:
    """A remark on the post, at any time; it is kept with the round it was made in."""
    access.require("posts.approve")
    _same_workspace(access, post)
    text = _clean_comment(text, required=True, why=_("Write a comment first."))
    decision = _comment(post, text, user=access.user, link=None, via=access.via)
    _tell_comment(post, access.user, None, text)
    return decision


def _comment(
    post: Post, text: str, *, user: User | None, link: ReviewLink | None, via: str
) -> ApprovalDecision:
    state = workflow.evaluate(post)
    current = state.current
    with transaction.atomic():
        decision = ApprovalDecision.objects.create(
            post=post,
            round=post.approval_round,
            step=current.step if current is not None else None,
            user=user,
            review_link=link,
            decision=Decision.COMMENT,
            comment=text,
        )
        record(
            "post.comment",
            workspace=post.workspace,
            actor=user,
            via=via,
            obj=post,
            after={
                "comment": text,
                "round": post.approval_round,
                **({"reviewer": link.reviewer_name} if link is not None else {}),
            },
        )
    return decision


def _tell_comment(post: Post, user: User | None, link: ReviewLink | None, text: str) -> None:
    if user is not None and user.pk == post.author_id:
        # The author answers: the people deciding the current step should read it.
        if post.status == PostStatus.IN_REVIEW:
            workflow.tell_next_approvers(post, actor=user)
        return
    reviewer = link.reviewer_name if link is not None else ""
    workflow.tell_author(post, "approval.commented", actor=user, reviewer=reviewer, comment=text)


def waiting_for(access: Access) -> QuerySet[Post]:
    """Posts in review whose current step this person may decide now."""
    in_review = Post.objects.posts().filter(workspace=access.workspace, status=PostStatus.IN_REVIEW)
    ids = [
        post.pk
        for post in in_review.select_related("workspace")
        if workflow.refusal(workflow.evaluate(post), access.user) == ""
    ]
    return (
        Post.objects.filter(pk__in=ids)
        .select_related("author", "campaign")
        .order_by("scheduled_at", "id")
    )


def all_in_review(access: Access) -> QuerySet[Post]:
    access.require("posts.view")
    return (
        Post.objects.posts()
        .filter(workspace=access.workspace, status=PostStatus.IN_REVIEW)
        .select_related("author", "campaign")
        .order_by("scheduled_at", "id")
    )


# --- the workflow -------------------------------------------------------------------------


@dataclass(frozen=True)
class StepInput:
    name: str
    mode: str = StepMode.ANY
    roles: Sequence[str] = ()
    user_ids: Sequence[int] = ()
    allow_external: bool = False


def _step_dict(step: ApprovalStep) -> dict[str, object]:
    return {
        "name": step.name,
        "mode": step.mode,
        "roles": list(step.roles),
        "users": sorted(u.email for u in step.users.all()),
        "allow_external": step.allow_external,
    }


def _check_step(index: int, given: StepInput, members: dict[int, User]) -> None:
    where = f"steps.{index}"
    number = index + 1
    if not given.name.strip():
        raise ActionError(
            _("Step %(n)s has no name: name it after who approves, e.g. “Legal”.") % {"n": number},
            field=f"{where}.name",
        )
    if given.mode not in StepMode.values:
        raise ActionError(
            _("Step %(n)s: choose “any” (one approver is enough) or “all”.") % {"n": number},
            field=f"{where}.mode",
        )
    unknown = [r for r in given.roles if r not in Role.values]
    if unknown:
        raise ActionError(
            _("Step %(n)s: %(roles)s is not a role; use %(known)s.")
            % {"n": number, "roles": ", ".join(unknown), "known": ", ".join(Role.values)},
            field=f"{where}.roles",
        )
    strangers = [str(u) for u in given.user_ids if u not in members]
    if strangers:
        raise ActionError(
            _("Step %(n)s: user %(ids)s is not a member of this workspace; invite them first.")
            % {"n": number, "ids": ", ".join(strangers)},
            field=f"{where}.users",
        )
    if not given.roles and not given.user_ids and not given.allow_external:
        raise ActionError(
            _("Step %(n)s (“%(name)s”) names nobody: choose roles, people, or external reviewers.")
            % {"n": number, "name": given.name.strip()},
            field=f"{where}.roles",
        )


def set_steps(access: Access, steps: Sequence[StepInput]) -> list[ApprovalStep]:
    """Replace the workspace's workflow, all steps at once (nothing changes on an error).
    An empty list removes approval (except outside approved hours). Posts in review start
    their current round over on the new steps."""
    access.require("approvals.manage")
    members = {
        m.user_id: m.user
        for m in Membership.objects.filter(workspace=access.workspace).select_related("user")
    }
    for index, given in enumerate(steps):
        _check_step(index, given, members)
    with transaction.atomic():
        old = ApprovalStep.objects.filter(workspace=access.workspace).prefetch_related("users")
        before = {"steps": [_step_dict(s) for s in old]}
        old.delete()
        created = []
        for order, given in enumerate(steps, start=1):
            step = ApprovalStep.objects.create(
                workspace=access.workspace,
                order=order,
                name=given.name.strip()[:100],
                mode=given.mode,
                roles=sorted(set(given.roles), key=list(Role.values).index),
                allow_external=given.allow_external,
            )
            step.users.set([members[u] for u in dict.fromkeys(given.user_ids)])
            created.append(step)
        record(
            "approvals.workflow",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            label=_("Approval workflow"),
            before=before,
            after={"steps": [_step_dict(s) for s in created]},
        )
    return created


def _settings_dict(row: WorkspacePublishing) -> dict[str, object]:
    return {
        "approved_hours_start": row.approved_hours_start.isoformat(timespec="minutes")
        if row.approved_hours_start
        else None,
        "approved_hours_end": row.approved_hours_end.isoformat(timespec="minutes")
        if row.approved_hours_end
        else None,
        "self_approval": row.self_approval,
        "reapprove_on_reschedule": row.reapprove_on_reschedule,
    }


def set_approval_settings(
    access: Access,
    *,
    hours_start: time | None,
    hours_end: time | None,
    self_approval: bool,
    reapprove_on_reschedule: bool,
) -> WorkspacePublishing:
    """Approved hours (both or neither; start after end wraps past midnight), whether authors
    may approve their own posts, and whether moving an approved post needs approval again."""
    access.require("approvals.manage")
    if (hours_start is None) != (hours_end is None):
        raise ActionError(
            _("Give both ends of the approved hours (e.g. 07:00 and 22:00), or neither."),
            field="approved_hours_end" if hours_end is None else "approved_hours_start",
        )
    if hours_start is not None and hours_start == hours_end:
        raise ActionError(
            _("The approved hours start and end at the same time: leave both empty for any time."),
            field="approved_hours_end",
        )
    with transaction.atomic():
        row = WorkspacePublishing.objects.select_for_update().get(
            pk=WorkspacePublishing.of(access.workspace).pk
        )
        before = _settings_dict(row)
        row.approved_hours_start = hours_start
        row.approved_hours_end = hours_end
        row.self_approval = self_approval
        row.reapprove_on_reschedule = reapprove_on_reschedule
        row.save()
        record(
            "approvals.settings",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            label=_("Approval settings"),
            before=before,
            after=_settings_dict(row),
        )
    return row


# --- external reviewers -------------------------------------------------------------------


class ReviewLinkGone(Exception):
    """The link is unknown (404), or expired or revoked (410): the message says which."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def review_path(raw: str) -> str:
    return reverse("publishing:review", args=[raw])


def create_review_link(
    access: Access,
    post: Post,
    reviewer_name: str,
    reviewer_email: str = "",
    days: int = REVIEW_LINK_DAYS,
) -> tuple[ReviewLink, str]:
    """A link for one external reviewer; returns it and its path (shown once: only the
    token's hash is stored). With an e-mail address, the reviewer is sent the link."""
    access.require("posts.share_review")
    _same_workspace(access, post)
    name = " ".join((reviewer_name or "").split())
    if not name:
        raise ActionError(
            _("Give the reviewer's name, so decisions say who took them."), field="reviewer_name"
        )
    email = (reviewer_email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except Exception:
            raise ActionError(
                _("'%(email)s' is not an e-mail address.") % {"email": email},
                field="reviewer_email",
            ) from None
    if not 1 <= days <= REVIEW_LINK_MAX_DAYS:
        raise ActionError(
            _("A review link lasts from 1 to %(max)s days.") % {"max": REVIEW_LINK_MAX_DAYS},
            field="days",
        )
    raw = secrets.token_urlsafe(32)  # 32 random bytes: guessing one is hopeless
    with transaction.atomic():
        link = ReviewLink.objects.create(
            post=post,
            reviewer_name=name[:120],
            reviewer_email=email,
            token_hash=hash_token(raw),
            created_by=access.user,
            expires_at=timezone.now() + timedelta(days=days),
        )
        record(
            "review_link.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=link,
            after={
                "post": post.pk,
                "reviewer": name,
                "email": email,
                "expires_at": link.expires_at.isoformat(),
            },
        )
    path = review_path(raw)
    if email:
        _email_reviewer(link, path, access.user)
    return link, path


def _email_reviewer(link: ReviewLink, path: str, sender: User) -> None:
    workspace = link.post.workspace
    with translation.override(workspace.language):
        subject = " ".join(
            (
                _("%(who)s asks for your review: %(purpose)s")
                % {"who": sender.display_name, "purpose": link.post.purpose[:80]}
            ).split()
        )
        body = _(
            "Hello %(name)s,\n\n%(who)s (%(workspace)s) asks you to review a post before it is "
            "published. Open this link to read it, approve it or comment; no account is "
            "needed:\n\n%(url)s\n\nThe link works until %(expires)s."
        ) % {
            "name": link.reviewer_name,
            "who": sender.display_name,
            "workspace": workspace.name,
            "url": settings.BASE_URL + path,
            "expires": link.expires_at.astimezone(workspace.tz).strftime("%Y-%m-%d %H:%M"),
        }
    try:
        send_mail(subject, body, None, [link.reviewer_email])
    except Exception:  # the link was shown to its creator: they can pass it on themselves
        log.exception("could not e-mail review link %s", link.pk)


def revoke_review_link(access: Access, link: ReviewLink) -> ReviewLink:
    access.require("posts.share_review")
    _same_workspace(access, link.post)
    if link.revoked_at is not None:
        return link
    with transaction.atomic():
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(
            "review_link.revoke",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=link,
            after={"post": link.post_id, "reviewer": link.reviewer_name},
        )
    return link


def review_link_for(raw: str) -> ReviewLink:
    """The link a token opens, found by its hash; ReviewLinkGone when it cannot be used."""
    link = (
        ReviewLink.objects.select_related("post", "post__workspace", "post__author")
        .filter(token_hash=hash_token(raw or ""))
        .first()
    )
    if link is None:
        raise ReviewLinkGone(
            _("This review link is not valid: check that you copied all of it."), 404
        )
    if link.revoked_at is not None:
        raise ReviewLinkGone(
            _("This review link was withdrawn: ask whoever sent it for a new one."), 410
        )
    if link.expires_at <= timezone.now():
        raise ReviewLinkGone(
            _("This review link has expired: ask whoever sent it for a new one."), 410
        )
    return link


def _check_external(step: StepState, state: ApprovalState, link: ReviewLink, decision: str) -> None:
    if not step.allow_external:
        raise PermissionDenied(
            _(
                "The current step (“%(step)s”) is decided by the team, not by external "
                "reviewers: you can still comment."
            )
            % {"step": step.name}
        )
    if decision == Decision.APPROVE and any(d.review_link_id == link.pk for d in step.approvals):
        raise PermissionDenied(_("You have already approved this step."))


def review_decide(link: ReviewLink, decision: str, text: str = "") -> Post:
    """An external reviewer approves, rejects (with a comment) or comments through the link."""
    link = review_link_for_link(link)
    post = link.post
    if decision == Decision.COMMENT:
        text = _clean_comment(text, required=True, why=_("Write a comment first."))
        _comment(post, text, user=None, link=link, via="review link")
        _tell_comment(post, None, link, text)
        return Post.objects.get(pk=post.pk)
    if decision == Decision.REJECT:
        text = _clean_comment(
            text, required=True, why=_("Say why you reject it, so the author knows what to change.")
        )
    elif decision == Decision.APPROVE:
        text = _clean_comment(text, required=False)
        guardrails.refuse_blocked(post)
    else:
        raise ActionError(_("Choose approve, reject or comment."), field="decision")
    post, _step = _decide(None, post, decision, text, link=link)
    _tell(post, decision, None, link, text)
    return post


def review_link_for_link(link: ReviewLink) -> ReviewLink:
    """The same link read again: revoked or expired between page and click is refused."""
    fresh = ReviewLink.objects.select_related("post", "post__workspace", "post__author").get(
        pk=link.pk
    )
    if not fresh.is_usable:
        raise ReviewLinkGone(
            _("This review link has expired or was withdrawn: ask for a new one."), 410
        )
    return fresh
