"""A paid partnership through the API: said when drafting or editing, read back on the post,
and the disclosure guardrail (block by default) refusing to schedule it undisclosed."""

from __future__ import annotations

from hubbub.core.models import AuditEntry
from hubbub.curation.models import Sponsorship
from tests.api.test_posts import bluesky, clock, draft

__all__ = ["bluesky", "clock"]  # fixtures


def test_a_post_drafted_as_a_paid_partnership_must_say_so_to_be_scheduled(
    alice_api, bluesky, clock
):
    response = alice_api.post(
        "/workspaces/acme/posts",
        {
            "purpose": "the roaster's new blend",
            "sponsored_by": "Kalita",
            "variants": [{"channel_id": bluesky.pk, "parts": ["Our new blend is here!"]}],
        },
    )
    assert response.status_code == 201, response.content
    post = response.json()
    assert post["sponsored_by"] == "Kalita"
    assert Sponsorship.objects.get(post_id=post["id"]).partner == "Kalita"
    assert AuditEntry.objects.filter(action="post.sponsorship").count() == 1

    refused = alice_api.post(
        f"/workspaces/acme/posts/{post['id']}/schedule", {"at": "2026-06-01T09:30:00"}
    )
    assert refused.status_code == 400
    assert "#ad" in refused.json()["detail"] or "disclos" in refused.json()["detail"].lower()

    disclosed = alice_api.patch(
        f"/workspaces/acme/posts/{post['id']}",
        {"variants": [{"channel_id": bluesky.pk, "parts": ["Our new blend is here! #ad"]}]},
    )
    assert disclosed.status_code == 200, disclosed.content
    scheduled = alice_api.post(
        f"/workspaces/acme/posts/{post['id']}/schedule", {"at": "2026-06-01T09:30:00"}
    )
    assert scheduled.status_code == 200, scheduled.content


def test_an_edit_says_it_is_no_longer_a_partnership_and_omitting_it_keeps_it(
    alice_api, bluesky, clock
):
    post = draft(alice_api, bluesky, "Spring sale!")
    assert post["sponsored_by"] is None
    marked = alice_api.patch(f"/workspaces/acme/posts/{post['id']}", {"sponsored_by": "Kalita"})
    assert marked.json()["sponsored_by"] == "Kalita"
    kept = alice_api.patch(f"/workspaces/acme/posts/{post['id']}", {"purpose": "sale"})
    assert kept.json()["sponsored_by"] == "Kalita"
    cleared = alice_api.patch(f"/workspaces/acme/posts/{post['id']}", {"sponsored_by": ""})
    assert cleared.json()["sponsored_by"] is None
    assert not Sponsorship.objects.exists()
