"""Changing the rota, one-off overrides and absences (shared by the settings pages, the API
and the CLI): each action checks the permission, validates, saves and writes the audit log.

The rota and overrides need inbox.configure. An absence needs inbox.configure too, except a
member's own: anyone who may answer conversations (inbox.reply) records and removes their
own time away. Times may be given aware (any zone) or naive, meaning the workspace's clock.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.inbox import coverage
from hubbub.inbox.models import Absence, CoverageOverride, Shift
from hubbub.publishing.tz import local_to_utc

if TYPE_CHECKING:
    from hubbub.accounts.models import User

MAX_NOTE = 200
MAX_OVERRIDE = timedelta(days=31)
MAX_ABSENCE = timedelta(days=366)


def _member(access: Access, user: User | int, *, on_duty: bool) -> User:
    """The member `user` of this workspace; with on_duty, one whose role may answer."""
    user_id = user if isinstance(user, int) else user.pk
    membership = (
        Membership.objects.filter(workspace=access.workspace, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ActionError(
            _("That person is not a member of %(workspace)s: invite them first.")
            % {"workspace": access.workspace.name},
            field="user",
        )
    if on_duty and membership.role not in coverage.on_duty_roles():
        raise ActionError(
            _(
                "%(name)s's role (%(role)s) cannot answer conversations, so they cannot be on "
                "duty: give them a role that may reply first."
            )
            % {"name": membership.user.display_name, "role": Role(membership.role).label},
            field="user",
        )
    return membership.user


def _same_workspace(access: Access, obj: Any) -> None:
    if obj is not None and obj.workspace_id != access.workspace.pk:
        raise ActionError(_("That belongs to another workspace."))


def _instant(access: Access, value: datetime, field: str) -> datetime:
    if value.tzinfo is not None:
        return value
    try:
        return local_to_utc(value, access.workspace.tz, fold=0)
    except ActionError as exc:
        raise ActionError(exc.message, field=field) from None


def _window(
    access: Access, starts_at: datetime, ends_at: datetime, longest: timedelta
) -> tuple[datetime, datetime]:
    start = _instant(access, starts_at, "starts_at")
    end = _instant(access, ends_at, "ends_at")
    tz = access.workspace.tz
    if end <= start:
        raise ActionError(
            _("The end (%(end)s) must be after the start (%(start)s).")
            % {
                "end": end.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "start": start.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            },
            field="ends_at",
        )
    if end - start > longest:
        raise ActionError(
            _("That is longer than %(days)s days: split it into shorter periods.")
            % {"days": longest.days},
            field="ends_at",
        )
    return start, end


def _note(note: str) -> str:
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise ActionError(
            _("The note is %(n)s characters long; keep it to %(max)s.")
            % {"n": len(note), "max": MAX_NOTE},
            field="note",
        )
    return note


def _audit(
    access: Access,
    action: str,
    obj: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    record(
        action,
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=obj,
        before=before,
        after=after,
    )


# --- rota ------------------------------------------------------------------------------------


def _shift_summary(shift: Shift) -> dict[str, Any]:
    return {
        "user": shift.user_id,
        "weekday": shift.weekday,
        "start": shift.start.strftime("%H:%M"),
        "end": shift.end.strftime("%H:%M"),
    }


def save_shift(
    access: Access,
    user: User | int,
    weekday: int,
    start: time,
    end: time,
    shift: Shift | None = None,
) -> Shift:
    """Add (or change) a weekly rota slot. `end` <= `start` runs past midnight into the next
    day; `start` == `end` is a whole 24 hours."""
    access.require("inbox.configure")
    _same_workspace(access, shift)
    if not isinstance(weekday, int) or not 1 <= weekday <= 7:
        raise ActionError(_("Choose a weekday from 1 (Monday) to 7 (Sunday)."), field="weekday")
    person = _member(access, user, on_duty=True)
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    twin = Shift.objects.filter(
        workspace=access.workspace, user=person, weekday=weekday, start=start, end=end
    )
    if shift is not None:
        twin = twin.exclude(pk=shift.pk)
    if twin.exists():
        raise ActionError(
            _("%(name)s already has that shift on the rota.") % {"name": person.display_name},
            field="start",
        )
    with transaction.atomic():
        before = _shift_summary(shift) if shift is not None else None
        shift = shift or Shift(workspace=access.workspace)
        shift.user, shift.weekday, shift.start, shift.end = person, weekday, start, end
        shift.save()
        _audit(access, "shift.save", shift, before, _shift_summary(shift))
    return shift


def delete_shift(access: Access, shift: Shift) -> None:
    access.require("inbox.configure")
    _same_workspace(access, shift)
    with transaction.atomic():
        _audit(access, "shift.delete", shift, _shift_summary(shift), None)
        shift.delete()


# --- overrides -------------------------------------------------------------------------------


def _window_summary(row: CoverageOverride | Absence) -> dict[str, Any]:
    return {
        "user": row.user_id,
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "note": row.note,
    }


def save_override(
    access: Access,
    user: User | int,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
    override: CoverageOverride | None = None,
) -> CoverageOverride:
    """`user` is on duty from starts_at to ends_at instead of the rota (with anyone else
    overriding at the same time)."""
    access.require("inbox.configure")
    _same_workspace(access, override)
    person = _member(access, user, on_duty=True)
    start, end = _window(access, starts_at, ends_at, MAX_OVERRIDE)
    clean_note = _note(note)
    with transaction.atomic():
        before = _window_summary(override) if override is not None else None
        override = override or CoverageOverride(workspace=access.workspace)
        override.user, override.starts_at, override.ends_at = person, start, end
        override.note = clean_note
        override.save()
        _audit(access, "coverage_override.save", override, before, _window_summary(override))
    return override


def delete_override(access: Access, override: CoverageOverride) -> None:
    access.require("inbox.configure")
    _same_workspace(access, override)
    with transaction.atomic():
        _audit(access, "coverage_override.delete", override, _window_summary(override), None)
        override.delete()


# --- absences --------------------------------------------------------------------------------


def _require_for_absence(access: Access, user_id: int) -> None:
    access.require("inbox.reply" if user_id == access.user.pk else "inbox.configure")


def save_absence(
    access: Access,
    user: User | int,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
    absence: Absence | None = None,
    now: datetime | None = None,
) -> Absence:
    """Record time away. When it has already begun, the person's conversations are handed
    over at once (else by the periodic hand_off_due when it begins)."""
    user_id = user if isinstance(user, int) else user.pk
    _require_for_absence(access, user_id)
    if absence is not None:
        _same_workspace(access, absence)
        _require_for_absence(access, absence.user_id)
    person = _member(access, user_id, on_duty=False)
    start, end = _window(access, starts_at, ends_at, MAX_ABSENCE)
    now = now or timezone.now()
    if end <= now and absence is None:
        raise ActionError(_("That absence is already over: check the dates."), field="ends_at")
    clean_note = _note(note)
    with transaction.atomic():
        before = _window_summary(absence) if absence is not None else None
        absence = absence or Absence(workspace=access.workspace)
        if absence.pk is not None and start > now and absence.handed_off_at is not None:
            # Moved to the future: hand off again when it begins.
            absence.handed_off_at, absence.handed_off_count = None, 0
        absence.user, absence.starts_at, absence.ends_at = person, start, end
        absence.note = clean_note
        absence.save()
        _audit(access, "absence.save", absence, before, _window_summary(absence))
    if start <= now < end and absence.handed_off_at is None:
        coverage.hand_off(absence, now)
        absence.refresh_from_db()
    return absence


def delete_absence(access: Access, absence: Absence) -> None:
    """Remove an absence (conversations already handed over stay with their new people)."""
    _same_workspace(access, absence)
    _require_for_absence(access, absence.user_id)
    with transaction.atomic():
        _audit(access, "absence.delete", absence, _window_summary(absence), None)
        absence.delete()
