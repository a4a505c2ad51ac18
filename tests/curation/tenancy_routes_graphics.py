"""Curation graphics pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave."""

from __future__ import annotations

from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import GraphicTemplate

MANAGE = {"GET": "graphics.manage", "POST": "graphics.manage"}

WEB: dict[str, dict[str, str]] = {
    "curation:templates": {"GET": "curation.view"},
    "curation:template_new": MANAGE,
    "curation:template_edit": MANAGE,
    "curation:template_delete": {"POST": "graphics.manage"},
    "curation:template_preview": {"GET": "curation.view"},
    "curation:compose_graphics": {"GET": "posts.create", "POST": "posts.create"},
    "curation:compose_graphic": {"POST": "posts.create"},
}

W = "api/workspaces/{slug}"
T = f"{W}/graphics/templates"
API: dict[tuple[str, str], str] = {
    ("GET", T): "curation.view",
    ("POST", T): "graphics.manage",
    ("GET", f"{T}/{{template_id}}"): "curation.view",
    ("PUT", f"{T}/{{template_id}}"): "graphics.manage",
    ("DELETE", f"{T}/{{template_id}}"): "graphics.manage",
    ("POST", f"{T}/{{template_id}}/font"): "graphics.manage",
    ("POST", f"{T}/{{template_id}}/render"): "curation.view",
    ("POST", f"{T}/{{template_id}}/media"): "posts.create",
}
# The API's template body needs only "name" (already in the shared BODY); the rest has defaults.
BODY: dict[str, Any] = {}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    template = GraphicTemplate.objects.create(
        workspace=acme, name="Acme quote", kind="quote", defaults={"quote": "Hello"}
    )
    return {"template_id": template.pk}


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {
        "graphic_templates": sorted(
            GraphicTemplate.objects.values_list(
                "pk", "name", "kind", "background", "font_path", "is_active"
            )
        ),
    }
