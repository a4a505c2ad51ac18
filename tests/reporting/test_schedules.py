"""Reports e-mailed on schedule: when they go (the workspace's local hour, summer and winter),
what period they cover, that each goes once however often the job runs, that a failure is
tried again and shown, who receives them, and that the e-mail reaches a real SMTP server
with the PDF attached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import strip_tags

from hubbub.core.access import ActionError, access_workspace
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.reporting import schedules
from hubbub.reporting.models import ReportSchedule, ReportSending
from hubbub.reporting.schedules import ScheduleInput
from tests.conftest import signed_in
from tests.measure.test_reports import PARIS, channel, local, post
from tests.networks.newsletter.smtp_server import PASSWORD, USERNAME, Running, smtp_server
from tests.reporting.helpers import pages_text

pytestmark = pytest.mark.django_db


def weekly(**extra: Any) -> ScheduleInput:
    values: dict[str, Any] = {
        "name": "Weekly results",
        "frequency": "weekly",
        "weekday": 0,
        "hour": 8,
        "addresses": "client@brand.example",
    }
    values.update(extra)
    return ScheduleInput(**values)


@pytest.fixture
def owner(acme: Workspace, alice: Any) -> Any:
    return access_workspace(alice, "acme")


def create(owner: Any, at: datetime, **extra: Any) -> ReportSchedule:
    with time_machine.travel(at, tick=False):
        return schedules.save_schedule(owner, weekly(**extra))


# --- when, and what period ---------------------------------------------------------------


def test_weekly_goes_at_the_local_hour_in_summer_and_in_winter(owner):
    schedule = create(owner, datetime(2026, 10, 1, tzinfo=UTC))
    zone = PARIS
    # Monday 19 October 2026, 08:00 in Paris is 06:00 UTC (summer time)...
    assert schedules.next_due(schedule, datetime(2026, 10, 15, tzinfo=UTC), zone) == datetime(
        2026, 10, 19, 6, tzinfo=UTC
    )
    # ...and Monday 26 October, the day after the clocks went back, 07:00 UTC.
    assert schedules.next_due(schedule, datetime(2026, 10, 20, tzinfo=UTC), zone) == datetime(
        2026, 10, 26, 7, tzinfo=UTC
    )


def test_a_weekly_report_covers_the_seven_days_before_and_a_monthly_one_the_month(owner):
    schedule = create(owner, datetime(2026, 10, 1, tzinfo=UTC))
    due = local(2026, 10, 26, 8)
    period = schedules.period_for(schedule, due, PARIS)
    assert (period.first, period.last) == (date(2026, 10, 19), date(2026, 10, 25))
    # That week has the 25-hour Sunday: 7 days are 169 hours.
    assert period.end.astimezone(UTC) - period.start.astimezone(UTC) == timedelta(hours=169)
    schedule.frequency, schedule.day_of_month = "monthly", 1
    period = schedules.period_for(schedule, local(2026, 3, 1, 8), PARIS)
    assert (period.first, period.last) == (date(2026, 2, 1), date(2026, 2, 28))


def test_monthly_goes_on_its_day(owner):
    schedule = create(owner, datetime(2026, 10, 1, tzinfo=UTC), frequency="monthly", day_of_month=3)
    assert schedules.next_due(schedule, datetime(2026, 10, 3, 7, tzinfo=UTC), PARIS) == local(
        2026, 11, 3, 8
    )
    assert schedules.latest_due(schedule, datetime(2026, 10, 3, 7, tzinfo=UTC), PARIS) == local(
        2026, 10, 3, 8
    )


# --- sending -------------------------------------------------------------------------------


@pytest.fixture
def week(acme: Workspace) -> None:
    bluesky = channel(acme, "bluesky", "brand.bsky.social")
    post(bluesky, local(2026, 10, 20, 9), likes=12, comments=3, shares=2)


def test_a_due_report_is_sent_once_however_often_the_job_runs(owner, week):
    schedule = create(owner, datetime(2026, 10, 1, tzinfo=UTC))
    monday = local(2026, 10, 26, 8, 2)
    with time_machine.travel(monday, tick=False):
        assert schedules.send_due() == 1
        assert schedules.send_due() == 0
    with time_machine.travel(monday + timedelta(minutes=5), tick=False):
        assert schedules.send_due() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.bcc == ["client@brand.example"] and message.to == []
    assert message.subject == "[Acme] Weekly results: Oct. 19, 2026 – Oct. 25, 2026"  # noqa: RUF001
    assert "- Engagements: 17" in message.body
    ((name, data, kind),) = message.attachments
    assert (name, kind) == ("acme-results-2026-10-19-2026-10-25.pdf", "application/pdf")
    assert "Oct. 19, 2026 – Oct. 25, 2026" in " ".join(pages_text(data))  # noqa: RUF001
    sending = ReportSending.objects.get(schedule=schedule)
    assert sending.status == "sent" and sending.recipients == "client@brand.example"


def test_nothing_is_sent_before_its_time_or_for_a_day_before_the_schedule_existed(owner, week):
    # Created on Tuesday the 20th: Monday the 19th's report is not sent late.
    create(owner, local(2026, 10, 20, 10))
    with time_machine.travel(local(2026, 10, 20, 10, 5), tick=False):
        assert schedules.send_due() == 0
    with time_machine.travel(local(2026, 10, 26, 7, 59), tick=False):
        assert schedules.send_due() == 0
    with time_machine.travel(local(2026, 10, 26, 8, 0), tick=False):
        assert schedules.send_due() == 1


def test_a_worker_down_for_days_does_not_send_a_stale_report(owner, week):
    create(owner, datetime(2026, 10, 1, tzinfo=UTC))
    with time_machine.travel(local(2026, 10, 28, 9), tick=False):  # Wednesday
        assert schedules.send_due() == 0
    assert mail.outbox == []


def test_a_paused_schedule_sends_nothing(owner, week):
    schedule = create(owner, datetime(2026, 10, 1, tzinfo=UTC))
    schedules.set_active(owner, schedule, False)
    with time_machine.travel(local(2026, 10, 26, 8, 2), tick=False):
        assert schedules.send_due() == 0


def test_a_failed_sending_is_shown_and_tried_again(owner, week, settings):
    schedule = create(owner, datetime(2026, 10, 1, tzinfo=UTC))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with time_machine.travel(local(2026, 10, 26, 8, 0), tick=False):
        assert schedules.send_due() == 0
    sending = ReportSending.objects.get(schedule=schedule)
    assert sending.status == "failed" and sending.attempts == 1
    assert "refused" in sending.error.lower()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(local(2026, 10, 26, 8, 5), tick=False):
        assert schedules.send_due() == 1
    sending.refresh_from_db()
    assert (sending.status, sending.attempts, sending.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_members_who_left_are_not_sent_it(owner, week, bob):
    schedule = create(owner, datetime(2026, 10, 1, tzinfo=UTC), member_ids=(bob.pk,))
    assert schedules.recipients(schedule) == ["bob@example.com", "client@brand.example"]
    Membership.objects.filter(user=bob).delete()
    assert schedules.recipients(schedule) == ["client@brand.example"]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Running]:
    with smtp_server() as running:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", running.port
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = USERNAME, PASSWORD
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield running


def test_the_scheduled_report_reaches_a_real_smtp_server_with_the_pdf(owner, week, bob, smtp):
    create(owner, datetime(2026, 10, 1, tzinfo=UTC), member_ids=(bob.pk,), language="fr")
    with time_machine.travel(local(2026, 10, 26, 8, 1), tick=False):
        assert schedules.send_due() == 1
    (received,) = smtp.recorder.received
    assert sorted(received.rcpt_tos) == ["bob@example.com", "client@brand.example"]
    assert "bob@example.com" not in received.message.get("To", "")  # blind copies
    attachments = list(received.message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    data = attachments[0].get_content()
    text = " ".join(" ".join(pages_text(data)).split())
    assert "Résultats : Acme" in text
    assert "Annexe" in text


# --- setting up ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"addresses": "not an address"}, "addresses", "not an e-mail address"),
        ({"addresses": ""}, "addresses", "at least one member"),
        ({"frequency": "daily"}, "frequency", "weekly or monthly"),
        ({"frequency": "monthly", "day_of_month": 31}, "day_of_month", "1 to 28"),
        ({"hour": 24}, "hour", "0 to 23"),
        ({"name": " "}, "name", "name"),
        ({"language": "de"}, "language", "en, fr"),
    ],
)
def test_bad_settings_are_refused_with_what_to_fix(owner, extra, field, words):
    with pytest.raises(ActionError) as caught:
        schedules.save_schedule(owner, weekly(**extra))
    assert caught.value.field == field
    assert words in caught.value.message
    assert not ReportSchedule.objects.exists()


def test_another_workspaces_channel_or_a_non_member_is_refused(owner, charlie):
    from hubbub.core.models import Workspace as W

    globex = W.objects.create(name="Globex", slug="globex")
    theirs = channel(globex, "bluesky", "globex.bsky.social")
    with pytest.raises(ActionError, match="No such channel"):
        schedules.save_schedule(owner, weekly(channel_id=theirs.pk))
    with pytest.raises(ActionError, match="Only members"):
        schedules.save_schedule(owner, weekly(member_ids=(charlie.pk,)))


def test_an_editor_may_not_schedule_reports(acme, bob):
    editor = access_workspace(bob, "acme")
    with pytest.raises(PermissionDenied, match=r"does not allow measure\.report"):
        schedules.save_schedule(editor, weekly())


def test_changes_are_audited(owner):
    schedule = schedules.save_schedule(owner, weekly())
    schedules.save_schedule(owner, weekly(hour=9), schedule)
    schedules.delete_schedule(owner, schedule)
    assert list(
        AuditEntry.objects.filter(workspace__slug="acme", action__startswith="report.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["report.schedule", "report.schedule_update", "report.schedule_delete"]


# --- the page --------------------------------------------------------------------------------


def test_the_page_schedules_a_report_and_says_what_was_wrong(acme, alice, bob):
    client = signed_in(alice)
    url = reverse("reporting:schedules", args=["acme"])
    bad = client.post(
        url,
        {
            "name": "Monthly",
            "frequency": "monthly",
            "day_of_month": "3",
            "hour": "9",
            "addresses": "nope",
        },
    )
    assert bad.status_code == 200
    assert "nope is not an e-mail address" in bad.content.decode()
    assert 'value="Monthly"' in bad.content.decode()  # what was typed is kept
    good = client.post(
        url,
        {
            "name": "Monthly",
            "frequency": "monthly",
            "day_of_month": "3",
            "hour": "9",
            "members": [str(bob.pk)],
            "addresses": "boss@brand.example",
        },
    )
    assert good.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert (schedule.day_of_month, schedule.hour, schedule.language) == (3, 9, "en")
    page = strip_tags(client.get(url).content.decode())
    assert "bob@example.com, boss@brand.example" in page
    assert "day 3 of the month, 09:00" in page


def test_send_me_a_test_goes_to_the_person_asking_only(acme, alice, week):
    client = signed_in(alice)
    schedule = schedules.save_schedule(access_workspace(alice, "acme"), weekly())
    response = client.post(reverse("reporting:schedule_test", args=["acme", schedule.pk]))
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.bcc == ["alice@example.com"]
    assert message.attachments[0][2] == "application/pdf"


def test_an_editor_cannot_open_the_schedules_page(acme, bob):
    response = signed_in(bob).get(reverse("reporting:schedules", args=["acme"]))
    assert response.status_code == 403


def test_the_analyst_role_may_schedule(acme, make_user):
    analyst = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    schedule = schedules.save_schedule(access_workspace(analyst, "acme"), weekly())
    assert schedule.created_by == analyst
