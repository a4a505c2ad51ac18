"""Changing a workspace's guardrails (owners and managers: `guardrails.manage`), shared by
the settings page and the API; and recording a post's paid partnership (the composer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import audit
from hubbub.core.access import Access, ActionError
from hubbub.curation.guardrails.registry import BY_CODE, Option, settings_of
from hubbub.curation.models import GuardrailSetting, RuleMode, Sponsorship
from hubbub.publishing.actions.posts import require_own_or
from hubbub.publishing.models import Post

MAX_WORDS = 200
MAX_WORD_LENGTH = 100


@dataclass(frozen=True)
class RuleInput:
    rule: str
    mode: str
    options: Mapping[str, Any] = field(default_factory=dict)


def _clean_option(rule_label: str, option: Option, value: Any) -> Any:
    def refuse(why: str) -> ActionError:
        return ActionError(
            _("%(rule)s, “%(option)s”: %(why)s")
            % {"rule": rule_label, "option": option.label, "why": why},
            field=f"{option.name}",
        )

    if option.kind in ("int", "float"):
        try:
            number = int(value) if option.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise refuse(_("write a number.")) from None
        if (option.minimum is not None and number < option.minimum) or (
            option.maximum is not None and number > option.maximum
        ):
            raise refuse(
                _("choose a number from %(min)s to %(max)s.")
                % {"min": f"{option.minimum:g}", "max": f"{option.maximum:g}"}
            )
        return number
    if option.kind == "choice":
        if value not in {c for c, _label in option.choices}:
            raise refuse(_("choose one of the offered values."))
        return value
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    words = list(dict.fromkeys(str(w).strip() for w in lines if str(w).strip()))
    if len(words) > MAX_WORDS or any(len(w) > MAX_WORD_LENGTH for w in words):
        raise refuse(
            _("at most %(n)s entries of %(len)s characters each.")
            % {"n": MAX_WORDS, "len": MAX_WORD_LENGTH}
        )
    return words


def update_settings(access: Access, changes: Sequence[RuleInput]) -> None:
    """Set each named rule's mode and options; rules not named keep theirs. All or nothing."""
    access.require("guardrails.manage")
    current = {s.rule.code: s for s in settings_of(access.workspace)}
    cleaned: list[tuple[str, str, dict[str, Any]]] = []
    for change in changes:
        rule = BY_CODE.get(change.rule)
        if rule is None:
            raise ActionError(
                _("There is no guardrail “%(rule)s”: the rules are %(codes)s.")
                % {"rule": change.rule, "codes": ", ".join(BY_CODE)},
                field="rule",
            )
        if change.mode not in RuleMode.values:
            raise ActionError(
                _("%(rule)s: choose off, warn or block.") % {"rule": rule.label}, field="mode"
            )
        options = dict(current[rule.code].options)
        for option in rule.options:
            if option.name in change.options:
                options[option.name] = _clean_option(
                    str(rule.label), option, change.options[option.name]
                )
        cleaned.append((rule.code, change.mode, options))
    before = {c: {"mode": s.mode, "options": s.options} for c, s in current.items()}
    with transaction.atomic():
        for code, mode, options in cleaned:
            GuardrailSetting.objects.update_or_create(
                workspace=access.workspace,
                rule=code,
                defaults={"mode": mode, "options": options, "updated_at": timezone.now()},
            )
        after = {c: {"mode": m, "options": o} for c, m, o in cleaned}
        audit.record(
            "guardrails.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            before={c: before[c] for c in after},
            after=after,
        )


def set_sponsorship(access: Access, post: Post, *, sponsored: bool, partner: str = "") -> None:
    """Mark the post as a paid partnership with `partner` (or not); the disclosure rule
    reads it. Changes nothing, and records nothing, when it is already so."""
    require_own_or(access, post, "posts.edit")
    partner = partner.strip()[:200]
    existing = Sponsorship.objects.filter(post=post).first()
    if sponsored and not partner:
        raise ActionError(
            _("Name the partner of this paid partnership (the brand that pays)."),
            field="partner",
        )
    if not sponsored and existing is None:
        return
    if sponsored and existing is not None and existing.partner == partner:
        return
    with transaction.atomic():
        if sponsored:
            Sponsorship.objects.update_or_create(post=post, defaults={"partner": partner})
        else:
            Sponsorship.objects.filter(post=post).delete()
        audit.record(
            "post.sponsorship",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            before={"partner": existing.partner if existing else None},
            after={"partner": partner if sponsored else None},
        )
