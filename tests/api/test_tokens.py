"""GET/POST /api/workspaces/{slug}/tokens and DELETE .../tokens/{id}."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from hubbub.core.models import ApiToken, AuditEntry, Membership
from hubbub.core.roles import Role
from tests.api.conftest import Api, session_api, token_api

NOW = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)


def test_it_creates_a_token_and_shows_it_once(bob, acme):
    api = session_api(bob)
    with time_machine.travel(NOW, tick=False):
        response = api.post("/workspaces/acme/tokens", {"name": "reporting script"})
    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get()
    assert body == {
        "id": token.pk,
        "name": "reporting script",
        "role": "editor",
        "hint": token.hint,
        "owner": "bob@example.com",
        "created_at": "2025-02-01T09:00:00+01:00",
        "last_used_at": None,
        "revoked_at": None,
        "token": body["token"],
    }
    assert body["token"].startswith("hbb_") and body["token"].startswith(token.hint)
    assert token.token_hash != body["token"]  # only the hash is kept
    assert "token" not in api.get("/workspaces/acme/tokens").json()[0]
    assert Api(api.client, body["token"]).get("/me").json()["token"]["role"] == "editor"


def test_it_creates_a_token_with_a_lower_role(bob, acme):
    response = session_api(bob).post("/workspaces/acme/tokens", {"name": "r", "role": "analyst"})
    assert response.json()["role"] == "analyst"


def test_a_token_cannot_hold_a_role_above_its_owners(bob, acme):
    response = session_api(bob).post("/workspaces/acme/tokens", {"name": "r", "role": "owner"})
    assert response.status_code == 403
    assert response.json() == {"detail": "A token cannot hold a role above your own."}
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name(bob, acme):
    response = session_api(bob).post("/workspaces/acme/tokens", {"name": "  "})
    assert response.status_code == 400
    assert response.json()["field"] == "name"


def test_a_client_viewer_cannot_have_tokens(make_user, acme):
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    response = session_api(viewer).post("/workspaces/acme/tokens", {"name": "r"})
    assert response.status_code == 403
    assert "Client viewer" in response.json()["detail"]


def test_members_see_their_own_tokens_and_owners_see_all(alice, bob, acme):
    token_api(alice, acme)
    bob_api = token_api(bob, acme)
    assert [t["owner"] for t in bob_api.get("/workspaces/acme/tokens").json()] == [
        "bob@example.com"
    ]
    owners_view = session_api(alice).get("/workspaces/acme/tokens").json()
    assert sorted(t["owner"] for t in owners_view) == ["alice@example.com", "bob@example.com"]


def test_it_revokes_a_token(bob, acme):
    api = token_api(bob, acme)
    token = ApiToken.objects.get()
    response = session_api(bob).delete(f"/workspaces/acme/tokens/{token.pk}")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1
    assert api.get("/me").status_code == 401


def test_a_token_can_revoke_itself(bob, acme):
    api = token_api(bob, acme)
    token = ApiToken.objects.get()
    assert api.delete(f"/workspaces/acme/tokens/{token.pk}").status_code == 204
    assert api.get("/me").status_code == 401


def test_an_editor_cannot_revoke_someone_elses_token(alice, bob, acme):
    token_api(alice, acme)
    alices = ApiToken.objects.get(user=alice)
    response = session_api(bob).delete(f"/workspaces/acme/tokens/{alices.pk}")
    assert response.status_code == 403
    alices.refresh_from_db()
    assert alices.revoked_at is None


def test_an_owner_can_revoke_a_members_token(alice, bob, acme):
    token_api(bob, acme)
    bobs = ApiToken.objects.get(user=bob)
    assert session_api(alice).delete(f"/workspaces/acme/tokens/{bobs.pk}").status_code == 204
