"""Accepting an invitation: signed in, with an account but signed out, or new to Hubbub."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.actions.members import invite_member, revoke_invitation
from hubbub.core.models import AuditEntry, Invitation, Membership, Workspace
from hubbub.core.roles import Role
from tests.conftest import PASSWORD, signed_in
from tests.web.conftest import signed_in_user_id, text

NEW_PASSWORD = "Dana's own long passphrase"


def invite(workspace: Workspace, inviter: User, email: str, role: str = Role.EDITOR) -> str:
    _invitation, raw = invite_member(access_workspace(inviter, workspace.slug), email, role)
    return f"/accounts/invitation/{raw}/"


def member_role(workspace: Workspace, email: str) -> str | None:
    membership = Membership.objects.filter(workspace=workspace, user__email=email).first()
    return membership.role if membership else None


def test_a_signed_in_person_accepts_with_one_click(acme, alice, charlie):
    url = invite(acme, alice, "charlie@example.com", Role.ANALYST)
    client = signed_in(charlie)
    page = client.get(url)
    assert page.status_code == 200
    assert "Join Acme" in text(page)
    assert "This invitation is for charlie@example.com, as Analyst." in text(page)
    assert "Accept the invitation" in text(page)
    assert member_role(acme, "charlie@example.com") is None  # looking is not accepting

    response = client.post(url)
    assert response["Location"] == "/w/acme/"
    assert member_role(acme, "charlie@example.com") == Role.ANALYST
    assert Invitation.objects.get().accepted_at is not None
    entry = AuditEntry.objects.get(action="member.join")
    assert (entry.actor, entry.workspace, entry.after) == (charlie, acme, {"role": "analyst"})
    assert client.get("/w/acme/").status_code == 200

    used = client.get(url)
    assert used.status_code == 410
    assert "This invitation has already been accepted." in text(used)


def test_an_existing_account_signed_out_is_sent_to_sign_in_first(acme, alice, charlie):
    url = invite(acme, alice, "Charlie@Example.com")
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert "You already have an account." in text(page)
    login_url = f"/accounts/login/?next={url}"
    assert f'href="{login_url}"' in page.content.decode()
    assert 'name="password1"' not in page.content.decode()

    response = client.post(
        login_url, {"username": "charlie@example.com", "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url
    client.post(url)
    assert member_role(acme, "charlie@example.com") == Role.EDITOR
    assert User.objects.filter(email="charlie@example.com").count() == 1


def test_a_new_person_creates_an_account_and_joins(acme, alice):
    url = invite(acme, alice, "dana@example.com", Role.MODERATOR)
    client = Client()
    page = client.get(url)
    assert "Create your account to join." in text(page)
    for field in ("full_name", "password1", "password2"):
        assert f'name="{field}"' in page.content.decode()

    response = client.post(
        url, {"full_name": "Dana Lopez", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/w/acme/"
    dana = User.objects.get(email="dana@example.com")
    assert dana.full_name == "Dana Lopez"
    assert signed_in_user_id(client) == str(dana.pk)
    assert authenticate(username="dana@example.com", password=NEW_PASSWORD) == dana
    assert member_role(acme, "dana@example.com") == Role.MODERATOR


@pytest.mark.parametrize(
    ("one", "two", "error"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords differ."),
        ("password", "password", "This password is too common."),
        ("dana@example.com", "dana@example.com", "The password is too similar to the"),
    ],
)
def test_a_new_person_with_a_bad_password_sees_why_and_nothing_is_saved(
    acme, alice, one, two, error
):
    url = invite(acme, alice, "dana@example.com")
    response = Client().post(url, {"full_name": "Dana", "password1": one, "password2": two})
    assert response.status_code == 200
    assert error in text(response)
    assert not User.objects.filter(email="dana@example.com").exists()
    assert Invitation.objects.get().accepted_at is None


def test_the_wrong_account_is_told_and_nothing_changes(acme, alice, charlie):
    url = invite(acme, alice, "dana@example.com")
    client = signed_in(charlie)
    response = client.post(url)
    assert response.status_code == 400
    assert (
        "This invitation is for dana@example.com, but you are signed in as charlie@example.com. "
        "Sign out and open the link again." in text(response)
    )
    assert member_role(acme, "charlie@example.com") is None
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_invitation_is_refused(acme, alice):
    url = invite(acme, alice, "dana@example.com")
    with time_machine.travel(timezone.now() + Invitation.VALID_FOR + timedelta(minutes=1)):
        response = Client().get(url)
        assert response.status_code == 410
        assert "This invitation has expired; ask the person who invited you to resend it." in (
            text(response)
        )
        response = Client().post(
            url, {"full_name": "Dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 410
    assert not User.objects.filter(email="dana@example.com").exists()


def test_a_revoked_invitation_is_refused(acme, alice, charlie):
    url = invite(acme, alice, "charlie@example.com")
    revoke_invitation(access_workspace(alice, "acme"), Invitation.objects.get())
    client = signed_in(charlie)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 410
        assert "This invitation link is not valid." in text(response)
    assert member_role(acme, "charlie@example.com") is None


def test_an_unknown_token_is_refused(db):
    response = Client().get("/accounts/invitation/not-a-real-token/")
    assert response.status_code == 410
    assert "This invitation link is not valid." in text(response)
