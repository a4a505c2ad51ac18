"""Creating, changing, deleting and ordering inbox rules (permission inbox.configure), shared by
the settings pages, the API and the CLI. Rules are unlimited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.inbox.models import Rule
from hubbub.inbox.rules import validate

NAME_MAX = 100


class RuleInvalid(ActionError):
    """The rule's conditions or actions are wrong; `errors` lists each problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(" ".join(errors), field="rule")
        self.errors = errors


def summary(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "position": rule.position,
        "enabled": rule.enabled,
        "match_all": rule.match_all,
        "stop": rule.stop,
        "conditions": rule.conditions,
        "actions": rule.actions,
    }


def _same_workspace(access: Access, rule: Rule) -> None:
    if rule.workspace_id != access.workspace.pk:
        raise ActionError(_("That rule belongs to another workspace."))


def save_rule(
    access: Access,
    name: str,
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    match_all: bool = True,
    stop: bool = False,
    enabled: bool = True,
    rule: Rule | None = None,
) -> Rule:
    """Create a rule (placed last) or change `rule`. ActionError lists every problem."""
    access.require("inbox.configure")
    if rule is not None:
        _same_workspace(access, rule)
    name = " ".join(name.split())
    if not name:
        raise ActionError(_("Give the rule a name, e.g. 'Refunds to billing'."), field="name")
    if len(name) > NAME_MAX:
        raise ActionError(
            _("The name is %(n)s characters long; keep it to %(max)s.")
            % {"n": len(name), "max": NAME_MAX},
            field="name",
        )
    errors = validate(conditions, actions, access.workspace)
    if errors:
        raise RuleInvalid(errors)
    with transaction.atomic():
        before = summary(rule) if rule is not None else None
        if rule is None:
            last = Rule.objects.filter(workspace=access.workspace).aggregate(m=Max("position"))
            rule = Rule(
                workspace=access.workspace,
                created_by=access.user,
                position=(last["m"] + 1) if last["m"] is not None else 0,
            )
        elif rule.actions != actions:
            rule.round_robin_last = None  # other people may take turns now: start afresh
        rule.name, rule.conditions, rule.actions = name, conditions, actions
        rule.match_all, rule.stop, rule.enabled = bool(match_all), bool(stop), bool(enabled)
        rule.updated_at = timezone.now()
        rule.save()
        record(
            "rule.save",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=rule,
            before=before,
            after=summary(rule),
        )
    return rule


def delete_rule(access: Access, rule: Rule) -> None:
    """Delete the rule and its hits (the conversations keep what it did)."""
    access.require("inbox.configure")
    _same_workspace(access, rule)
    with transaction.atomic():
        record(
            "rule.delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=rule,
            before=summary(rule),
        )
        rule.delete()
        _renumber(access, list(Rule.objects.filter(workspace=access.workspace)))


def _renumber(access: Access, rules: list[Rule]) -> None:
    for position, each in enumerate(rules):
        if each.position != position:
            Rule.objects.filter(pk=each.pk).update(position=position)
            each.position = position


def move_rule(access: Access, rule: Rule, position: int) -> Rule:
    """Put the rule at `position` (0 first; beyond the end: last); the others keep their
    order. Rules are evaluated in this order."""
    access.require("inbox.configure")
    _same_workspace(access, rule)
    with transaction.atomic():
        others = [
            r
            for r in Rule.objects.select_for_update().filter(workspace=access.workspace)
            if r.pk != rule.pk
        ]
        before = rule.position
        index = max(0, min(int(position), len(others)))
        ordered = [*others[:index], rule, *others[index:]]
        _renumber(access, ordered)
        record(
            "rule.move",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=rule,
            before={"position": before},
            after={"position": rule.position, "order": [r.pk for r in ordered]},
        )
    return rule
