"""An edit that sends a post in review (or approved) back to draft tells the approvers who were
deciding it, or had approved it, that it changed and left review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.core import mail
from django.urls import get_resolver

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Membership, Notification, Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.actions.approvals import StepInput, approve, set_steps, submit
from hubbub.publishing.actions.posts import VariantInput, create_draft, update_post
from hubbub.publishing.models import Post, PostStatus

TOMORROW_10 = datetime(2026, 6, 2, 10, 0)


@pytest.fixture(autouse=True)
def urls_loaded() -> None:
    get_resolver().url_patterns  # noqa: B018  (before the fake network joins the registry)


@pytest.fixture
def maya(make_user: Callable[..., User], acme: Workspace) -> Access:
    user = make_user("maya@example.com", full_name="Maya Manager")
    Membership.objects.create(workspace=acme, user=user, role=Role.MANAGER)
    return Access(user=user, workspace=acme, role=Role.MANAGER)


@pytest.fixture
def two_steps(owner: Access, alice: User) -> None:
    """1. any manager; 2. Alice (the owner)."""
    set_steps(
        owner,
        [
            StepInput("Managers", "any", roles=[Role.MANAGER]),
            StepInput("Owner", "any", user_ids=[alice.pk]),
        ],
    )


def in_review(editor: Access, channel: Channel) -> Post:
    post = create_draft(
        editor, purpose="announce the sale", variants=[VariantInput(channel, ["Spring sale!"])]
    )
    post = submit(editor, post, TOMORROW_10)
    assert post.status == PostStatus.IN_REVIEW
    return post


def edit(access: Access, post: Post, channel: Channel) -> Post:
    return update_post(
        access,
        post,
        purpose=post.purpose,
        variants=[VariantInput(channel, ["Spring sale, now 30% off!"])],
    )


def withdrawn(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="approval.withdrawn"))


def test_the_approvers_waiting_on_the_post_are_told(editor, maya, alice, channel, clock, two_steps):
    post = in_review(editor, channel)
    mail.outbox.clear()
    post = edit(editor, post, channel)
    assert post.status == PostStatus.DRAFT
    [notice] = withdrawn(maya.user)
    assert notice.text == (
        "Bob Durand changed “announce the sale”: it is withdrawn from review and back to "
        "draft. Nothing to approve until it is submitted again."
    )
    assert notice.url == f"/w/acme/posts/{post.pk}/"
    assert [m.to for m in mail.outbox] == [["maya@example.com"]]
    # Alice decides the second step, which was not reached: nothing was waiting on her.
    assert withdrawn(alice) == []


def test_an_approver_who_approved_a_step_hears_their_approval_no_longer_counts(
    editor, maya, alice, channel, clock, two_steps
):
    post = approve(maya, in_review(editor, channel))
    assert post.status == PostStatus.IN_REVIEW  # now waiting on Alice
    edit(editor, post, channel)
    assert "your approval no longer counts" in withdrawn(maya.user)[0].text
    assert "Nothing to approve" in withdrawn(alice)[0].text


def test_editing_an_approved_and_scheduled_post_tells_those_who_approved(
    editor, owner, maya, alice, channel, clock, two_steps
):
    post = approve(owner, approve(maya, in_review(editor, channel)))
    assert post.status == PostStatus.SCHEDULED
    edit(editor, post, channel)
    assert len(withdrawn(maya.user)) == 1 and len(withdrawn(alice)) == 1


def test_the_person_editing_is_not_told_about_their_own_edit(
    editor, maya, owner, alice, channel, clock, two_steps
):
    post = approve(maya, in_review(editor, channel))
    edit(maya, post, channel)  # the manager changes the text herself
    assert withdrawn(maya.user) == []
    assert len(withdrawn(alice)) == 1


def test_editing_a_plain_draft_tells_nobody(editor, maya, channel, clock, two_steps):
    post = create_draft(editor, purpose="draft", variants=[VariantInput(channel, ["Hi"])])
    edit(editor, post, channel)
    assert not Notification.objects.filter(kind="approval.withdrawn").exists()
