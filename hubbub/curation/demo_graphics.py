"""The demo's graphics templates: the four starting ones, plus a customer quote and a
workshop invitation written in the workspace's language, so the Templates page and the
composer's Graphic panel have something real to show."""

from __future__ import annotations

from hubbub.core.access import Access
from hubbub.curation import graphics_actions
from hubbub.curation.graphics_actions import TemplateInput
from hubbub.curation.models import GraphicTemplate, TemplateKind

EXTRA: dict[str, tuple[TemplateInput, ...]] = {
    "en": (
        TemplateInput(
            name="Customer quote",
            kind=TemplateKind.QUOTE,
            background="accent",
            logo_position="bottom-left",
            defaults={
                "quote": "The best flat white in town, and they remember my name.",
                "person": "Sam Taylor",
                "role": "Regular since 2019",
            },
        ),
        TemplateInput(
            name="Latte art workshop",
            kind=TemplateKind.EVENT,
            background="#1f2937",
            logo_position="top-right",
            defaults={
                "title": "Latte art workshop",
                "when": "Saturday 10:00-12:00",
                "place": "Our roastery, 12 Harbour Street",
                "cta": "Book your seat",
            },
        ),
    ),
    "fr": (
        TemplateInput(
            name="Citation client",
            kind=TemplateKind.QUOTE,
            background="accent",
            logo_position="bottom-left",
            defaults={
                "quote": "Le meilleur café du quartier, et on connaît mon prénom.",
                "person": "Camille Roux",
                "role": "Cliente depuis 2019",
            },
        ),
        TemplateInput(
            name="Atelier latte art",
            kind=TemplateKind.EVENT,
            background="#1f2937",
            logo_position="top-right",
            defaults={
                "title": "Atelier latte art",
                "when": "Samedi 10 h-12 h",
                "place": "Notre torréfaction, 12 rue du Port",
                "cta": "Réservez votre place",
            },
        ),
    ),
}


def fill_graphics(access: Access) -> None:
    """Idempotent: a template already there (by name) is left as it is."""
    graphics_actions.ensure_defaults(access.workspace)
    language = "fr" if access.workspace.language == "fr" else "en"
    for data in EXTRA[language]:
        if not GraphicTemplate.objects.filter(workspace=access.workspace, name=data.name).exists():
            graphics_actions.create_template(access, data)
