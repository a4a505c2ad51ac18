"""Approvals: workflows of ordered steps, rejection, edits, self-approval, approved hours,
rescheduling, external review links, and who is told.

The clock is frozen at 2026-06-01 10:00 UTC (12:00 in Paris, Acme's time zone)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import get_resolver

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry, Membership, Notification, Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.actions.approvals import (
    ReviewLinkGone,
    StepInput,
    approval_state,
    approve,
    comment,
    create_review_link,
    reject,
    review_decide,
    review_link_for,
    revoke_review_link,
    set_approval_settings,
    set_steps,
    submit,
    waiting_for,
)
from hubbub.publishing.actions.posts import (
    VariantInput,
    create_draft,
    schedule_post,
    update_post,
)
from hubbub.publishing.models import (
    ApprovalDecision,
    ApprovalStep,
    Delivery,
    Post,
    PostStatus,
    WorkspacePublishing,
)
from hubbub.publishing.workflow import inside_hours
from tests.publishing.conftest import NOW

S = PostStatus
TOMORROW_10 = datetime(2026, 6, 2, 10, 0)  # Paris wall-clock time, inside any usual hours
LATE_NIGHT = datetime(2026, 6, 2, 23, 30)  # Paris, outside 07:00-22:00


@pytest.fixture(autouse=True)
def urls_loaded() -> None:
    """Load the URLconf before the fake network is registered: the API mounts each network's
    package, and tests.publishing.fake has none (notices reverse() their links)."""
    get_resolver().url_patterns  # noqa: B018


@pytest.fixture
def maya(make_user: Callable[..., User], acme: Workspace) -> User:
    user = make_user("maya@example.com", full_name="Maya Manager")
    Membership.objects.create(workspace=acme, user=user, role=Role.MANAGER)
    return user


@pytest.fixture
def lea(make_user: Callable[..., User], acme: Workspace) -> User:
    user = make_user("lea@example.com", full_name="Léa Legal")
    Membership.objects.create(workspace=acme, user=user, role=Role.CLIENT_VIEWER)
    return user


def as_(user: User, acme: Workspace) -> Access:
    role = Membership.objects.get(user=user, workspace=acme).role
    return Access(user=user, workspace=acme, role=role)


def draft(access: Access, channel: Channel, text: str = "Spring sale!") -> Post:
    return create_draft(
        access, purpose="announce the sale", variants=[VariantInput(channel, [text])]
    )


def fresh(post: Post) -> Post:
    return Post.objects.get(pk=post.pk)


def notices(user: User, kind: str = "") -> list[Notification]:
    found = Notification.objects.filter(user=user)
    return list(found.filter(kind=kind) if kind else found)


@pytest.fixture
def two_steps(owner: Access, alice: User, lea: User, maya: User) -> list[ApprovalStep]:
    """1. any manager; 2. all of Alice and Léa (legal)."""
    return set_steps(
        owner,
        [
            StepInput("Managers", "any", roles=[Role.MANAGER]),
            StepInput("Legal", "all", user_ids=[alice.pk, lea.pk]),
        ],
    )


# --- the path through a workflow -------------------------------------------------------------


def test_without_steps_submit_schedules_directly(editor, channel, clock):
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    assert post.status == S.SCHEDULED
    assert Delivery.objects.filter(post=post).count() == 1


def test_a_two_step_workflow_any_then_all(editor, bob, alice, lea, maya, channel, clock, two_steps):
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    assert post.status == S.IN_REVIEW
    assert post.scheduled_at == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)  # 10:00 in Paris
    assert not Delivery.objects.filter(post=post).exists()
    # The first step's approver is told, in the app and by e-mail.
    assert [n.kind for n in notices(maya)] == ["approval.requested"]
    assert notices(alice) == [] and notices(lea) == []
    assert [m.to for m in mail.outbox] == [["maya@example.com"]]
    assert "waits for your approval" in mail.outbox[0].body
    assert list(waiting_for(as_(maya, post.workspace))) == [post]
    assert list(waiting_for(as_(alice, post.workspace))) == []

    post = approve(as_(maya, post.workspace), post, "Nice")
    assert post.status == S.IN_REVIEW
    state = approval_state(post)
    assert state.current is not None and state.current.name == "Legal"
    assert {n.user_id for n in Notification.objects.filter(kind="approval.requested")} == {
        maya.pk,
        alice.pk,
        lea.pk,
    }
    assert [n.kind for n in notices(bob)] == ["approval.approved"]

    post = approve(as_(alice, post.workspace), post)
    assert post.status == S.IN_REVIEW  # "all": Léa still has to approve
    assert [u.email for u in approval_state(post).steps[1].waiting_on] == ["lea@example.com"]

    post = approve(as_(lea, post.workspace), post)
    assert post.status == S.SCHEDULED
    assert Delivery.objects.get(post=post).due_at == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    last = notices(bob)[0]  # newest first
    assert "approved and scheduled for 2026-06-02 10:00" in last.text
    actions = list(
        AuditEntry.objects.filter(object_id=str(post.pk)).values_list("action", flat=True)
    )
    assert actions.count("post.approve") == 3
    assert {"post.submit", "post.schedule"} <= set(actions)


def test_without_a_planned_time_ahead_it_stays_approved(editor, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel))  # no time given
    post = approve(as_(maya, editor.workspace), post)
    assert post.status == S.APPROVED
    assert "schedule it when you are ready" in notices(editor.user)[0].text
    post = schedule_post(editor, post, TOMORROW_10)
    assert post.status == S.SCHEDULED


def test_a_draft_needing_approval_cannot_be_scheduled(editor, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    with pytest.raises(ActionError, match="submit it for approval"):
        schedule_post(editor, draft(editor, channel), TOMORROW_10)


def test_a_post_in_review_cannot_be_submitted_again(editor, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    with pytest.raises(ActionError, match="already waiting"):
        submit(editor, post)


def test_submitting_a_time_in_the_past_is_refused(editor, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    with pytest.raises(ActionError, match="already passed"):
        submit(editor, draft(editor, channel), datetime(2026, 6, 1, 9, 0))


# --- rejection and edits ---------------------------------------------------------------------


def test_rejecting_needs_a_comment_and_sends_the_post_back(editor, bob, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    with pytest.raises(ActionError, match="Say why"):
        reject(as_(maya, editor.workspace), post, "  ")
    assert fresh(post).status == S.IN_REVIEW
    post = reject(as_(maya, editor.workspace), post, "The price is wrong")
    assert post.status == S.DRAFT
    told = notices(bob, "approval.rejected")
    assert len(told) == 1 and "The price is wrong" in told[0].text
    assert any("The price is wrong" in m.body for m in mail.outbox if m.to == [bob.email])
    assert AuditEntry.objects.filter(action="post.reject", object_id=str(post.pk)).exists()
    # Resubmitted, it starts a new round: the rejection stays in the history only.
    post = submit(editor, post)
    state = approval_state(post)
    assert state.round == 2 and state.decisions == []
    assert [d.decision for d in state.history] == ["reject"]


def test_editing_an_approved_post_sends_it_back_and_old_approvals_stop_counting(
    editor, maya, channel, clock
):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel))
    post = approve(as_(maya, editor.workspace), post)
    assert post.status == S.APPROVED
    post = update_post(
        editor, post, purpose="announce the sale", variants=[VariantInput(channel, ["Changed"])]
    )
    assert post.status == S.DRAFT
    post = submit(editor, post, TOMORROW_10)
    state = approval_state(post)
    assert post.status == S.IN_REVIEW
    assert state.current is not None and state.current.approvals == []
    assert ApprovalDecision.objects.filter(post=post, decision="approve").count() == 1


def test_editing_a_scheduled_approved_post_unschedules_it(editor, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    post = approve(as_(maya, editor.workspace), post)
    assert post.status == S.SCHEDULED
    post = update_post(
        editor, post, purpose="announce the sale", variants=[VariantInput(channel, ["Changed"])]
    )
    assert post.status == S.DRAFT
    assert not Delivery.objects.filter(post=post).exists()
    assert post.scheduled_at is not None  # the planned time is kept for the resubmission


def test_editing_a_scheduled_post_without_workflow_keeps_it_scheduled(owner, channel, clock):
    post = schedule_post(owner, draft(owner, channel), TOMORROW_10)
    post = update_post(
        owner, post, purpose="announce the sale", variants=[VariantInput(channel, ["Changed"])]
    )
    assert post.status == S.SCHEDULED
    assert Delivery.objects.filter(post=post).count() == 1


# --- who may approve -------------------------------------------------------------------------


def test_authors_may_not_approve_their_own_post_unless_allowed(owner, channel, clock):
    set_steps(owner, [StepInput("Owners", "any", roles=[Role.OWNER])])
    post = submit(owner, draft(owner, channel), TOMORROW_10)
    with pytest.raises(PermissionDenied) as refused:
        approve(owner, post)
    assert "Authors may approve their own posts" in str(refused.value)
    assert fresh(post).status == S.IN_REVIEW
    set_approval_settings(
        owner, hours_start=None, hours_end=None, self_approval=True, reapprove_on_reschedule=False
    )
    assert approve(owner, post).status == S.SCHEDULED


def test_an_all_step_does_not_wait_for_the_author(editor, bob, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Team", "all", user_ids=[bob.pk, maya.pk])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    assert approve(as_(maya, editor.workspace), post).status == S.SCHEDULED


def test_someone_not_named_by_the_step_is_refused_with_who_decides(
    editor, alice, maya, channel, clock
):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    with pytest.raises(PermissionDenied, match="decided by Maya Manager"):
        approve(as_(alice, editor.workspace), post)
    with pytest.raises(PermissionDenied):
        reject(as_(alice, editor.workspace), post, "no")


def test_approving_twice_is_refused(editor, alice, lea, maya, channel, clock, two_steps):
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    approve(as_(maya, editor.workspace), post)
    approve(as_(alice, editor.workspace), post)
    with pytest.raises(PermissionDenied, match="already approved"):
        approve(as_(alice, editor.workspace), post)


def test_anyone_may_comment_and_the_author_is_told(editor, bob, alice, maya, channel, clock):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    decision = comment(as_(alice, editor.workspace), post, "Add the shop's link?")
    assert decision.round == 1 and decision.decision == "comment"
    assert "commented" in notices(bob, "approval.commented")[0].text
    with pytest.raises(ActionError, match="Write a comment"):
        comment(as_(alice, editor.workspace), post, "")
    assert fresh(post).status == S.IN_REVIEW


# --- approved hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "at", "inside"),
    [
        (time(7), time(22), time(12), True),
        (time(7), time(22), time(22), True),
        (time(7), time(22), time(22, 1), False),
        (time(7), time(22), time(6, 59), False),
        (time(20), time(2), time(23, 30), True),  # wraps past midnight
        (time(20), time(2), time(1, 0), True),
        (time(20), time(2), time(12, 0), False),
        (None, None, time(3, 0), True),
    ],
)
def test_approved_hours(start, end, at, inside):
    assert inside_hours(start, end, at) is inside


def odd_hours(owner: Access) -> None:
    set_approval_settings(
        owner,
        hours_start=time(7),
        hours_end=time(22),
        self_approval=False,
        reapprove_on_reschedule=False,
    )


def test_outside_approved_hours_a_second_person_must_approve(
    owner, editor, alice, maya, channel, clock
):
    odd_hours(owner)
    # No steps: within hours the post is scheduled at once…
    assert submit(editor, draft(editor, channel), TOMORROW_10).status == S.SCHEDULED
    # …outside them, it waits for one approval by someone other than its author.
    post = submit(editor, draft(editor, channel), LATE_NIGHT)
    assert post.status == S.IN_REVIEW
    state = approval_state(post)
    assert state.out_of_hours and [s.out_of_hours for s in state.steps] == [True]
    with pytest.raises(PermissionDenied):
        approve(editor, post)
    post = approve(as_(maya, owner.workspace), post)
    assert post.status == S.SCHEDULED
    assert Delivery.objects.get(post=post).due_at == datetime(2026, 6, 2, 21, 30, tzinfo=UTC)


def test_out_of_hours_needs_someone_other_than_who_approved_the_steps(
    owner, editor, alice, maya, channel, clock
):
    odd_hours(owner)
    set_steps(owner, [StepInput("Managers", "any", roles=[Role.MANAGER, Role.OWNER])])
    post = submit(editor, draft(editor, channel), LATE_NIGHT)
    post = approve(as_(maya, owner.workspace), post)
    assert post.status == S.IN_REVIEW  # the steps are done; the second approval is not
    with pytest.raises(PermissionDenied, match="second person"):
        approve(as_(maya, owner.workspace), post)
    asked = Notification.objects.filter(kind="approval.requested").order_by("-id")
    assert [n.user_id for n in asked[:1]] == [alice.pk]
    post = approve(owner, post)
    assert post.status == S.SCHEDULED
    assert ApprovalDecision.objects.filter(post=post, out_of_hours=True, user=alice).exists()


def test_the_hours_are_read_in_the_workspace_time_zone(owner, editor, maya, channel):
    odd_hours(owner)
    # 06:30 in Paris is 04:30 UTC in summer: outside 07:00-22:00 Paris time.
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=False):
        post = submit(editor, draft(editor, channel), datetime(2026, 6, 2, 6, 30))
    assert post.status == S.IN_REVIEW
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=False):
        post = submit(editor, draft(editor, channel), datetime(2026, 6, 2, 7, 0))
    assert post.status == S.SCHEDULED


def test_moving_an_approved_post_into_odd_hours_asks_only_for_the_second_approval(
    owner, editor, maya, alice, channel, clock
):
    odd_hours(owner)
    set_steps(owner, [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = approve(as_(maya, owner.workspace), submit(editor, draft(editor, channel), TOMORROW_10))
    assert post.status == S.SCHEDULED
    post = schedule_post(editor, post, LATE_NIGHT)
    assert post.status == S.IN_REVIEW
    assert not Delivery.objects.filter(post=post).exists()
    state = approval_state(post)
    assert state.steps[0].done and state.current is not None and state.current.out_of_hours
    assert approve(owner, post).status == S.SCHEDULED


# --- rescheduling ---------------------------------------------------------------------------


def test_rescheduling_an_approved_post_needs_approval_again_when_the_workspace_says_so(
    owner, editor, maya, channel, clock
):
    set_steps(owner, [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = approve(as_(maya, owner.workspace), submit(editor, draft(editor, channel), TOMORROW_10))
    # Off (the default): an approval is for the content, the post simply moves.
    post = schedule_post(editor, post, datetime(2026, 6, 3, 10, 0))
    assert post.status == S.SCHEDULED
    set_approval_settings(
        owner, hours_start=None, hours_end=None, self_approval=False, reapprove_on_reschedule=True
    )
    post = schedule_post(editor, post, datetime(2026, 6, 4, 10, 0))
    assert post.status == S.IN_REVIEW
    assert post.approval_round == 2
    assert not Delivery.objects.filter(post=post).exists()
    assert AuditEntry.objects.filter(action="post.back_to_review", object_id=str(post.pk)).exists()
    assert notices(maya, "approval.requested")
    post = approve(as_(maya, owner.workspace), post)
    assert post.status == S.SCHEDULED
    assert Delivery.objects.get(post=post).due_at == datetime(2026, 6, 4, 8, 0, tzinfo=UTC)


# --- the workflow itself ---------------------------------------------------------------------


def test_set_steps_validates_and_replaces_atomically(owner, editor, charlie, globex, maya):
    set_steps(owner, [StepInput("Managers", "any", roles=[Role.MANAGER])])
    bad = [
        (StepInput("Legal", "any", user_ids=[charlie.pk]), "not a member"),
        (StepInput("Legal", "any", roles=["boss"]), "is not a role"),
        (StepInput("Legal", "some", roles=[Role.OWNER]), "any"),
        (StepInput("  ", "any", roles=[Role.OWNER]), "has no name"),
        (StepInput("Legal", "any"), "names nobody"),
    ]
    for step, message in bad:
        with pytest.raises(ActionError, match=message) as error:
            set_steps(owner, [StepInput("First", "any", roles=[Role.OWNER]), step])
        assert error.value.field is not None and error.value.field.startswith("steps.1.")
    assert [s.name for s in ApprovalStep.objects.filter(workspace=owner.workspace)] == ["Managers"]
    with pytest.raises(PermissionDenied):
        set_steps(editor, [])
    set_steps(owner, [])
    assert not ApprovalStep.objects.filter(workspace=owner.workspace).exists()
    assert AuditEntry.objects.filter(action="approvals.workflow").count() == 2


def test_approval_settings_need_both_ends_of_the_hours(owner, editor):
    with pytest.raises(ActionError, match="both ends"):
        set_approval_settings(
            owner,
            hours_start=time(7),
            hours_end=None,
            self_approval=False,
            reapprove_on_reschedule=False,
        )
    with pytest.raises(PermissionDenied):
        set_approval_settings(
            editor,
            hours_start=None,
            hours_end=None,
            self_approval=True,
            reapprove_on_reschedule=False,
        )
    assert WorkspacePublishing.of(owner.workspace).self_approval is False


# --- external reviewers ----------------------------------------------------------------------


@pytest.fixture
def client_step(owner: Access) -> list[ApprovalStep]:
    return set_steps(owner, [StepInput("Client", "any", allow_external=True)])


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_an_external_reviewer_approves_through_the_link(editor, bob, channel, clock, client_step):
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    link, path = create_review_link(editor, post, "Dana (client)", "dana@client.example")
    raw = token_of(path)
    assert len(raw) >= 43  # 32 random bytes
    assert link.token_hash != raw and raw not in link.token_hash
    assert any(m.to == ["dana@client.example"] and path in m.body for m in mail.outbox)
    assert link.expires_at == NOW + timedelta(days=7)
    post = review_decide(review_link_for(raw), "approve", "Go!")
    assert post.status == S.SCHEDULED
    decision = ApprovalDecision.objects.get(post=post, decision="approve")
    assert decision.user is None and decision.review_link == link
    entry = AuditEntry.objects.get(action="post.approve", object_id=str(post.pk))
    assert entry.via == "review link" and entry.after["reviewer"] == "Dana (client)"
    assert "approved and scheduled" in notices(bob)[0].text


def test_a_link_cannot_approve_a_step_closed_to_external_reviewers(
    owner, editor, maya, channel, clock
):
    set_steps(owner, [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    _link, path = create_review_link(editor, post, "Dana")
    link = review_link_for(token_of(path))
    with pytest.raises(PermissionDenied, match="not by external reviewers"):
        review_decide(link, "approve")
    review_decide(link, "comment", "Love it")
    assert fresh(post).status == S.IN_REVIEW
    assert ApprovalDecision.objects.filter(post=post, decision="comment").count() == 1
    assert "Dana" in notices(editor.user, "approval.commented")[0].text


def test_a_rejection_through_the_link_needs_a_comment(editor, channel, clock, client_step):
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    _link, path = create_review_link(editor, post, "Dana")
    link = review_link_for(token_of(path))
    with pytest.raises(ActionError, match="Say why"):
        review_decide(link, "reject", "")
    assert review_decide(link, "reject", "Wrong logo").status == S.DRAFT


def test_expired_revoked_and_wrong_links_are_refused(editor, channel, clock, client_step):
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    _link, path = create_review_link(editor, post, "Dana", days=2)
    raw = token_of(path)
    with pytest.raises(ReviewLinkGone) as wrong:
        review_link_for(raw[:-1] + ("A" if raw[-1] != "A" else "B"))
    assert wrong.value.status == 404
    clock.shift(timedelta(days=2, seconds=1))
    with pytest.raises(ReviewLinkGone, match="expired") as expired:
        review_link_for(raw)
    assert expired.value.status == 410
    other, other_path = create_review_link(editor, post, "Eve")
    revoke_review_link(editor, other)
    with pytest.raises(ReviewLinkGone, match="withdrawn") as revoked:
        review_link_for(token_of(other_path))
    assert revoked.value.status == 410
    # A link taken before it was revoked cannot decide afterwards either.
    with pytest.raises(ReviewLinkGone):
        review_decide(other, "approve")
    assert fresh(post).status == S.IN_REVIEW


def test_review_links_are_checked(editor, channel, clock, acme):
    post = draft(editor, channel)
    with pytest.raises(ActionError, match="name"):
        create_review_link(editor, post, " ")
    with pytest.raises(ActionError, match="1 to 30 days"):
        create_review_link(editor, post, "Dana", days=31)
    with pytest.raises(ActionError, match="not an e-mail"):
        create_review_link(editor, post, "Dana", "dana")
    analyst = Access(user=editor.user, workspace=acme, role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        create_review_link(analyst, post, "Dana")


# --- e-mail trouble does not undo anything ----------------------------------------------------


def test_an_smtp_failure_does_not_undo_the_approval(editor, maya, channel, clock, caplog):
    set_steps(as_(maya, editor.workspace), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(editor, draft(editor, channel), TOMORROW_10)
    with mock.patch(
        "hubbub.core.notifications.send_mail", side_effect=ConnectionRefusedError("smtp down")
    ):
        post = approve(as_(maya, editor.workspace), post)
    assert fresh(post).status == S.SCHEDULED
    assert notices(editor.user, "approval.approved")  # the in-app notice is there
    assert "could not e-mail" in caplog.text
