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
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.models import Workspace
from hubbub.inbox.bulk_sql import save_fields
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
from hubbub.inbox.rules_context import ConversationState, MessageView, Pending, RuleSpec, Run
from hubbub.networks.models import Channel

if TYPE_CHECKING:
    from hubbub.inbox.sla import WorkspaceTargets

log = logging.getLogger(__name__)

__all__ = [
    "ASSIGN_MODES",
    "FIELDS",
    "TYPES",
    "apply_rules",
    "apply_rules_many",
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


def _after(state: ConversationState, run: Run, targets: WorkspaceTargets | None = None) -> None:
    """Keep the response-time targets in step with what the rules changed (`targets`: the
    policy read once for a batch of messages)."""
    from hubbub.inbox import sla

    assert run.at is not None  # live runs only
    if "closed" in state.changed:
        sla.on_closed(state.conversation, run.at)
    elif state.changed & {"tags", "priority"}:
        if run.pending is not None:  # the new due times are written with the batch
            values = sla.recompute(state.conversation, targets, state.tag_ids, save=False)
            run.pending.changed(state.conversation, values)
        else:
            sla.recompute(state.conversation, targets, state.tag_ids)


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
    previous = set(RuleHit.objects.filter(message=message).values_list("rule_id", flat=True))
    now = timezone.now()
    run = Run(workspace=conversation.workspace, dry=False, at=now)
    hits, _state = _apply_message(
        [RuleSpec.of(rule) for rule in rules], message, conversation, state, run, previous
    )
    return hits


def _apply_message(
    specs: list[RuleSpec],
    message: Message,
    conversation: Conversation,
    state: ConversationState,
    run: Run,
    previous: set[int],
    targets: WorkspaceTargets | None = None,
    unsaved: list[RuleHit] | None = None,
) -> tuple[list[RuleHit], ConversationState]:
    """The rules, in order, on one message; returns the hits and the conversation's state
    after them (a new one when a failing rule made us read the conversation again)."""
    view = MessageView(message)
    hits: list[RuleHit] = []
    for spec in specs:
        assert spec.rule is not None
        if spec.rule.pk in previous:
            if spec.stop:
                break
            continue
        try:
            hit = _apply_one(spec, view, state, run, conversation, message, unsaved)
        except Exception:
            if run.pending is not None:
                raise  # the whole batch is done again the careful way
            # One broken rule (a deleted team, a network hiccup) must not stop the others
            # nor the ingestion that called us.
            log.exception("rule %s failed on message %s", spec.rule.pk, message.pk)
            changed = state.changed  # what earlier rules did still needs the SLA hooks
            state = ConversationState.of(Conversation.objects.get(pk=conversation.pk))
            state.changed = changed
            continue
        if hit is None:
            continue
        hits.append(hit)
        if spec.stop:
            break
    if state.changed:
        assert run.at is not None
        if run.pending is not None:
            _after(state, run, targets)
        else:
            # In a savepoint: a database error here must not poison a batch's transaction.
            with transaction.atomic():
                _after(state, run, targets)
    return hits, state


@dataclass
class Applied:
    """What apply_rules_many did: the hits made, and the messages whose rules could not be
    applied (with the error; the other messages were still done)."""

    hits: list[RuleHit] = field(default_factory=list)
    failed: list[tuple[Message, Exception]] = field(default_factory=list)


def apply_rules_many(
    messages: Sequence[Message], targets: Mapping[int, WorkspaceTargets] | None = None
) -> Applied:
    """apply_rules(message) for each message, in the order given (time order), with the same
    result, for a batch: per workspace the rules are read once, and the messages, their
    conversations, tags and earlier hits in a few queries for the whole batch; conditions are
    evaluated in memory. A conversation's state is carried from one of its messages to the
    next (the actions keep it in step with what they write)."""
    applied = Applied()
    by_workspace: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        if message.direction == Direction.INBOUND:
            by_workspace[message.workspace_id].append(message)
    for workspace_id, group in by_workspace.items():
        # First with the writes kept for the end of the batch (Pending): a few statements
        # for the whole batch. Should anything fail — a rule's action, or a hit another
        # worker wrote meanwhile — all of it is rolled back (the notices with it) and the
        # batch is done the careful way: a savepoint per hit, so that a failing rule costs
        # only its own message.
        quick = Applied()
        try:
            with transaction.atomic():
                _apply_workspace(workspace_id, group, quick, Pending(), targets)
        except Exception as exc:
            log.info("rules: batch of workspace %s done hit by hit (%s)", workspace_id, exc)
        else:
            applied.hits += quick.hits
            continue
        try:
            # One transaction for the workspace's batch: a rule hit costs savepoints, not
            # commits (and a hit's notices go out when the batch is committed).
            with transaction.atomic():
                _apply_workspace(workspace_id, group, applied, None, targets)
        except Exception as exc:  # reading the batch failed: none of it was applied
            log.exception("rules: batch of workspace %s", workspace_id)
            applied.failed += [(message, exc) for message in group]
    return applied


def _apply_workspace(
    workspace_id: int,
    group: list[Message],
    applied: Applied,
    pending: Pending | None = None,
    known: Mapping[int, WorkspaceTargets] | None = None,
) -> None:
    """The rules on a workspace's messages; with `pending`, any error raises (the caller then
    does the batch again without), and the writes are made at the end."""
    rules = list(Rule.objects.filter(workspace_id=workspace_id, enabled=True))
    if not rules:
        return
    specs = [RuleSpec.of(rule) for rule in rules]
    # The messages as given: ingestion's, just stored, with their channel and author. Their
    # workspace and channels are read once (the author and customer only when an action
    # needs them: an auto-reply, a notice).
    conversations = _conversations_of(group, reuse=pending is not None)
    workspace = Workspace.objects.get(pk=workspace_id)
    channels = Channel.objects.in_bulk({c.channel_id for c in conversations.values()})
    for read in conversations.values():
        read.workspace = workspace
        read.channel = channels[read.channel_id]
    tags: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for conversation_id, tag_id, name in Conversation.tags.through.objects.filter(
        conversation_id__in=conversations
    ).values_list("conversation_id", "tag_id", "tag__name"):
        tags[conversation_id].append((tag_id, name))
    previous: dict[int, set[int]] = defaultdict(set)
    for message_id, rule_id in RuleHit.objects.filter(
        message_id__in=[m.pk for m in group]
    ).values_list("message_id", "rule_id"):
        previous[message_id].add(rule_id)
    from hubbub.inbox.sla import WorkspaceTargets  # sla reads models and notify: late

    states: dict[int, ConversationState] = {}
    run: Run | None = None
    targets = (known or {}).get(workspace_id) or WorkspaceTargets(workspace_id)
    unsaved: list[RuleHit] = []
    for message in group:
        try:
            conversation = conversations.get(message.conversation_id)
            if conversation is None:  # gone, or dropped after an error: read it (again)
                conversation = Conversation.objects.select_related(
                    "workspace", "channel", "identity", "customer"
                ).get(pk=message.conversation_id)
                conversations[conversation.pk] = conversation
                tags[conversation.pk] = list(conversation.tags.values_list("pk", "name"))
            if run is None:
                run = Run(
                    workspace=workspace,
                    dry=False,
                    at=timezone.now(),
                    pending=pending,
                )
            state = states.get(conversation.pk)
            if state is None:
                state = ConversationState.of(conversation, tags[conversation.pk])
            state.changed = set()  # per message, as apply_rules: the SLA hooks after each
            # Each hit, and the targets' update after a message, has its savepoint: a
            # database error in one (PostgreSQL then refuses every statement until rolled
            # back) does not stop the next; what the others did stays, as one by one.
            hits, states[conversation.pk] = _apply_message(
                specs, message, conversation, state, run, previous[message.pk], targets, unsaved
            )
            applied.hits += hits
        except Exception as exc:
            if pending is not None:
                raise
            log.exception("rules: message %s", message.pk)
            applied.failed.append((message, exc))
            # What the failed message's rules did was rolled back: read the conversation
            # again for its next message.
            states.pop(message.conversation_id, None)
            conversations.pop(message.conversation_id, None)
    if pending is not None:
        pending.flush()
    save_fields(RuleHit, unsaved, ["actions"])  # what each hit did, in one statement


def _conversations_of(group: list[Message], *, reuse: bool) -> dict[int, Conversation]:
    """The messages' conversations. With `reuse` (the quick way), the objects the messages
    carry: ingestion's, written a moment ago and kept current by the targets since, which
    is as fresh as reading them again (nothing locks them in between either way) without
    building each again from a 33-column row. Otherwise, or for a message that carries
    none, read from the database (the careful way runs after the quick one was rolled
    back: what the messages carry may hold changes that were undone)."""
    found: dict[int, Conversation] = {}
    if reuse:
        carried = Message._meta.get_field("conversation")
        for message in group:
            if carried.is_cached(message):  # type: ignore[union-attr]
                found[message.conversation_id] = message.conversation
    missing = {m.conversation_id for m in group} - found.keys()
    if missing:
        found.update(Conversation.objects.in_bulk(missing))
    return found


def _apply_one(
    spec: RuleSpec,
    view: MessageView,
    state: ConversationState,
    run: Run,
    conversation: Conversation,
    message: Message,
    unsaved: list[RuleHit] | None = None,
) -> RuleHit | None:
    """`unsaved`: a batch's list where the hit goes with its actions, saved with the others
    at the end of the batch (same transaction) rather than by one UPDATE each."""
    if not rule_matches(spec, view, state, run):
        return None
    assert spec.rule is not None
    if run.pending is not None:
        hit = RuleHit(
            rule=spec.rule,
            conversation=conversation,
            message=message,
            created_at=run.when(message),
        )
        hit.actions = [perform(action, spec, view, state, run) for action in spec.actions]
        run.pending.hits.append(hit)
        return hit
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
        if unsaved is None:
            hit.save(update_fields=["actions"])
        else:
            unsaved.append(hit)
    return hit
