"""The API tokens page: a token is shown once, stored as a hash, and can be revoked."""

from __future__ import annotations

import hashlib
import re

from django.test import Client

from hubbub.core.access import access_workspace
from hubbub.core.actions.tokens import authenticate_token, create_token
from hubbub.core.models import ApiToken, AuditEntry
from hubbub.core.roles import Role
from tests.conftest import signed_in
from tests.web.conftest import messages_of, text


def shown_token(response) -> str | None:
    match = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode())
    return match.group(1) if match else None


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(acme, alice):
    client = signed_in(alice)
    response = client.post("/w/acme/tokens/", {"name": "reporting script", "role": Role.ANALYST})
    assert response.status_code == 200
    raw = shown_token(response)
    assert raw is not None and raw.startswith("hbb_")
    assert "Copy this token now: it is shown only once." in text(response)
    token = ApiToken.objects.get()
    assert (token.name, token.role, token.user) == ("reporting script", Role.ANALYST, alice)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values().get().values()]
    assert not any(raw in value for value in stored)
    assert authenticate_token(raw) == token
    entry = AuditEntry.objects.get(action="token.create")
    assert raw not in str(entry.after) and raw not in entry.object_label

    again = client.get("/w/acme/tokens/")
    assert shown_token(again) is None
    assert raw not in again.content.decode()
    assert f"{token.hint}…" in text(again)
    assert "reporting script" in text(again)


def test_a_token_without_a_name_is_refused_on_the_page(acme, alice):
    response = signed_in(alice).post("/w/acme/tokens/", {"name": "", "role": Role.OWNER})
    assert "This field is required." in text(response)
    assert shown_token(response) is None
    assert not ApiToken.objects.exists()


def test_a_token_cannot_hold_more_than_my_role(acme, bob):
    client = signed_in(bob)
    page = client.get("/w/acme/tokens/").content.decode()
    assert '<option value="owner"' not in page
    assert '<option value="editor" selected>' in page
    response = client.post("/w/acme/tokens/", {"name": "escalate", "role": Role.OWNER})
    assert "Select a valid choice. owner is not one of the available choices." in text(response)
    assert not ApiToken.objects.exists()


def test_a_token_is_revoked_and_stops_working(acme, alice):
    client = signed_in(alice)
    raw = shown_token(client.post("/w/acme/tokens/", {"name": "cron", "role": Role.EDITOR}))
    token = ApiToken.objects.get()
    bearer = {"Authorization": f"Bearer {raw}"}
    assert Client().get("/api/workspaces/acme", headers=bearer).status_code == 200
    response = client.post(f"/w/acme/tokens/{token.pk}/revoke/")
    assert response["Location"] == "/w/acme/tokens/"
    assert messages_of(response) == ["Token cron revoked."]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert authenticate_token(raw or "") is None
    assert AuditEntry.objects.filter(action="token.revoke", object_id=str(token.pk)).exists()
    page = client.get("/w/acme/tokens/")
    assert "revoked" in text(page)
    assert f"/w/acme/tokens/{token.pk}/revoke/" not in page.content.decode()
    assert Client().get("/api/workspaces/acme", headers=bearer).status_code == 401


def test_people_see_their_own_tokens_and_owners_see_all(acme, alice, bob):
    create_token(access_workspace(alice, "acme"), "alice's script")
    bobs, _raw = create_token(access_workspace(bob, "acme"), "bob's script")
    assert "alice's script" not in text(signed_in(bob).get("/w/acme/tokens/"))
    assert "bob's script" in text(signed_in(bob).get("/w/acme/tokens/"))
    owner_view = text(signed_in(alice).get("/w/acme/tokens/"))
    assert "alice's script" in owner_view and "bob's script" in owner_view
    # The owner may revoke bob's token; bob may not revoke the owner's.
    alices = ApiToken.objects.get(name="alice's script")
    assert signed_in(bob).post(f"/w/acme/tokens/{alices.pk}/revoke/").status_code == 403
    alices.refresh_from_db()
    assert alices.revoked_at is None
    signed_in(alice).post(f"/w/acme/tokens/{bobs.pk}/revoke/")
    bobs.refresh_from_db()
    assert bobs.revoked_at is not None


def test_a_token_of_another_workspace_is_not_found(acme, alice, globex, charlie):
    theirs, _raw = create_token(access_workspace(charlie, "globex"), "globex script")
    assert signed_in(alice).post(f"/w/acme/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
