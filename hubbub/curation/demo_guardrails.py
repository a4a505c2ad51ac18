"""Demo guardrails: settings a careful team would choose, in the workspace's language, so
the Guardrails page and the composer's warnings have something to show."""

from __future__ import annotations

from hubbub.core.access import Access
from hubbub.curation.guardrails.configure import RuleInput, update_settings
from hubbub.curation.models import GuardrailSetting

# Words no post of the demo brand should carry, in each demo language.
BANNED = {
    "en": ["guaranteed", "miracle", "cheapest"],
    "fr": ["garanti", "miracle", "le moins cher"],
}
DISCLOSURE = {"en": ["#partner"], "fr": ["#partenaire"]}


def fill_guardrails(access: Access) -> None:
    """Idempotent: a workspace whose guardrails were already set is left as it is."""
    if GuardrailSetting.objects.filter(workspace=access.workspace).exists():
        return
    language = "fr" if access.workspace.language == "fr" else "en"
    update_settings(
        access,
        [
            RuleInput("banned_words", "block", {"words": BANNED[language]}),
            RuleInput("personal_data", "block"),
            RuleInput("disclosure", "block", {"markers": DISCLOSURE[language]}),
            RuleInput("duplicate", "warn", {"days": 14, "similarity": 0.75}),
            RuleInput("alt_text", "warn", {"min_length": 10}),
            RuleInput("links", "warn"),
        ],
    )
