"""The coverage page: who is on duty now, the weekly rota grid and its shifts, one-off
overrides, and absences (anyone who answers records their own). Times are typed and shown on
the workspace's clock (Acme: Europe/Paris)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest
import time_machine

from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.inbox.models import Absence, CoverageOverride, Shift
from tests.conftest import signed_in
from tests.web.conftest import count, messages_of, text

URL = "/w/acme/inbox/settings/coverage/"
NOW = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)  # Tuesday 10:30 in Paris


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_adding_a_shift_shows_it_in_the_grid_and_on_duty_now(alice_client, acme, alice, clock):
    response = alice_client.post(
        URL,
        {
            "form": "shift",
            "shift-user": alice.pk,
            "shift-weekday": "2",
            "shift-start": "09:00",
            "shift-end": "17:00",
        },
    )
    assert response.status_code == 302
    assert "Shift added: Alice Martin, Tuesday 09:00 to 17:00." in messages_of(response)
    shift = Shift.objects.get(workspace=acme)
    assert (shift.weekday, shift.start, shift.end) == (2, time(9), time(17))
    page = alice_client.get(URL)
    on_duty = page.content.decode().split('data-testid="on-duty-now"')[1].split("</section>")[0]
    assert "Alice Martin" in on_duty
    # The grid: Tuesday's 09:00 to 16:00 rows name her, 17:00 does not.
    grid = text(page).split("Who is on duty each hour of the week")[1]
    assert "09:00 Alice Martin" in grid and "16:00 Alice Martin" in grid
    assert "17:00 Alice Martin" not in grid
    assert count(page, "shift") == 1


def test_a_night_shift_runs_past_midnight_in_the_grid(alice_client, acme, alice):
    Shift.objects.create(workspace=acme, user=alice, weekday=7, start=time(22), end=time(6))
    page = alice_client.get(URL)
    grid = text(page).split("Who is on duty each hour of the week")[1]
    # Sunday 23:00 and, wrapping round the week, Monday 05:00.
    assert "23:00 Alice Martin" in grid and "05:00 Alice Martin" in grid
    assert "06:00 Alice Martin" not in grid


def test_nobody_on_duty_is_said(alice_client, clock):
    page = alice_client.get(URL)
    assert "Nobody: new conversations wait unassigned." in text(page)


def test_an_override_in_local_time(alice_client, acme, bob, clock):
    response = alice_client.post(
        URL,
        {
            "form": "override",
            "duty-user": bob.pk,
            "duty-starts_at": "2026-11-21T08:00",
            "duty-ends_at": "2026-11-21T20:00",
            "duty-note": "Black Friday weekend",
        },
    )
    assert response.status_code == 302
    row = CoverageOverride.objects.get(workspace=acme)
    assert row.starts_at == datetime(2026, 11, 21, 7, 0, tzinfo=UTC)  # 08:00 in Paris
    page = alice_client.get(URL)
    assert count(page, "duty-row") == 1
    assert "Bob Durand 2026-11-21 08:00 2026-11-21 20:00 Black Friday weekend" in text(page)
    alice_client.post(f"{URL}overrides/{row.pk}/delete/")
    assert not CoverageOverride.objects.exists()


def test_an_override_ending_before_it_starts_is_refused_beside_the_field(alice_client, bob, clock):
    response = alice_client.post(
        URL,
        {
            "form": "override",
            "duty-user": bob.pk,
            "duty-starts_at": "2026-11-21T20:00",
            "duty-ends_at": "2026-11-21T08:00",
        },
    )
    assert response.status_code == 400
    assert "The end (2026-11-21 08:00) must be after the start (2026-11-21 20:00)." in text(
        response
    )
    assert not CoverageOverride.objects.exists()


def test_an_editor_records_their_own_absence_only(bob, alice, acme, clock):
    client = signed_in(bob)
    page = client.get(URL)
    assert count(page, "absence-form") == 1
    assert count(page, "shift-form") == 0
    # Only bob is offered in the form.
    form = page.content.decode().split('data-testid="absence-form"')[1].split("</form>")[0]
    assert "Bob Durand" in form and "Alice Martin" not in form
    response = client.post(
        URL + "absences/",
        {
            "away-user": bob.pk,
            "away-starts_at": "2026-12-21T00:00",
            "away-ends_at": "2027-01-04T00:00",
            "away-note": "Holidays",
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get(user=bob)
    # Someone else's absence: not offered, so refused by the form.
    refused = client.post(
        URL + "absences/",
        {
            "away-user": alice.pk,
            "away-starts_at": "2026-12-21T00:00",
            "away-ends_at": "2027-01-04T00:00",
        },
    )
    assert refused.status_code == 400
    assert not Absence.objects.filter(user=alice).exists()
    # Nor may bob add a shift or remove alice's absence.
    assert client.post(URL, {"form": "shift"}).status_code == 403
    theirs = Absence.objects.create(
        workspace=acme,
        user=alice,
        starts_at=datetime(2026, 12, 1, tzinfo=UTC),
        ends_at=datetime(2026, 12, 2, tzinfo=UTC),
    )
    assert client.post(f"{URL}absences/{theirs.pk}/delete/").status_code == 403
    assert client.post(f"{URL}absences/{absence.pk}/delete/").status_code == 302
    assert list(Absence.objects.values_list("user_id", flat=True)) == [alice.pk]


def test_an_analyst_sees_coverage_but_records_no_absence(make_user, acme, clock):
    analyst = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    client = signed_in(analyst)
    page = client.get(URL)
    assert page.status_code == 200
    assert count(page, "absence-form") == 0
    assert client.post(URL + "absences/", {}).status_code == 403
