""" "Test this rule on the last 7 days": which inbound messages a rule (saved, or as being
edited) would have matched, and what it would have done to each.

It runs hubbub.inbox.rules.evaluate — the code apply_rules runs — with a dry Run: nothing is
written, not even a tag. Messages are taken oldest first, as they arrived, and what the rule
would have done to a conversation is carried to that conversation's later messages (a tag
it added, an assignee it chose, the one auto-reply it sent); round robin moves in memory
from the rule's saved pointer, and "on duty" is read at the time each message arrived.
Conversations start as they are now; other rules are not simulated (their order and stop
flags matter only when the rule is saved among them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.utils import timezone

from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Direction, Message, Rule
from hubbub.inbox.rules import evaluate
from hubbub.inbox.rules_context import ConversationState, MessageView, RuleSpec, Run

MAX_SCANNED = 20_000  # the most recent ones, when a busy week has more


class PreviewMatch(NamedTuple):
    message: Message
    actions: list[dict[str, Any]]


@dataclass
class Preview:
    matched: list[PreviewMatch] = field(default_factory=list)
    total_scanned: int = 0
    truncated: bool = False  # more messages than MAX_SCANNED in the window
    since: datetime | None = None


Unsaved = tuple[list[dict[str, Any]], list[dict[str, Any]], bool]


def _spec(rule: Rule | RuleSpec | Unsaved) -> RuleSpec:
    if isinstance(rule, Rule):
        return RuleSpec.of(rule)
    if isinstance(rule, RuleSpec):
        return rule
    conditions, actions, match_all = rule
    return RuleSpec(name="", conditions=conditions, actions=actions, match_all=match_all)


def _prefilter(spec: RuleSpec) -> dict[str, Any]:
    """Conditions the database can apply first (same meaning as in Python), when all must
    hold: fewer messages to load in a busy inbox."""
    if not spec.match_all:
        return {}
    lookups: dict[str, Any] = {}
    for condition in spec.conditions:
        column = {"channel": "channel_id", "kind": "kind", "language": "language"}.get(
            condition.get("field", "")
        )
        if column and condition.get("op") == "in" and column not in lookups:
            lookups[f"{column}__in"] = condition["value"]
    return lookups


def preview(
    rule: Rule | RuleSpec | Unsaved,
    workspace: Workspace,
    days: int = 7,
    now: datetime | None = None,
) -> Preview:
    """What `rule` — a Rule, or (conditions, actions, match_all) not yet saved, already
    validated — would have done to the inbound messages received in the last `days` days."""
    spec = _spec(rule)
    now = now or timezone.now()
    since = now - timedelta(days=days)
    recent = (
        Message.objects.filter(
            workspace=workspace,
            direction=Direction.INBOUND,
            received_at__gte=since,
            received_at__lte=now,
            **_prefilter(spec),
        )
        .select_related("identity")
        .order_by("-received_at", "-pk")
    )
    messages = list(recent[: MAX_SCANNED + 1])
    result = Preview(since=since, truncated=len(messages) > MAX_SCANNED)
    messages = messages[:MAX_SCANNED]
    messages.reverse()  # oldest first, as they arrived
    result.total_scanned = len(messages)
    if not messages:
        return result
    conversations = Conversation.objects.select_related(
        "workspace", "channel", "identity", "customer"
    ).in_bulk({m.conversation_id for m in messages})
    tags: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for conversation_id, tag_id, name in Conversation.tags.through.objects.filter(
        conversation_id__in=conversations
    ).values_list("conversation_id", "tag_id", "tag__name"):
        tags[conversation_id].append((tag_id, name))
    run = Run(workspace=workspace, dry=True, coverage_span=(since, now))
    states: dict[int, ConversationState] = {}
    for message in messages:
        state = states.get(message.conversation_id)
        if state is None:
            conversation = conversations[message.conversation_id]
            state = ConversationState.of(conversation, tags[conversation.pk])
            states[conversation.pk] = state
        message.conversation = state.conversation
        done = evaluate(spec, MessageView(message), state, run)
        if done is not None:
            result.matched.append(PreviewMatch(message, done))
    return result
