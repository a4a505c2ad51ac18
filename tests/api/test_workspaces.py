"""GET /api/workspaces, POST /api/workspaces, GET/PATCH /api/workspaces/{slug}."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.test import Client

from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from tests.api.conftest import session_api, token_api

NOW = datetime(2025, 3, 30, 7, 30, tzinfo=UTC)  # 09:30 in Paris, the day clocks went forward


def test_it_lists_my_workspaces_with_my_role(bob, acme, globex):
    Membership.objects.create(workspace=globex, user=bob, role=Role.ANALYST)
    response = session_api(bob).get("/workspaces")
    assert response.status_code == 200
    assert [(w["slug"], w["role"]) for w in response.json()] == [
        ("acme", "editor"),
        ("globex", "analyst"),
    ]


def test_a_token_sees_only_its_own_workspace(bob, acme, globex):
    Membership.objects.create(workspace=globex, user=bob, role=Role.ANALYST)
    response = token_api(bob, acme).get("/workspaces")
    assert [w["slug"] for w in response.json()] == ["acme"]


def test_it_shows_one_workspace_with_times_in_its_time_zone(alice, db):
    with time_machine.travel(NOW, tick=False):
        Workspace.objects.create(name="Acme", slug="acme", time_zone="Europe/Paris")
        Membership.objects.create(workspace=Workspace.objects.get(), user=alice, role=Role.OWNER)
    response = session_api(alice).get("/workspaces/acme")
    assert response.status_code == 200
    assert response.json() == {
        "slug": "acme",
        "name": "Acme",
        "time_zone": "Europe/Paris",
        "language": "en",
        "role": "owner",
        "created_at": "2025-03-30T09:30:00+02:00",
    }


def test_it_hides_a_workspace_i_am_not_a_member_of(charlie, acme):
    response = session_api(charlie).get("/workspaces/acme")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such workspace."}


def test_it_creates_a_workspace_from_a_session(charlie, db):
    response = session_api(charlie).post(
        "/workspaces", {"name": "Initech", "time_zone": "Europe/Paris", "language": "fr"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["role"], body["time_zone"], body["language"]) == (
        "initech",
        "owner",
        "Europe/Paris",
        "fr",
    )
    assert Membership.objects.get(workspace__slug="initech").user == charlie
    entry = AuditEntry.objects.get(action="workspace.create")
    assert entry.via == "api"


def test_a_token_cannot_create_a_workspace(alice, acme):
    response = token_api(alice, acme).post("/workspaces", {"name": "Initech"})
    assert response.status_code == 403
    assert "one workspace only" in response.json()["detail"]
    assert not Workspace.objects.filter(name="Initech").exists()


def test_it_explains_a_bad_time_zone(charlie, db):
    response = session_api(charlie).post(
        "/workspaces", {"name": "Initech", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "'Mars/Olympus' is not a time zone: use a name such as Europe/Paris or "
        "America/New_York.",
        "field": "time_zone",
    }
    assert not Workspace.objects.exists()


def test_it_changes_a_workspace(alice_api, acme):
    response = alice_api.patch("/workspaces/acme", {"name": "Acme Corp", "time_zone": "UTC"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["time_zone"]) == ("Acme Corp", "UTC")
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone, acme.language) == ("Acme Corp", "UTC", "en")
    entry = AuditEntry.objects.get(action="workspace.update")
    assert entry.before == {"name": "Acme", "time_zone": "Europe/Paris"}
    assert entry.after == {"name": "Acme Corp", "time_zone": "UTC"}
    assert entry.via == "api"


def test_it_refuses_a_bad_language(alice_api, acme):
    response = alice_api.patch("/workspaces/acme", {"language": "xx"})
    assert response.status_code == 400
    assert response.json()["field"] == "language"


def test_an_editor_cannot_change_the_workspace(bob_api, acme):
    response = bob_api.patch("/workspaces/acme", {"name": "Mine now"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your role (Editor) does not allow workspace.edit in Acme; ask an owner or "
        "manager."
    }
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_an_owner_deletes_a_workspace_by_typing_its_name(alice, acme):
    client = Client()
    client.force_login(alice)
    wrong = client.delete(
        "/api/workspaces/acme", data={"confirm": "acme"}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert "Acme" in wrong.json()["detail"]
    assert Workspace.objects.filter(slug="acme").exists()

    # ninja checks CSRF for session requests; the test client skips it unless asked.
    done = client.delete(
        "/api/workspaces/acme", data={"confirm": "Acme"}, content_type="application/json"
    )
    assert done.status_code == 204
    assert not Workspace.objects.filter(slug="acme").exists()
    entry = AuditEntry.objects.get(action="workspace.delete")
    assert entry.before == {"name": "Acme", "slug": "acme"}
    assert entry.actor == alice


def test_a_manager_cannot_delete_a_workspace(bob, acme):
    Membership.objects.filter(user=bob).update(role="manager")
    client = Client()
    client.force_login(bob)
    response = client.delete(
        "/api/workspaces/acme", data={"confirm": "Acme"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Workspace.objects.filter(slug="acme").exists()
