"""Changing a workspace's response targets: the policy, its holidays and its overrides.

Shared by the settings page (hubbub.inbox.views.settings_policy), the API and the CLI. Each
function checks inbox.configure, validates everything before writing (an ActionError says
what to fix, nothing is saved), writes, and records an audit entry. hubbub.inbox.sla reads
these rows; changes apply to the conversations whose targets are computed from now on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Workspace, validate_time_zone
from hubbub.inbox.models import (
    Holiday,
    Kind,
    Priority,
    ResponsePolicy,
    Sentiment,
    Tag,
    TargetOverride,
)
from hubbub.inbox.tasks_sla import targets_changed
from hubbub.networks.models import Channel

PERMISSION = "inbox.configure"
WEEKDAYS = tuple(str(day) for day in range(1, 8))  # ISO: "1" Monday … "7" Sunday
MAX_INTERVALS = 2  # per day: e.g. 09:00-12:30 and 14:00-18:00
MAX_TARGET_MINUTES = 60 * 24 * 365  # a year: anything longer is a typo
MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 2000
CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def policy_of(workspace: Workspace) -> ResponsePolicy:
    """The workspace's policy, created with the defaults the first time it is asked for."""
    policy, _created = ResponsePolicy.objects.get_or_create(workspace=workspace)
    return policy


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def clean_hours(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, list[list[str]]]:
    """Business hours as stored: {"1": [["09:00", "17:00"]], …}; closed days are left out.

    Raises ActionError (field "day-N") for the first day that is wrong."""
    cleaned: dict[str, list[list[str]]] = {}
    for key, intervals in hours.items():
        if key not in WEEKDAYS:
            raise ActionError(_("Unknown weekday %(day)s.") % {"day": key}, field="hours")
        if len(intervals) > MAX_INTERVALS:
            raise ActionError(_("A day has at most two opening intervals."), field=f"day-{key}")
        previous_end = -1
        day: list[list[str]] = []
        for interval in intervals:
            if len(interval) != 2:
                raise ActionError(_("Give each interval a start and an end."), field=f"day-{key}")
            start, end = (str(v).strip() for v in interval)
            for value in (start, end):
                if not CLOCK.match(value):
                    raise ActionError(
                        _("'%(value)s' is not a time of day: use the form 09:30.")
                        % {"value": value},
                        field=f"day-{key}",
                    )
            if start == "24:00" or _minutes(start) >= _minutes(end):
                raise ActionError(
                    _("%(start)s to %(end)s: the end must come after the start.")
                    % {"start": start, "end": end},
                    field=f"day-{key}",
                )
            if _minutes(start) < previous_end:
                raise ActionError(
                    _("The second interval must start after the first one ends."),
                    field=f"day-{key}",
                )
            previous_end = _minutes(end)
            day.append([start, end])
        if day:
            cleaned[key] = day
    return dict(sorted(cleaned.items()))


def _target(value: int | None, name: str, *, required: bool) -> int | None:
    if value is None:
        if required:
            raise ActionError(_("Give a target."), field=name)
        return None
    if value < 1 or value > MAX_TARGET_MINUTES:
        raise ActionError(
            _("A target is between 1 minute and 365 days."),
            field=name,
        )
    return value


def _policy_state(policy: ResponsePolicy) -> dict[str, Any]:
    return {
        "time_zone": policy.time_zone,
        "hours": policy.hours,
        "business_hours_only": policy.business_hours_only,
        "first_response_minutes": policy.first_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "warn_before_minutes": policy.warn_before_minutes,
    }


def save_policy(
    access: Access,
    *,
    time_zone: str,
    hours: Mapping[str, Sequence[Sequence[str]]],
    business_hours_only: bool,
    first_response_minutes: int,
    resolution_minutes: int,
    warn_before_minutes: int,
) -> ResponsePolicy:
    """Save the policy. `time_zone` blank: the workspace's own (follows it if it changes)."""
    access.require(PERMISSION)
    time_zone = time_zone.strip()
    if time_zone:
        try:
            validate_time_zone(time_zone)
        except Exception:
            raise ActionError(
                _("'%(zone)s' is not a time zone: use a name such as Europe/Paris.")
                % {"zone": time_zone},
                field="time_zone",
            ) from None
    if time_zone == access.workspace.time_zone:
        time_zone = ""  # the workspace's: keeps following it
    cleaned = clean_hours(hours)
    if business_hours_only and not cleaned:
        raise ActionError(
            _(
                "Open at least one day, or count every hour: with no business hours a "
                "target would never fall due."
            ),
            field="hours",
        )
    first = _target(first_response_minutes, "first_response", required=True)
    resolution = _target(resolution_minutes, "resolution", required=True)
    assert first is not None and resolution is not None
    if warn_before_minutes < 0 or warn_before_minutes >= first:
        raise ActionError(
            _("Warn between 0 minutes and less than the first-response target before it."),
            field="warn_before",
        )
    with transaction.atomic():
        policy = policy_of(access.workspace)
        before = _policy_state(policy)
        policy.time_zone = time_zone
        policy.hours = cleaned
        policy.business_hours_only = business_hours_only
        policy.first_response_minutes = first
        policy.resolution_minutes = resolution
        policy.warn_before_minutes = warn_before_minutes
        policy.updated_at = timezone.now()
        policy.save()
        record(
            "inbox.policy",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=policy,
            label=_("Response targets"),
            before=before,
            after=_policy_state(policy),
        )
        targets_changed(access.workspace)
    return policy


# --- holidays -------------------------------------------------------------------------------


def add_holiday(access: Access, day: date, name: str = "") -> Holiday:
    """Add a closed day (or rename the one already on that date)."""
    access.require(PERMISSION)
    name = name.strip()
    if len(name) > 100:
        raise ActionError(_("Keep the name under 100 characters."), field="name")
    with transaction.atomic():
        policy = policy_of(access.workspace)
        holiday, created = Holiday.objects.update_or_create(
            policy=policy, date=day, defaults={"name": name}
        )
        policy.updated_at = timezone.now()
        policy.save(update_fields=["updated_at"])
        record(
            "inbox.holiday_add",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=holiday,
            after={"date": day.isoformat(), "name": name, "created": created},
        )
        targets_changed(access.workspace)
    return holiday


def delete_holiday(access: Access, holiday: Holiday) -> None:
    access.require(PERMISSION)
    if holiday.policy.workspace_id != access.workspace.pk:
        raise ActionError(_("That holiday belongs to another workspace."))
    with transaction.atomic():
        record(
            "inbox.holiday_delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=holiday,
            before={"date": holiday.date.isoformat(), "name": holiday.name},
        )
        targets_changed(access.workspace)
        holiday.delete()


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)  # "Line 3: …", one per bad row


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")  # a spreadsheet saved as "CSV (Windows)"
        except UnicodeDecodeError:
            raise ActionError(
                _("The file is not readable text: save it as CSV (UTF-8)."), field="file"
            ) from None


def _parse_day(value: str) -> date:
    """2026-12-25, or 25/12/2026 as people in France write it; ValueError otherwise."""
    value = value.strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)  # ValueError for 31/02/2026
    return date.fromisoformat(value)


def import_holidays_csv(access: Access, data: bytes | str) -> ImportResult:
    """Rows `date,name` (a header row, semicolons and DD/MM/YYYY dates are accepted).

    Good rows are kept even when others are wrong; each bad row is reported with its line
    number. A date already listed gets the new name."""
    access.require(PERMISSION)
    if len(data) > MAX_CSV_BYTES:
        raise ActionError(_("The file is larger than 1 MB."), field="file")
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_CSV_ROWS:
        raise ActionError(
            _("The file has more than %(max)s rows: split it.") % {"max": MAX_CSV_ROWS},
            field="file",
        )
    result = ImportResult()
    good: dict[date, str] = {}
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in ("date", "jour", "day"):
            continue  # the header
        try:
            day = _parse_day(cells[0])
        except ValueError:
            result.errors.append(
                _("Line %(n)s: '%(value)s' is not a date: use 2026-12-25.")
                % {"n": number, "value": cells[0][:40]}
            )
            continue
        name = cells[1] if len(cells) > 1 else ""
        if len(name) > 100:
            result.errors.append(
                _("Line %(n)s: the name is longer than 100 characters.") % {"n": number}
            )
            continue
        good[day] = name
    if not good and not result.errors:
        raise ActionError(_("The file has no rows: one line per holiday, date,name."), "file")
    with transaction.atomic():
        policy = policy_of(access.workspace)
        existing = set(
            Holiday.objects.filter(policy=policy, date__in=list(good)).values_list(
                "date", flat=True
            )
        )
        for day, name in good.items():
            Holiday.objects.update_or_create(policy=policy, date=day, defaults={"name": name})
        result.updated = len(existing)
        result.added = len(good) - len(existing)
        if good:
            record(
                "inbox.holidays_import",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=policy,
                label=_("Holidays"),
                after={
                    "added": result.added,
                    "updated": result.updated,
                    "errors": len(result.errors),
                },
            )
            targets_changed(access.workspace)
    return result


# --- overrides ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverrideInput:
    channel_id: int | None = None
    tag_id: int | None = None
    priority: int | None = None
    sentiment: str = ""
    kind: str = ""
    first_response_minutes: int | None = None
    resolution_minutes: int | None = None


def _override_state(o: TargetOverride) -> dict[str, Any]:
    return {
        "position": o.position,
        "channel": o.channel_id,
        "tag": o.tag_id,
        "priority": o.priority,
        "sentiment": o.sentiment,
        "kind": o.kind,
        "first_response_minutes": o.first_response_minutes,
        "resolution_minutes": o.resolution_minutes,
    }


def _check_override(access: Access, given: OverrideInput) -> None:
    workspace = access.workspace
    if (
        given.channel_id is not None
        and not Channel.objects.filter(pk=given.channel_id, workspace=workspace).exists()
    ):
        raise ActionError(_("Choose one of this workspace's channels."), field="channel")
    if (
        given.tag_id is not None
        and not Tag.objects.filter(pk=given.tag_id, workspace=workspace).exists()
    ):
        raise ActionError(_("Choose one of this workspace's tags."), field="tag")
    if given.priority is not None and given.priority not in Priority.values:
        raise ActionError(_("Choose a priority from the list."), field="priority")
    if given.sentiment and given.sentiment not in Sentiment.values:
        raise ActionError(_("Choose a sentiment from the list."), field="sentiment")
    if given.kind and given.kind not in Kind.values:
        raise ActionError(_("Choose a message type from the list."), field="kind")
    if (
        given.channel_id is None
        and given.tag_id is None
        and given.priority is None
        and not given.sentiment
        and not given.kind
    ):
        raise ActionError(
            _("Choose at least one condition: channel, tag, priority, sentiment or type."),
            field="channel",
        )
    _target(given.first_response_minutes, "first_response", required=False)
    _target(given.resolution_minutes, "resolution", required=False)
    if given.first_response_minutes is None and given.resolution_minutes is None:
        raise ActionError(
            _("Give a first-response target, a resolution target or both."),
            field="first_response",
        )


def save_override(
    access: Access, given: OverrideInput, override: TargetOverride | None = None
) -> TargetOverride:
    """Create an override (placed last) or change `override`."""
    access.require(PERMISSION)
    if override is not None and override.policy.workspace_id != access.workspace.pk:
        raise ActionError(_("That override belongs to another workspace."))
    _check_override(access, given)
    with transaction.atomic():
        policy = policy_of(access.workspace)
        before = _override_state(override) if override is not None else None
        if override is None:
            last = TargetOverride.objects.filter(policy=policy).aggregate(m=Max("position"))["m"]
            override = TargetOverride(policy=policy, position=0 if last is None else last + 1)
        override.channel_id = given.channel_id
        override.tag_id = given.tag_id
        override.priority = given.priority
        override.sentiment = given.sentiment
        override.kind = given.kind
        override.first_response_minutes = given.first_response_minutes
        override.resolution_minutes = given.resolution_minutes
        override.save()
        record(
            "inbox.override_save",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=override,
            before=before,
            after=_override_state(override),
        )
        targets_changed(access.workspace)
    return override


def delete_override(access: Access, override: TargetOverride) -> None:
    access.require(PERMISSION)
    if override.policy.workspace_id != access.workspace.pk:
        raise ActionError(_("That override belongs to another workspace."))
    with transaction.atomic():
        record(
            "inbox.override_delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=override,
            before=_override_state(override),
        )
        targets_changed(access.workspace)
        override.delete()


def move_override(access: Access, override: TargetOverride, offset: int) -> list[TargetOverride]:
    """Move one place up (offset -1) or down (+1); the first matching override wins."""
    access.require(PERMISSION)
    if override.policy.workspace_id != access.workspace.pk:
        raise ActionError(_("That override belongs to another workspace."))
    with transaction.atomic():
        ordered = list(
            TargetOverride.objects.select_for_update().filter(policy_id=override.policy_id)
        )
        index = next((i for i, o in enumerate(ordered) if o.pk == override.pk), None)
        if index is None:
            raise ActionError(_("That override no longer exists: reload the page."))
        target = index + offset
        if not 0 <= target < len(ordered):
            return ordered  # already first (or last): nothing to do
        before = [o.pk for o in ordered]
        ordered.insert(target, ordered.pop(index))
        for position, item in enumerate(ordered):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        record(
            "inbox.override_move",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=override,
            before={"order": before},
            after={"order": [o.pk for o in ordered]},
        )
        targets_changed(access.workspace)
    return ordered
