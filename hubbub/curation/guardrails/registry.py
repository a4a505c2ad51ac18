"""The guardrails: each rule's code, label, default mode and options, and the workspace's
settings over them (curation.GuardrailSetting; a rule without a row has its default).

Defaults are chosen so that a new workspace is told, not stopped, except where publishing
would do harm that cannot be undone: a banned word and a sponsored post without its
disclosure block; everything else warns until an owner or manager says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.curation.guardrails import duplicates, links, persona_rules, personal_data, post_rules
from hubbub.curation.guardrails.base import Check
from hubbub.curation.models import GuardrailSetting, RuleMode


@dataclass(frozen=True)
class Option:
    """One setting of a rule: kind "int", "float", "words" (a list, one a line) or "choice"."""

    name: str
    label: Promise
    kind: str
    default: Any
    choices: tuple[tuple[str, Promise], ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    label: Promise
    description: Promise
    default_mode: str
    check: Check
    options: tuple[Option, ...] = field(default_factory=tuple)
    # Makes outbound requests: the API's "check" can leave it out when asked to.
    uses_network: bool = False


RULES: tuple[Rule, ...] = (
    Rule(
        "banned_words",
        _("Banned words"),
        _("Words a persona avoids (and this list) must not appear."),
        RuleMode.BLOCK,
        persona_rules.banned_words,
        (Option("words", _("Also banned in every post (one a line)"), "words", []),),
    ),
    Rule(
        "required_words",
        _("Required words"),
        _("A persona's words to use: at least one (or each) in the text."),
        RuleMode.WARN,
        persona_rules.required_words,
        (
            Option(
                "require",
                _("The text must hold"),
                "choice",
                "any",
                (("any", _("at least one of them")), ("all", _("each of them"))),
            ),
        ),
    ),
    Rule(
        "persona_language",
        _("Language"),
        _("The text is in a language the persona declares."),
        RuleMode.WARN,
        persona_rules.language,
    ),
    Rule(
        "disclosure",
        _("Sponsored disclosure"),
        _("A paid partnership says so (#ad, #sponsorisé…) in its first part."),
        RuleMode.BLOCK,
        post_rules.disclosure,
        (Option("markers", _("Other words that disclose (one a line)"), "words", []),),
    ),
    Rule(
        "personal_data",
        _("Personal data"),
        _("No e-mail addresses, phone numbers, payment card numbers or IBANs."),
        RuleMode.WARN,
        personal_data.check,
        (
            Option(
                "kinds",
                _("Look for (one a line: email, phone, card, iban)"),
                "words",
                ["email", "phone", "card", "iban"],
            ),
        ),
    ),
    Rule(
        "links",
        _("Broken or private links"),
        _("Every link opens, and none points to a private address."),
        RuleMode.WARN,
        links.check,
        uses_network=True,
    ),
    Rule(
        "attribution",
        _("Attribution"),
        _("Curated content credits its source (link, site or author)."),
        RuleMode.WARN,
        post_rules.attribution,
    ),
    Rule(
        "alt_text",
        _("Alt text"),
        _("Every image has a description."),
        RuleMode.WARN,
        post_rules.alt_text,
        (
            Option(
                "min_length",
                _("Shortest description (characters)"),
                "int",
                1,
                minimum=1,
                maximum=500,
            ),
        ),
    ),
    Rule(
        "tone",
        _("Tone"),
        _("The text sounds like the persona's example posts."),
        RuleMode.WARN,
        persona_rules.tone_far,
        (
            Option(
                "threshold",
                _("Speak above (0 = always, 1 = never)"),
                "float",
                0.5,
                minimum=0,
                maximum=1,
            ),
        ),
    ),
    Rule(
        "duplicate",
        _("Near-duplicate"),
        _("Not nearly the same as a recent post."),
        RuleMode.WARN,
        duplicates.check,
        (
            Option(
                "days",
                _("Compare with the posts of the last (days)"),
                "int",
                30,
                minimum=1,
                maximum=365,
            ),
            Option("similarity", _("Alike from (0 to 1)"), "float", 0.8, minimum=0.3, maximum=1),
        ),
    ),
    Rule(
        "crisis",
        _("Crisis mode"),
        _("Publishing is paused for a crisis."),
        RuleMode.WARN,
        post_rules.crisis,
    ),
)
BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}


@dataclass(frozen=True)
class Setting:
    rule: Rule
    mode: str
    options: dict[str, Any]
    is_default: bool


def settings_of(workspace: Workspace) -> list[Setting]:
    """Each rule's mode and options in this workspace, in the registry's order."""
    rows = {s.rule: s for s in GuardrailSetting.objects.filter(workspace=workspace)}
    result = []
    for rule in RULES:
        row = rows.get(rule.code)
        options = {o.name: o.default for o in rule.options}
        if row is not None:
            options.update({k: v for k, v in row.options.items() if k in options})
        result.append(
            Setting(rule, row.mode if row is not None else rule.default_mode, options, row is None)
        )
    return result


def modes_of(workspace: Workspace) -> Mapping[str, str]:
    return {s.rule.code: s.mode for s in settings_of(workspace)}
