"""The members page: invite, change roles, remove, leave; the last owner always stays."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.test import Client

from hubbub.core.models import AuditEntry, Invitation, Membership, Workspace
from hubbub.core.roles import Role
from tests.conftest import signed_in
from tests.web.conftest import count, messages_of, text


def membership(workspace: Workspace, email: str) -> Membership:
    return Membership.objects.get(workspace=workspace, user__email=email)


def test_it_lists_the_members_with_their_roles(acme, alice):
    response = signed_in(alice).get("/w/acme/members/")
    assert response.status_code == 200
    assert count(response, "member-row") == 2
    page = text(response)
    assert "Alice Martin alice@example.com" in page
    assert "Bob Durand bob@example.com" in page


def test_an_invitation_is_emailed_with_its_link(acme, alice, django_capture_on_commit_callbacks):
    client = signed_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/w/acme/members/", {"email": "Dana@Example.com", "role": Role.MODERATOR}
        )
    assert response["Location"] == "/w/acme/members/"
    assert messages_of(response) == ["Invitation sent to dana@example.com."]
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "dana@example.com",
        Role.MODERATOR,
        alice,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.com"]
    assert message.subject == "You are invited to Acme on Hubbub"
    assert "Alice Martin invites you to join Acme on Hubbub as Moderator." in message.body
    link = next(line for line in message.body.splitlines() if "/accounts/invitation/" in line)
    assert link.startswith(settings.BASE_URL + "/accounts/invitation/")
    assert Invitation.hash_token(link.rstrip("/").rsplit("/", 1)[1]) == invitation.token_hash
    # The link in the e-mail opens the invitation.
    page = Client().get(link.removeprefix(settings.BASE_URL))
    assert page.status_code == 200
    assert "Join Acme" in text(page)
    listed = client.get("/w/acme/members/")
    assert count(listed, "invitation-row") == 1


def test_an_invitation_email_shows_names_as_written(alice, django_capture_on_commit_callbacks):
    # A plain-text e-mail must not carry HTML escapes such as &amp; or &#x27;.
    workspace = Workspace.objects.create(name="Ben & Jerry's <Fans>", slug="bj")
    Membership.objects.create(workspace=workspace, user=alice, role=Role.OWNER)
    alice.full_name = 'Alice "Al" O\'Hara'
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(alice).post("/w/bj/members/", {"email": "dana@example.com", "role": Role.EDITOR})
    message = mail.outbox[0]
    assert message.subject == "You are invited to Ben & Jerry's <Fans> on Hubbub"
    assert "Alice \"Al\" O'Hara invites you to join Ben & Jerry's <Fans> on Hubbub" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body


def test_a_duplicate_invitation_is_refused_on_the_page_and_nothing_is_saved(
    acme, alice, django_capture_on_commit_callbacks
):
    client = signed_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/w/acme/members/", {"email": "dana@example.com", "role": Role.EDITOR})
        response = client.post(
            "/w/acme/members/", {"email": "DANA@example.com", "role": Role.ANALYST}
        )
    assert response.status_code == 400
    page = text(response)
    assert "dana@example.com was already invited on " in page
    assert "send that invitation again or revoke it first." in page
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().role == Role.EDITOR
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="member.invite").count() == 1


def test_inviting_a_member_says_so(acme, alice):
    response = signed_in(alice).post(
        "/w/acme/members/", {"email": "bob@example.com", "role": Role.EDITOR}
    )
    assert response.status_code == 400
    assert "bob@example.com is already a member of Acme." in text(response)
    assert not Invitation.objects.exists()


def test_a_bad_address_is_shown_next_to_the_field(acme, alice):
    response = signed_in(alice).post("/w/acme/members/", {"email": "dana", "role": Role.EDITOR})
    assert response.status_code == 400
    assert "Enter a valid email address." in text(response)
    assert not Invitation.objects.exists()


def test_an_editor_cannot_invite(acme, bob):
    client = signed_in(bob)
    page = client.get("/w/acme/members/")
    assert page.status_code == 200
    assert "Invite someone" not in text(page)
    response = client.post("/w/acme/members/", {"email": "dana@example.com", "role": Role.EDITOR})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_an_invitation_can_be_revoked(acme, alice):
    client = signed_in(alice)
    client.post("/w/acme/members/", {"email": "dana@example.com", "role": Role.EDITOR})
    invitation = Invitation.objects.get()
    response = client.post(f"/w/acme/invitations/{invitation.pk}/revoke/")
    assert messages_of(response) == ["Invitation to dana@example.com revoked."]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert count(client.get("/w/acme/members/"), "invitation-row") == 0
    assert client.post(f"/w/acme/invitations/{invitation.pk}/delete/").status_code == 404


def test_an_owner_changes_a_role(acme, alice):
    bob = membership(acme, "bob@example.com")
    response = signed_in(alice).post(f"/w/acme/members/{bob.pk}/role/", {"role": Role.MANAGER})
    assert response["Location"] == "/w/acme/members/"
    assert messages_of(response) == ["bob@example.com is now Manager."]
    bob.refresh_from_db()
    assert bob.role == Role.MANAGER
    entry = AuditEntry.objects.get(action="member.role_change")
    assert (entry.before, entry.after, entry.object_label) == (
        {"role": "editor"},
        {"role": "manager"},
        "bob@example.com",
    )


def test_the_last_owner_cannot_be_demoted_or_removed(acme, alice):
    client = signed_in(alice)
    mine = membership(acme, "alice@example.com")
    response = client.post(f"/w/acme/members/{mine.pk}/role/", {"role": Role.EDITOR})
    assert messages_of(response) == [
        "This is the workspace's only owner: make someone else owner first."
    ]
    response = client.post(f"/w/acme/members/{mine.pk}/remove/")
    assert response["Location"] == "/w/acme/members/"
    assert messages_of(response) == [
        "This is the workspace's only owner: make someone else owner first."
    ]
    mine.refresh_from_db()
    assert mine.role == Role.OWNER
    assert not AuditEntry.objects.filter(action__in=["member.role_change", "member.remove"])


def test_with_a_second_owner_the_first_may_step_down(acme, alice):
    bob = membership(acme, "bob@example.com")
    client = signed_in(alice)
    client.post(f"/w/acme/members/{bob.pk}/role/", {"role": Role.OWNER})
    mine = membership(acme, "alice@example.com")
    response = client.post(f"/w/acme/members/{mine.pk}/role/", {"role": Role.MANAGER})
    assert messages_of(response) == ["alice@example.com is now Manager."]


def test_an_owner_removes_a_member(acme, alice):
    bob = membership(acme, "bob@example.com")
    response = signed_in(alice).post(f"/w/acme/members/{bob.pk}/remove/")
    assert messages_of(response) == ["bob@example.com was removed."]
    assert not Membership.objects.filter(pk=bob.pk).exists()
    entry = AuditEntry.objects.get(action="member.remove")
    assert entry.before == {"email": "bob@example.com", "role": "editor"}


def test_a_member_leaves(acme, bob):
    mine = membership(acme, "bob@example.com")
    client = signed_in(bob)
    response = client.post(f"/w/acme/members/{mine.pk}/remove/")
    assert response["Location"] == "/"
    assert messages_of(response) == ["You left Acme."]
    assert not Membership.objects.filter(pk=mine.pk).exists()
    assert client.get("/w/acme/").status_code == 404


def test_an_editor_cannot_change_or_remove_others(acme, bob):
    alice = membership(acme, "alice@example.com")
    client = signed_in(bob)
    assert (
        client.post(f"/w/acme/members/{alice.pk}/role/", {"role": Role.EDITOR}).status_code == 403
    )
    assert client.post(f"/w/acme/members/{alice.pk}/remove/").status_code == 403
    alice.refresh_from_db()
    assert alice.role == Role.OWNER


def test_a_member_of_another_workspace_is_not_found(acme, globex, alice):
    charlie = membership(globex, "charlie@example.com")
    client = signed_in(alice)
    assert client.post(f"/w/acme/members/{charlie.pk}/remove/").status_code == 404
    assert client.post(f"/w/acme/members/{charlie.pk}/role/", {"role": "editor"}).status_code == 404
    assert Membership.objects.filter(pk=charlie.pk).exists()


def test_an_invitation_subject_stays_one_line(alice, django_capture_on_commit_callbacks):
    workspace = Workspace.objects.create(name="Acme\nBcc: eve@example.com", slug="multi")
    Membership.objects.create(workspace=workspace, user=alice, role=Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(alice).post(
            "/w/multi/members/", {"email": "dana@example.com", "role": Role.EDITOR}
        )
    message = mail.outbox[0]
    assert message.subject == "You are invited to Acme Bcc: eve@example.com on Hubbub"
    assert message.recipients() == ["dana@example.com"]


def test_a_manager_is_offered_no_control_over_an_owner(acme, bob):
    Membership.objects.filter(user=bob).update(role=Role.MANAGER)
    page = signed_in(bob).get("/w/acme/members/").content.decode()
    alice_row = next(row for row in page.split('data-testid="member-row"') if "alice@" in row)
    assert "<select" not in alice_row  # no role menu that would show a wrong role
    assert "Owner" in alice_row
    assert "/remove/" not in alice_row
