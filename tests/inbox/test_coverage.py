"""Who is on duty: the weekly rota in the workspace's clock (past midnight, across both
daylight-saving changes), one-off overrides replacing it, absences taking people off."""

from __future__ import annotations

from datetime import timedelta

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import coverage
from hubbub.inbox.models import Absence, CoverageOverride
from tests.inbox.conftest_coverage import (  # noqa: F401  (fixtures)
    dave_fixture,
    fanny_fixture,
    member,
    paris,
    shift,
    utc,
)


def names(people: list[User]) -> list[str]:
    return [p.email.split("@")[0] for p in people]


def test_a_day_shift_covers_its_hours_in_the_workspace_clock(acme: Workspace, alice: User) -> None:
    shift(acme, alice, 1, "09:00", "17:00")  # Mondays
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 9, 0))) == ["alice"]
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 16, 59))) == ["alice"]
    assert coverage.on_duty(acme, paris(2026, 11, 23, 17, 0)) == []  # the end is excluded
    assert coverage.on_duty(acme, paris(2026, 11, 23, 8, 59)) == []
    assert coverage.on_duty(acme, paris(2026, 11, 24, 10, 0)) == []  # a Tuesday
    # 09:00 in Paris is 08:00 UTC in winter: the rota is not in UTC.
    assert coverage.on_duty(acme, utc(2026, 11, 23, 8, 30)) != []
    assert coverage.on_duty(acme, utc(2026, 11, 23, 16, 30)) == []


def test_a_night_shift_runs_past_midnight_into_the_next_day(acme: Workspace, bob: User) -> None:
    shift(acme, bob, 5, "22:00", "06:00")  # Friday night
    assert coverage.on_duty(acme, paris(2026, 11, 27, 21, 59)) == []
    assert names(coverage.on_duty(acme, paris(2026, 11, 27, 23, 0))) == ["bob"]
    assert names(coverage.on_duty(acme, paris(2026, 11, 28, 3, 0))) == ["bob"]  # Saturday
    assert coverage.on_duty(acme, paris(2026, 11, 28, 6, 0)) == []
    # Only Friday nights: Saturday night nobody.
    assert coverage.on_duty(acme, paris(2026, 11, 28, 23, 0)) == []
    # A Sunday-night shift runs into Monday (the week wraps).
    shift(acme, bob, 7, "23:00", "02:00")
    assert names(coverage.on_duty(acme, paris(2026, 11, 30, 1, 0))) == ["bob"]


def test_start_equal_to_end_is_a_whole_day(acme: Workspace, bob: User) -> None:
    shift(acme, bob, 6, "00:00", "00:00")
    assert names(coverage.on_duty(acme, paris(2026, 11, 28, 0, 0))) == ["bob"]
    assert names(coverage.on_duty(acme, paris(2026, 11, 28, 23, 59))) == ["bob"]
    assert coverage.on_duty(acme, paris(2026, 11, 29, 0, 0)) == []


def test_night_shift_on_the_spring_forward_night_lasts_seven_hours(
    acme: Workspace, bob: User
) -> None:
    # Paris springs forward on Sunday 2026-03-29 at 02:00 CET → 03:00 CEST.
    shift(acme, bob, 6, "22:00", "06:00")
    assert coverage.on_duty(acme, utc(2026, 3, 28, 20, 59)) == []
    assert names(coverage.on_duty(acme, utc(2026, 3, 28, 21, 0))) == ["bob"]  # 22:00 CET
    assert names(coverage.on_duty(acme, utc(2026, 3, 29, 3, 59))) == ["bob"]  # 05:59 CEST
    assert coverage.on_duty(acme, utc(2026, 3, 29, 4, 0)) == []  # 06:00 CEST: 7 hours later


def test_night_shift_on_the_fall_back_night_lasts_nine_hours(acme: Workspace, bob: User) -> None:
    # Paris falls back on Sunday 2026-10-25 at 03:00 CEST → 02:00 CET.
    shift(acme, bob, 6, "22:00", "06:00")
    assert names(coverage.on_duty(acme, utc(2026, 10, 24, 20, 0))) == ["bob"]  # 22:00 CEST
    assert names(coverage.on_duty(acme, utc(2026, 10, 25, 4, 59))) == ["bob"]  # 05:59 CET
    assert coverage.on_duty(acme, utc(2026, 10, 25, 5, 0)) == []  # 06:00 CET: 9 hours later
    # Through the repeated hour (02:30 CEST, then 02:30 CET), bob stays on duty.
    assert names(coverage.on_duty(acme, utc(2026, 10, 25, 0, 30))) == ["bob"]
    assert names(coverage.on_duty(acme, utc(2026, 10, 25, 1, 30))) == ["bob"]


def test_a_shift_starting_in_the_skipped_hour_starts_when_the_clock_jumps(
    acme: Workspace, bob: User
) -> None:
    shift(acme, bob, 7, "02:30", "05:00")  # 02:30 does not exist on 2026-03-29
    assert coverage.on_duty(acme, utc(2026, 3, 29, 0, 59)) == []  # 01:59 CET
    assert names(coverage.on_duty(acme, utc(2026, 3, 29, 1, 0))) == ["bob"]  # 03:00 CEST
    # A normal Sunday: 02:30 CET is 01:30 UTC.
    assert names(coverage.on_duty(acme, utc(2026, 3, 22, 1, 30))) == ["bob"]


def test_day_shift_after_the_change_follows_the_wall_clock(acme: Workspace, alice: User) -> None:
    shift(acme, alice, 1, "09:00", "17:00")
    assert names(coverage.on_duty(acme, utc(2026, 3, 30, 7, 0))) == ["alice"]  # 09:00 CEST
    assert coverage.on_duty(acme, utc(2026, 3, 23, 7, 0)) == []  # 08:00 CET the week before
    assert names(coverage.on_duty(acme, utc(2026, 3, 23, 8, 0))) == ["alice"]  # 09:00 CET


def test_an_override_replaces_the_rota_while_it_is_active(
    acme: Workspace, alice: User, bob: User, dave: User
) -> None:
    shift(acme, alice, 1, "09:00", "17:00")
    shift(acme, dave, 1, "09:00", "17:00")
    CoverageOverride.objects.create(
        workspace=acme, user=bob, starts_at=paris(2026, 11, 23, 12), ends_at=paris(2026, 11, 23, 14)
    )
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 11))) == ["alice", "dave"]
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 12))) == ["bob"]
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 14))) == ["alice", "dave"]
    # Outside any shift, an override still puts its person on duty.
    CoverageOverride.objects.create(
        workspace=acme,
        user=dave,
        starts_at=paris(2026, 11, 28, 10),
        ends_at=paris(2026, 11, 28, 18),
    )
    assert names(coverage.on_duty(acme, paris(2026, 11, 28, 11))) == ["dave"]


def test_overrides_of_people_no_longer_members_count_for_nothing(
    acme: Workspace, alice: User, charlie: User
) -> None:
    shift(acme, alice, 1, "09:00", "17:00")
    CoverageOverride.objects.create(
        workspace=acme, user=charlie, starts_at=paris(2026, 11, 23), ends_at=paris(2026, 11, 24)
    )
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 10))) == ["alice"]


def test_absent_people_are_not_on_duty(acme: Workspace, alice: User, dave: User) -> None:
    shift(acme, alice, 1, "09:00", "17:00")
    shift(acme, dave, 1, "09:00", "17:00")
    Absence.objects.create(
        workspace=acme, user=alice, starts_at=paris(2026, 11, 23), ends_at=paris(2026, 11, 23, 12)
    )
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 10))) == ["dave"]
    assert names(coverage.on_duty(acme, paris(2026, 11, 23, 12))) == ["alice", "dave"]
    assert coverage.is_absent(acme, alice, paris(2026, 11, 23, 10))
    assert not coverage.is_absent(acme, alice, paris(2026, 11, 23, 12))
    assert not coverage.is_absent(acme, dave, paris(2026, 11, 23, 10))
    # Absent while overriding: still off duty.
    CoverageOverride.objects.create(
        workspace=acme,
        user=alice,
        starts_at=paris(2026, 11, 23, 9),
        ends_at=paris(2026, 11, 23, 11),
    )
    assert coverage.on_duty(acme, paris(2026, 11, 23, 10)) == []


def test_only_current_members_who_may_reply_are_on_duty(
    acme: Workspace, alice: User, bob: User, fanny: User, charlie: User
) -> None:
    for person in (alice, bob, fanny, charlie):
        shift(acme, person, 1, "09:00", "17:00")
    at = paris(2026, 11, 23, 10)
    # fanny is an analyst (reads only); charlie is not a member of Acme.
    assert names(coverage.on_duty(acme, at)) == ["alice", "bob"]
    Membership.objects.filter(workspace=acme, user=bob).delete()
    assert names(coverage.on_duty(acme, at)) == ["alice"]
    alice.is_active = False
    alice.save()
    assert coverage.on_duty(acme, at) == []


def test_other_workspaces_rota_does_not_count(
    acme: Workspace, globex: Workspace, alice: User, charlie: User
) -> None:
    shift(globex, charlie, 1, "00:00", "00:00")
    member(globex, alice, Role.OWNER)
    shift(globex, alice, 1, "00:00", "00:00")
    assert coverage.on_duty(acme, paris(2026, 11, 23, 10)) == []


def test_next_shift_start(acme: Workspace, alice: User, bob: User) -> None:
    shift(acme, alice, 1, "09:00", "17:00")
    shift(acme, alice, 3, "22:00", "06:00")
    monday_evening = paris(2026, 11, 23, 18)
    assert coverage.next_shift_start(acme, alice, monday_evening) == paris(2026, 11, 25, 22)
    # During a shift: the next one, not the current one.
    assert coverage.next_shift_start(acme, alice, paris(2026, 11, 23, 10)) == paris(
        2026, 11, 25, 22
    )
    # Their own override counts as duty.
    CoverageOverride.objects.create(
        workspace=acme, user=alice, starts_at=paris(2026, 11, 24, 8), ends_at=paris(2026, 11, 24, 9)
    )
    assert coverage.next_shift_start(acme, alice, monday_evening) == paris(2026, 11, 24, 8)
    assert coverage.next_shift_start(acme, bob, monday_evening) is None


def test_next_on_duty(acme: Workspace, alice: User, bob: User) -> None:
    shift(acme, alice, 1, "09:00", "17:00")
    shift(acme, bob, 2, "08:00", "12:00")
    at, people = coverage.next_on_duty(acme, paris(2026, 11, 23, 18)) or (None, [])
    assert at == paris(2026, 11, 24, 8)
    assert names(people) == ["bob"]
    # Already someone on duty: now.
    now = paris(2026, 11, 23, 10)
    assert coverage.next_on_duty(acme, now) == (now, [alice])
    # Nobody on the rota at all.
    Absence.objects.create(
        workspace=acme, user=bob, starts_at=paris(2026, 11, 24), ends_at=paris(2026, 11, 25)
    )
    at, people = coverage.next_on_duty(acme, paris(2026, 11, 23, 18)) or (None, [])
    assert at == paris(2026, 11, 30, 9)  # the next Monday: alice
    assert names(people) == ["alice"]
    assert coverage.next_on_duty(acme, paris(2026, 11, 23, 18), within=timedelta(hours=1)) is None
