"""Approvals through the API: submit, approve, reject, comment, the queue, the workflow and
review links (Acme's time zone is Europe/Paris)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core import mail

from hubbub.accounts.models import User
from hubbub.core.models import AuditEntry, Membership, Notification, Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post, ReviewLink
from tests.api.conftest import Api, token_api

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
def maya_api(maya: User, acme: Workspace) -> Api:
    return token_api(maya, acme)


@pytest.fixture
def bluesky(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


@pytest.fixture
def workflow(alice_api: Api, maya: User) -> Any:
    response = alice_api.call(
        "put",
        "/workspaces/acme/approval-workflow",
        {"steps": [{"name": "Managers", "mode": "any", "roles": ["manager"]}]},
    )
    assert response.status_code == 200, response.content
    return response.json()


def drafted(api: Api, channel: Channel) -> int:
    response = api.post(
        "/workspaces/acme/posts",
        {"purpose": "announce the sale", "variants": [{"channel_id": channel.pk, "parts": ["Hi"]}]},
    )
    assert response.status_code == 201, response.content
    post_id: int = response.json()["id"]
    return post_id


def test_submit_then_approve_schedules_the_post(bob_api, maya_api, bluesky, workflow, clock):
    post_id = drafted(bob_api, bluesky)
    response = bob_api.post(
        f"/workspaces/acme/posts/{post_id}/submit", {"at": "2026-06-02T10:00:00"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_review"
    assert body["scheduled_at"] == "2026-06-02T10:00:00+02:00"
    assert body["approval"]["steps"][0]["current"] is True
    assert body["approval"]["steps"][0]["approvers"] == ["maya@example.com"]
    waiting = maya_api.get("/workspaces/acme/approvals").json()
    assert [p["id"] for p in waiting] == [post_id]
    assert bob_api.get("/workspaces/acme/approvals").json() == []
    response = maya_api.post(f"/workspaces/acme/posts/{post_id}/approve", {"comment": "ok"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    entry = AuditEntry.objects.get(action="post.approve")
    assert entry.via == "api" and entry.actor_label == "maya@example.com"


def test_submit_without_a_body_keeps_the_planned_time(bob_api, maya_api, bluesky, workflow, clock):
    post_id = drafted(bob_api, bluesky)
    response = bob_api.post(f"/workspaces/acme/posts/{post_id}/submit")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"
    approved = maya_api.post(f"/workspaces/acme/posts/{post_id}/approve")
    assert approved.json()["status"] == "approved"  # no time: someone schedules it


def test_an_approver_who_is_not_named_gets_403_with_who_decides(
    alice_api, bob_api, bluesky, workflow, clock
):
    post_id = drafted(bob_api, bluesky)
    bob_api.post(f"/workspaces/acme/posts/{post_id}/submit", {"at": "2026-06-02T10:00:00"})
    response = alice_api.post(f"/workspaces/acme/posts/{post_id}/approve")
    assert response.status_code == 403
    assert "decided by Maya Manager" in response.json()["detail"]


def test_reject_needs_a_comment_and_tells_the_author(
    bob, bob_api, maya_api, bluesky, workflow, clock
):
    post_id = drafted(bob_api, bluesky)
    bob_api.post(f"/workspaces/acme/posts/{post_id}/submit", {"at": "2026-06-02T10:00:00"})
    response = maya_api.post(f"/workspaces/acme/posts/{post_id}/reject", {"comment": ""})
    assert response.status_code == 400
    assert response.json()["field"] == "comment"
    response = maya_api.post(f"/workspaces/acme/posts/{post_id}/reject", {"comment": "No"})
    assert response.json()["status"] == "draft"
    assert Notification.objects.filter(user=bob, kind="approval.rejected").exists()


def test_comment(bob_api, maya_api, bluesky, clock):
    post_id = drafted(bob_api, bluesky)
    response = maya_api.post(f"/workspaces/acme/posts/{post_id}/comment", {"comment": "Nice"})
    assert response.status_code == 201, response.content
    assert response.json()["by"] == "maya@example.com"
    state = bob_api.get(f"/workspaces/acme/posts/{post_id}/approval").json()
    assert [d["comment"] for d in state["approval"]["decisions"]] == ["Nice"]


def test_scheduling_a_post_needing_approval_says_to_submit_it(bob_api, bluesky, workflow, clock):
    post_id = drafted(bob_api, bluesky)
    response = bob_api.post(
        f"/workspaces/acme/posts/{post_id}/schedule", {"at": "2026-06-02T10:00:00"}
    )
    assert response.status_code == 400
    assert "submit it for approval" in response.json()["detail"]


def test_the_workflow_reads_and_changes(alice_api, bob_api, maya, workflow):
    assert workflow["steps"][0]["roles"] == ["manager"]
    response = alice_api.call(
        "put",
        "/workspaces/acme/approval-workflow",
        {
            "approved_hours_start": "07:00",
            "approved_hours_end": "22:00",
            "reapprove_on_reschedule": True,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["steps"][0]["name"] == "Managers"  # untouched: steps not given
    assert (body["approved_hours_start"], body["approved_hours_end"]) == ("07:00", "22:00")
    assert body["reapprove_on_reschedule"] is True and body["self_approval"] is False
    assert bob_api.get("/workspaces/acme/approval-workflow").json() == body
    refused = bob_api.call("put", "/workspaces/acme/approval-workflow", {"steps": []})
    assert refused.status_code == 403
    stranger = alice_api.call(
        "put",
        "/workspaces/acme/approval-workflow",
        {"steps": [{"name": "Legal", "users": ["nobody@example.com"]}]},
    )
    assert stranger.status_code == 400
    assert "not a member" in stranger.json()["detail"]
    assert stranger.json()["field"] == "steps.0.users"


def test_review_links_are_shown_once_and_revocable(bob_api, bluesky, clock):
    post_id = drafted(bob_api, bluesky)
    response = bob_api.post(
        f"/workspaces/acme/posts/{post_id}/review-links",
        {"reviewer_name": "Dana", "reviewer_email": "dana@client.example", "days": 3},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "/review/" in body["url"]
    raw = body["url"].rstrip("/").rsplit("/", 1)[1]
    link = ReviewLink.objects.get(pk=body["id"])
    assert raw not in link.token_hash
    assert body["expires_at"] == "2026-06-04T12:00:00+02:00"
    assert mail.outbox[-1].to == ["dana@client.example"]
    assert bob_api.delete(f"/workspaces/acme/review-links/{link.pk}").status_code == 204
    assert ReviewLink.objects.get(pk=link.pk).revoked_at is not None
    too_long = bob_api.post(
        f"/workspaces/acme/posts/{post_id}/review-links", {"reviewer_name": "Dana", "days": 90}
    )
    assert too_long.status_code == 400 and too_long.json()["field"] == "days"


def test_an_analyst_may_not_share_review_links(alice, acme, bluesky, bob_api, clock):
    post_id = drafted(bob_api, bluesky)
    analyst_api = token_api(alice, acme, Role.ANALYST)
    response = analyst_api.post(
        f"/workspaces/acme/posts/{post_id}/review-links", {"reviewer_name": "Dana"}
    )
    assert response.status_code == 403
    assert not ReviewLink.objects.exists()
    assert Post.objects.get(pk=post_id).status == "draft"
