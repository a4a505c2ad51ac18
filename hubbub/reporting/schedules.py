"""Reports e-mailed on schedule, and the actions that set them up.

A weekly schedule sends, on its weekday at its local hour, the report of the 7 days before
that day; a monthly one, on its day of the month (1 to 28, so every month has it), the
report of the previous calendar month. Hours are the workspace's: a report set for 08:00 in
Paris goes at 08:00 in summer and in winter.

`send_due()` runs every five minutes. Each occurrence is claimed by inserting its
ReportSending row (unique on schedule and due time), so two workers never send it twice. A
failed sending (SMTP down) is tried again on the next runs, up to MAX_ATTEMPTS, and its error
shows on the schedules page. An occurrence older than SEND_WITHIN is not sent late: a worker
down over the weekend does not mail last week's report on Wednesday.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Membership, Workspace
from hubbub.measure import reports
from hubbub.measure.periods import COMPARISONS, Period
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from hubbub.reporting import content, pdf
from hubbub.reporting.models import Frequency, ReportSchedule, ReportSending, SendingStatus

if TYPE_CHECKING:
    from hubbub.accounts.models import User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
SEND_WITHIN = timedelta(days=1)
MAX_ADDRESSES = 50
LANGUAGES = [code for code, _name in settings.LANGUAGES]


# --- when ------------------------------------------------------------------------------------


def _at(day: date, hour: int, zone: Any) -> datetime:
    return datetime.combine(day, time(hour), zone)


def _matches(schedule: ReportSchedule, day: date) -> bool:
    if schedule.frequency == Frequency.WEEKLY:
        return day.weekday() == schedule.weekday
    return day.day == schedule.day_of_month


def latest_due(schedule: ReportSchedule, now: datetime, zone: Any) -> datetime | None:
    """The most recent occurrence at or before `now` (within the last 32 days)."""
    today = now.astimezone(zone).date()
    for back in range(32):
        day = today - timedelta(days=back)
        if _matches(schedule, day) and _at(day, schedule.hour, zone) <= now:
            return _at(day, schedule.hour, zone)
    return None


def next_due(schedule: ReportSchedule, now: datetime, zone: Any) -> datetime:
    """The first occurrence after `now`."""
    today = now.astimezone(zone).date()
    for ahead in range(32):
        day = today + timedelta(days=ahead)
        if _matches(schedule, day) and _at(day, schedule.hour, zone) > now:
            return _at(day, schedule.hour, zone)
    raise AssertionError("every schedule has an occurrence within 32 days")


def period_for(schedule: ReportSchedule, due: datetime, zone: Any) -> Period:
    """The days a report sent at `due` covers: the 7 days or the calendar month before."""
    day = due.astimezone(zone).date()
    if schedule.frequency == Frequency.WEEKLY:
        return Period(day - timedelta(days=7), day - timedelta(days=1), zone)
    last = day.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last, zone)


# --- setting up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleInput:
    name: str
    frequency: str
    weekday: int = 0
    day_of_month: int = 1
    hour: int = 8
    channel_id: int | None = None
    campaign_id: int | None = None
    compare: str = "previous"
    language: str = ""  # empty: the workspace's
    member_ids: tuple[int, ...] = ()
    addresses: str = ""


def _addresses(text: str) -> list[str]:
    found: list[str] = []
    for line in text.replace(",", "\n").replace(";", "\n").splitlines():
        address = line.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ActionError(
                _("%(value)s is not an e-mail address: put one address on each line.")
                % {"value": address},
                field="addresses",
            ) from None
        if address.lower() not in {a.lower() for a in found}:
            found.append(address)
    if len(found) > MAX_ADDRESSES:
        raise ActionError(
            _("At most %(n)s outside addresses: send to a mailing list instead.")
            % {"n": MAX_ADDRESSES},
            field="addresses",
        )
    return found


def _checked(workspace: Workspace, given: ScheduleInput) -> dict[str, Any]:
    name = given.name.strip()
    if not name or len(name) > 100:
        raise ActionError(_("Give the report a name of at most 100 characters."), field="name")
    if given.frequency not in Frequency.values:
        raise ActionError(_("Choose weekly or monthly."), field="frequency")
    if not 0 <= given.weekday <= 6:
        raise ActionError(_("The weekday is 0 (Monday) to 6 (Sunday)."), field="weekday")
    if not 1 <= given.day_of_month <= 28:
        raise ActionError(
            _("Choose a day from 1 to 28, which every month has."), field="day_of_month"
        )
    if not 0 <= given.hour <= 23:
        raise ActionError(_("The hour is 0 to 23."), field="hour")
    if given.compare not in COMPARISONS:
        raise ActionError(_("Compare with the previous period or last year."), field="compare")
    language = given.language or workspace.language
    if language not in LANGUAGES:
        raise ActionError(
            _("Choose one of these languages: %(codes)s.") % {"codes": ", ".join(LANGUAGES)},
            field="language",
        )
    if given.channel_id is not None and given.campaign_id is not None:
        raise ActionError(_("A report is about one channel or one campaign, not both."))
    channel = campaign = None
    if given.channel_id is not None:
        channel = Channel.objects.filter(pk=given.channel_id, workspace=workspace).first()
        if channel is None:
            raise ActionError(_("No such channel in this workspace."), field="channel")
    if given.campaign_id is not None:
        campaign = Campaign.objects.filter(pk=given.campaign_id, workspace=workspace).first()
        if campaign is None:
            raise ActionError(_("No such campaign in this workspace."), field="campaign")
    members = set(
        Membership.objects.filter(workspace=workspace, user_id__in=given.member_ids).values_list(
            "user_id", flat=True
        )
    )
    unknown = set(given.member_ids) - members
    if unknown:
        raise ActionError(_("Only members of this workspace can be chosen."), field="members")
    addresses = _addresses(given.addresses)
    if not members and not addresses:
        raise ActionError(
            _("Choose at least one member or give an e-mail address to send it to."),
            field="addresses",
        )
    return {
        "fields": {
            "name": name,
            "frequency": given.frequency,
            "weekday": given.weekday,
            "day_of_month": given.day_of_month,
            "hour": given.hour,
            "channel": channel,
            "campaign": campaign,
            "compare": given.compare,
            "language": language,
            "addresses": "\n".join(addresses),
        },
        "members": sorted(members),
    }


def _audited(schedule: ReportSchedule) -> dict[str, Any]:
    return {
        "name": schedule.name,
        "frequency": schedule.frequency,
        "when": schedule.weekday
        if schedule.frequency == Frequency.WEEKLY
        else schedule.day_of_month,
        "hour": schedule.hour,
        "recipients": len(schedule.address_list()) + schedule.members.count(),
    }


def save_schedule(
    access: Access, given: ScheduleInput, schedule: ReportSchedule | None = None
) -> ReportSchedule:
    """Create a schedule, or change `schedule`. Needs measure.report (managers, analysts)."""
    access.require("measure.report")
    checked = _checked(access.workspace, given)
    with transaction.atomic():
        before = _audited(schedule) if schedule is not None else None
        if schedule is None:
            schedule = ReportSchedule(workspace=access.workspace, created_by=access.user)
        for key, value in checked["fields"].items():
            setattr(schedule, key, value)
        schedule.save()
        schedule.members.set(checked["members"])
        record(
            "report.schedule" if before is None else "report.schedule_update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=schedule,
            before=before,
            after=_audited(schedule),
        )
    return schedule


def set_active(access: Access, schedule: ReportSchedule, active: bool) -> None:
    access.require("measure.report")
    if schedule.active == active:
        return
    with transaction.atomic():
        schedule.active = active
        schedule.save(update_fields=["active"])
        record(
            "report.schedule_update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=schedule,
            before={"active": not active},
            after={"active": active},
        )


def delete_schedule(access: Access, schedule: ReportSchedule) -> None:
    access.require("measure.report")
    with transaction.atomic():
        record(
            "report.schedule_delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=schedule,
            before=_audited(schedule),
        )
        schedule.delete()


# --- sending ---------------------------------------------------------------------------------


def scope_of(schedule: ReportSchedule) -> reports.Scope:
    return reports.Scope(schedule.workspace_id, schedule.channel_id, schedule.campaign_id)


def recipients(schedule: ReportSchedule) -> list[str]:
    """Members still in the workspace (someone who left gets nothing), then the others."""
    members = list(
        Membership.objects.filter(
            workspace_id=schedule.workspace_id, user__in=schedule.members.all()
        ).values_list("user__email", flat=True)
    )
    found: list[str] = []
    for address in [*members, *schedule.address_list()]:
        if address and address.lower() not in {a.lower() for a in found}:
            found.append(address)
    return found


def build_pdf(
    workspace: Workspace,
    scope: reports.Scope,
    period: Period,
    compare: str,
    language: str,
    now: datetime | None = None,
) -> tuple[content.ReportContent, bytes]:
    with translation.override(language):
        found = content.build(workspace, scope, period, compare, now)
        return found, pdf.render(found)


def filename(found: content.ReportContent) -> str:
    return f"{found.workspace.slug}-results-{found.period.first}-{found.period.last}.pdf"


def message(
    schedule: ReportSchedule, found: content.ReportContent, data: bytes, to: list[str]
) -> EmailMessage:
    with translation.override(schedule.language):
        brand = found.brand
        lines = [
            _("%(name)s: %(scope)s, %(period)s.")
            % {"name": schedule.name, "scope": found.scope_label, "period": found.period_label},
            "",
        ]
        for row in found.headline:
            change = pdf.change_text(row["change"])
            lines.append(f"- {row['label']}: {row['value']} ({change})")
        lines += ["", _("The full report, with its charts and formulas, is attached."), ""]
        if not brand.white_label:
            lines.append(
                _("Sent by Hubbub because this address is on the report's list. Change it: %(url)s")
                % {
                    "url": settings.BASE_URL
                    + reverse("reporting:schedules", args=[found.workspace.slug])
                }
            )
        elif brand.prepared_by:
            lines.append(_("Prepared by %(name)s") % {"name": brand.prepared_by})
        subject = (
            f"[{' '.join(found.workspace.name.split())}] {schedule.name}: {found.period_label}"
        )
        mail = EmailMessage(subject[:150], "\n".join(lines), None, [], bcc=to)
        # Bcc: a client on the list does not see the agency's other recipients.
        mail.attach(filename(found), data, "application/pdf")
        return mail


def send(schedule: ReportSchedule, due: datetime, now: datetime) -> ReportSending | None:
    """Send the occurrence `due` of `schedule`, once; the sending row says how it went.
    None: nothing to do (sent already, being sent by another worker, or given up on)."""
    # Looked up first: for a day after its time, every run finds the occurrence already sent,
    # and a failed insert each five minutes would be the common case, not the race.
    sending = ReportSending.objects.filter(schedule=schedule, due_at=due).first()
    if sending is None:
        try:
            with transaction.atomic():
                sending = ReportSending.objects.create(schedule=schedule, due_at=due)
        except IntegrityError:  # another worker claimed it a moment ago
            return None
    else:
        if sending.status != SendingStatus.FAILED or sending.attempts >= MAX_ATTEMPTS:
            return None
        # Claim the retry: only the worker that moves it from FAILED goes on.
        claimed = ReportSending.objects.filter(
            pk=sending.pk, status=SendingStatus.FAILED, attempts=sending.attempts
        ).update(status=SendingStatus.SENDING)
        if not claimed:
            return None
    workspace = schedule.workspace
    zone = workspace.tz
    to = recipients(schedule)
    sending.attempts += 1
    try:
        if not to:
            raise ActionError(_("Nobody to send it to: every chosen member has left."))
        found, data = build_pdf(
            workspace,
            scope_of(schedule),
            period_for(schedule, due, zone),
            schedule.compare,
            schedule.language,
            now,
        )
        message(schedule, found, data, to).send()
    except Exception as exc:  # SMTP down, a bad address refused: kept, tried again
        log.warning("report schedule %s: sending %s failed: %s", schedule.pk, due, exc)
        sending.status = SendingStatus.FAILED
        sending.error = (getattr(exc, "message", "") or str(exc) or type(exc).__name__)[:500]
    else:
        sending.status = SendingStatus.SENT
        sending.sent_at = now
        sending.error = ""
        sending.recipients = "\n".join(to)
    sending.save()
    return sending


def send_due(now: datetime | None = None) -> int:
    """Send every occurrence that is due; how many were sent."""
    now = now or timezone.now()
    sent = 0
    for schedule in ReportSchedule.objects.filter(active=True).select_related("workspace"):
        due = latest_due(schedule, now, schedule.workspace.tz)
        if (
            due is None
            or now - due > SEND_WITHIN
            or due < schedule.created_at - timedelta(minutes=1)
        ):
            # An occurrence from before the schedule existed is not sent: a report created on
            # Tuesday for Mondays waits for next Monday.
            continue
        done = send(schedule, due, now)
        if done is not None and done.status == SendingStatus.SENT:
            sent += 1
    return sent


def send_now(access: Access, schedule: ReportSchedule, user: User | None = None) -> EmailMessage:
    """ "Send a test": this period's report to the person asking only, now."""
    access.require("measure.report")
    person = user or access.user
    if person is None or not person.email:
        raise ActionError(_("Your account has no e-mail address to send the test to."))
    now = timezone.now()
    zone = access.workspace.tz
    due = latest_due(schedule, now, zone) or now
    found, data = build_pdf(
        access.workspace,
        scope_of(schedule),
        period_for(schedule, due, zone),
        schedule.compare,
        schedule.language,
        now,
    )
    mail = message(schedule, found, data, [person.email])
    mail.send()
    return mail
