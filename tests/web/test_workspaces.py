"""Creating a workspace, switching between mine, and its settings."""

from __future__ import annotations

import re

from django.test import Client

from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from tests.conftest import signed_in
from tests.web.conftest import messages_of, text


def switcher(response) -> list[str]:
    page = response.content.decode()
    block = page.split('data-testid="workspace-switcher"', 1)[1].split("</details>", 1)[0]
    return re.findall(r'<a href="/w/([^/]+)/"', block)


def test_a_person_without_a_workspace_is_asked_to_create_one(charlie):
    client = signed_in(charlie)
    assert client.get("/")["Location"] == "/workspaces/new/"
    page = client.get("/workspaces/new/")
    assert page.status_code == 200
    for label in ("Name:", "Time zone:", "Language:"):
        assert label in text(page)


def test_it_creates_a_workspace_and_makes_me_its_owner(charlie):
    client = signed_in(charlie)
    response = client.post(
        "/workspaces/new/",
        {"name": "Globex Europe", "time_zone": "Europe/Berlin", "language": "fr"},
    )
    assert response["Location"] == "/w/globex-europe/"
    assert messages_of(response) == ["Workspace Globex Europe created."]
    workspace = Workspace.objects.get(slug="globex-europe")
    assert (workspace.name, workspace.time_zone, workspace.language) == (
        "Globex Europe",
        "Europe/Berlin",
        "fr",
    )
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    entry = AuditEntry.objects.get(workspace=workspace)
    assert entry.action == "workspace.create"
    assert entry.after == {"name": "Globex Europe", "time_zone": "Europe/Berlin", "language": "fr"}


def test_a_second_workspace_of_the_same_name_gets_its_own_address(acme, alice):
    client = signed_in(alice)
    response = client.post(
        "/workspaces/new/", {"name": "Acme", "time_zone": "UTC", "language": "en"}
    )
    assert response["Location"] == "/w/acme-2/"


def test_bad_input_is_shown_on_the_page_and_nothing_is_created(charlie):
    client = signed_in(charlie)
    response = client.post(
        "/workspaces/new/", {"name": "  ", "time_zone": "Mars/Olympus", "language": "tlh"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "This field is required." in page
    assert "Select a valid choice. Mars/Olympus is not one of the available choices." in page
    assert "Select a valid choice. tlh is not one of the available choices." in page
    assert response.content.decode().count('class="errorlist"') == 3
    assert not Workspace.objects.exists()
    response = client.post(
        "/workspaces/new/", {"name": "x" * 101, "time_zone": "UTC", "language": "en"}
    )
    assert "Ensure this value has at most 100 characters (it has 101)." in text(response)
    assert not Workspace.objects.exists()


def test_the_switcher_lists_only_my_workspaces(acme, globex, alice, bob, charlie):
    mine = Workspace.objects.create(name="Alice Solo", slug="alice-solo")
    Membership.objects.create(workspace=mine, user=alice, role=Role.OWNER)
    assert switcher(signed_in(alice).get("/w/acme/")) == ["acme", "alice-solo"]
    assert switcher(signed_in(bob).get("/w/acme/")) == ["acme"]
    assert switcher(signed_in(charlie).get("/w/globex/")) == ["globex"]
    assert switcher(signed_in(charlie).get("/workspaces/new/")) == ["globex"]


def test_someone_elses_workspace_does_not_exist_for_me(acme, globex, alice):
    client = signed_in(alice)
    for url in ("/w/globex/", "/w/globex/settings/", "/w/globex/members/", "/w/globex/audit/"):
        assert client.get(url).status_code == 404


def test_home_opens_the_last_workspace_i_worked_in(acme, alice):
    other = Workspace.objects.create(name="Zeta", slug="zeta")
    Membership.objects.create(workspace=other, user=alice, role=Role.EDITOR)
    client = signed_in(alice)
    assert client.get("/")["Location"] == "/w/acme/"
    client.get("/w/zeta/")
    assert client.get("/")["Location"] == "/w/zeta/"


def test_settings_show_the_current_values(acme, alice):
    page = signed_in(alice).get("/w/acme/settings/").content.decode()
    assert 'name="name" value="Acme"' in page
    assert '<option value="Europe/Paris" selected>' in page


def test_settings_refuse_a_time_zone_that_does_not_exist(acme, alice):
    client = signed_in(alice)
    response = client.post(
        "/w/acme/settings/", {"name": "Acme", "time_zone": "Europe/Atlantis", "language": "en"}
    )
    assert response.status_code == 200
    assert "Select a valid choice. Europe/Atlantis is not one of the available choices." in (
        text(response)
    )
    acme.refresh_from_db()
    assert acme.time_zone == "Europe/Paris"
    assert not AuditEntry.objects.filter(action="workspace.update").exists()


def test_settings_changes_are_saved_and_audited_with_before_and_after(acme, alice):
    client = signed_in(alice)
    response = client.post(
        "/w/acme/settings/", {"name": "Acme Corp", "time_zone": "Asia/Tokyo", "language": "en"}
    )
    assert response["Location"] == "/w/acme/settings/"
    assert messages_of(response) == ["Settings saved."]
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone) == ("Acme Corp", "Asia/Tokyo")
    entry = AuditEntry.objects.get(action="workspace.update")
    assert (entry.actor, entry.workspace) == (alice, acme)
    assert entry.before == {"name": "Acme", "time_zone": "Europe/Paris"}
    assert entry.after == {"name": "Acme Corp", "time_zone": "Asia/Tokyo"}
    # Saving without a change writes nothing.
    client.post(
        "/w/acme/settings/", {"name": "Acme Corp", "time_zone": "Asia/Tokyo", "language": "en"}
    )
    assert AuditEntry.objects.filter(action="workspace.update").count() == 1


def test_an_editor_cannot_change_the_settings(acme, bob):
    client = signed_in(bob)
    assert client.get("/w/acme/settings/").status_code == 403
    response = client.post(
        "/w/acme/settings/", {"name": "Bob's", "time_zone": "UTC", "language": "en"}
    )
    assert response.status_code == 403
    assert "Your role (Editor) does not allow workspace.edit in Acme" in text(response)
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_pages_need_a_signed_in_person(acme):
    for url in ("/", "/workspaces/new/", "/w/acme/", "/w/acme/settings/"):
        assert Client().get(url)["Location"].startswith("/accounts/login/?next=")


def test_the_overview_names_my_role_in_words(acme, bob):
    page = text(signed_in(bob).get("/w/acme/"))
    assert "Time zone Europe/Paris · your role: Editor" in page
