"""The approval workflow's rules: which steps a post must pass, who may decide each, and
where a post stands; and the notices that tell people. No permission checks and no state
changes here: the actions in hubbub.publishing.actions.approvals (and the scheduling gate in
actions.posts) use these.

Kept apart from the actions so that posts.py (scheduling) and approvals.py (deciding) can both
read the same rules without importing each other.

A post's state is computed from the decisions of its current round (Post.approval_round):
each step in order is done when "any" one of its approvers approved it, or "all" of its
members did (the author is left out of "all" unless authors may approve their own posts). A
post planned outside the workspace's approved hours needs one more approval, by a person
who has not approved it yet in this round and is not its author.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.notifications import notify
from hubbub.core.permissions import PERMISSIONS
from hubbub.core.roles import Role
from hubbub.publishing.models import (
    ApprovalDecision,
    ApprovalStep,
    Decision,
    Post,
    StepMode,
    WorkspacePublishing,
)


def inside_hours(start: time | None, end: time | None, local: time) -> bool:
    """Approved hours include both ends, to the minute (07:00-22:00 allows 22:00 but not
    22:01); start after end wraps past midnight (20:00-02:00). No hours set: any time."""
    if start is None or end is None or start == end:
        return True
    minute = local.replace(second=0, microsecond=0)
    if start < end:
        return start <= minute <= end
    return minute >= start or minute <= end


def outside_approved_hours(workspace: Workspace, when: datetime | None) -> bool:
    if when is None:
        return False
    row = WorkspacePublishing.of(workspace)
    local = when.astimezone(workspace.tz).time()
    return not inside_hours(row.approved_hours_start, row.approved_hours_end, local)


def has_steps(workspace: Workspace) -> bool:
    return ApprovalStep.objects.filter(workspace=workspace).exists()


def approval_required(workspace: Workspace, when: datetime | None) -> bool:
    """Does a post planned at `when` (UTC, or None) need approving before it is scheduled?"""
    return has_steps(workspace) or outside_approved_hours(workspace, when)


def has_out_of_hours_approval(post: Post) -> bool:
    return ApprovalDecision.objects.filter(
        post=post, round=post.approval_round, out_of_hours=True, decision=Decision.APPROVE
    ).exists()


@dataclass
class StepState:
    """One step of a post's current round, as the panel and the actions see it."""

    order: int  # 1, 2…; the extra out-of-hours approval comes last
    name: str
    mode: str
    step: ApprovalStep | None  # None: the extra out-of-hours approval
    allow_external: bool
    approvers: list[User]  # the members who may decide it
    approvals: list[ApprovalDecision] = field(default_factory=list)
    waiting_on: list[User] = field(default_factory=list)  # "all": who has not approved yet
    done: bool = False
    current: bool = False

    @property
    def out_of_hours(self) -> bool:
        return self.step is None

    @property
    def approver_ids(self) -> set[int]:
        return {u.pk for u in self.approvers}

    def describe(self) -> str:
        """Who decides this step, in words (for messages naming the fix)."""
        names = [u.display_name for u in self.approvers]
        if self.allow_external:
            names.append(_("an external reviewer"))
        return ", ".join(names) or _("nobody (a manager must change the workflow)")


@dataclass
class ApprovalState:
    post: Post
    required: bool  # the post needs approval before it can be scheduled
    round: int
    out_of_hours: bool
    self_approval: bool
    steps: list[StepState]
    decisions: list[ApprovalDecision]  # this round, oldest first
    history: list[ApprovalDecision]  # earlier rounds, oldest first
    # Set when the state was computed for a viewer: may they decide the current step?
    viewer_may_decide: bool = False
    viewer_reason: str = ""  # why not, in words

    @property
    def current(self) -> StepState | None:
        return next((s for s in self.steps if s.current), None)

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps)

    @property
    def in_review(self) -> bool:
        return self.post.status == "in_review"

    def approvers_in_round(self) -> set[int]:
        return {
            d.user_id
            for d in self.decisions
            if d.decision == Decision.APPROVE and d.user_id is not None
        }


def _members(workspace: Workspace) -> list[Membership]:
    return list(
        Membership.objects.filter(workspace=workspace, user__is_active=True).select_related("user")
    )


def _eligible(step: ApprovalStep, members: list[Membership]) -> list[User]:
    named = {u.pk for u in step.users.all()}
    return [m.user for m in members if m.role in step.roles or m.user_id in named]


def _extra_approvers(
    steps: Iterable[StepState], members: list[Membership], author_id: int | None
) -> list[User]:
    """Who may give the out-of-hours approval: anyone named by a step, and those who manage
    approvals (the workspace may have no steps at all); never the author."""
    managers = PERMISSIONS["approvals.manage"]
    named = set().union(*(s.approver_ids for s in steps)) if steps else set()
    return [
        m.user
        for m in members
        if (m.user_id in named or m.role in managers) and m.user_id != author_id
    ]


def _step_done(state: StepState, author_id: int | None, self_approval: bool) -> None:
    if not state.approvals:
        state.done = False
        return
    if state.mode == StepMode.ANY:
        state.done = True
        return
    approved = {d.user_id for d in state.approvals if d.user_id is not None}
    required = [
        u for u in state.approvers if self_approval or u.pk != author_id
    ]  # the author cannot be waited on when they may not approve
    state.waiting_on = [u for u in required if u.pk not in approved]
    # A step of external reviewers only ("Client"): one approval through a link is enough.
    state.done = not state.waiting_on


def evaluate(post: Post, viewer: User | None = None) -> ApprovalState:
    workspace = post.workspace
    row = WorkspacePublishing.of(workspace)
    members = _members(workspace)
    decisions = list(
        ApprovalDecision.objects.filter(post=post).select_related("user", "review_link", "step")
    )
    this_round = [d for d in decisions if d.round == post.approval_round]
    states: list[StepState] = []
    for step in ApprovalStep.objects.filter(workspace=workspace).prefetch_related("users"):
        state = StepState(
            order=step.order,
            name=step.name,
            mode=step.mode,
            step=step,
            allow_external=step.allow_external,
            approvers=_eligible(step, members),
            approvals=[
                d for d in this_round if d.decision == Decision.APPROVE and d.step_id == step.pk
            ],
        )
        _step_done(state, post.author_id, row.self_approval)
        states.append(state)
    out_of_hours = outside_approved_hours(workspace, post.scheduled_at)
    if out_of_hours:
        extra = StepState(
            order=len(states) + 1,
            name=_("Second approval (outside approved hours)"),
            mode=StepMode.ANY,
            step=None,
            allow_external=False,
            approvers=_extra_approvers(states, members, post.author_id),
            approvals=[d for d in this_round if d.decision == Decision.APPROVE and d.out_of_hours],
        )
        extra.done = bool(extra.approvals)
        states.append(extra)
    if post.status == "in_review":
        first_open = next((s for s in states if not s.done), None)
        if first_open is not None:
            first_open.current = True
    result = ApprovalState(
        post=post,
        required=bool(states),
        round=post.approval_round,
        out_of_hours=out_of_hours,
        self_approval=row.self_approval,
        steps=states,
        decisions=this_round,
        history=[d for d in decisions if d.round != post.approval_round],
    )
    if viewer is not None:
        reason = refusal(result, viewer)
        result.viewer_may_decide, result.viewer_reason = reason == "", reason
    return result


def refusal(state: ApprovalState, user: User, *, approving: bool = True) -> str:
    """Why `user` may not decide the current step (empty when they may)."""
    post, current = state.post, state.current
    if post.status != "in_review" or current is None:
        return _("This post is not waiting for approval.")
    if (
        approving
        and post.author_id == user.pk
        and (current.out_of_hours or not state.self_approval)
    ):
        if current.out_of_hours:
            return _(
                "A post planned outside approved hours needs a second person: you wrote it, "
                "so ask another approver."
            )
        return _(
            "You wrote this post, and this workspace does not let authors approve their own "
            "posts: ask another approver, or an owner or manager can allow it under "
            "Approvals → Workflow (“Authors may approve their own posts”)."
        )
    if current.out_of_hours and approving and user.pk in state.approvers_in_round():
        return _(
            "A post planned outside approved hours needs a second person, and you have "
            "already approved it: ask another approver."
        )
    if approving and any(d.user_id == user.pk for d in current.approvals):
        return _("You have already approved this step.")
    # The author may withdraw (reject) their own post; deciding otherwise is the step's.
    if user.pk not in current.approver_ids and (approving or post.author_id != user.pk):
        return _("Step “%(step)s” is decided by %(who)s, not by you.") % {
            "step": current.name,
            "who": current.describe(),
        }
    return ""


def next_approvers(state: ApprovalState) -> list[User]:
    """The members to tell that the post now waits for them."""
    current = state.current
    if current is None:
        return []
    done = {d.user_id for d in current.approvals}
    people = []
    for user in current.approvers:
        if user.pk in done:
            continue
        if user.pk == state.post.author_id and (current.out_of_hours or not state.self_approval):
            continue
        if current.out_of_hours and user.pk in state.approvers_in_round():
            continue
        people.append(user)
    return people


def role_labels(roles: Iterable[str]) -> list[str]:
    return [str(Role(r).label) for r in roles if r in Role.values]


# --- telling people ---------------------------------------------------------------------------


def queue_url(post: Post) -> str:
    """Where an approver acts on the post: their approval queue, at the post."""
    return reverse("publishing:approvals", args=[post.workspace.slug]) + f"#post-{post.pk}"


def post_url(post: Post) -> str:
    """The post's own page (the compose area's), or the queue until that page exists."""
    try:
        return reverse("publishing:post", args=[post.workspace.slug, post.pk])
    except NoReverseMatch:
        return queue_url(post)


def _who(user: User | None, reviewer: str = "") -> str:
    if reviewer:
        return reviewer
    return user.display_name if user is not None else _("Someone")


def tell_next_approvers(post: Post, *, actor: User | None) -> None:
    """The post now waits for its current step: tell the people who may decide it."""
    state = evaluate(post)
    current = state.current
    if current is None:
        return
    people = [u for u in next_approvers(state) if actor is None or u.pk != actor.pk]
    author = _who(post.author)
    purpose = post.purpose[:80]
    step = current.name

    def text() -> str:
        return _("“%(purpose)s” by %(author)s waits for your approval (step: %(step)s).") % {
            "purpose": purpose,
            "author": author,
            "step": step if current.step is not None else _("outside approved hours"),
        }

    notify(people, post.workspace, "approval.requested", text, queue_url(post))


def tell_author(
    post: Post, kind: str, *, actor: User | None, reviewer: str = "", comment: str = ""
) -> None:
    """Tell the author what happened to their post (never themselves about their own act)."""
    author = post.author
    if author is None or (actor is not None and actor.pk == author.pk):
        return
    who, purpose, status = _who(actor, reviewer), post.purpose[:80], post.status
    when = post.scheduled_at.astimezone(post.workspace.tz) if post.scheduled_at else None

    def text() -> str:
        if kind == "approval.rejected":
            message = _("%(who)s rejected “%(purpose)s”: it is back to draft.")
        elif kind == "approval.commented":
            message = _("%(who)s commented on “%(purpose)s”.")
        elif status == "scheduled" and when is not None:
            message = _("“%(purpose)s” is approved and scheduled for %(when)s.")
        elif status == "approved":
            message = _("“%(purpose)s” is approved: schedule it when you are ready.")
        else:
            message = _("%(who)s approved a step of “%(purpose)s”; it waits for the next one.")
        sentence = message % {
            "who": who,
            "purpose": purpose,
            "when": when.strftime("%Y-%m-%d %H:%M") if when else "",
        }
        if comment:
            sentence += " " + _("Comment: %(comment)s") % {"comment": comment[:300]}
        return sentence

    notify([author], post.workspace, kind, text, post_url(post))
