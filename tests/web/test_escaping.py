"""Untrusted text (names of workspaces, people, channels) is escaped on every page."""

from __future__ import annotations

import pytest

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.actions.members import invite_member
from hubbub.core.actions.tokens import create_token
from hubbub.core.audit import record
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel, Health
from tests.conftest import signed_in

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def evil(make_user) -> tuple[Workspace, User, User]:
    owner = make_user("owner@example.com", full_name=EVIL)
    editor = make_user("editor@example.com", full_name=EVIL)
    workspace = Workspace.objects.create(name=EVIL, slug="evil", time_zone="Europe/Paris")
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    Membership.objects.create(workspace=workspace, user=editor, role=Role.EDITOR)
    access = access_workspace(owner, "evil")
    record(
        "workspace.update",
        workspace=workspace,
        actor=owner,
        obj=workspace,
        before={"name": EVIL},
        after={"name": EVIL},
    )
    create_token(access, EVIL)
    Channel.objects.create(
        workspace=workspace,
        network="bluesky",
        external_id="did:plc:x",
        handle=EVIL,
        name=EVIL,
        health=Health.ERROR,
        health_message=EVIL,
    )
    return workspace, owner, editor


PAGES = [
    "/w/evil/",
    "/w/evil/settings/",
    "/w/evil/members/",
    "/w/evil/audit/",
    "/w/evil/tokens/",
    "/w/evil/channels/",
    "/workspaces/new/",
    "/accounts/profile/",
]


@pytest.mark.parametrize("url", PAGES)
def test_names_are_escaped_on_every_page(evil, url):
    _workspace, owner, _editor = evil
    response = signed_in(owner).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert EVIL not in page
    assert ESCAPED in page


def test_the_not_allowed_page_escapes_the_workspace_name(evil):
    _workspace, _owner, editor = evil
    response = signed_in(editor).get("/w/evil/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert EVIL not in page
    assert ESCAPED in page


def test_the_invitation_page_escapes_the_workspace_name(evil, client):
    _workspace, owner, _editor = evil
    _invitation, raw = invite_member(
        access_workspace(owner, "evil"), "dana@example.com", Role.EDITOR
    )
    page = client.get(f"/accounts/invitation/{raw}/").content.decode()
    assert EVIL not in page
    assert ESCAPED in page


def test_messages_escape_names(evil):
    _workspace, owner, _editor = evil
    client = signed_in(owner)
    response = client.post(
        "/workspaces/new/", {"name": EVIL, "time_zone": "UTC", "language": "en"}, follow=True
    )
    page = response.content.decode()
    assert f"Workspace {ESCAPED} created." in page
    assert EVIL not in page
