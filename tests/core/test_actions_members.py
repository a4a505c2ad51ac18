"""hubbub.core.actions.members: invitations, joining, role changes, removal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError, access_workspace
from hubbub.core.actions import members
from hubbub.core.actions.tokens import create_token
from hubbub.core.models import AuditEntry, Invitation, Membership
from hubbub.core.roles import Role

NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def owner(alice, acme):
    return access_workspace(alice, "acme")


def membership(email: str) -> Membership:
    return Membership.objects.select_related("user").get(user__email=email)


def add_member(make_user, workspace, email: str, role: str) -> Membership:
    return Membership.objects.create(workspace=workspace, user=make_user(email), role=role)


# --- invite -------------------------------------------------------------------------------


def test_invite_saves_audits_and_mails_the_link(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(NOW, tick=False):
        invitation, raw = members.invite_member(owner, " Dan@Example.com ", Role.ANALYST)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "dan@example.com",
        "analyst",
        owner.user,
    )
    assert invitation.expires_at == NOW + timedelta(days=7)
    assert invitation.token_hash == Invitation.hash_token(raw) != raw
    entry = AuditEntry.objects.get(action="member.invite")
    assert (entry.object_label, entry.before, entry.after) == (
        "dan@example.com",
        {},
        {"email": "dan@example.com", "role": "analyst"},
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dan@example.com"]
    assert members.invitation_url(raw) in mail.outbox[0].body


def test_invite_sends_nothing_when_the_transaction_fails(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        members.invite_member(owner, "dan@example.com", Role.EDITOR)
    assert len(callbacks) == 1  # the e-mail waits for the commit
    assert mail.outbox == []


def test_a_duplicate_invitation_is_refused(owner):
    members.invite_member(owner, "dan@example.com", Role.EDITOR)
    with pytest.raises(ActionError) as caught:
        members.invite_member(owner, "DAN@example.com", Role.ANALYST)
    assert caught.value.field == "email"
    assert "send that invitation again or revoke it first" in caught.value.message
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(owner):
    with time_machine.travel(NOW, tick=False):
        members.invite_member(owner, "dan@example.com", Role.EDITOR)
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        members.invite_member(owner, "dan@example.com", Role.EDITOR)
    assert Invitation.objects.count() == 2


def test_inviting_a_member_is_refused(owner):
    with pytest.raises(ActionError, match=re.escape("bob@example.com is already a member of Acme")):
        members.invite_member(owner, "Bob@example.com", Role.EDITOR)


def test_a_bad_address_is_refused(owner):
    with pytest.raises(ActionError) as caught:
        members.invite_member(owner, "not an address", Role.EDITOR)
    assert caught.value.field == "email"


def test_an_unknown_role_is_refused(owner):
    with pytest.raises(ActionError) as caught:
        members.invite_member(owner, "dan@example.com", "superuser")
    assert caught.value.field == "role"


def test_nobody_grants_a_role_above_their_own(make_user, acme):
    add_member(make_user, acme, "manager@example.com", Role.MANAGER)
    manager = access_workspace(membership("manager@example.com").user, "acme")
    with pytest.raises(PermissionDenied, match="above your own"):
        members.invite_member(manager, "dan@example.com", Role.OWNER)
    assert not Invitation.objects.exists()


def test_an_editor_cannot_invite(bob, acme):
    with pytest.raises(
        PermissionDenied, match=r"Your role \(Editor\) does not allow members.invite"
    ):
        members.invite_member(access_workspace(bob, "acme"), "dan@example.com", Role.EDITOR)


# --- accept -------------------------------------------------------------------------------


def test_accepting_makes_a_member_with_the_invited_role(owner, make_user):
    _invitation, raw = members.invite_member(owner, "dan@example.com", Role.MODERATOR)
    dan = make_user("dan@example.com")
    joined = members.accept_invitation(dan, raw)
    assert (joined.workspace.slug, joined.role) == ("acme", "moderator")
    assert Invitation.objects.get().status == "accepted"
    entry = AuditEntry.objects.get(action="member.join")
    assert (entry.actor, entry.after) == (dan, {"role": "moderator"})


def test_accepting_twice_keeps_one_membership(owner, make_user):
    _invitation, raw = members.invite_member(owner, "dan@example.com", Role.EDITOR)
    dan = make_user("dan@example.com")
    first = members.accept_invitation(dan, raw)
    assert members.accept_invitation(dan, raw) == first
    assert Membership.objects.filter(user=dan).count() == 1


def test_an_invitation_is_for_its_address_only(owner, make_user):
    _invitation, raw = members.invite_member(owner, "dan@example.com", Role.EDITOR)
    with pytest.raises(ActionError, match=re.escape("This invitation is for dan@example.com")):
        members.accept_invitation(make_user("eve@example.com"), raw)
    assert Invitation.objects.get().status == "pending"


def test_an_expired_invitation_cannot_be_accepted(owner, make_user):
    with time_machine.travel(NOW, tick=False):
        _invitation, raw = members.invite_member(owner, "dan@example.com", Role.EDITOR)
    with (
        time_machine.travel(NOW + timedelta(days=7, seconds=1), tick=False),
        pytest.raises(ActionError, match="expired"),
    ):
        members.accept_invitation(make_user("dan@example.com"), raw)


def test_a_revoked_invitation_cannot_be_accepted(owner, make_user):
    invitation, raw = members.invite_member(owner, "dan@example.com", Role.EDITOR)
    members.revoke_invitation(owner, invitation)
    with pytest.raises(ActionError, match="not valid"):
        members.accept_invitation(make_user("dan@example.com"), raw)
    assert not Membership.objects.filter(user__email="dan@example.com").exists()


def test_an_unknown_link_is_refused(alice):
    with pytest.raises(ActionError, match="not valid"):
        members.accept_invitation(alice, "made-up")


def test_resending_replaces_the_link(owner, make_user):
    invitation, old = members.invite_member(owner, "dan@example.com", Role.EDITOR)
    new = members.resend_invitation(owner, invitation)
    assert new != old
    dan = make_user("dan@example.com")
    with pytest.raises(ActionError):
        members.accept_invitation(dan, old)
    assert members.accept_invitation(dan, new).role == "editor"
    assert AuditEntry.objects.filter(action="member.invite_resend").count() == 1


def test_an_accepted_invitation_cannot_be_resent_or_revoked(owner, make_user):
    invitation, raw = members.invite_member(owner, "dan@example.com", Role.EDITOR)
    members.accept_invitation(make_user("dan@example.com"), raw)
    invitation.refresh_from_db()
    with pytest.raises(ActionError, match="accepted"):
        members.resend_invitation(owner, invitation)
    with pytest.raises(ActionError, match="accepted"):
        members.revoke_invitation(owner, invitation)


def test_another_workspaces_invitation_is_refused(owner, charlie, globex):
    theirs, _raw = members.invite_member(
        access_workspace(charlie, "globex"), "dan@example.com", Role.EDITOR
    )
    with pytest.raises(PermissionDenied):
        members.revoke_invitation(owner, theirs)
    with pytest.raises(PermissionDenied):
        members.resend_invitation(owner, theirs)
    assert Invitation.objects.get().status == "pending"


# --- role change --------------------------------------------------------------------------


def test_a_role_change_is_audited_with_before_and_after(owner):
    changed = members.change_role(owner, membership("bob@example.com"), Role.MANAGER)
    assert changed.role == "manager"
    assert membership("bob@example.com").role == "manager"
    entry = AuditEntry.objects.get(action="member.role_change")
    assert (entry.object_label, entry.before, entry.after) == (
        "bob@example.com",
        {"role": "editor"},
        {"role": "manager"},
    )


def test_the_same_role_changes_nothing(owner):
    members.change_role(owner, membership("bob@example.com"), Role.EDITOR)
    assert not AuditEntry.objects.filter(action="member.role_change").exists()


def test_the_last_owner_keeps_the_role(owner):
    with pytest.raises(ActionError, match="only owner"):
        members.change_role(owner, membership("alice@example.com"), Role.MANAGER)
    assert membership("alice@example.com").role == "owner"


def test_an_owner_may_step_down_when_another_owner_exists(owner):
    members.change_role(owner, membership("bob@example.com"), Role.OWNER)
    members.change_role(owner, membership("alice@example.com"), Role.MANAGER)
    assert membership("alice@example.com").role == "manager"


def test_a_manager_cannot_change_an_owner(make_user, acme):
    add_member(make_user, acme, "manager@example.com", Role.MANAGER)
    manager = access_workspace(membership("manager@example.com").user, "acme")
    with pytest.raises(PermissionDenied, match="above your own role"):
        members.change_role(manager, membership("alice@example.com"), Role.EDITOR)


def test_another_workspaces_member_is_refused(owner, globex):
    with pytest.raises(PermissionDenied):
        members.change_role(owner, membership("charlie@example.com"), Role.EDITOR)
    assert membership("charlie@example.com").role == "owner"


# --- remove -------------------------------------------------------------------------------


def test_removing_a_member_revokes_their_tokens_and_is_audited(owner, bob):
    token, _raw = create_token(access_workspace(bob, "acme"), "bot")
    members.remove_member(owner, membership("bob@example.com"))
    assert not Membership.objects.filter(user=bob).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="member.remove")
    assert entry.before == {"email": "bob@example.com", "role": "editor"}


def test_a_member_may_leave(bob, acme):
    members.remove_member(access_workspace(bob, "acme"), membership("bob@example.com"))
    assert not Membership.objects.filter(user=bob).exists()


def test_an_editor_cannot_remove_others(bob, acme):
    with pytest.raises(PermissionDenied):
        members.remove_member(access_workspace(bob, "acme"), membership("alice@example.com"))


def test_the_last_owner_cannot_leave(owner):
    with pytest.raises(ActionError, match="only owner"):
        members.remove_member(owner, membership("alice@example.com"))
    assert Membership.objects.filter(user__email="alice@example.com").exists()


def test_a_manager_cannot_remove_an_owner(make_user, acme):
    add_member(make_user, acme, "manager@example.com", Role.MANAGER)
    manager = access_workspace(membership("manager@example.com").user, "acme")
    with pytest.raises(PermissionDenied):
        members.remove_member(manager, membership("alice@example.com"))
