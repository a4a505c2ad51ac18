"""Inbox rules: on every new inbound message, the workspace's enabled rules are evaluated in
position order; each whose conditions hold runs its actions on the message's conversation,
and a rule with `stop` set ends the evaluation for that message.

- Conditions (hubbub.inbox.rules_conditions) and actions (hubbub.inbox.rules_actions) are
  JSON lists; `validate()` says what is wrong with them, in sentences.
- `apply_rules(message)` is called by ingestion once per new inbound message, after commit.
  Each application is a RuleHit (unique per rule and message), written before the actions
  run in the same transaction: running it again for the same message — a retried job, two
  workers — never applies a rule twice.
- Actions change the conversation directly (no audit entry each: RuleHit is the history)
  and never call apply_rules: an auto-reply is outbound and evaluating only inbound messages
  means nothing a rule does can trigger a rule.
- hubbub.inbox.rule_preview runs the very same `evaluate()` with a dry `Run`: nothing is
  written, round robin moves only in memory.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Direction, Message, Rule, RuleHit
from hubbub.inbox.rules_actions import (
    ASSIGN_MODES,
    TYPES,
    Done,
    describe,
    perform,
    validate_actions,
)
from hubbub.inbox.rules_conditions import FIELDS, matches, validate_condition
from hubbub.inbox.rules_context import ConversationState, MessageView, RuleSpec, Run

log = logging.getLogger(__name__)

__all__ = [
    "ASSIGN_MODES",
    "FIELDS",
    "TYPES",
    "apply_rules",
    "describe",
    "evaluate",
    "rule_matches",
    "validate",
]


def validate(conditions: Any, actions: Any, workspace: Workspace | None = None) -> list[str]:
    """Everything wrong with a rule's conditions and actions, each saying what to fix; [] when
    it can be saved. With `workspace`, channels, people, teams and saved replies are checked
    to exist there."""
    errors: list[str] = []
    if not isinstance(conditions, list):
        errors.append(_("Conditions must be a list (an empty list matches every message)."))
    else:
        for index, condition in enumerate(conditions, start=1):
            errors += validate_condition(index, condition, workspace)
    return errors + validate_actions(actions, workspace)


def rule_matches(spec: RuleSpec, view: MessageView, state: ConversationState, run: Run) -> bool:
    """Whether the rule's conditions hold (all of them, or any, per match_all); a rule
    without conditions matches every message."""
    if not spec.conditions:
        return True
    results = (matches(c, view, state, run) for c in spec.conditions)
    return all(results) if spec.match_all else any(results)


def evaluate(
    spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> list[Done] | None:
    """The actions the rule takes on this message (done, or simulated when run.dry), or None
    when it does not match. The single path shared by apply_rules and the preview."""
    if not rule_matches(spec, view, state, run):
        return None
    return [perform(action, spec, view, state, run) for action in spec.actions]


def _after(state: ConversationState, at: Any) -> None:
    """Keep the response-time targets in step with what the rules changed."""
    from hubbub.inbox.actions_common import sla

    if "closed" in state.changed:
        sla("on_closed", state.conversation, at)
    elif state.changed & {"tags", "priority"}:
        sla("recompute", state.conversation)


def apply_rules(message: Message) -> list[RuleHit]:
    """Apply the workspace's enabled rules to a new inbound message; returns the hits made
    now (none for a message already processed, or an outbound one)."""
    if message.direction != Direction.INBOUND:
        return []
    rules = list(Rule.objects.filter(workspace_id=message.workspace_id, enabled=True))
    if not rules:
        return []
    message = (
        Message.objects.select_related("identity", "workspace", "channel")
        .filter(pk=message.pk)
        .first()
        or message
    )
    # The conversation as it is now (ingestion may hold an older copy; another message of
    # the same conversation may have been processed since).
    conversation = Conversation.objects.select_related(
        "workspace", "channel", "identity", "customer"
    ).get(pk=message.conversation_id)
    state = ConversationState.of(conversation)
    previous = dict(RuleHit.objects.filter(message=message).values_list("rule_id", "pk"))
    now = timezone.now()
    run = Run(workspace=conversation.workspace, dry=False, at=now)
    view = MessageView(message)
    hits: list[RuleHit] = []
    for rule in rules:
        if rule.pk in previous:
            if rule.stop:
                break
            continue
        spec = RuleSpec.of(rule)
        try:
            hit = _apply_one(spec, view, state, run, conversation, message)
        except Exception:
            # One broken rule (a deleted team, a network hiccup) must not stop the others
            # nor the ingestion that called us.
            log.exception("rule %s failed on message %s", rule.pk, message.pk)
            changed = state.changed  # what earlier rules did still needs the SLA hooks
            state = ConversationState.of(Conversation.objects.get(pk=conversation.pk))
            state.changed = changed
            continue
        if hit is None:
            continue
        hits.append(hit)
        if rule.stop:
            break
    if state.changed:
        _after(state, now)
    return hits


def _apply_one(
    spec: RuleSpec,
    view: MessageView,
    state: ConversationState,
    run: Run,
    conversation: Conversation,
    message: Message,
) -> RuleHit | None:
    if not rule_matches(spec, view, state, run):
        return None
    assert spec.rule is not None
    with transaction.atomic():
        try:
            with transaction.atomic():
                hit = RuleHit.objects.create(
                    rule=spec.rule,
                    conversation=conversation,
                    message=message,
                    created_at=run.when(message),
                )
        except IntegrityError:
            return None  # another worker applied this rule to this message already
        done = [perform(action, spec, view, state, run) for action in spec.actions]
        hit.actions = done
        hit.save(update_fields=["actions"])
    return hit
