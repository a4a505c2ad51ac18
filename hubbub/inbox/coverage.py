"""Who is on duty, and handing a person's conversations over when they go away.

Rules (the contract other modules rely on, e.g. the rules' "assign to the person on duty"):

- The weekly rota (Shift rows) is in the workspace's time zone: a shift runs from `start` on
  its ISO weekday to `end` the same day, or, when `end` <= `start`, to `end` the next day
  (`start` == `end` is a whole 24 hours). Local times are turned into instants day by day,
  so a 22:00-06:00 shift lasts 7 hours on the spring-forward night and 9 on the autumn one.
  A local time the clocks skip starts (or ends) at the next time that exists; a local time
  that happens twice means its first occurrence.
- While any one-off CoverageOverride is active, its people are on duty *instead of* the rota.
  An override for someone who is no longer a member counts for nothing.
- An Absence takes its person off duty, whatever the rota or an override says.
- Only current members whose role may answer conversations (inbox.reply) and whose account
  is active are ever on duty.

Everything is computed from one `Coverage` snapshot (four queries), so evaluating many
instants (next_on_duty, the digest's periods) costs no more queries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import ngettext

from hubbub.core.audit import ACTIONS, record
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.notifications import notify
from hubbub.core.permissions import PERMISSIONS
from hubbub.inbox.models import Absence, Conversation, CoverageOverride, Shift, Status
from hubbub.publishing.tz import next_valid

if TYPE_CHECKING:
    from hubbub.accounts.models import User

log = logging.getLogger(__name__)


ACTIVE = (Status.OPEN, Status.PENDING)
LOOKAHEAD = timedelta(days=8)  # a weekly rota repeats within a week; one day spare
CHUNK = 500  # ids per `pk__in` (SQLite limits the variables of one statement)


@dataclass(frozen=True)
class Interval:
    """One stretch of duty of one person, in UTC: [start, end)."""

    start: datetime
    end: datetime
    user_id: int


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant the clocks of `tz` show `at` on `day`: a skipped time (spring
    forward) becomes the next time that exists, a repeated one (autumn) its first occurrence."""
    naive = datetime.combine(day, at.replace(tzinfo=None))
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        aware = next_valid(naive, tz).replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC)


def shift_intervals(
    shifts: Iterable[Shift], tz: ZoneInfo, first: date, last: date
) -> list[Interval]:
    """The concrete stretches of the rota for the shifts starting on local days first…last."""
    by_weekday: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_weekday.setdefault(shift.weekday, []).append(shift)
    out: list[Interval] = []
    day = first
    while day <= last:
        for shift in by_weekday.get(day.isoweekday(), []):
            start = local_instant(day, shift.start, tz)
            end_day = day if shift.end > shift.start else day + timedelta(days=1)
            end = local_instant(end_day, shift.end, tz)
            if end > start:  # a shift inside a skipped hour has no length that day
                out.append(Interval(start, end, shift.user_id))
        day += timedelta(days=1)
    return out


def merge(
    intervals: Iterable[tuple[datetime, datetime]], gap: timedelta = timedelta(0)
) -> list[tuple[datetime, datetime]]:
    """Sorted, overlapping (or closer than `gap`) stretches joined into one."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1] + gap:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def on_duty_roles() -> frozenset[str]:
    return PERMISSIONS["inbox.reply"]


@dataclass
class Coverage:
    """The rota, overrides, absences and eligible members of one workspace, loaded once."""

    workspace: Workspace
    tz: ZoneInfo
    shifts: list[Shift]
    overrides: list[CoverageOverride]
    absences: list[Absence]
    members: dict[int, User]

    @classmethod
    def load(cls, workspace: Workspace, start: datetime, end: datetime | None = None) -> Coverage:
        """What applies between `start` and `end` (default: the instant `start`)."""
        end = end or start
        members = {
            m.user.pk: m.user
            for m in Membership.objects.filter(
                workspace=workspace, role__in=on_duty_roles(), user__is_active=True
            ).select_related("user")
        }
        window = Q(workspace=workspace, starts_at__lte=end, ends_at__gt=start)
        return cls(
            workspace=workspace,
            tz=workspace.tz,
            shifts=list(Shift.objects.filter(workspace=workspace)),
            overrides=list(CoverageOverride.objects.filter(window)),
            absences=list(Absence.objects.filter(window)),
            members=members,
        )

    def is_absent(self, user_id: int, at: datetime) -> bool:
        return any(a.user_id == user_id and a.starts_at <= at < a.ends_at for a in self.absences)

    def rota_at(self, at: datetime) -> set[int]:
        today = at.astimezone(self.tz).date()
        # A shift that started yesterday may still run (past midnight).
        stretches = shift_intervals(self.shifts, self.tz, today - timedelta(days=1), today)
        return {i.user_id for i in stretches if i.start <= at < i.end}

    def on_duty_ids(self, at: datetime) -> list[int]:
        overriding = {
            o.user_id
            for o in self.overrides
            if o.starts_at <= at < o.ends_at and o.user_id in self.members
        }
        ids = overriding if overriding else self.rota_at(at)
        return sorted(i for i in ids if i in self.members and not self.is_absent(i, at))

    def on_duty(self, at: datetime) -> list[User]:
        return [self.members[i] for i in self.on_duty_ids(at)]

    def duty_of(
        self, user_id: int, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """The stretches (merged) when `user_id` is scheduled, by the rota or by their own
        overrides, overlapping [start, end). Absences are not taken out: callers decide."""
        first = start.astimezone(self.tz).date() - timedelta(days=1)
        last = end.astimezone(self.tz).date()
        mine = [s for s in self.shifts if s.user_id == user_id]
        stretches = [(i.start, i.end) for i in shift_intervals(mine, self.tz, first, last)]
        stretches += [(o.starts_at, o.ends_at) for o in self.overrides if o.user_id == user_id]
        return [(a, b) for a, b in merge(stretches) if a < end and b > start]

    def changes(self, start: datetime, end: datetime) -> list[datetime]:
        """Every instant in (start, end] where who is on duty may change."""
        first = start.astimezone(self.tz).date() - timedelta(days=1)
        last = end.astimezone(self.tz).date()
        points: set[datetime] = set()
        for i in shift_intervals(self.shifts, self.tz, first, last):
            points.update((i.start, i.end))
        for o in self.overrides:
            points.update((o.starts_at, o.ends_at))
        for a in self.absences:
            points.update((a.starts_at, a.ends_at))
        return sorted(p for p in points if start < p <= end)


def on_duty(workspace: Workspace, at: datetime) -> list[User]:
    """The people on duty at `at` (sorted by id, so round-robin is stable)."""
    return Coverage.load(workspace, at).on_duty(at)


def is_absent(workspace: Workspace, user: User, at: datetime) -> bool:
    return Absence.objects.filter(
        workspace=workspace, user=user, starts_at__lte=at, ends_at__gt=at
    ).exists()


def next_on_duty(
    workspace: Workspace, after: datetime, within: timedelta = LOOKAHEAD
) -> tuple[datetime, list[User]] | None:
    """The first instant at or after `after` when someone is on duty, and who; None when
    nobody is within `within` (an empty rota)."""
    coverage = Coverage.load(workspace, after, after + within)
    for at in (after, *coverage.changes(after, after + within)):
        people = coverage.on_duty(at)
        if people:
            return at, people
    return None


def next_shift_start(workspace: Workspace, user: User, after: datetime) -> datetime | None:
    """When `user`'s next stretch of duty (rota or their own override) begins, strictly after
    `after`; None when they have none within a week."""
    coverage = Coverage.load(workspace, after, after + LOOKAHEAD)
    starts = [a for a, _b in coverage.duty_of(user.pk, after, after + LOOKAHEAD) if a > after]
    return starts[0] if starts else None


# --- handoff ---------------------------------------------------------------------------------


def inbox_url(workspace: Workspace, query: str = "") -> str:
    """The inbox list (a path), for notices; blank when the inbox pages are not installed."""
    try:
        path = reverse("inbox:list", args=[workspace.slug])
    except NoReverseMatch:  # pragma: no cover - the inbox's URLs are always installed
        return ""
    return f"{path}?{query}" if query else path


def managers_of(workspace: Workspace, exclude: Sequence[int] = ()) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            workspace=workspace, role__in=PERMISSIONS["inbox.configure"]
        )
        .exclude(user_id__in=exclude)
        .select_related("user")
    ]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for offset in range(0, len(ids), CHUNK):
        yield ids[offset : offset + CHUNK]


def _reassign(ids: list[int], from_user: int, to_user: int | None, now: datetime) -> list[int]:
    """Move the conversations still assigned to `from_user`; the ids actually moved (a
    colleague may have taken one in the meantime)."""
    moved: list[int] = []
    for chunk in _chunks(ids):
        still = list(
            Conversation.objects.filter(pk__in=chunk, assignee_id=from_user).values_list(
                "pk", flat=True
            )
        )
        Conversation.objects.filter(pk__in=still).update(assignee_id=to_user, updated_at=now)
        moved += still
    return moved


def hand_off(absence: Absence, now: datetime) -> int:
    """Hand the absent person's open and pending conversations to the people on duty now,
    round-robin (oldest conversation first); with nobody on duty they become unassigned and
    the managers are told. Runs once per absence (conditional update on handed_off_at).
    Returns how many conversations changed hands."""
    workspace = absence.workspace
    absent_id = absence.user_id
    with transaction.atomic():
        claimed = Absence.objects.filter(pk=absence.pk, handed_off_at__isnull=True).update(
            handed_off_at=now
        )
        if not claimed:
            return 0
        ids = list(
            Conversation.objects.filter(
                workspace=workspace, assignee_id=absent_id, status__in=ACTIVE
            )
            .order_by("opened_at", "id")
            .values_list("pk", flat=True)
        )
        people = [u for u in on_duty(workspace, now) if u.pk != absent_id]
        plan: dict[int | None, list[int]] = {}
        for n, pk in enumerate(ids):
            plan.setdefault(people[n % len(people)].pk if people else None, []).append(pk)
        moved: dict[int | None, list[int]] = {
            to: _reassign(pks, absent_id, to, now) for to, pks in plan.items()
        }
        count = sum(len(pks) for pks in moved.values())
        assert "conversation.assign" in ACTIONS
        AuditEntry.objects.bulk_create(
            AuditEntry(
                workspace=workspace,
                actor=None,
                actor_label="Hubbub",
                via="system",
                action="conversation.assign",
                object_type="conversation",
                object_id=str(pk),
                object_label=f"conversation {pk}",
                before={"assignee": absent_id},
                after={"assignee": to, "reason": "absence", "absence": absence.pk},
                created_at=now,
            )
            for to, pks in moved.items()
            for pk in pks
        )
        Absence.objects.filter(pk=absence.pk).update(handed_off_count=count)
        absence.handed_off_at, absence.handed_off_count = now, count
        record(
            "absence.handoff",
            workspace=workspace,
            actor=None,
            via="system",
            obj=absence,
            after={
                "count": count,
                "to": {str(k): len(v) for k, v in moved.items() if k is not None},
                "unassigned": len(moved.get(None, [])),
            },
        )
    _tell(absence, moved, {u.pk: u for u in people})
    return count


def _tell(absence: Absence, moved: dict[int | None, list[int]], people: dict[int, User]) -> None:
    workspace = absence.workspace
    name = absence.user.display_name
    for to, pks in moved.items():
        if not pks:
            continue
        n = len(pks)
        if to is None:
            notify(
                managers_of(workspace, exclude=[absence.user_id]),
                workspace,
                "inbox.handoff_unassigned",
                lambda n=n: (
                    ngettext(
                        "%(name)s is away and nobody is on duty: %(count)s conversation is now "
                        "unassigned.",
                        "%(name)s is away and nobody is on duty: %(count)s conversations are now "
                        "unassigned.",
                        n,
                    )
                    % {"name": name, "count": n}
                ),
                inbox_url(workspace, "assignee=none"),
            )
        else:
            notify(
                [people[to]],
                workspace,
                "inbox.handoff",
                lambda n=n: (
                    ngettext(
                        "%(name)s is away: %(count)s conversation was handed over to you.",
                        "%(name)s is away: %(count)s conversations were handed over to you.",
                        n,
                    )
                    % {"name": name, "count": n}
                ),
                inbox_url(workspace, "assignee=me"),
            )


def hand_off_due(now: datetime) -> int:
    """Every few minutes: hand off each absence that has started and not ended, once."""
    total = 0
    due = Absence.objects.filter(
        handed_off_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    ).select_related("workspace", "user")
    for absence in due:
        try:
            total += hand_off(absence, now)
        except Exception:  # one workspace's trouble must not stop the others
            log.exception("handing off absence %s failed", absence.pk)
    return total
