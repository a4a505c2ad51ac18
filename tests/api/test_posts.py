"""Posts, deliveries and the crisis pause through the API (Acme's time zone is Europe/Paris)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from hubbub.core.models import AuditEntry, Membership
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from tests.api.conftest import Api, session_api, token_api

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # 10:00 in Paris, before the spring change


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bluesky(acme) -> Channel:
    # The limits come from the Bluesky connector class: 300 graphemes a post.
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


def draft(api: Api, channel: Channel, *parts: str, purpose: str = "announce the sale") -> Any:
    response = api.post(
        "/workspaces/acme/posts",
        {
            "purpose": purpose,
            "variants": [
                {
                    "channel_id": channel.pk,
                    "parts": list(parts or ["Spring sale!"]),
                    "language": "en",
                }
            ],
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_it_drafts_schedules_and_reads_back_a_post(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky, "Spring sale!", "Everything at half price.")
    assert created["status"] == "draft"
    assert created["author"] == "alice@example.com"
    assert created["variants"] == [
        {
            "channel_id": bluesky.pk,
            "channel": "acme.bsky.social",
            "network": "bluesky",
            "parts": ["Spring sale!", "Everything at half price."],
            "first_comment": "",
            "link": "",
            "language": "en",
            "media": [],
        }
    ]
    assert created["deliveries"] == []

    response = alice_api.post(
        f"/workspaces/acme/posts/{created['id']}/schedule", {"at": "2026-06-01T09:30:00"}
    )
    assert response.status_code == 200, response.content

    read = alice_api.get(f"/workspaces/acme/posts/{created['id']}").json()
    assert read["status"] == "scheduled"
    assert read["scheduled_at"] == "2026-06-01T09:30:00+02:00"  # Paris summer time
    [delivery] = read["deliveries"]
    assert delivery["channel_id"] == bluesky.pk
    assert delivery["status"] == "scheduled"
    assert delivery["due_at"] == "2026-06-01T09:30:00+02:00"
    assert delivery["attempts"] == []
    stored = Delivery.objects.get(pk=delivery["id"])
    assert stored.due_at == datetime(2026, 6, 1, 7, 30, tzinfo=UTC)
    assert AuditEntry.objects.filter(action="post.schedule", via="api").count() == 1

    listed = alice_api.get(
        "/workspaces/acme/posts", status="scheduled", **{"from": "2026-06-01", "to": "2026-06-01"}
    ).json()
    assert listed["total"] == 1
    assert [p["id"] for p in listed["items"]] == [created["id"]]
    later = alice_api.get("/workspaces/acme/posts", **{"from": "2026-06-02"}).json()
    assert later["total"] == 0
    deliveries = alice_api.get("/workspaces/acme/deliveries", status="scheduled").json()
    assert [d["id"] for d in deliveries["items"]] == [delivery["id"]]


def test_an_unknown_status_filter_names_the_valid_ones(alice_api, bluesky):
    response = alice_api.get("/workspaces/acme/posts", status="sent")
    assert response.status_code == 400
    assert response.json()["field"] == "status"
    assert "draft, in_review" in response.json()["detail"]


def test_over_limit_text_is_kept_in_the_draft_and_refused_at_scheduling(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky, "x" * 301)
    response = alice_api.post(
        f"/workspaces/acme/posts/{created['id']}/schedule", {"at": "2026-06-01T09:30:00"}
    )
    assert response.status_code == 400
    body = response.json()
    assert "Bluesky (acme.bsky.social)" in body["detail"]
    assert "the limit there is 300" in body["detail"]
    assert "shorten it by 1" in body["detail"]
    assert body["field"] == "parts.0"
    assert Post.objects.get(pk=created["id"]).status == PostStatus.DRAFT
    assert not Delivery.objects.exists()


def test_a_time_in_the_spring_gap_is_refused_with_the_next_valid_one(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky)
    response = alice_api.post(
        f"/workspaces/acme/posts/{created['id']}/schedule", {"at": "2026-03-29T02:30:00"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "2026-03-29 02:30 does not exist in Europe/Paris: the clocks skip that hour "
        "for daylight saving. The next valid time is 2026-03-29 03:00.",
        "field": "scheduled_at",
    }
    assert not Delivery.objects.exists()


def test_a_repeated_autumn_time_needs_a_fold(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky)
    url = f"/workspaces/acme/posts/{created['id']}/schedule"
    refused = alice_api.post(url, {"at": "2026-10-25T02:30:00"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "fold"
    assert "happens twice in Europe/Paris" in refused.json()["detail"]
    second = alice_api.post(url, {"at": "2026-10-25T02:30:00", "fold": 1})
    assert second.status_code == 200
    assert second.json()["scheduled_at"] == "2026-10-25T02:30:00+01:00"


def test_a_time_in_the_past_is_refused(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky)
    response = alice_api.post(
        f"/workspaces/acme/posts/{created['id']}/schedule", {"at": "2026-03-20T09:59:00"}
    )
    assert response.status_code == 400
    assert "has already passed: choose a time in the future" in response.json()["detail"]


def test_pause_then_resume_hands_back_the_deliveries_whose_time_passed(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky)
    alice_api.post(
        f"/workspaces/acme/posts/{created['id']}/schedule", {"at": "2026-03-20T10:10:00"}
    )
    paused = alice_api.post("/workspaces/acme/publishing/pause")
    assert paused.status_code == 200
    assert paused.json() == {
        "paused": True,
        "paused_at": "2026-03-20T10:00:00+01:00",
        "paused_by": "alice@example.com",
        "late_cutoff_minutes": 120,
    }
    assert alice_api.get("/workspaces/acme/publishing").json()["paused"] is True

    clock.shift(timedelta(minutes=20))
    resumed = alice_api.post("/workspaces/acme/publishing/resume")
    assert resumed.status_code == 200
    body = resumed.json()
    assert body["paused"] is False
    [waiting] = body["waiting_for_decision"]
    assert waiting["status"] == "needs_attention"
    assert "send it now, reschedule or cancel it" in waiting["last_error"]
    listed = alice_api.get("/workspaces/acme/deliveries", status="needs_attention").json()
    assert [d["id"] for d in listed["items"]] == [waiting["id"]]

    sent = alice_api.post(f"/workspaces/acme/deliveries/{waiting['id']}/send-now")
    assert sent.status_code == 200
    assert sent.json()["status"] == "scheduled"
    assert sent.json()["next_attempt_at"] == "2026-03-20T10:20:00+01:00"


def test_a_delivery_waiting_for_a_person_can_be_rescheduled_or_cancelled(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky)
    alice_api.post(
        f"/workspaces/acme/posts/{created['id']}/schedule", {"at": "2026-03-20T10:10:00"}
    )
    delivery = Delivery.objects.get(post_id=created["id"])
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.NEEDS_ATTENTION)
    moved = alice_api.post(
        f"/workspaces/acme/deliveries/{delivery.pk}/reschedule", {"at": "2026-03-21T08:00:00"}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["due_at"] == "2026-03-21T08:00:00+01:00"
    cancelled = alice_api.post(f"/workspaces/acme/deliveries/{delivery.pk}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    again = alice_api.post(f"/workspaces/acme/deliveries/{delivery.pk}/send-now")
    assert again.status_code == 400
    assert "nothing to decide" in again.json()["detail"]


def test_a_post_can_be_cancelled(alice_api, bluesky, clock):
    created = draft(alice_api, bluesky)
    alice_api.post(
        f"/workspaces/acme/posts/{created['id']}/schedule", {"at": "2026-03-20T10:10:00"}
    )
    response = alice_api.post(f"/workspaces/acme/posts/{created['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert [d["status"] for d in response.json()["deliveries"]] == ["cancelled"]


def test_an_editor_edits_their_own_post_but_not_someone_elses(alice_api, bob_api, bluesky):
    alices = draft(alice_api, bluesky, purpose="alice's")
    refused = bob_api.patch(f"/workspaces/acme/posts/{alices['id']}", {"purpose": "mine now"})
    assert refused.status_code == 403
    assert "someone else's" in refused.json()["detail"]
    assert Post.objects.get(pk=alices["id"]).purpose == "alice's"

    bobs = draft(bob_api, bluesky, purpose="bob's")
    changed = bob_api.patch(
        f"/workspaces/acme/posts/{bobs['id']}",
        {"variants": [{"channel_id": bluesky.pk, "parts": ["New text"]}]},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["purpose"] == "bob's"  # not given: kept
    assert changed.json()["variants"][0]["parts"] == ["New text"]
    # an owner may change anyone's
    assert alice_api.patch(f"/workspaces/acme/posts/{bobs['id']}", {}).status_code == 200


def test_a_client_viewer_reads_posts_but_cannot_create_one(make_user, acme, alice_api, bluesky):
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    created = draft(alice_api, bluesky)
    viewer_api = session_api(viewer)  # a client viewer may not make tokens
    assert viewer_api.get(f"/workspaces/acme/posts/{created['id']}").status_code == 200
    assert viewer_api.get("/workspaces/acme/posts").json()["total"] == 1
    refused = viewer_api.post(
        "/workspaces/acme/posts",
        {"purpose": "x", "variants": [{"channel_id": bluesky.pk, "parts": ["Hi"]}]},
    )
    assert refused.status_code == 403
    assert "Client viewer" in refused.json()["detail"]
    assert Post.objects.count() == 1


def test_another_workspaces_post_and_channel_are_not_found(alice_api, charlie, globex, bluesky):
    created = draft(alice_api, bluesky)
    charlie_api = token_api(charlie, globex)
    elsewhere = charlie_api.get(f"/workspaces/globex/posts/{created['id']}")
    assert elsewhere.status_code == 404
    # The answer names neither the model nor anything about the other workspace.
    assert elsewhere.json() == {
        "detail": "Not found: check the id; it must be one of this workspace's."
    }
    assert charlie_api.get(f"/workspaces/acme/posts/{created['id']}").status_code == 404
    stolen = charlie_api.post(
        "/workspaces/globex/posts",
        {"purpose": "x", "variants": [{"channel_id": bluesky.pk, "parts": ["Hi"]}]},
    )
    assert stolen.status_code == 400
    assert stolen.json()["field"] == "variants.0.channel_id"
    assert Post.objects.count() == 1
