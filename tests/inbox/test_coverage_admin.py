"""Changing the rota, overrides and absences: who may, what is refused (and why), the log."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import coverage_admin as admin
from hubbub.inbox.models import Absence, Conversation, CoverageOverride, Shift
from tests.inbox.conftest_coverage import (  # noqa: F401  (fixtures)
    conversation,
    dave_fixture,
    fanny_fixture,
    make_channel,
    paris,
    shift,
)

NOW = paris(2026, 11, 23, 10)


def access(user: User, workspace: Workspace, role: str) -> Access:
    return Access(user=user, workspace=workspace, role=role)


@pytest.fixture
def owner(alice: User, acme: Workspace) -> Access:
    return access(alice, acme, Role.OWNER)


@pytest.fixture
def editor(bob: User, acme: Workspace) -> Access:
    return access(bob, acme, Role.EDITOR)


def test_owner_adds_and_changes_a_shift_and_it_is_logged(owner: Access, bob: User) -> None:
    saved = admin.save_shift(owner, bob, 5, time(22, 0), time(6, 0))
    assert (saved.weekday, saved.start, saved.end, saved.user) == (5, time(22), time(6), bob)
    entry = AuditEntry.objects.get(action="shift.save")
    assert entry.actor == owner.user
    assert entry.after == {"user": bob.pk, "weekday": 5, "start": "22:00", "end": "06:00"}
    admin.save_shift(owner, bob.pk, 6, time(22, 0), time(6, 0), shift=saved)
    saved.refresh_from_db()
    assert saved.weekday == 6
    changed = AuditEntry.objects.filter(action="shift.save").order_by("id").last()
    assert changed is not None and changed.before["weekday"] == 5
    admin.delete_shift(owner, saved)
    assert not Shift.objects.exists()
    assert AuditEntry.objects.filter(action="shift.delete").count() == 1


@pytest.mark.parametrize("weekday", [0, 8, -1])
def test_weekday_must_be_1_to_7(owner: Access, bob: User, weekday: int) -> None:
    with pytest.raises(ActionError, match=r"1 \(Monday\) to 7 \(Sunday\)"):
        admin.save_shift(owner, bob, weekday, time(9), time(17))


def test_only_members_who_may_reply_go_on_the_rota(
    owner: Access, charlie: User, fanny: User
) -> None:
    with pytest.raises(ActionError, match="not a member of Acme"):
        admin.save_shift(owner, charlie, 1, time(9), time(17))
    with pytest.raises(ActionError, match="cannot answer conversations"):
        admin.save_shift(owner, fanny, 1, time(9), time(17))
    with pytest.raises(ActionError, match="not a member"):
        admin.save_override(owner, charlie, paris(2026, 12, 1, 9), paris(2026, 12, 1, 17))
    assert not Shift.objects.exists() and not CoverageOverride.objects.exists()


def test_the_same_shift_twice_is_refused(owner: Access, bob: User) -> None:
    admin.save_shift(owner, bob, 1, time(9), time(17))
    with pytest.raises(ActionError, match="already has that shift"):
        admin.save_shift(owner, bob, 1, time(9), time(17))


def test_editors_cannot_change_the_rota(editor: Access, bob: User, alice: User) -> None:
    with pytest.raises(PermissionDenied):
        admin.save_shift(editor, bob, 1, time(9), time(17))
    with pytest.raises(PermissionDenied):
        admin.save_override(editor, bob, paris(2026, 12, 1, 9), paris(2026, 12, 1, 17))
    own = shift(editor.workspace, alice, 1, "09:00", "17:00")
    with pytest.raises(PermissionDenied):
        admin.delete_shift(editor, own)


def test_override_end_must_come_after_start(owner: Access, bob: User) -> None:
    with pytest.raises(ActionError, match="must be after the start") as refused:
        admin.save_override(owner, bob, paris(2026, 12, 1, 17), paris(2026, 12, 1, 9))
    assert refused.value.field == "ends_at"
    assert "2026-12-01 09:00" in refused.value.message  # in the workspace's clock


def test_override_saved_from_naive_local_times(owner: Access, bob: User) -> None:
    saved = admin.save_override(
        owner, bob, datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 17), note="  cover\nfor Al "
    )
    assert saved.starts_at == paris(2026, 12, 1, 9)
    assert saved.ends_at == paris(2026, 12, 1, 17)
    assert saved.note == "cover for Al"
    assert AuditEntry.objects.filter(action="coverage_override.save").count() == 1
    admin.delete_override(owner, saved)
    assert AuditEntry.objects.filter(action="coverage_override.delete").count() == 1


def test_a_local_time_that_does_not_exist_is_refused(owner: Access, bob: User) -> None:
    with pytest.raises(ActionError, match="does not exist") as refused:
        admin.save_override(owner, bob, datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 9))
    assert refused.value.field == "starts_at"


def test_a_member_records_and_removes_their_own_absence(editor: Access, bob: User) -> None:
    away = admin.save_absence(
        editor, bob, paris(2026, 12, 21), paris(2027, 1, 4), note="holidays", now=NOW
    )
    assert (away.user, away.note, away.handed_off_at) == (bob, "holidays", None)
    assert AuditEntry.objects.get(action="absence.save").actor == bob
    admin.delete_absence(editor, away)
    assert not Absence.objects.exists()
    assert AuditEntry.objects.filter(action="absence.delete").count() == 1


def test_only_managers_record_someone_elses_absence(
    editor: Access, owner: Access, alice: User, bob: User
) -> None:
    with pytest.raises(PermissionDenied):
        admin.save_absence(editor, alice, paris(2026, 12, 21), paris(2026, 12, 22), now=NOW)
    theirs = admin.save_absence(owner, bob, paris(2026, 12, 21), paris(2026, 12, 22), now=NOW)
    mine = Absence.objects.create(
        workspace=owner.workspace, user=alice, starts_at=NOW, ends_at=paris(2026, 12, 1)
    )
    with pytest.raises(PermissionDenied):
        admin.delete_absence(editor, mine)
    # An editor cannot take over a manager's record of someone else's absence either.
    with pytest.raises(PermissionDenied):
        admin.save_absence(editor, bob, NOW, paris(2026, 12, 1), absence=mine, now=NOW)
    admin.delete_absence(owner, theirs)


def test_an_analyst_cannot_record_even_their_own_absence(acme: Workspace, fanny: User) -> None:
    with pytest.raises(PermissionDenied):
        admin.save_absence(
            access(fanny, acme, Role.ANALYST), fanny, paris(2026, 12, 21), paris(2026, 12, 22)
        )


def test_absence_checks(owner: Access, bob: User) -> None:
    with pytest.raises(ActionError, match="must be after"):
        admin.save_absence(owner, bob, paris(2026, 12, 22), paris(2026, 12, 21), now=NOW)
    with pytest.raises(ActionError, match="already over"):
        admin.save_absence(owner, bob, paris(2026, 11, 1), paris(2026, 11, 2), now=NOW)
    with pytest.raises(ActionError, match="longer than 366 days"):
        admin.save_absence(owner, bob, paris(2026, 12, 1), paris(2028, 12, 2), now=NOW)
    with pytest.raises(ActionError, match="keep it to 200"):
        admin.save_absence(owner, bob, paris(2026, 12, 1), paris(2026, 12, 2), "x" * 201, now=NOW)


def test_objects_of_another_workspace_are_refused(
    owner: Access, globex: Workspace, charlie: User, bob: User
) -> None:
    theirs = shift(globex, charlie, 1, "09:00", "17:00")
    with pytest.raises(ActionError, match="another workspace"):
        admin.delete_shift(owner, theirs)
    with pytest.raises(ActionError, match="another workspace"):
        admin.save_shift(owner, bob, 1, time(9), time(17), shift=theirs)
    away = Absence.objects.create(
        workspace=globex, user=charlie, starts_at=NOW, ends_at=paris(2026, 12, 1)
    )
    with pytest.raises(ActionError, match="another workspace"):
        admin.delete_absence(owner, away)
    assert (
        Shift.objects.filter(pk=theirs.pk).exists() and Absence.objects.filter(pk=away.pk).exists()
    )


def test_an_absence_that_has_begun_hands_off_at_once(
    owner: Access, acme: Workspace, bob: User, dave: User
) -> None:
    shift(acme, dave, 1, "09:00", "17:00")
    channel = make_channel(acme, "acme.bsky.social")
    mine = conversation(acme, channel, paris(2026, 11, 22), assignee=bob)
    away = admin.save_absence(owner, bob, paris(2026, 11, 23, 9), paris(2026, 11, 30), now=NOW)
    assert away.handed_off_at == NOW and away.handed_off_count == 1
    assert Conversation.objects.get(pk=mine.pk).assignee == dave
