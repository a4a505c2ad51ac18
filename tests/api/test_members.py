"""Members and invitations through the API."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.core import mail

from hubbub.core.models import AuditEntry, Invitation, Membership
from hubbub.core.roles import Role
from tests.api.conftest import session_api, token_api

NOW = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def bob_membership() -> Membership:
    return Membership.objects.get(user__email="bob@example.com")


def test_it_lists_members(alice_api, acme):
    with time_machine.travel(NOW, tick=False):
        Membership.objects.filter(workspace=acme).update(created_at=NOW)
    response = alice_api.get("/workspaces/acme/members")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": Membership.objects.get(user__email="alice@example.com").pk,
            "email": "alice@example.com",
            "name": "Alice Martin",
            "role": "owner",
            "joined_at": "2025-01-15T10:00:00+01:00",
        },
        {
            "id": bob_membership().pk,
            "email": "bob@example.com",
            "name": "Bob Durand",
            "role": "editor",
            "joined_at": "2025-01-15T10:00:00+01:00",
        },
    ]


def test_a_client_viewer_cannot_list_members(make_user, acme):
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    response = session_api(viewer).get("/workspaces/acme/members")
    assert response.status_code == 403
    assert "Client viewer" in response.json()["detail"]


def test_it_changes_a_role(alice_api, acme):
    response = alice_api.patch(
        f"/workspaces/acme/members/{bob_membership().pk}", {"role": "manager"}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    assert bob_membership().role == "manager"
    entry = AuditEntry.objects.get(action="member.role_change")
    assert (entry.before, entry.after, entry.via) == (
        {"role": "editor"},
        {"role": "manager"},
        "api",
    )


def test_it_refuses_an_unknown_role(alice_api, acme):
    response = alice_api.patch(f"/workspaces/acme/members/{bob_membership().pk}", {"role": "king"})
    assert response.status_code == 400
    assert response.json()["field"] == "role"
    assert bob_membership().role == "editor"


def test_it_keeps_the_last_owner(alice_api, acme):
    alice = Membership.objects.get(user__email="alice@example.com")
    response = alice_api.patch(f"/workspaces/acme/members/{alice.pk}", {"role": "editor"})
    assert response.status_code == 400
    assert "only owner" in response.json()["detail"]


def test_an_editor_cannot_change_roles(bob_api, acme):
    response = bob_api.patch(f"/workspaces/acme/members/{bob_membership().pk}", {"role": "owner"})
    assert response.status_code == 403
    assert bob_membership().role == "editor"


def test_it_answers_404_for_an_unknown_member(alice_api, acme):
    response = alice_api.patch("/workspaces/acme/members/999999", {"role": "editor"})
    assert response.status_code == 404


def test_it_removes_a_member(alice_api, acme):
    response = alice_api.delete(f"/workspaces/acme/members/{bob_membership().pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Membership.objects.filter(user__email="bob@example.com").exists()
    assert AuditEntry.objects.get(action="member.remove").before == {
        "email": "bob@example.com",
        "role": "editor",
    }


def test_a_member_may_leave(bob_api, acme):
    assert bob_api.delete(f"/workspaces/acme/members/{bob_membership().pk}").status_code == 204
    assert not Membership.objects.filter(user__email="bob@example.com").exists()


def test_an_editor_cannot_remove_others(bob_api, acme):
    alice = Membership.objects.get(user__email="alice@example.com")
    assert bob_api.delete(f"/workspaces/acme/members/{alice.pk}").status_code == 403
    assert Membership.objects.filter(pk=alice.pk).exists()


def test_it_invites_and_mails_the_link_without_returning_it(
    alice_api, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(
            "/workspaces/acme/invitations", {"email": "Dan@Example.com", "role": "analyst"}
        )
    assert response.status_code == 201
    invitation = Invitation.objects.get()
    body = response.json()
    assert set(body) == {"id", "email", "role", "status", "invited_by", "created_at", "expires_at"}
    assert (body["id"], body["email"], body["role"], body["status"], body["invited_by"]) == (
        invitation.pk,
        "dan@example.com",
        "analyst",
        "pending",
        "alice@example.com",
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dan@example.com"]
    assert "/accounts/invitation/" in mail.outbox[0].body


def test_it_refuses_a_duplicate_invitation(alice_api, acme):
    alice_api.post("/workspaces/acme/invitations", {"email": "dan@example.com", "role": "editor"})
    response = alice_api.post(
        "/workspaces/acme/invitations", {"email": "dan@example.com", "role": "editor"}
    )
    assert response.status_code == 400
    assert "already invited" in response.json()["detail"]
    assert Invitation.objects.count() == 1


def test_it_refuses_to_invite_a_member(alice_api, acme):
    response = alice_api.post(
        "/workspaces/acme/invitations", {"email": "bob@example.com", "role": "editor"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "bob@example.com is already a member of Acme.",
        "field": "email",
    }


def test_a_manager_cannot_invite_an_owner(make_user, acme):
    manager = make_user("manager@example.com")
    Membership.objects.create(workspace=acme, user=manager, role=Role.MANAGER)
    response = token_api(manager, acme).post(
        "/workspaces/acme/invitations", {"email": "dan@example.com", "role": "owner"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_it_lists_pending_invitations(alice_api, acme):
    alice_api.post("/workspaces/acme/invitations", {"email": "dan@example.com", "role": "editor"})
    revoked = alice_api.post(
        "/workspaces/acme/invitations", {"email": "eve@example.com", "role": "editor"}
    ).json()
    alice_api.delete(f"/workspaces/acme/invitations/{revoked['id']}")
    response = alice_api.get("/workspaces/acme/invitations")
    assert [i["email"] for i in response.json()] == ["dan@example.com"]


def test_it_resends_an_invitation_with_a_new_expiry(
    alice_api, acme, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        created = alice_api.post(
            "/workspaces/acme/invitations", {"email": "dan@example.com", "role": "editor"}
        ).json()
    with (
        time_machine.travel(datetime(2025, 1, 20, 9, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = alice_api.post(f"/workspaces/acme/invitations/{created['id']}/resend")
    assert response.status_code == 200
    assert created["expires_at"] == "2025-01-22T10:00:00+01:00"
    assert response.json()["expires_at"] == "2025-01-27T10:00:00+01:00"
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="member.invite_resend").count() == 1


def test_it_revokes_an_invitation(alice_api, acme):
    created = alice_api.post(
        "/workspaces/acme/invitations", {"email": "dan@example.com", "role": "editor"}
    ).json()
    response = alice_api.delete(f"/workspaces/acme/invitations/{created['id']}")
    assert response.status_code == 204
    assert Invitation.objects.get().status == "revoked"
    again = alice_api.delete(f"/workspaces/acme/invitations/{created['id']}")
    assert again.status_code == 400
    assert again.json()["detail"] == "The invitation to dan@example.com is already revoked."


def test_an_editor_cannot_revoke_an_invitation(alice_api, bob_api, acme):
    created = alice_api.post(
        "/workspaces/acme/invitations", {"email": "dan@example.com", "role": "editor"}
    ).json()
    assert bob_api.delete(f"/workspaces/acme/invitations/{created['id']}").status_code == 403
    assert Invitation.objects.get().status == "pending"
