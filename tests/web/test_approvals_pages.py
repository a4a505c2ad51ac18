"""The approval pages: the queue, deciding (with and without htmx), the workflow settings,
the public review page, and the notifications page with its bell."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Membership, Notification, Workspace
from hubbub.core.notifications import notify
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.actions.approvals import (
    StepInput,
    create_review_link,
    revoke_review_link,
    set_steps,
    submit,
)
from hubbub.publishing.actions.posts import VariantInput, create_draft
from hubbub.publishing.models import ApprovalStep, Post, PostStatus, WorkspacePublishing
from tests.conftest import signed_in
from tests.web.conftest import messages_of, text

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def maya(make_user: Callable[..., User], acme: Workspace) -> User:
    user = make_user("maya@example.com", full_name="Maya Manager")
    Membership.objects.create(workspace=acme, user=user, role=Role.MANAGER)
    return user


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


def access(user: User, acme: Workspace) -> Access:
    return Access(user=user, workspace=acme, role=Membership.objects.get(user=user).role)


@pytest.fixture
def in_review(acme, alice, bob, maya, channel, clock) -> Post:
    """Bob's post, waiting for a manager; the step also takes external reviewers."""
    set_steps(
        access(alice, acme),
        [StepInput("Managers", "any", roles=[Role.MANAGER], allow_external=True)],
    )
    post = create_draft(
        access(bob, acme),
        purpose="announce the <b>sale</b>",
        variants=[VariantInput(channel, ["Half price <script>x</script>"])],
    )
    return submit(access(bob, acme), post, datetime(2026, 6, 2, 10, 0))


def test_the_queue_shows_what_waits_for_me(in_review, maya, bob):
    page = signed_in(maya).get("/w/acme/approvals/")
    assert page.status_code == 200
    shown = text(page)
    assert "Waiting for you (1)" in shown
    assert "announce the <b>sale</b>" in shown  # as text, escaped
    assert b"<script>x</script>" not in page.content
    assert "Half price" in shown and "planned for" in shown and "2026-06-02 10:00" in shown
    assert "Nothing waits for your approval" in text(signed_in(bob).get("/w/acme/approvals/"))


def test_approving_from_the_queue_without_javascript(in_review, maya):
    client = signed_in(maya)
    response = client.post(
        f"/w/acme/posts/{in_review.pk}/decision/", {"decision": "approve", "comment": "ok"}
    )
    assert response.status_code == 302 and response["Location"] == "/w/acme/approvals/"
    assert messages_of(response) == ["Approved: the post is scheduled."]
    assert Post.objects.get(pk=in_review.pk).status == PostStatus.SCHEDULED


def test_rejecting_without_a_comment_says_what_to_do(in_review, maya):
    response = signed_in(maya).post(
        f"/w/acme/posts/{in_review.pk}/decision/", {"decision": "reject"}
    )
    assert "Say why you reject it" in messages_of(response)[0]
    assert Post.objects.get(pk=in_review.pk).status == PostStatus.IN_REVIEW


def test_with_htmx_the_panel_is_swapped_in_place(in_review, maya, bob):
    response = signed_in(maya).post(
        f"/w/acme/posts/{in_review.pk}/decision/",
        {"decision": "reject", "comment": "Wrong price"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Rejected" in page and "Wrong price" in page
    assert b"<html" not in response.content  # the fragment only
    assert Post.objects.get(pk=in_review.pk).status == PostStatus.DRAFT


def test_the_author_sees_why_they_cannot_approve(in_review, bob):
    response = signed_in(bob).post(
        f"/w/acme/posts/{in_review.pk}/decision/",
        {"decision": "approve"},
        headers={"HX-Request": "true"},
    )
    assert "decided by Maya Manager" in text(response) or "wrote this post" in text(response)
    assert Post.objects.get(pk=in_review.pk).status == PostStatus.IN_REVIEW


def test_the_workflow_page_saves_steps_and_settings(alice, maya, acme):
    client = signed_in(alice)
    assert client.get("/w/acme/approvals/workflow/").status_code == 200
    response = client.post(
        "/w/acme/approvals/workflow/",
        {
            "form": "steps",
            "step-0-order": "2",
            "step-0-name": "Legal",
            "step-0-mode": "all",
            "step-0-users": [str(maya.pk), str(alice.pk)],
            "step-1-order": "1",
            "step-1-name": "Managers",
            "step-1-mode": "any",
            "step-1-roles": ["manager"],
            "step-1-allow_external": "on",
        },
    )
    assert response.status_code == 302
    steps = list(ApprovalStep.objects.filter(workspace=acme))
    assert [(s.order, s.name, s.mode) for s in steps] == [
        (1, "Managers", "any"),
        (2, "Legal", "all"),
    ]
    assert steps[0].roles == ["manager"] and steps[0].allow_external
    assert {u.email for u in steps[1].users.all()} == {"maya@example.com", "alice@example.com"}
    response = client.post(
        "/w/acme/approvals/workflow/",
        {
            "form": "settings",
            "approved_hours_start": "07:00",
            "approved_hours_end": "22:00",
            "self_approval": "on",
        },
    )
    assert response.status_code == 302
    row = WorkspacePublishing.of(acme)
    assert (row.approved_hours_start, row.approved_hours_end) == (time(7), time(22))
    assert row.self_approval and not row.reapprove_on_reschedule
    page = text(client.get("/w/acme/approvals/workflow/"))
    assert "Step 1" in page and "Step 2" in page and "Add a step" in page


def test_the_workflow_page_explains_a_bad_step(alice, acme):
    response = signed_in(alice).post(
        "/w/acme/approvals/workflow/", {"form": "steps", "step-0-name": "Legal"}
    )
    assert response.status_code == 400
    assert "names nobody" in text(response)
    assert 'value="Legal"' in response.content.decode()  # what was typed is kept
    assert not ApprovalStep.objects.filter(workspace=acme).exists()


def test_an_editor_cannot_change_the_workflow(bob, acme):
    assert signed_in(bob).get("/w/acme/approvals/workflow/").status_code == 403


def test_creating_a_review_link_shows_it_once(in_review, bob):
    response = signed_in(bob).post(
        f"/w/acme/posts/{in_review.pk}/review-links/",
        {"reviewer_name": "Dana", "reviewer_email": "dana@client.example", "days": "3"},
    )
    assert response.status_code == 200
    assert "shown only once" in text(response)
    assert "/review/" in text(response)
    assert [m.to for m in mail.outbox][-1] == ["dana@client.example"]


# --- the public review page -------------------------------------------------------------------


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_the_review_page_shows_the_post_and_takes_an_approval(in_review, bob, db):
    _link, path = create_review_link(access(bob, in_review.workspace), in_review, "Dana")
    client = signed_in(bob)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    shown = text(page)
    assert "Hello Dana" in shown and "Half price" in shown
    assert "planned for Tuesday 2 June 2026, 10:00 (Europe/Paris)" in shown
    assert b"<script>x</script>" not in page.content
    assert 'class="sidenav"' not in page.content.decode()  # no member navigation
    response = client.post(path, {"decision": "approve", "comment": "Lovely"})
    assert response.status_code == 302
    assert Post.objects.get(pk=in_review.pk).status == PostStatus.SCHEDULED
    assert "your approval is recorded" in text(client.get(path))


def test_expired_revoked_and_unknown_links_get_a_clear_page(in_review, bob, clock):
    owner = access(bob, in_review.workspace)
    _link, path = create_review_link(owner, in_review, "Dana", days=1)
    revoked, revoked_path = create_review_link(owner, in_review, "Eve")
    revoke_review_link(owner, revoked)
    anonymous = signed_in(bob)
    anonymous.logout()
    gone = anonymous.get(revoked_path)
    assert gone.status_code == 410 and "withdrawn" in text(gone)
    assert anonymous.get("/review/not-a-real-token/").status_code == 404
    clock.shift(timedelta(days=1, minutes=1))
    expired = anonymous.get(path)
    assert expired.status_code == 410 and "expired" in text(expired)
    assert anonymous.post(path, {"decision": "approve"}).status_code == 410
    assert Post.objects.get(pk=in_review.pk).status == PostStatus.IN_REVIEW


# --- notifications --------------------------------------------------------------------------


def test_the_bell_counts_unread_notices_and_the_page_marks_them_read(alice, acme):
    notify([alice], acme, "test", "First", "/w/acme/")
    notify([alice], acme, "test", "Second", "/w/acme/approvals/")
    client = signed_in(alice)
    home = client.get("/w/acme/")
    assert 'data-testid="bell"' in home.content.decode()
    assert "Notifications: 2 unread" in home.content.decode()
    page = client.get("/notifications/")
    assert "First" in text(page) and "Second" in text(page)
    second = Notification.objects.get(text="Second")
    opened = client.get(f"/notifications/{second.pk}/")
    assert opened["Location"] == "/w/acme/approvals/"
    assert Notification.objects.get(pk=second.pk).read_at is not None
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert "Notifications: 0 unread" in client.get("/w/acme/").content.decode()


def test_notices_are_private(alice, bob, acme):
    notice = notify([alice], acme, "test", "For Alice only")[0]
    client = signed_in(bob)
    assert "For Alice only" not in text(client.get("/notifications/"))
    assert client.get(f"/notifications/{notice.pk}/").status_code == 404
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=notice.pk).read_at is None


def test_a_notice_never_redirects_off_site(alice, acme):
    notice = notify([alice], acme, "test", "Odd", "https://evil.example/")[0]
    response = signed_in(alice).get(f"/notifications/{notice.pk}/")
    assert response["Location"] == "/notifications/"


def test_a_draft_is_submitted_from_its_panel(acme, alice, bob, maya, channel, clock):
    set_steps(access(alice, acme), [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = create_draft(
        access(bob, acme), purpose="launch", variants=[VariantInput(channel, ["Hello"])]
    )
    client = signed_in(bob)
    response = client.post(
        f"/w/acme/posts/{post.pk}/submit/", {"at": "2026-06-02T09:30", "next": "/w/acme/"}
    )
    assert response["Location"] == "/w/acme/"
    assert messages_of(response) == ["Submitted: the approvers are told."]
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert post.scheduled_at == datetime(2026, 6, 2, 7, 30, tzinfo=UTC)
    again = client.post(f"/w/acme/posts/{post.pk}/submit/", {"at": "yesterday"})
    assert "is not a date and time" in messages_of(again)[0]
    off_site = client.post(f"/w/acme/posts/{post.pk}/submit/", {"next": "https://evil.example/"})
    assert off_site["Location"] == "/w/acme/approvals/"
