"""Response-time targets: when each conversation is due, how long is left, warnings before a
breach and the record of breaches.

A cycle starts when a conversation opens (or reopens): the first response is due
`first_response_minutes` of business time after `opened_at`, the resolution (closing it)
`resolution_minutes` after. Targets come from the workspace's ResponsePolicy, or from the
first TargetOverride that matches the conversation; a target of 0 means "no target". The
resolution clock keeps running while the conversation is pending (waiting for the customer).

`check_targets()` runs every minute (hubbub.inbox.tasks_sla). It warns once when a due time
is `warn_before_minutes` away (wall-clock), and records a breach once when it passes. "Once"
holds with several workers: each warning or breach is claimed by a conditional UPDATE of the
conversation's *_warned_at / *_breached_at, and a Breach row is unique per due time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.bulk_sql import save_changes
from hubbub.inbox.business_hours import Calendar
from hubbub.inbox.models import (
    Breach,
    BreachKind,
    Conversation,
    Direction,
    Message,
    ResponsePolicy,
    Status,
    TargetOverride,
)

log = logging.getLogger(__name__)

ACTIVE = (Status.OPEN, Status.PENDING)
# A due time further in the past than this is no longer looked at by check_targets: the
# scan stays proportional to recent conversations, not to every neglected one. A worker
# down for longer misses those breaches (their due times still show as passed in the UI).
CATCH_UP = timedelta(days=7)
BATCH = 500
# Who hears about an unassigned conversation's warning or breach.
RESPONDERS = (Role.OWNER, Role.MANAGER, Role.MODERATOR)


@dataclass(frozen=True)
class Target:
    kind: str  # BreachKind value
    due: str  # Conversation field names
    warned: str
    breached: str


FIRST_RESPONSE = Target(
    BreachKind.FIRST_RESPONSE,
    "first_response_due_at",
    "first_response_warned_at",
    "first_response_breached_at",
)
RESOLUTION = Target(
    BreachKind.RESOLUTION, "resolution_due_at", "resolution_warned_at", "resolution_breached_at"
)
TARGETS = (FIRST_RESPONSE, RESOLUTION)


# --- the policy ---------------------------------------------------------------------------


def policy_for(workspace: Workspace) -> ResponsePolicy:
    policy, _created = ResponsePolicy.objects.select_related("workspace").get_or_create(
        workspace=workspace
    )
    return policy


def calendar_of(policy: ResponsePolicy) -> Calendar:
    holidays = {h.date for h in policy.holidays.all()}
    return Calendar(
        tz=ZoneInfo(policy.zone_name),
        hours=policy.hours or {},
        holidays=holidays,
        business_hours_only=policy.business_hours_only,
    )


def calendar_for(workspace: Workspace) -> Calendar:
    return calendar_of(policy_for(workspace))


def _matches(override: TargetOverride, conversation: Conversation, tag_ids: set[int]) -> bool:
    if override.channel_id is not None and override.channel_id != conversation.channel_id:
        return False
    if override.tag_id is not None and override.tag_id not in tag_ids:
        return False
    if override.priority is not None and override.priority != conversation.priority:
        return False
    if override.sentiment and override.sentiment != conversation.sentiment:
        return False
    return not (override.kind and override.kind != conversation.kind)


def targets_of(policy: ResponsePolicy, conversation: Conversation) -> tuple[int, int]:
    first, resolution = policy.first_response_minutes, policy.resolution_minutes
    overrides = list(policy.overrides.all())
    if not overrides:
        return first, resolution
    tag_ids: set[int] = set()
    if any(o.tag_id is not None for o in overrides) and conversation.pk is not None:
        tag_ids = set(conversation.tags.values_list("pk", flat=True))
    for override in overrides:  # ordered by position: the first match wins
        if _matches(override, conversation, tag_ids):
            if override.first_response_minutes is not None:
                first = override.first_response_minutes
            if override.resolution_minutes is not None:
                resolution = override.resolution_minutes
            break
    return first, resolution


def targets_for(conversation: Conversation) -> tuple[int, int]:
    """(first-response, resolution) minutes of business time for this conversation."""
    return targets_of(policy_for(conversation.workspace), conversation)


def _due(calendar: Calendar, start: datetime, minutes: int) -> datetime | None:
    return calendar.add(start, minutes) if minutes > 0 else None


# --- the life of a conversation -------------------------------------------------------------

CYCLE_RESET = {
    "first_response_at": None,
    "first_response_warned_at": None,
    "first_response_breached_at": None,
    "resolution_warned_at": None,
    "resolution_breached_at": None,
}


def _save(conversation: Conversation, values: dict[str, object]) -> None:
    for name, value in values.items():
        setattr(conversation, name, value)
    if values:
        Conversation.objects.filter(pk=conversation.pk).update(**values)


def _cycle_values(
    conversation: Conversation,
    message: Message | None,
    reopened: bool,
    targets: Callable[[], tuple[Calendar, int, int]],
) -> dict[str, object]:
    """What on_inbound writes; `targets()` (calendar, first-response and resolution minutes)
    is only called when a due time must be computed."""
    if message is not None and message.direction != Direction.INBOUND:
        return {}
    values: dict[str, object] = {}
    if reopened:
        values.update(CYCLE_RESET)
        values["first_response_due_at"] = values["resolution_due_at"] = None
    answered = conversation.first_response_at is not None and not reopened
    first_set = conversation.first_response_due_at is not None and not reopened
    resolution_set = conversation.resolution_due_at is not None and not reopened
    if (answered or first_set) and resolution_set:
        return values
    calendar, first, resolution = targets()
    if not answered and not first_set:
        values["first_response_due_at"] = _due(calendar, conversation.opened_at, first)
    if not resolution_set:
        values["resolution_due_at"] = _due(calendar, conversation.opened_at, resolution)
    return values


def on_inbound(conversation: Conversation, message: Message | None, reopened: bool) -> None:
    """A customer wrote: when a cycle starts (a new or reopened conversation) set its due
    times from `opened_at`. Later messages of the same cycle change nothing: the clock runs
    from the first unanswered message."""

    def targets() -> tuple[Calendar, int, int]:
        policy = policy_for(conversation.workspace)
        return (calendar_of(policy), *targets_of(policy, conversation))

    _save(conversation, _cycle_values(conversation, message, reopened, targets))


class WorkspaceTargets:
    """One workspace's policy, calendar and overrides, read once for a batch of messages
    (with the tags of the batch's conversations when an override looks at tags)."""

    def __init__(self, workspace_id: int, conversation_ids: Iterable[int] = ()) -> None:
        self.workspace_id = workspace_id
        self.conversation_ids = set(conversation_ids)
        self._loaded: tuple[ResponsePolicy, Calendar, list[TargetOverride]] | None = None
        self._tags: dict[int, set[int]] | None = None

    def sharing(self, conversation_ids: Iterable[int]) -> WorkspaceTargets:
        """The same policy (read once, or not yet) for another set of conversations."""
        other = WorkspaceTargets(self.workspace_id, conversation_ids)
        other._loaded = self._load()
        return other

    def _load(self) -> tuple[ResponsePolicy, Calendar, list[TargetOverride]]:
        if self._loaded is None:
            policy, _created = ResponsePolicy.objects.select_related("workspace").get_or_create(
                workspace_id=self.workspace_id
            )
            self._loaded = (policy, calendar_of(policy), list(policy.overrides.all()))
        return self._loaded

    def _tag_ids(self, conversation: Conversation) -> set[int]:
        if self._tags is None:
            self._tags = defaultdict(set)
            through = Conversation.tags.through.objects.filter(
                conversation_id__in=self.conversation_ids
            )
            for conversation_id, tag_id in through.values_list("conversation_id", "tag_id"):
                self._tags[conversation_id].add(tag_id)
        return self._tags.get(conversation.pk, set())

    def of(
        self,
        conversation: Conversation,
        *,
        fresh_tags: bool = False,
        tag_ids: set[int] | None = None,
    ) -> tuple[Calendar, int, int]:
        """(calendar, first-response, resolution minutes) as targets_of(), without a query
        per conversation; `tag_ids`: its tags as the caller knows them (the rules, which
        may just have added one), else with `fresh_tags` read now."""
        policy, calendar, overrides = self._load()
        first, resolution = policy.first_response_minutes, policy.resolution_minutes
        if not overrides:
            return calendar, first, resolution
        tagged: set[int] = set()
        if any(o.tag_id is not None for o in overrides) and conversation.pk is not None:
            if tag_ids is not None:
                tagged = tag_ids
            elif fresh_tags:
                tagged = set(conversation.tags.values_list("pk", flat=True))
            else:
                tagged = self._tag_ids(conversation)
        for override in overrides:  # ordered by position: the first match wins
            if _matches(override, conversation, tagged):
                if override.first_response_minutes is not None:
                    first = override.first_response_minutes
                if override.resolution_minutes is not None:
                    resolution = override.resolution_minutes
                break
        return calendar, first, resolution


InboundCall = tuple[Conversation, "Message | None", bool]


def due_times_of_new(conversations: Sequence[Conversation]) -> dict[int, WorkspaceTargets]:
    """The due times of conversations a customer has just opened, set on the objects before
    they are first saved (hubbub.inbox.ingest): what on_inbound_many would write just after,
    the policy and overrides read once per workspace (a new conversation has no tags).
    Returns the policies read, by workspace, for on_inbound_many and the rules to use."""
    by_workspace: dict[int, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        by_workspace[conversation.workspace_id].append(conversation)
    read: dict[int, WorkspaceTargets] = {}
    for workspace_id, group in by_workspace.items():
        targets = read[workspace_id] = WorkspaceTargets(workspace_id)
        for conversation in group:
            values = _cycle_values(conversation, None, False, partial(targets.of, conversation))
            for name, value in values.items():
                setattr(conversation, name, value)
    return read


def on_inbound_many(
    calls: Sequence[InboundCall], known: Mapping[int, WorkspaceTargets] | None = None
) -> list[tuple[InboundCall, Exception]]:
    """on_inbound(conversation, message, reopened) for each call, in the order given (time
    order), with the same result, for a batch: the policy, holidays and overrides are read
    once per workspace, tags once for the batch, and the due times written in one statement
    per set of changed fields. Returns the calls that failed, with their error (the others
    are still done)."""
    by_workspace: dict[int, list[InboundCall]] = defaultdict(list)
    for call in calls:
        by_workspace[call[0].workspace_id].append(call)
    failed: list[tuple[InboundCall, Exception]] = []
    changes: dict[int, tuple[Conversation, dict[str, object]]] = {}
    for workspace_id, group in by_workspace.items():
        ids = {c.pk for c, _m, _r in group}
        given = (known or {}).get(workspace_id)
        targets = given.sharing(ids) if given else WorkspaceTargets(workspace_id, ids)
        for call in group:
            conversation, message, reopened = call
            try:
                values = _cycle_values(
                    conversation, message, reopened, partial(targets.of, conversation)
                )
            except Exception as exc:  # one conversation must not stop the batch
                log.exception("targets: conversation %s", conversation.pk)
                failed.append((call, exc))
                continue
            for name, value in values.items():  # later calls see it, as one by one
                setattr(conversation, name, value)
            changes.setdefault(conversation.pk, (conversation, {}))[1].update(values)
    if changes:  # (new conversations come with their due times: often nothing to write)
        with transaction.atomic():  # one commit for the batch, not one per row
            save_changes(Conversation, changes.values())
    return failed


def on_first_response(conversation: Conversation, at: datetime) -> None:
    """Our first answer of this cycle went out at `at` (set once). An answer after the due
    time that the periodic check had not caught yet is recorded as a breach."""
    if not Conversation.objects.filter(pk=conversation.pk, first_response_at__isnull=True).update(
        first_response_at=at
    ):
        return
    conversation.first_response_at = at
    due = conversation.first_response_due_at
    if due is not None and at > due:
        _late(conversation, FIRST_RESPONSE, at)


def on_closed(conversation: Conversation, at: datetime) -> None:
    """The conversation was closed at `at`: a close after the resolution due time that the
    periodic check had not caught yet is recorded as a breach."""
    due = conversation.resolution_due_at
    if due is not None and at > due:
        _late(conversation, RESOLUTION, at)


def _late(conversation: Conversation, target: Target, at: datetime) -> None:
    due = getattr(conversation, target.due)
    breach = _claim_breach(conversation, target, due, at)
    if breach is not None:  # answered already: a webhook for programs, no alert for people
        _breach_event(conversation, breach)


def recompute(
    conversation: Conversation,
    targets: WorkspaceTargets | None = None,
    tag_ids: set[int] | None = None,
    *,
    save: bool = True,
) -> dict[str, object]:
    """Due times again after a change of priority, tags, channel or policy. A first response
    already given keeps its due time (met or missed, it is history); a due time that moves
    clears its warning, so the new one is warned about. `targets`: the workspace's policy
    read once for a batch (rules.apply_rules_many); `tag_ids`: the conversation's tags as
    the caller knows them, else read afresh. Returns the fields changed (set on the object;
    written unless `save` is False, when the caller writes them with others)."""
    if conversation.status == Status.CLOSED:
        return {}
    if targets is not None:
        calendar, first, resolution = targets.of(conversation, fresh_tags=True, tag_ids=tag_ids)
    else:
        policy = policy_for(conversation.workspace)
        calendar = calendar_of(policy)
        first, resolution = targets_of(policy, conversation)
    wanted = {RESOLUTION: _due(calendar, conversation.opened_at, resolution)}
    if conversation.first_response_at is None:
        wanted[FIRST_RESPONSE] = _due(calendar, conversation.opened_at, first)
    values: dict[str, object] = {}
    for target, due in wanted.items():
        if getattr(conversation, target.due) == due:
            continue
        values[target.due] = due
        if getattr(conversation, target.breached) is None:
            values[target.warned] = None
    if save:
        _save(conversation, values)
    else:
        for name, value in values.items():
            setattr(conversation, name, value)
    return values


def recompute_workspace(workspace: Workspace) -> int:
    """recompute() every open or pending conversation of the workspace (after its policy,
    holidays or overrides changed); returns how many were looked at."""
    count = 0
    for batch in _batches(Q(workspace=workspace, status__in=ACTIVE)):
        for conversation in batch:
            recompute(conversation)
            count += 1
    return count


# --- how long is left -------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    kind: str  # "first_response" or "resolution"
    due_at: datetime
    seconds_left: int  # wall-clock; negative once passed
    business_seconds_left: int  # business time; negative once passed
    breached: bool

    @property
    def label(self) -> str:
        return str(BreachKind(self.kind).label)


def current_target(conversation: Conversation) -> Target | None:
    if conversation.status == Status.CLOSED:
        return None
    if conversation.first_response_at is None and conversation.first_response_due_at is not None:
        return FIRST_RESPONSE
    if conversation.resolution_due_at is not None:
        return RESOLUTION
    return None


def remaining(
    conversation: Conversation, now: datetime | None = None, calendar: Calendar | None = None
) -> Due | None:
    """The target the conversation is running against now, for the UI and the API (None when
    closed or without target). Pass `calendar` when listing many of one workspace."""
    target = current_target(conversation)
    if target is None:
        return None
    now = now or timezone.now()
    due: datetime = getattr(conversation, target.due)
    calendar = calendar or calendar_for(conversation.workspace)
    return Due(
        kind=str(target.kind),
        due_at=due,
        seconds_left=int((due - now).total_seconds()),
        business_seconds_left=int(calendar.between(now, due).total_seconds()),
        breached=now >= due or getattr(conversation, target.breached) is not None,
    )


# --- the periodic check ----------------------------------------------------------------------


@dataclass
class CheckResult:
    warned: int = 0
    breached: int = 0
    errors: list[str] = field(default_factory=list)


def _active(target: Target, now: datetime) -> Q:
    query = Q(status__in=ACTIVE, **{f"{target.due}__gt": now - CATCH_UP})
    if target is FIRST_RESPONSE:
        query &= Q(first_response_at__isnull=True)
    return query


def _batches(query: Q) -> Iterable[list[Conversation]]:
    """Conversations matching `query` in batches, each read afresh (others may be claiming)."""
    last_id = 0
    while True:
        batch = list(
            Conversation.objects.filter(query, pk__gt=last_id)
            .select_related("workspace", "channel", "identity", "assignee")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return
        yield batch
        last_id = batch[-1].pk


def check_targets(now: datetime | None = None) -> CheckResult:
    """Record every breach that came due and warn about every one coming; each once."""
    now = now or timezone.now()
    result = CheckResult()
    for target in TARGETS:
        breaching = _active(target, now) & Q(
            **{f"{target.due}__lte": now, f"{target.breached}__isnull": True}
        )
        for batch in _batches(breaching):
            for conversation in batch:
                try:
                    if _breach(conversation, target, now):
                        result.breached += 1
                except Exception as exc:  # one bad conversation must not stop the others
                    log.exception("targets: breach of conversation %s", conversation.pk)
                    result.errors.append(f"{conversation.pk}: {exc}")
        longest = (
            ResponsePolicy.objects.order_by("-warn_before_minutes")
            .values_list("warn_before_minutes", flat=True)
            .first()
        )
        if not longest:
            continue
        warning = _active(target, now) & Q(
            **{
                f"{target.due}__gt": now,
                f"{target.due}__lte": now + timedelta(minutes=longest),
                f"{target.warned}__isnull": True,
                f"{target.breached}__isnull": True,
            }
        )
        warn_before: dict[int, timedelta] = {}
        for batch in _batches(warning):
            for conversation in batch:
                if conversation.workspace_id not in warn_before:
                    minutes = policy_for(conversation.workspace).warn_before_minutes
                    warn_before[conversation.workspace_id] = timedelta(minutes=minutes)
                before = warn_before[conversation.workspace_id]
                if not before or getattr(conversation, target.due) - before > now:
                    continue
                try:
                    if _warn(conversation, target, now):
                        result.warned += 1
                except Exception as exc:
                    log.exception("targets: warning for conversation %s", conversation.pk)
                    result.errors.append(f"{conversation.pk}: {exc}")
    return result


def _claim(conversation: Conversation, target: Target, field_name: str, now: datetime) -> bool:
    """Set `field_name` if nobody has, for the due time we read: True for the one who did."""
    due = getattr(conversation, target.due)
    return bool(
        Conversation.objects.filter(
            pk=conversation.pk,
            status__in=ACTIVE,
            **{target.due: due, f"{field_name}__isnull": True},
        ).update(**{field_name: now})
    )


def _claim_breach(
    conversation: Conversation,
    target: Target,
    due: datetime,
    at: datetime,
    *,
    active_only: bool = False,
) -> Breach | None:
    claim = Conversation.objects.filter(
        pk=conversation.pk, **{target.due: due, f"{target.breached}__isnull": True}
    )
    if active_only:  # the periodic check: a conversation closed meanwhile is not breached
        claim = claim.filter(status__in=ACTIVE)
    claimed = claim.update(**{target.breached: at})
    if not claimed:
        return None
    setattr(conversation, target.breached, at)
    try:
        with transaction.atomic():
            return Breach.objects.create(
                workspace_id=conversation.workspace_id,
                conversation=conversation,
                kind=target.kind,
                due_at=due,
                breached_at=at,
                channel_id=conversation.channel_id,
                assignee_id=conversation.assignee_id,
            )
    except IntegrityError:  # recorded already (the field was reset by hand, a reopen race)
        return None


def _breach(conversation: Conversation, target: Target, now: datetime) -> bool:
    due = getattr(conversation, target.due)
    breach = _claim_breach(conversation, target, due, now, active_only=True)
    if breach is None:
        return False
    _alert(conversation, target, "inbox.breached")
    _breach_event(conversation, breach)
    return True


def _warn(conversation: Conversation, target: Target, now: datetime) -> bool:
    if not _claim(conversation, target, target.warned, now):
        return False
    _alert(conversation, target, "inbox.breach_warning")
    return True


def _breach_event(conversation: Conversation, breach: Breach) -> None:
    from hubbub.inbox import events

    events.conversation_breached(conversation, breach)


# --- alerts ------------------------------------------------------------------------------------


def conversation_path(conversation: Conversation) -> str:
    slug = conversation.workspace.slug
    try:
        return reverse("inbox:conversation", args=[slug, conversation.pk])
    except NoReverseMatch:  # the inbox pages are named by hubbub.inbox.urls; same address
        return f"/w/{slug}/inbox/{conversation.pk}/"


def responders(conversation: Conversation) -> list[User]:
    """Who is told: the assignee, else the workspace's owners, managers and moderators."""
    if conversation.assignee_id is not None and conversation.assignee is not None:
        return [conversation.assignee]
    return [
        m.user
        for m in Membership.objects.filter(
            workspace_id=conversation.workspace_id, role__in=RESPONDERS
        )
        .select_related("user")
        .order_by("pk")
    ]


def who(conversation: Conversation) -> str:
    identity = conversation.identity
    handle = identity.handle if identity is not None else ""
    return handle or conversation.channel.handle or str(conversation.channel)


def _alert(conversation: Conversation, target: Target, event: str) -> None:
    from hubbub.notify import alerts

    due = getattr(conversation, target.due)
    tz = conversation.workspace.tz
    subject = " ".join(conversation.subject.split())[:80]

    def text() -> str:  # rendered in each recipient's language
        values = {
            "who": who(conversation),
            "network": conversation.channel.network.title(),
            "due": timezone.localtime(due, tz).strftime("%Y-%m-%d %H:%M"),
            "subject": subject or "—",
        }
        if event == "inbox.breached":
            if target is FIRST_RESPONSE:
                message = _(
                    "Missed the first-response target: %(who)s on %(network)s was due an "
                    "answer at %(due)s. “%(subject)s”"
                )
            else:
                message = _(
                    "Missed the resolution target: the conversation with %(who)s on "
                    "%(network)s was due to be closed at %(due)s. “%(subject)s”"
                )
        elif target is FIRST_RESPONSE:
            message = _(
                "%(who)s on %(network)s is waiting for a first answer, due at %(due)s. "
                "“%(subject)s”"
            )
        else:
            message = _(
                "The conversation with %(who)s on %(network)s is due to be closed at %(due)s. "
                "“%(subject)s”"
            )
        return message % values

    alerts.send(
        conversation.workspace,
        event,
        text,
        url=conversation_path(conversation),
        users=responders(conversation),
    )
