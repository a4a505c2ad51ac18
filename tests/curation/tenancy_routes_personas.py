"""Personas and suggestions pages and API operations for tests/test_tenancy.py: the
permission each one needs, one of each object they reach (in Acme), and what a refused
request must leave as it was."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, Persona, SuggestionDismissal

VIEW = {"GET": "curation.view"}
MANAGE_PAGE = {"GET": "personas.manage", "POST": "personas.manage"}

WEB: dict[str, dict[str, str]] = {
    "curation:personas": VIEW,
    "curation:persona_new": MANAGE_PAGE,
    "curation:persona_edit": MANAGE_PAGE,
    "curation:persona_delete": {"POST": "personas.manage"},
    "curation:suggestions": VIEW,
    "curation:suggestion_dismiss": {"POST": "curation.edit"},
    "curation:compose_persona": VIEW,
}

W = "api/workspaces/{slug}"
API: dict[tuple[str, str], str] = {
    ("GET", f"{W}/personas"): "curation.view",
    ("POST", f"{W}/personas"): "personas.manage",
    ("POST", f"{W}/personas/propose"): "personas.manage",
    ("GET", f"{W}/personas/{{persona_id}}"): "curation.view",
    ("PUT", f"{W}/personas/{{persona_id}}"): "personas.manage",
    ("DELETE", f"{W}/personas/{{persona_id}}"): "personas.manage",
    ("GET", f"{W}/personas/{{persona_id}}/suggestions"): "curation.view",
    ("POST", f"{W}/personas/{{persona_id}}/suggestions/dismiss"): "curation.edit",
    ("POST", f"{W}/personas/{{persona_id}}/drafts"): "curation.edit",
}
# "name" is in the shared BODY already; the rest of a persona's body has defaults.
BODY: dict[str, Any] = {
    "example_posts": ["Our new cargo bike lanes open downtown this Saturday."],
    "item_key": "feed:1",
    "draft_source": "feed:1",
}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    persona = Persona.objects.create(
        workspace=acme, name="Acme voice", topics=["shops"], languages=["en"]
    )
    feed = Feed.objects.create(workspace=acme, url="https://persona.example/feed")
    FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="p" * 64,
        title="Acme opens new shops downtown",
        published_at=timezone.now(),
    )
    return {"persona_id": persona.pk}


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {
        "personas": sorted(
            Persona.objects.values_list("pk", "name", "topics", "tone", "example_posts")
        ),
        "dismissals": sorted(SuggestionDismissal.objects.values_list("pk", "item_key")),
    }
