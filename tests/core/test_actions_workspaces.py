"""hubbub.core.actions.workspaces: creating, changing and deleting a workspace."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError, access_workspace
from hubbub.core.actions.workspaces import create_workspace, delete_workspace, update_workspace
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role


def test_the_creator_becomes_owner_and_it_is_audited(charlie, db):
    workspace = create_workspace(charlie, " Initech ", "Europe/Paris", "fr", via="cli")
    assert (workspace.name, workspace.slug, workspace.time_zone, workspace.language) == (
        "Initech",
        "initech",
        "Europe/Paris",
        "fr",
    )
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    entry = AuditEntry.objects.get(action="workspace.create")
    assert (entry.workspace, entry.actor, entry.via) == (workspace, charlie, "cli")
    assert entry.after == {"name": "Initech", "time_zone": "Europe/Paris", "language": "fr"}


def test_two_workspaces_of_the_same_name_get_different_slugs(charlie, db):
    first = create_workspace(charlie, "Acme Café")
    second = create_workspace(charlie, "Acme Café")
    assert (first.slug, second.slug) == ("acme-cafe", "acme-cafe-2")


def test_a_name_without_letters_still_gets_a_slug(charlie, db):
    assert create_workspace(charlie, "!!!").slug == "workspace"


def test_a_bad_time_zone_is_refused_and_nothing_is_saved(charlie, db):
    with pytest.raises(ActionError) as caught:
        create_workspace(charlie, "Initech", "Europe/Atlantis")
    assert caught.value.field == "time_zone"
    assert "Europe/Atlantis" in caught.value.message
    assert not Workspace.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_bad_language_is_refused(charlie, db):
    with pytest.raises(ActionError) as caught:
        create_workspace(charlie, "Initech", "UTC", "klingon")
    assert caught.value.field == "language"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_bad_name_is_refused(charlie, db, name):
    with pytest.raises(ActionError) as caught:
        create_workspace(charlie, name)
    assert caught.value.field == "name"


def test_an_update_audits_only_what_changed(alice, acme):
    update_workspace(access_workspace(alice, "acme"), name="Acme", time_zone="Asia/Tokyo")
    acme.refresh_from_db()
    assert acme.time_zone == "Asia/Tokyo"
    entry = AuditEntry.objects.get(action="workspace.update")
    assert (entry.before, entry.after) == (
        {"time_zone": "Europe/Paris"},
        {"time_zone": "Asia/Tokyo"},
    )


def test_an_update_that_changes_nothing_is_not_audited(alice, acme):
    update_workspace(access_workspace(alice, "acme"), name="Acme")
    assert not AuditEntry.objects.filter(action="workspace.update").exists()


def test_an_update_with_a_bad_time_zone_changes_nothing(alice, acme):
    with pytest.raises(ActionError) as caught:
        update_workspace(access_workspace(alice, "acme"), name="New", time_zone="Paris")
    assert caught.value.field == "time_zone"
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone) == ("Acme", "Europe/Paris")


def test_an_editor_cannot_update(bob, acme):
    with pytest.raises(PermissionDenied, match=r"Your role \(Editor\)"):
        update_workspace(access_workspace(bob, "acme"), name="Bob's")


def test_deleting_needs_the_exact_name(alice, acme):
    with pytest.raises(ActionError) as caught:
        delete_workspace(access_workspace(alice, "acme"), "acme")
    assert caught.value.field == "confirm"
    assert Workspace.objects.filter(slug="acme").exists()


def test_deleting_keeps_the_audit_entry(alice, acme):
    delete_workspace(access_workspace(alice, "acme"), "Acme")
    assert not Workspace.objects.filter(slug="acme").exists()
    entry = AuditEntry.objects.get(action="workspace.delete")
    assert (entry.workspace, entry.actor, entry.before) == (
        None,
        alice,
        {"name": "Acme", "slug": "acme"},
    )


def test_only_an_owner_deletes(make_user, acme):
    manager = make_user("manager@example.com")
    Membership.objects.create(workspace=acme, user=manager, role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        delete_workspace(access_workspace(manager, "acme"), "Acme")
