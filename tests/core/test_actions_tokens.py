"""hubbub.core.actions.tokens: creating, revoking and authenticating API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError, access_workspace
from hubbub.core.actions.tokens import authenticate_token, create_token, revoke_token
from hubbub.core.models import ApiToken, AuditEntry, Membership
from hubbub.core.roles import Role

NOW = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)


def test_a_token_is_stored_hashed_and_audited(bob, acme):
    token, raw = create_token(access_workspace(bob, "acme"), "  reporting  ")
    assert raw.startswith("hbb_") and len(raw) > 40
    assert token.token_hash == ApiToken.hash_token(raw)
    assert raw not in (token.token_hash, token.hint)
    assert (token.name, token.role, token.hint) == ("reporting", "editor", raw[:10])
    entry = AuditEntry.objects.get(action="token.create")
    assert entry.after == {"name": "reporting", "role": "editor"}
    assert raw not in str(entry.after) + entry.object_label


def test_a_token_may_hold_a_lower_role(bob, acme):
    token, _raw = create_token(access_workspace(bob, "acme"), "read-only", Role.ANALYST)
    assert token.role == "analyst"


def test_a_token_cannot_hold_a_higher_role(bob, acme):
    with pytest.raises(PermissionDenied, match="above your own"):
        create_token(access_workspace(bob, "acme"), "sneaky", Role.OWNER)


def test_an_unknown_role_is_refused(bob, acme):
    with pytest.raises(ActionError) as caught:
        create_token(access_workspace(bob, "acme"), "x", "root")
    assert caught.value.field == "role"


def test_a_token_needs_a_name(bob, acme):
    with pytest.raises(ActionError) as caught:
        create_token(access_workspace(bob, "acme"), " ")
    assert caught.value.field == "name"


def test_a_client_viewer_gets_no_token(make_user, acme):
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    with pytest.raises(PermissionDenied):
        create_token(access_workspace(viewer, "acme"), "x")


def test_authenticate_finds_the_token(bob, acme):
    token, raw = create_token(access_workspace(bob, "acme"), "x")
    assert authenticate_token(raw) == token


@pytest.mark.parametrize("raw", ["", "hbb_", "hbb_unknown", "Bearer hbb_x", "abc"])
def test_authenticate_refuses_unknown_values(db, raw):
    assert authenticate_token(raw) is None


def test_authenticate_refuses_a_revoked_token(bob, acme):
    access = access_workspace(bob, "acme")
    token, raw = create_token(access, "x")
    revoke_token(access, token)
    assert authenticate_token(raw) is None
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_revoking_twice_is_harmless(bob, acme):
    access = access_workspace(bob, "acme")
    token, _raw = create_token(access, "x")
    revoke_token(access, token)
    revoke_token(access, token)
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_authenticate_notes_the_last_use_at_most_once_a_minute(bob, acme):
    token, raw = create_token(access_workspace(bob, "acme"), "x")
    with time_machine.travel(NOW, tick=False):
        authenticate_token(raw)
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == NOW
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(seconds=61)


def test_only_the_owner_or_a_manager_revokes_a_token(alice, bob, make_user, acme):
    alices, _raw = create_token(access_workspace(alice, "acme"), "x")
    with pytest.raises(PermissionDenied, match="token's owner or a manager"):
        revoke_token(access_workspace(bob, "acme"), alices)
    bobs, _raw = create_token(access_workspace(bob, "acme"), "y")
    revoke_token(access_workspace(alice, "acme"), bobs)
    bobs.refresh_from_db()
    assert bobs.revoked_at is not None


def test_another_workspaces_token_is_refused(alice, charlie, acme, globex):
    theirs, _raw = create_token(access_workspace(charlie, "globex"), "x")
    with pytest.raises(PermissionDenied):
        revoke_token(access_workspace(alice, "acme"), theirs)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
