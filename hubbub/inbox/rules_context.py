"""What evaluating rules works on: a rule (saved or not), the conversation as the rules see it,
and one run over one or many messages — live (hubbub.inbox.rules.apply_rules) or dry
(hubbub.inbox.rule_preview). Both go through the same code; only `Run.dry` differs, and with
it whether an action writes or just says what it would do.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import regex

from hubbub.core.models import Workspace
from hubbub.inbox.bulk_sql import save_fields
from hubbub.inbox.models import Conversation, Message, Rule, RuleHit, Tag

if TYPE_CHECKING:
    from hubbub.inbox.business_hours import Calendar
    from hubbub.inbox.coverage import Coverage

# Words (letters, digits, underscore) and single symbols such as emoji are tokens;
# punctuation, apostrophes and spaces separate them: "l'appli" is "l" "appli".
_TOKEN = regex.compile(r"\w+|\p{S}")
# Typographic apostrophes (\u2019 \u2018 \u02bc) are apostrophes; ligatures are two letters.
_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "œ": "oe", "Œ": "OE", "æ": "ae"}
)


class _Marks(dict[int, int | None]):
    """str.translate() table that deletes combining marks, filled as characters are met
    (a test per character in Python was most of the time of folding a message)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        if len(self) < 65536:  # hostile text must not grow it without bound
            self[code] = value
        return value


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lower-case without accents: "Café" and "CAFE" fold to "cafe", "Œuvre" to "oeuvre"."""
    if text.isascii():
        return text.lower()  # nothing to decompose; lower() is casefold() for ASCII
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return decomposed.translate(_MARKS).casefold()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


@dataclass
class RuleSpec:
    """A rule as evaluation needs it; `rule` is None for an unsaved one (preview only)."""

    name: str
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    match_all: bool = True
    stop: bool = False
    round_robin_last_id: int | None = None
    rule: Rule | None = None

    @classmethod
    def of(cls, rule: Rule) -> RuleSpec:
        return cls(
            name=rule.name,
            conditions=list(rule.conditions or []),
            actions=list(rule.actions or []),
            match_all=rule.match_all,
            stop=rule.stop,
            round_robin_last_id=rule.round_robin_last_id,
            rule=rule,
        )

    @property
    def key(self) -> int | str:
        """Identifies the rule's round-robin pointer within a run."""
        return self.rule.pk if self.rule is not None else "unsaved"


@dataclass
class ConversationState:
    """The conversation's attributes rules read and change. Live, the actions also write
    them; dry, only this object changes, so later messages and rules see the simulation."""

    conversation: Conversation
    tags: dict[str, str]  # folded name -> name as shown
    priority: int
    status: str
    assignee_id: int | None
    team_id: int | None
    auto_replied: bool
    changed: set[str] = field(default_factory=set)  # "tags", "priority", … (for sla.recompute)
    # Ids of its tags, when known (the targets' overrides look at them); None: read them.
    tag_ids: set[int] | None = None

    @classmethod
    def of(
        cls, conversation: Conversation, tags: list[tuple[int, str]] | None = None
    ) -> ConversationState:
        """`tags`: its tags as (id, name), when the caller read them for a whole batch."""
        if tags is None:
            tags = list(conversation.tags.values_list("pk", "name"))
        return cls(
            conversation=conversation,
            tags={fold(name): name for _pk, name in tags},
            tag_ids={pk for pk, _name in tags},
            priority=conversation.priority,
            status=conversation.status,
            assignee_id=conversation.assignee_id,
            team_id=conversation.team_id,
            auto_replied=conversation.auto_replied_at is not None,
        )


class MessageView:
    """One message with what conditions compute from it, computed at most once."""

    def __init__(self, message: Message) -> None:
        self.message = message

    @cached_property
    def joined_tokens(self) -> str:
        # " a b c ": a phrase matches as " a b " inside, a prefix as " a b" (no end space).
        return " " + " ".join(tokens(self.message.text)) + " "

    @cached_property
    def token_set(self) -> frozenset[str]:
        return frozenset(self.joined_tokens.split())


@dataclass
class Run:
    """One evaluation: live or dry, at instant `at` unless a message says otherwise."""

    workspace: Workspace
    dry: bool
    at: datetime | None = None  # live: now; dry: None, each message's received_at
    round_robin: dict[int | str, int | None] = field(default_factory=dict)
    _calendar: Calendar | None = None
    _coverage: Coverage | None = None
    _coverage_at: datetime | None = None
    coverage_span: tuple[datetime, datetime] | None = None  # dry: the whole window at once
    # Live over a batch: the writes kept for the end of the batch (see Pending).
    pending: Pending | None = None
    _tags: dict[str, Tag] | None = None

    def when(self, message: Message) -> datetime:
        """The instant actions happen at: now when live; when it arrived when simulated."""
        return self.at if self.at is not None else message.received_at

    def calendar(self) -> Calendar:
        if self._calendar is None:
            from hubbub.inbox import business_hours, sla  # sla imports models: import late
            from hubbub.inbox.models import ResponsePolicy

            policy = ResponsePolicy.objects.filter(workspace=self.workspace).first()
            if policy is None and self.dry:
                # calendar_for() would create the default policy: a dry run writes nothing.
                policy = ResponsePolicy(workspace=self.workspace)
                self._calendar = business_hours.Calendar(
                    tz=self.workspace.tz,
                    hours=policy.hours,
                    holidays=set(),
                    business_hours_only=policy.business_hours_only,
                )
            else:
                self._calendar = sla.calendar_for(self.workspace)
        return self._calendar

    def coverage(self, at: datetime) -> Coverage:
        from hubbub.inbox.coverage import Coverage

        if self.coverage_span is not None:
            if self._coverage is None:
                self._coverage = Coverage.load(self.workspace, *self.coverage_span)
            return self._coverage
        # Live, every message of a batch happens at the run's instant: read once.
        if self._coverage is None or self._coverage_at != at:
            self._coverage, self._coverage_at = Coverage.load(self.workspace, at), at
        return self._coverage

    def last_assigned(self, spec: RuleSpec) -> int | None:
        return self.round_robin.get(spec.key, spec.round_robin_last_id)

    def tag(self, name: str) -> Tag | None:
        """The workspace's tag of that name (any case), the workspace's tags read once a run."""
        if self._tags is None:
            self._tags = {t.name.lower(): t for t in Tag.objects.filter(workspace=self.workspace)}
        found = self._tags.get(name.lower())
        if found is None:
            # Not seen yet, or a case the database folds and Python does not (name__iexact is
            # what the unique constraint's users type): ask it once.
            found = Tag.objects.filter(workspace=self.workspace, name__iexact=name).first()
            if found is not None:
                self._tags[name.lower()] = found
        return found

    def remember_tag(self, tag: Tag) -> None:
        if self._tags is not None:
            self._tags[tag.name.lower()] = tag


@dataclass
class Pending:
    """What a live run over a batch (hubbub.inbox.rules.apply_rules_many) writes at the end of
    the batch rather than as it goes: the hits in one INSERT, the tags added in one, and each
    conversation's changed fields in one UPDATE per set of fields — instead of a savepoint,
    an INSERT and an UPDATE or two for every rule that matches. The batch runs in one
    transaction, so nothing is seen before the end either way; a hit that another worker
    wrote meanwhile fails the final INSERT, and the caller then does the batch again the
    careful way (hit by hit), which skips it."""

    hits: list[RuleHit] = field(default_factory=list)
    tag_rows: dict[tuple[int, int], None] = field(default_factory=dict)  # an ordered set
    fields: dict[int, tuple[Conversation, set[str]]] = field(default_factory=dict)

    def changed(self, conversation: Conversation, names: Any) -> None:
        """Fields of the conversation changed in memory, to be written by flush()."""
        entry = self.fields.setdefault(conversation.pk, (conversation, set()))
        entry[1].update(names)

    def flush(self) -> None:
        RuleHit.objects.bulk_create(self.hits)
        through = Conversation.tags.through
        rows = [through(conversation_id=c, tag_id=t) for c, t in self.tag_rows]
        through.objects.bulk_create(rows, ignore_conflicts=True)
        groups: dict[tuple[str, ...], list[Conversation]] = {}
        for conversation, changed in self.fields.values():
            groups.setdefault(tuple(sorted(changed)), []).append(conversation)
        for names, conversations in groups.items():
            save_fields(Conversation, conversations, list(names))
        self.hits, self.tag_rows, self.fields = [], {}, {}
