"""The demo's graphics templates: the starting four and two in the workspace's language,
each drawable; filling twice changes nothing."""

from __future__ import annotations

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.curation import graphics_actions
from hubbub.curation.demo_graphics import fill_graphics
from hubbub.curation.models import GraphicTemplate

# The fixtures imported from graphics_helpers are parameters of the tests below.
# ruff: noqa: F811
from tests.curation.graphics_helpers import media_root  # noqa: F401


def test_the_demo_adds_templates_in_the_workspaces_language(alice: User, media_root):
    workspace = Workspace.objects.create(name="Café", slug="cafe", language="fr")
    Membership.objects.create(workspace=workspace, user=alice, role=Role.OWNER)
    access = access_workspace(alice, "cafe")
    fill_graphics(access)
    fill_graphics(access)
    names = set(GraphicTemplate.objects.filter(workspace=workspace).values_list("name", flat=True))
    assert len(names) == 6
    assert {"Citation client", "Atelier latte art"} <= names
    for template in GraphicTemplate.objects.filter(workspace=workspace):
        drawn = graphics_actions.draw(template, None, "instagram_square")
        assert drawn.alt_text and drawn.notes == []


def test_an_english_workspace_gets_english_templates(alice: User, acme: Workspace, media_root):
    fill_graphics(access_workspace(alice, "acme"))
    template = GraphicTemplate.objects.get(workspace=acme, name="Customer quote")
    assert template.defaults["person"] == "Sam Taylor"
