"""The response-targets page: the policy form (hours, targets, time zone), holidays one by one
and from a CSV file, and the overrides list (add, reorder, remove)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hubbub.core.models import AuditEntry
from hubbub.inbox.models import Holiday, ResponsePolicy, TargetOverride
from hubbub.inbox.models.policy import default_hours
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.web.conftest import count, messages_of, text

URL = "/w/acme/inbox/settings/targets/"


def policy_post(**changes: str) -> dict[str, str]:
    data = {
        "form": "policy",
        "first_response": "2",
        "first_response_unit": "hours",
        "resolution": "1",
        "resolution_unit": "days",
        "warn_before": "15",
        "time_zone": "",
        "business_hours_only": "on",
        "day_1_start_1": "09:00",
        "day_1_end_1": "12:30",
        "day_1_start_2": "14:00",
        "day_1_end_2": "18:00",
        "day_2_start_1": "09:00",
        "day_2_end_1": "00:00",  # closing at midnight
    }
    data.update(changes)
    return data


@pytest.fixture
def channel(acme) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


def test_the_page_shows_the_default_policy(alice_client):
    page = alice_client.get(URL)
    assert page.status_code == 200
    shown = text(page)
    assert "Response targets" in shown
    assert "The workspace's (Europe/Paris)" in shown
    # The defaults: Monday to Friday 9 to 17, 1 hour to first response, 8 hours to resolve.
    body = page.content.decode()
    assert 'name="day_1_start_1" value="09:00"' in body
    assert 'name="day_6_start_1"' in body and 'name="day_6_start_1" value' not in body
    assert 'name="first_response" value="1"' in body
    assert 'name="resolution" value="8"' in body


def test_saving_two_intervals_a_midnight_close_and_targets(alice_client, acme):
    response = alice_client.post(URL, policy_post())
    assert response.status_code == 302
    policy = ResponsePolicy.objects.get(workspace=acme)
    assert policy.hours == {
        "1": [["09:00", "12:30"], ["14:00", "18:00"]],
        "2": [["09:00", "24:00"]],
    }
    assert policy.first_response_minutes == 120
    assert policy.resolution_minutes == 24 * 60
    assert policy.time_zone == ""  # follows the workspace
    assert AuditEntry.objects.filter(action="inbox.policy").count() == 1
    page = alice_client.get(URL)
    assert "Response targets saved." in text(page)
    body = page.content.decode()
    assert 'name="day_2_end_1" value="00:00"' in body  # midnight shown as the picker can


def test_overlapping_intervals_are_refused_beside_the_day(alice_client, acme):
    response = alice_client.post(URL, policy_post(day_1_start_2="12:00", day_1_end_2="18:00"))
    assert response.status_code == 400
    assert count(response, "hours-error-1") == 1
    assert "The second interval must start after the first one ends." in text(response)
    # What was typed stays in the form.
    assert 'name="day_1_start_2" value="12:00"' in response.content.decode()
    assert ResponsePolicy.objects.get(workspace=acme).hours == default_hours()  # unchanged


def test_a_bad_time_zone_and_a_missing_target_are_shown_beside_their_fields(alice_client):
    response = alice_client.post(URL, policy_post(first_response="", time_zone="Mars/Olympus"))
    assert response.status_code == 400
    shown = text(response)
    assert "This field is required." in shown
    assert "Select a valid choice." in shown


def test_warning_must_come_before_the_target(alice_client):
    response = alice_client.post(
        URL, policy_post(first_response="10", first_response_unit="minutes", warn_before="30")
    )
    assert response.status_code == 400
    assert "Warn between 0 minutes and less than the first-response target" in text(response)


def test_an_editor_sees_the_targets_but_cannot_change_them(bob, acme):
    client = signed_in(bob)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Save targets and hours" not in text(page)
    assert count(page, "holiday-form") == 0
    assert client.post(URL, policy_post()).status_code == 403
    assert not ResponsePolicy.objects.filter(workspace=acme, first_response_minutes=120).exists()


# --- holidays -------------------------------------------------------------------------------


def test_adding_and_removing_a_holiday(alice_client, acme):
    response = alice_client.post(
        URL, {"form": "holiday", "date": "2026-12-25", "name": "Christmas Day"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#holidays")
    holiday = Holiday.objects.get(policy__workspace=acme)
    page = alice_client.get(URL)
    assert count(page, "holiday-row") == 1
    assert "2026-12-25 Christmas Day" in text(page)
    removed = alice_client.post(f"{URL}holidays/{holiday.pk}/delete/")
    assert removed.status_code == 302
    assert not Holiday.objects.exists()
    assert "Holiday 2026-12-25 removed." in messages_of(removed)


def test_a_holiday_without_a_date_is_refused_beside_the_field(alice_client):
    response = alice_client.post(URL, {"form": "holiday", "date": "soon", "name": "x"})
    assert response.status_code == 400
    assert "Enter a valid date." in text(response)
    assert not Holiday.objects.exists()


def test_importing_holidays_keeps_good_rows_and_reports_bad_ones(alice_client, acme):
    # A header, a French-style date, a bad row, a blank line and a date already listed.
    alice_client.post(URL, {"form": "holiday", "date": "2026-12-25", "name": "Xmas"})
    csv = (
        "date,name\n"
        "2026-12-25,Christmas Day\n"
        "01/01/2027,Jour de l'an\n"
        "someday,Party\n"
        "\n"
        "2027-05-01,Fête du travail\n"
    ).encode()
    response = alice_client.post(
        URL,
        {"form": "import", "file": SimpleUploadedFile("holidays.csv", csv, "text/csv")},
    )
    assert response.status_code == 200
    shown = text(response)
    assert "Imported: 2 added, 1 updated." in shown
    assert "1 line was skipped:" in shown
    assert "Line 4: 'someday' is not a date: use 2026-12-25." in shown
    assert sorted(Holiday.objects.filter(policy__workspace=acme).values_list("date", "name")) == [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2027, 1, 1), "Jour de l'an"),
        (date(2027, 5, 1), "Fête du travail"),
    ]
    assert AuditEntry.objects.filter(action="inbox.holidays_import").count() == 1


def test_an_unreadable_csv_is_refused(alice_client):
    response = alice_client.post(
        URL, {"form": "import", "file": SimpleUploadedFile("h.csv", b"", "text/csv")}
    )
    assert response.status_code == 400
    assert "The submitted file is empty." in text(response)
    assert not Holiday.objects.exists()


# --- overrides ------------------------------------------------------------------------------


def test_overrides_are_added_reordered_and_removed(alice_client, acme, channel):
    first = alice_client.post(
        URL,
        {
            "form": "override",
            "ov-channel": str(channel.pk),
            "ov-first_response": "15",
            "ov-first_response_unit": "minutes",
            "ov-resolution_unit": "hours",
        },
    )
    assert first.status_code == 302
    second = alice_client.post(
        URL,
        {
            "form": "override",
            "ov-sentiment": "negative",
            "ov-priority": "3",
            "ov-first_response_unit": "minutes",
            "ov-resolution": "4",
            "ov-resolution_unit": "hours",
        },
    )
    assert second.status_code == 302
    page = alice_client.get(URL)
    assert count(page, "override-row") == 2
    shown = text(page)
    assert "channel acme.bsky.social 15 minutes the policy's" in shown
    assert "priority Urgent, sentiment Negative the policy's 4 hours" in shown

    negative = TargetOverride.objects.get(sentiment="negative")
    moved = alice_client.post(f"{URL}overrides/{negative.pk}/move/", {"direction": "up"})
    assert moved.status_code == 302
    assert list(TargetOverride.objects.values_list("sentiment", flat=True)) == ["negative", ""]

    alice_client.post(f"{URL}overrides/{negative.pk}/delete/")
    assert list(TargetOverride.objects.values_list("channel_id", flat=True)) == [channel.pk]


def test_an_override_needs_a_condition_and_a_target(alice_client):
    response = alice_client.post(
        URL,
        {"form": "override", "ov-first_response_unit": "minutes", "ov-resolution_unit": "hours"},
    )
    assert response.status_code == 400
    assert "Choose at least one condition" in text(response)
    response = alice_client.post(
        URL,
        {
            "form": "override",
            "ov-kind": "message",
            "ov-first_response_unit": "minutes",
            "ov-resolution_unit": "hours",
        },
    )
    assert response.status_code == 400
    assert "Give a first-response target, a resolution target or both." in text(response)
    assert not TargetOverride.objects.exists()


def test_another_workspaces_channel_cannot_be_used(alice_client, globex):
    theirs = Channel.objects.create(
        workspace=globex, network="bluesky", external_id="did:plc:g", handle="globex.bsky.social"
    )
    response = alice_client.post(
        URL,
        {
            "form": "override",
            "ov-channel": str(theirs.pk),
            "ov-first_response": "5",
            "ov-first_response_unit": "minutes",
            "ov-resolution_unit": "hours",
        },
    )
    assert response.status_code == 400
    assert not TargetOverride.objects.exists()
